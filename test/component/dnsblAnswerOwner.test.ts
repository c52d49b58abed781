/**
 * A DNS server on loopback that answers, for the name relaywatch asks, with records for another name
 * (or of another class, or another type): none of it is a listing, each is "could not check" with
 * the reason. The same server's honest answers still count, so the test can tell the two apart.
 */
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
