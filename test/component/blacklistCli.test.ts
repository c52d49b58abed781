/**
 * `relaywatch blacklist` against a real DNS server on loopback, on real temporary host trees: every
 * outcome, the exact RFC 5782 names asked, the cache the page reads, exit statuses and refusals.
 */
import fs from 'node:fs';
import path from 'node:path';
import { RunningDnsblServer, selfTestEntries, startDnsblServer, DEFAULT_QUERIED_ZONES } from '../helpers/dnsServer';
import { HOSTILE_TXT, makeBlacklistHost, startScenarioServer, V6_MAIN, V6_NIBBLES } from '../helpers/blacklistHost';
import { removeTree, runCliCaptured } from '../helpers/hostTree';

const roots: string[] = [];
const servers: RunningDnsblServer[] = [];
afterAll(async () => {
  roots.forEach(removeTree);
  await Promise.all(servers.map((s) => s.close()));
});

async function server(start: () => Promise<RunningDnsblServer> = startScenarioServer): Promise<RunningDnsblServer> {
  const s = await start();
  servers.push(s);
  return s;
}
function host(o: Parameters<typeof makeBlacklistHost>[0]): string {
  const r = makeBlacklistHost(o);
  roots.push(r);
  return r;
}
async function blacklist(root: string, ...extra: string[]): Promise<{ code: number; body: any; stdout: string; stderr: string }> {
  const r = await runCliCaptured(['blacklist', '--root', root, ...extra]);
  let body: any = null;
  try {
    body = JSON.parse(r.stdout);
  } catch {
    /* text output */
  }
  return { code: r.code, body, stdout: r.stdout, stderr: r.stderr };
}
const result = (body: any, ip: string, zone: string): any => body.ips.find((i: any) => i.ip === ip).results.find((x: any) => x.zone === zone);

