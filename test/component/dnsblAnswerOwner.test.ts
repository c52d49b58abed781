/**
 * A DNS server on loopback that answers, for the name relaywatch asks, with records for another name
 * (or of another class, or another type): none of it is a listing, each is "could not check" with
 * the reason. The same server's honest answers still count, so the test can tell the two apart.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { createDnsblResolver } from '../../src/host/dnsResolver';
import { removeTree, runCliCaptured } from '../helpers/hostTree';
import { makeBlacklistHost } from '../helpers/blacklistHost';
import { DEFAULT_QUERIED_ZONES, RunningDnsblServer, selfTestEntries, startDnsblServer } from '../helpers/dnsServer';

let dns: RunningDnsblServer;
let root: string;
let body: any;
let code: number;

beforeAll(async () => {
  dns = await startDnsblServer({
    zones: Object.fromEntries(DEFAULT_QUERIED_ZONES.map((z) => [z, 'answer'])),
    records: {
      ...selfTestEntries(DEFAULT_QUERIED_ZONES),
      // An honest listing, for contrast.
      '10.113.0.203.ips.backscatterer.org': { a: ['127.0.0.2'], txt: ['honest listing'] },
      // The question is 10.113.0.203.zen.spamhaus.org; the answer is for another name.
      '10.113.0.203.zen.spamhaus.org': { a: ['127.0.0.2'], txt: ['forged'], answerName: '2.0.0.127.zen.spamhaus.org' },
      '10.113.0.203.dnsbl-1.uceprotect.net': { a: ['127.0.0.2'], answerName: 'attacker.example' },
      // The right name, but class CHAOS instead of IN.
      '10.113.0.203.bl.spamcop.net': { a: ['127.0.0.2'], answerClass: 'CH' },
    },
  });
  root = makeBlacklistHost({ resolver: dns.address });
  const r = await runCliCaptured(['blacklist', '--root', root, '--ip', '203.0.113.10', '--json']);
  code = r.code;
  body = JSON.parse(r.stdout);
});
afterAll(async () => {
  await dns.close();
  removeTree(root);
});

const result = (zone: string): any => body.ips.find((i: any) => i.ip === '203.0.113.10').results.find((x: any) => x.zone === zone);

test('an A answer for another name is not a listing: "could not check", with the reason', () => {
  for (const zone of ['zen.spamhaus.org', 'dnsbl-1.uceprotect.net']) {
    const r = result(zone);
    expect(r.status).toBe('unknown');
    expect(r.reason).toMatch(/a record for another name than the one asked/);
    expect(r.txt).toEqual([]);
  }
  // relaywatch did ask the exact name (the server recorded it).
  expect(dns.queries).toContainEqual({ name: '10.113.0.203.zen.spamhaus.org', type: 'A' });
});

test('an answer of another class is not a listing either', () => {
  const r = result('bl.spamcop.net');
  expect(r.status).toBe('unknown');
  expect(r.reason).toMatch(/another class than IN|no address/);
});

test('the honest answer of the same server still counts, so the verdict is the one listing', () => {
  expect(result('ips.backscatterer.org')).toMatchObject({ status: 'listed', codes: ['127.0.0.2'], txt: ['honest listing'] });
  expect(code).toBe(2);
  expect(body.verdict).toBe('listed');
  const listed = body.ips.flatMap((i: any) => i.results.filter((x: any) => x.status === 'listed').map((x: any) => x.zone));
  expect(listed).toEqual(['ips.backscatterer.org']);
});

describe('a truncated answer is asked again over TCP, and checked the same way', () => {
  /** A loopback DNS server whose UDP answers are all truncated, and whose TCP answers come from `answer`. */
  async function truncatingServer(answer: (q: dnsPacket.Question) => dnsPacket.Answer[]): Promise<{ address: string; close: () => Promise<void> }> {
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', () => resolve()));
    const port = udp.address().port;
    udp.on('message', (msg, rinfo) => {
      const q = dnsPacket.decode(msg);
      udp.send(dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.TRUNCATED_RESPONSE | dnsPacket.RECURSION_AVAILABLE, questions: q.questions }), rinfo.port, rinfo.address);
    });
    const tcp = net.createServer((sock) => {
      let buf = Buffer.alloc(0);
      sock.on('data', (c) => {
        buf = Buffer.concat([buf, c]);
        if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
        const q = dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        sock.end(dnsPacket.streamEncode({ type: 'response', id: q.id, flags: dnsPacket.RECURSION_AVAILABLE, questions: q.questions, answers: answer(q.questions![0]) }));
      });
    });
    await new Promise<void>((resolve) => tcp.listen(port, '127.0.0.1', () => resolve()));
    return {
      address: `127.0.0.1:${port}`,
      close: async () => {
        await new Promise<void>((resolve) => udp.close(() => resolve()));
        await new Promise<void>((resolve) => tcp.close(() => resolve()));
      },
    };
  }

  test('the right name over TCP is an answer; another name over TCP is "could not check"', async () => {
    const honest = await truncatingServer((q) => [{ type: 'A', name: q.name, class: 'IN', ttl: 60, data: '127.0.0.2' }]);
    const liar = await truncatingServer(() => [{ type: 'A', name: 'attacker.example', class: 'IN', ttl: 60, data: '127.0.0.2' }]);
    try {
      const good = createDnsblResolver({ server: honest.address, timeoutMs: 1000, concurrency: 1 });
      expect(await good.a('2.0.0.127.zen.spamhaus.org')).toEqual({ kind: 'answer', values: ['127.0.0.2'] });
      good.close();
      const bad = createDnsblResolver({ server: liar.address, timeoutMs: 1000, concurrency: 1 });
      expect(await bad.a('2.0.0.127.zen.spamhaus.org')).toMatchObject({ kind: 'error', code: 'EOTHERNAME' });
      bad.close();
    } finally {
      await honest.close();
      await liar.close();
    }
  });
});
