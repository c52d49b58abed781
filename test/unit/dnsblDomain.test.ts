/**
 * What a blacklist result means and what to do next: self-test, meanings, evidence links, verdict.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  blacklistExitCode, blacklistSummary, blacklistVerdict, BlacklistResult, buildResult, distrust,
  listingTimeFromTxt, notQueriedFor, selfTestResult, txtTimeLabel, zonesToAsk,
} from '../../src/domain/blacklist';
import { classifyAnswer, DnsOutcome } from '../../src/parsers/dnsblAnswer';
import { parseZoneCatalogue, ZoneEntry } from '../../src/parsers/dnsblZones';

const zones = parseZoneCatalogue(fs.readFileSync(path.join(__dirname, '../../src/data/dnsbl-zones.yaml'), 'utf8'), 'defaults');
const Z: Record<string, ZoneEntry> = Object.fromEntries(zones.map((z) => [z.zone, z]));
const a = (...values: string[]): DnsOutcome<string[]> => ({ kind: 'answer', values });
const NX: DnsOutcome<string[]> = { kind: 'nxdomain' };
const TIMEOUT: DnsOutcome<string[]> = { kind: 'error', code: 'ETIMEOUT', attempts: 2 };

describe('self-test (127.0.0.2 listed, 127.0.0.1 not)', () => {
  test('passes for a normal list', () => {
    expect(selfTestResult(Z['bl.spamcop.net'], a('127.0.0.2'), NX)).toEqual({ zone: 'bl.spamcop.net', name: 'SpamCop', ok: true, reason: null });
  });
  test('fails for a dead list (no answer)', () => {
    const t = selfTestResult(Z['bl.spamcop.net'], TIMEOUT, TIMEOUT);
    expect(t.ok).toBe(false);
    expect(t.reason).toMatch(/127\.0\.0\.2 gave no usable answer: no answer: the query timed out/);
  });
  test('fails for a list that lists everything', () => {
    const t = selfTestResult(Z['bl.spamcop.net'], a('127.0.0.2'), a('127.0.0.2'));
    expect(t.reason).toMatch(/127\.0\.0\.1 is listed \(127\.0\.0\.2\), so the list answers "listed" to everything/);
  });
  test('fails for a list that lists nothing (the test entry missing)', () => {
    expect(selfTestResult(Z['bl.spamcop.net'], NX, NX).reason).toMatch(/127\.0\.0\.2 is not listed/);
  });
  test('fails when Spamhaus refuses the public resolver', () => {
    const t = selfTestResult(Z['zen.spamhaus.org'], a('127.255.255.254'), a('127.255.255.254'));
    expect(t.ok).toBe(false);
    expect(t.reason).toMatch(/public or open resolver/);
  });
  test("a list's caveat is said once in its failed self-test", () => {
    const refused: DnsOutcome<string[]> = { kind: 'error', code: 'EREFUSED', attempts: 1 };
    const t = selfTestResult(Z['b.barracudacentral.org'], refused, refused);
    expect(t.reason!.match(/Barracuda answers only/g)).toHaveLength(1);
    expect(t.reason).toMatch(/^the test entry 127\.0\.0\.2 gave no usable answer: the query was refused \(REFUSED\); the test entry 127\.0\.0\.1 .*\. Barracuda answers only resolvers registered/);
  });

  test('a failed self-test turns listed and clean answers into unknown, keeping the codes', () => {
    const failed = selfTestResult(Z['bl.spamcop.net'], NX, NX);
    const listed = distrust(classifyAnswer(Z['bl.spamcop.net'], a('127.0.0.2')), failed);
    expect(listed).toMatchObject({ status: 'unknown', codes: ['127.0.0.2'] });
    expect(listed.reason).toMatch(/failed its self-test .* so its answer "listed \(127\.0\.0\.2\)" cannot be trusted/);
    expect(distrust(classifyAnswer(Z['bl.spamcop.net'], NX), failed).reason).toMatch(/answer "not listed" cannot be trusted/);
    expect(distrust(classifyAnswer(Z['bl.spamcop.net'], TIMEOUT), failed).reason).toMatch(/timed out .*; the list also failed its self-test/);
    const ok = selfTestResult(Z['bl.spamcop.net'], a('127.0.0.2'), NX);
    expect(distrust(classifyAnswer(Z['bl.spamcop.net'], NX), ok).status).toBe('clean');
  });
});

describe('meaning and next step', () => {
  test('a Backscatterer listing explains itself and points to the autoresponders and bounces, with the listing date', () => {
    const r = buildResult(Z['ips.backscatterer.org'], classifyAnswer(Z['ips.backscatterer.org'], a('127.0.0.2')), ['Listed 2026-11-20 08:15:00 UTC for backscatter']);
    expect(r).toMatchObject({ status: 'listed', codes: ['127.0.0.2'], txtTime: '2026-11-20 08:15:00 UTC', txtTimeLabel: 'Listed since', impact: 'medium', providerNetwork: false });
    expect(r.meaning).toMatch(/backscatter/);
    expect(r.meaning).toMatch(/127\.0\.0\.2: Sent bounces, autoresponder replies/);
    expect(r.delisting).toMatch(/Typical expiry: 4 weeks after the last hit\.$/);
    expect(r.nextStep).toMatch(/autoresponders/);
    expect(r.evidence).toEqual([
      { label: expect.stringMatching(/Autoresponders/), route: '/autoresponders', query: {} },
      { label: expect.stringMatching(/bounces/), route: '/backscatter', query: { at: '2026-11-20 08:15:00 UTC' } },
    ]);
  });

  test('without a time of day in the TXT, the backscatter link has no listing time', () => {
    const r = buildResult(Z['ips.backscatterer.org'], classifyAnswer(Z['ips.backscatterer.org'], a('127.0.0.2')), ['Listed on 20.11.2026']);
    expect(r.txtTime).toBe('2026-11-20');
    expect(r.txtTimeLabel).toBe('Listed since');
    expect(r.evidence[1]).toMatchObject({ route: '/backscatter', query: {} });
  });

  test("UCEPROTECT level 3 says it is the provider's network and links no server evidence", () => {
    const r = buildResult(Z['dnsbl-3.uceprotect.net'], classifyAnswer(Z['dnsbl-3.uceprotect.net'], a('127.0.0.2')), []);
    expect(r).toMatchObject({ status: 'listed', impact: 'low', providerNetwork: true, evidence: [], txtTime: null, txtTimeLabel: null });
    expect(r.meaning).toMatch(/^Your provider's network/);
    expect(r.nextStep).toMatch(/Nothing to fix on this server/);
  });

  test('each Spamhaus code is explained; an undescribed code says so', () => {
    const r = buildResult(Z['zen.spamhaus.org'], classifyAnswer(Z['zen.spamhaus.org'], a('127.0.0.4', '127.0.0.11', '127.0.0.99')), []);
    expect(r.meaning).toMatch(/127\.0\.0\.4: XBL/);
    expect(r.meaning).toMatch(/127\.0\.0\.11: PBL \(Spamhaus\)/);
    expect(r.meaning).toMatch(/127\.0\.0\.99: a return code this catalogue does not describe/);
    expect(r.evidence).toEqual([]);
  });

  test('clean and unknown results have a plain meaning and no next step', () => {
    const clean = buildResult(Z['bl.spamcop.net'], classifyAnswer(Z['bl.spamcop.net'], NX), []);
    expect(clean).toMatchObject({ status: 'clean', meaning: 'Not listed on SpamCop.', nextStep: null, evidence: [], reason: null });
    const unknown = buildResult(Z['zen.spamhaus.org'], classifyAnswer(Z['zen.spamhaus.org'], a('127.255.255.254')), []);
    expect(unknown.status).toBe('unknown');
    expect(unknown.meaning).toMatch(/^Could not tell whether this IP is on Spamhaus ZEN\. A listing there would mean/);
    expect(unknown.reason).toMatch(/127\.255\.255\.254/);
  });

  test.each([
    [['Demo: 192.0.2.1 sent backscatter; last hit 2026-11-20 08:15:00 UTC'], 'Last hit'],
    [['Listed since 2024-05-01'], 'Listed since'],
    [['first 2024-05-01T13:45 last 2024-06-01'], 'First hit'],
    [['Your IP has been listed on 01.05.2024 by UCEPROTECT'], 'Listed since'],
    [['hit 2024-05-01 13:45:10 GMT'], "Time in the list's answer"],
  ])('the time in %j is labelled by its own words: %s', (txt, label) => {
    expect(txtTimeLabel(txt)).toBe(label);
    const r = buildResult(Z['ips.backscatterer.org'], classifyAnswer(Z['ips.backscatterer.org'], a('127.0.0.2')), txt);
    expect(r.txtTimeLabel).toBe(label);
  });

  test.each([
    [['Listed since 2024-05-01'], '2024-05-01'],
    [['Your IP has been listed on 01.05.2024 by UCEPROTECT'], '2024-05-01'],
    [['first 2024-05-01T13:45 last 2024-06-01'], '2024-05-01 13:45'],
    [['hit 2024-05-01 13:45:10 GMT'], '2024-05-01 13:45:10 UTC'],
    [['hit 2024-05-01T13:45:10Z'], '2024-05-01 13:45:10 Z'],
    [['hit 2024-05-01 13:45:10+0200, again later'], '2024-05-01 13:45:10 +0200'],
    [['at 2024-05-01 25:61 (nonsense time)'], '2024-05-01'],
    [['no date here', 'code 2024-13-40 is not a date'], null],
    [[], null],
  ])('listing time from TXT %j', (txt, want) => {
    expect(listingTimeFromTxt(txt)).toBe(want);
  });
});

describe('which lists an IP is asked', () => {
  test('IPv4: every queried list; SORBS shown as defunct', () => {
    expect(zonesToAsk(zones, '203.0.113.10').map((z) => z.zone)).not.toContain('dnsbl.sorbs.net');
    expect(zonesToAsk(zones, '203.0.113.10')).toHaveLength(7);
    expect(notQueriedFor(zones, '203.0.113.10')).toEqual([{ zone: 'dnsbl.sorbs.net', name: 'SORBS', reason: expect.stringMatching(/closed in June 2024/) }]);
  });
  test('IPv6: only lists that publish IPv6; the rest are shown as IPv4-only', () => {
    expect(zonesToAsk(zones, '2001:db8:5e7::10').map((z) => z.zone)).toEqual(['zen.spamhaus.org']);
    expect(notQueriedFor(zones, '2001:db8:5e7::10').filter((n) => /IPv4 entries only/.test(n.reason))).toHaveLength(6);
  });
});

describe('verdict, summary and exit status', () => {
  const res = (status: BlacklistResult['status'], name = 'SpamCop'): BlacklistResult =>
    ({ status, name } as unknown as BlacklistResult);
  const ip = (ipText: string, ...results: BlacklistResult[]) => ({ ip: ipText, skipped: null, results });

  test('a listing wins over unknown checks (exit 2)', () => {
    const input = { ips: [ip('203.0.113.10', res('listed', 'Backscatterer'), res('unknown')), ip('203.0.113.11', res('clean'))], incomplete: false };
    expect(blacklistVerdict(input)).toBe('listed');
    expect(blacklistSummary(input, 7)).toBe('203.0.113.10 is listed on Backscatterer; 1 check could not be done.');
    expect(blacklistExitCode(input)).toBe(2);
  });
  test('anything unknown and nothing listed is unknown (exit 3), never clean', () => {
    const input = { ips: [ip('203.0.113.10', res('clean'), res('unknown'))], incomplete: false };
    expect(blacklistVerdict(input)).toBe('unknown');
    expect(blacklistSummary(input, 7)).toMatch(/not a clean bill/);
    expect(blacklistExitCode(input)).toBe(3);
  });
  test('all clean is clean (exit 0)', () => {
    const input = { ips: [ip('203.0.113.10', res('clean')), { ip: '10.0.0.1', skipped: 'private', results: [] }], incomplete: false };
    expect(blacklistVerdict(input)).toBe('clean');
    expect(blacklistSummary(input, 7)).toBe("None of the server's 1 IP is listed on the 7 lists checked.");
    expect(blacklistExitCode(input)).toBe(0);
  });
  test('the exit status weighs each listing as the overview does: the provider network 0, a low-impact list 1, any other 2', () => {
    const listed = (impact: 'low' | 'medium' | 'high', providerNetwork: boolean) => ({ ...res('listed', 'L'), impact, providerNetwork }) as BlacklistResult;
    const one = (r: BlacklistResult, incomplete = false) => ({ ips: [ip('203.0.113.10', r, res('clean'))], incomplete });
    expect(blacklistExitCode(one(listed('high', true)))).toBe(0);
    expect(blacklistExitCode(one(listed('high', true), true))).toBe(3);
    expect(blacklistExitCode({ ips: [ip('203.0.113.10', listed('high', true), res('unknown'))], incomplete: false })).toBe(3);
    expect(blacklistExitCode(one(listed('low', false)))).toBe(1);
    expect(blacklistExitCode(one(listed('medium', false)))).toBe(2);
    expect(blacklistExitCode({ ips: [ip('203.0.113.10', listed('low', false), listed('high', true), listed('high', false))], incomplete: false })).toBe(2);
  });
  test('nothing to check, or an incomplete IP list, is unknown', () => {
    expect(blacklistVerdict({ ips: [{ ip: '10.0.0.1', skipped: 'private', results: [] }], incomplete: false })).toBe('unknown');
    expect(blacklistVerdict({ ips: [], incomplete: true })).toBe('unknown');
    expect(blacklistVerdict({ ips: [ip('203.0.113.10', res('clean'))], incomplete: true })).toBe('unknown');
  });
  test('several listed IPs are counted', () => {
    const input = { ips: [ip('203.0.113.10', res('listed'), res('listed')), ip('203.0.113.11', res('listed'))], incomplete: false };
    expect(blacklistSummary(input, 7)).toBe('2 IPs of this server are listed (3 listings).');
  });
});