describe('a check of every outcome', () => {
  let dns: RunningDnsblServer;
  let root: string;
  let out: Awaited<ReturnType<typeof blacklist>>;
  beforeAll(async () => {
    dns = await server();
    root = host({ resolver: dns.address });
    out = await blacklist(root, '--json');
  });

  test('exit 2: something is listed; the verdict and summary say so', () => {
    expect(out.code).toBe(2);
    expect(out.body.verdict).toBe('listed');
    expect(out.body.resolver).toBe(dns.address);
    expect(typeof out.body.checkedAt).toBe('string');
    expect(out.body.scope).toBe('server');
  });

  test('the IPs come from mainip, /etc/ips, /etc/mailips and the interface list; private, loopback and link-local are skipped and shown', () => {
    const byIp = Object.fromEntries(out.body.ips.map((i: any) => [i.ip, i]));
    expect(Object.keys(byIp)).toEqual(['10.0.0.5', '127.0.0.1', '192.168.1.4', '203.0.113.10', '203.0.113.11', '203.0.113.12', '::1', V6_MAIN, 'fe80::5054:ff:fe12:3456']);
    expect(byIp['203.0.113.10'].sources).toEqual(['/var/cpanel/mainip', '/etc/mailips', '/etc/relaywatch/interfaces']);
    expect(byIp['203.0.113.12']).toMatchObject({ sources: ['/etc/mailips'], domains: ['shop.example'], skipped: null });
    expect(byIp['10.0.0.5'].skipped).toMatch(/^private/);
    expect(byIp['192.168.1.4'].skipped).toMatch(/^private/);
    expect(byIp['127.0.0.1'].skipped).toMatch(/^loopback/);
    expect(byIp['::1'].skipped).toMatch(/^loopback/);
    expect(byIp['fe80::5054:ff:fe12:3456'].skipped).toMatch(/^link-local/);
    for (const ip of ['10.0.0.5', '127.0.0.1', '::1']) expect(byIp[ip].results).toEqual([]);
  });

  test('a Backscatterer listing: codes, TXT, meaning, next step, delisting, evidence links with the listing date', () => {
    const r = result(out.body, '203.0.113.10', 'ips.backscatterer.org');
    expect(r).toMatchObject({ status: 'listed', codes: ['127.0.0.2'], txt: [HOSTILE_TXT], reason: null, txtTime: '2026-11-20 08:15:00', txtTimeLabel: 'Listed since', name: 'Backscatterer' });
    expect(r.meaning).toMatch(/backscatter/);
    expect(r.delisting).toMatch(/4 weeks after the last hit/);
    expect(r.nextStep).toMatch(/autoresponders/);
    expect(r.evidence.map((e: any) => [e.route, e.query])).toEqual([
      ['/autoresponders', {}],
      ['/backscatter', { at: '2026-11-20 08:15:00' }],
    ]);
  });

  test("UCEPROTECT level 3 is listed as the provider's network", () => {
    const r = result(out.body, '203.0.113.10', 'dnsbl-3.uceprotect.net');
    expect(r).toMatchObject({ status: 'listed', providerNetwork: true, impact: 'low', evidence: [] });
    expect(r.meaning).toMatch(/^Your provider's network/);
  });

  test('Spamhaus 127.255.255.254 is an error code: unknown, with the specific reason, never a hit', () => {
    const r = result(out.body, '203.0.113.11', 'zen.spamhaus.org');
    expect(r).toMatchObject({ status: 'unknown', codes: ['127.255.255.254'], txt: [] });
    expect(r.reason).toMatch(/127\.255\.255\.254: the query came through a public or open resolver/);
  });

  test('an answer outside 127/8 and an answer of exactly 127.0.0.1 are unknown', () => {
    expect(result(out.body, '203.0.113.12', 'dnsbl-1.uceprotect.net')).toMatchObject({ status: 'unknown', codes: ['198.51.100.53'], reason: expect.stringMatching(/outside 127\.0\.0\.0\/8/) });
    expect(result(out.body, '203.0.113.12', 'dnsbl-2.uceprotect.net')).toMatchObject({ status: 'unknown', codes: ['127.0.0.1'], reason: expect.stringMatching(/127\.0\.0\.1 is never a listing/) });
  });

  test('a list that never answers is unknown (timeout), never clean, and fails its self-test', () => {
    for (const ip of ['203.0.113.10', '203.0.113.11', '203.0.113.12']) {
      const r = result(out.body, ip, 'bl.spamcop.net');
      expect(r.status).toBe('unknown');
      expect(r.reason).toMatch(/timed out \(asked 2 times\)/);
    }
    expect(out.body.selfTest.find((t: any) => t.zone === 'bl.spamcop.net')).toMatchObject({ ok: false, reason: expect.stringMatching(/timed out/) });
  });

  test("Barracuda's refusal is unknown with the registration caveat", () => {
    const r = result(out.body, '203.0.113.10', 'b.barracudacentral.org');
    expect(r.status).toBe('unknown');
    expect(r.reason).toMatch(/REFUSED.*registered/);
  });

  test('an IPv6 address is checked on the lists that publish IPv6, by its 32-nibble name', () => {
    const v6 = out.body.ips.find((i: any) => i.ip === V6_MAIN);
    expect(v6.results.map((x: any) => x.zone)).toEqual(['zen.spamhaus.org']);
    expect(v6.results[0]).toMatchObject({ status: 'listed', codes: ['127.0.0.3'], txt: ['IPv6 CSS listing'] });
    expect(v6.results[0].meaning).toMatch(/127\.0\.0\.3: CSS/);
    expect(v6.notQueried.filter((n: any) => /IPv4 entries only/.test(n.reason))).toHaveLength(6);
  });

  test('clean answers are clean; the working lists pass their self-test', () => {
    expect(result(out.body, '203.0.113.11', 'ips.backscatterer.org')).toMatchObject({ status: 'clean', codes: [], reason: null, meaning: 'Not listed on Backscatterer.' });
    const passed = out.body.selfTest.filter((t: any) => t.ok).map((t: any) => t.zone).sort();
    expect(passed).toEqual(['dnsbl-1.uceprotect.net', 'dnsbl-2.uceprotect.net', 'dnsbl-3.uceprotect.net', 'ips.backscatterer.org', 'zen.spamhaus.org']);
  });

  test('SORBS is shown as defunct and never asked', () => {
    const n = out.body.ips.find((i: any) => i.ip === '203.0.113.10').notQueried;
    expect(n).toEqual([{ zone: 'dnsbl.sorbs.net', name: 'SORBS', reason: expect.stringMatching(/closed in June 2024/) }]);
    expect(dns.queries.some((q) => q.name.includes('sorbs'))).toBe(false);
    expect(out.body.zones.find((z: any) => z.zone === 'dnsbl.sorbs.net')).toMatchObject({ query: false, defunct: expect.any(String) });
  });

  test('every A query is exactly the RFC 5782 name, for checked IPs only, and TXT is asked only for A listings', () => {
    const v4 = ['10.113.0.203', '11.113.0.203', '12.113.0.203'];
    const expected = new Set<string>([
      ...DEFAULT_QUERIED_ZONES.flatMap((z) => [`2.0.0.127.${z}`, `1.0.0.127.${z}`, ...v4.map((r) => `${r}.${z}`)]),
      `${V6_NIBBLES}.zen.spamhaus.org`,
    ]);
    const asked = dns.queries.filter((q) => q.type === 'A').map((q) => q.name);
    expect(new Set(asked)).toEqual(expected);
    // retried only where no answer came (the dead list); answered names were asked once
    expect(asked.filter((n) => n === '10.113.0.203.ips.backscatterer.org')).toHaveLength(1);
    expect(asked.filter((n) => n === '10.113.0.203.bl.spamcop.net')).toHaveLength(2);
    const txt = dns.queries.filter((q) => q.type === 'TXT').map((q) => q.name).sort();
    expect(txt).toEqual(['10.113.0.203.dnsbl-3.uceprotect.net', '10.113.0.203.ips.backscatterer.org', `${V6_NIBBLES}.zen.spamhaus.org`].sort());
  });

  test('the result is kept on disk with its time, for the page', () => {
    const cached = JSON.parse(fs.readFileSync(path.join(root, 'var/lib/relaywatch/blacklist.json'), 'utf8'));
    expect(cached.checkedAt).toBe(out.body.checkedAt);
    expect(cached.verdict).toBe('listed');
    expect(fs.statSync(path.join(root, 'var/lib/relaywatch/blacklist.json')).mode & 0o777).toBe(0o600);
  });
});

test('text output: the verdict, one line per IP, what each listing means, what could not be checked', async () => {
  const dns = await server();
  const root = host({ resolver: dns.address });
  const r = await blacklist(root);
  expect(r.code).toBe(2);
  expect(r.stdout).toMatch(/^LISTED: 2 IPs of this server are listed \(3 listings, 1 of them of your provider's network, not this server\); 9 checks could not be done\.\n/);
  expect(r.stdout).toMatch(/203\.0\.113\.10 +LISTED on Backscatterer, UCEPROTECT Level 3; could not check SpamCop, Barracuda Reputation Block List; clean on 3 lists/);
  expect(r.stdout).toMatch(/127\.0\.0\.1 +skipped: loopback address/);
  expect(r.stdout).toMatch(/Evidence: Autoresponders on this server .*: relaywatch page \/autoresponders\n/);
  expect(r.stdout).toMatch(/Evidence: Null-sender bounces .*: relaywatch page \/backscatter\?at=2026-11-20\+08%3A15%3A00\n/);
  expect(r.stdout).toMatch(/203\.0\.113\.11 on Spamhaus ZEN \(answer 127\.255\.255\.254\): Spamhaus error 127\.255\.255\.254/);
  expect(r.stdout).toMatch(/\n  203\.0\.113\.10, 203\.0\.113\.11, 203\.0\.113\.12 on SpamCop: no answer: the query timed out \(asked 2 times\); the list also failed its self-test\n/);
  expect(r.stdout).not.toMatch(/\.; /);
  expect(r.stdout).toMatch(/SORBS: SORBS closed in June 2024/);
  expect(r.stdout).toMatch(/Self-test failed[^\n]*\n  SpamCop \(bl\.spamcop\.net\): /);
});

test('exit 0 when every list answers and nothing is listed', async () => {
  const dns = await server(() => startDnsblServer({ zones: Object.fromEntries(DEFAULT_QUERIED_ZONES.map((z) => [z, 'answer'])), records: selfTestEntries(DEFAULT_QUERIED_ZONES) }));
  const root = host({ resolver: dns.address });
  const r = await blacklist(root);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^OK: None of the server's 4 IPs is listed on the 7 lists checked\./);
});

test("exit 0 when only the provider's network is listed (UCEPROTECT level 3): not this server, as the overview's card says", async () => {
  const dns = await server(() =>
    startDnsblServer({
      zones: Object.fromEntries(DEFAULT_QUERIED_ZONES.map((z) => [z, 'answer'])),
      records: { ...selfTestEntries(DEFAULT_QUERIED_ZONES), '10.113.0.203.dnsbl-3.uceprotect.net': { a: ['127.0.0.2'] } },
    }),
  );
  const root = host({ resolver: dns.address });
  const r = await blacklist(root);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^LISTED: 203\.0\.113\.10 is listed on UCEPROTECT Level 3 \(UCEPROTECT Level 3: your provider's network, not this server\)\./);
  const json = await blacklist(root, '--json');
  expect(json.code).toBe(0);
  expect(result(json.body, '203.0.113.10', 'dnsbl-3.uceprotect.net')).toMatchObject({ status: 'listed', providerNetwork: true });
});

test('exit 3 when nothing is listed but something could not be checked; --ip checks only the given IPs and leaves the cache alone', async () => {
  const dns = await server();
  const root = host({ resolver: dns.address });
  const r = await blacklist(root, '--json', '--ip', '203.0.113.11', '--ip', '::ffff:203.0.113.11');
  expect(r.code).toBe(3);
  expect(r.body.scope).toBe('given');
  expect(r.body.ips.map((i: any) => [i.ip, i.sources])).toEqual([['203.0.113.11', ['--ip']]]);
  expect(r.body.verdict).toBe('unknown');
  expect(fs.existsSync(path.join(root, 'var/lib/relaywatch/blacklist.json'))).toBe(false);
});

test('--resolver overrides the config, which may name an unreachable resolver', async () => {
  const dns = await server();
  const root = host({ resolver: '127.0.0.1:9' });
  const r = await blacklist(root, '--json', '--resolver', dns.address, '--ip', '203.0.113.10');
  expect(r.code).toBe(2);
  expect(r.body.resolver).toBe(dns.address);
  const unreachable = await blacklist(root, '--json', '--ip', '203.0.113.10');
  expect(unreachable.code).toBe(3);
  expect(result(unreachable.body, '203.0.113.10', 'zen.spamhaus.org').reason).toMatch(/could not be reached|timed out/);
});

test('SERVFAIL is unknown with its reason, asked twice; a list added in /etc/relaywatch/zones.yaml is asked', async () => {
  const dns = await server(() =>
    startDnsblServer({ zones: { 'broken.dnsbl.test': 'SERVFAIL', 'ok.dnsbl.test': 'answer' }, records: { ...selfTestEntries(['ok.dnsbl.test']), '10.113.0.203.ok.dnsbl.test': { a: ['127.0.0.5'] } } }),
  );
  const zone = (z: string, n: string): string =>
    `  - zone: ${z}\n    name: ${n}\n    query: true\n    ipv6: false\n    impact: medium\n    listing: A test list lists this IP.\n    codes: { 127.0.0.2: test }\n    delisting: Ask.\n    expiry: a day\n`;
  const off = ['ips.backscatterer.org', 'dnsbl-1.uceprotect.net', 'dnsbl-2.uceprotect.net', 'dnsbl-3.uceprotect.net', 'zen.spamhaus.org', 'bl.spamcop.net', 'b.barracudacentral.org']
    .map((z) => `  - zone: ${z}\n    query: false\n`)
    .join('');
  const root = host({ resolver: dns.address, zonesYaml: `zones:\n${off}${zone('broken.dnsbl.test', 'Broken')}${zone('ok.dnsbl.test', 'Fine')}` });
  const r = await blacklist(root, '--json', '--ip', '203.0.113.10');
  expect(r.code).toBe(2);
  expect(result(r.body, '203.0.113.10', 'broken.dnsbl.test')).toMatchObject({ status: 'unknown', reason: expect.stringMatching(/SERVFAIL.*asked 2 times/) });
  expect(result(r.body, '203.0.113.10', 'ok.dnsbl.test')).toMatchObject({ status: 'listed', codes: ['127.0.0.5'], meaning: expect.stringMatching(/127\.0\.0\.5: a return code this catalogue does not describe/) });
  expect(r.body.zoneSources).toEqual(['defaults', '/etc/relaywatch/zones.yaml']);
  expect(dns.queries.filter((q) => q.name === '10.113.0.203.broken.dnsbl.test')).toHaveLength(2);
  expect(dns.queries.some((q) => q.name.endsWith('spamhaus.org'))).toBe(false);
});

test('a bad zones file stops the check with a clear message (exit 3), before any query', async () => {
  const dns = await server();
  const root = host({ resolver: dns.address, zonesYaml: 'zones:\n  - zone: zen.spamhaus.org\n    impact: severe\n' });
  const before = dns.queries.length;
  const r = await blacklist(root, '--json');
  expect(r.code).toBe(3);
  expect(r.body.error.code).toBe('bad_zones');
  expect(r.stderr).toMatch(/Blacklist zones \/etc\/relaywatch\/zones\.yaml: zones\[0\]\.impact must be one of low, medium, high/);
  expect(dns.queries.length).toBe(before);
});

test('a reseller is refused (the IPs are server-wide) and nothing is asked', async () => {
  const dns = await server();
  const root = host({ resolver: dns.address });
  const r = await blacklist(root, '--as', 'resellera');
  expect(r.code).toBe(3);
  expect(r.stderr).toMatch(/Only root .* can see the blacklist check/);
  expect(dns.queries).toEqual([]);
  expect((await blacklist(root, '--as', 'boss', '--ip', '203.0.113.10')).code).toBe(2); // reseller with "all"
});

test('a resolver that is not IP:PORT is a usage error', async () => {
  const root = host({});
  const r = await blacklist(root, '--resolver', 'dns.example:53');
  expect(r.code).toBe(64);
  expect(r.stderr).toMatch(/IP:PORT/);
  expect((await blacklist(root, '--ip', 'not-an-ip', '--resolver', '127.0.0.1:9')).code).toBe(64);
});

test('a host without mainip: what was found is checked, the problem is shown, and the verdict is not clean', async () => {
  const dns = await server(() => startDnsblServer({ zones: Object.fromEntries(DEFAULT_QUERIED_ZONES.map((z) => [z, 'answer'])), records: selfTestEntries(DEFAULT_QUERIED_ZONES) }));
  const root = host({ resolver: dns.address });
  fs.rmSync(path.join(root, 'var/cpanel/mainip'));
  const r = await blacklist(root, '--json');
  expect(r.code).toBe(3);
  expect(r.body.problems).toEqual([{ path: '/var/cpanel/mainip', message: expect.stringMatching(/does not exist/), blocking: true }]);
  expect(r.body.summary).toMatch(/may be incomplete/);
});
