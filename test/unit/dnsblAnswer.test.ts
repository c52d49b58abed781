/**
 * Answer classification (cpanel-facts §8): only NXDOMAIN is clean, only a proper 127/8 code is a
 * listing; every error, rewritten answer and list error code is unknown, with its reason.
 */
import { classifyAnswer, cleanTxt, describeDnsError, DnsOutcome, errorCodeReason } from '../../src/parsers/dnsblAnswer';
import { ZoneEntry } from '../../src/parsers/dnsblZones';

const plain: ZoneEntry = {
  zone: 'ips.backscatterer.org', name: 'Backscatterer', query: true, ipv6: false, impact: 'medium', listing: 'x',
  codes: { '127.0.0.2': 'backscatter' }, errorCodes: {}, delisting: 'd', expiry: 'e', evidence: 'backscatter',
  providerNetwork: false, caveat: null, defunct: null,
};
const spamhaus: ZoneEntry = {
  ...plain, zone: 'zen.spamhaus.org', name: 'Spamhaus ZEN',
  errorCodes: { '127.255.255.0/24': 'generic Spamhaus error', '127.255.255.254': 'public resolver', '127.255.255.252': 'typo', '127.255.255.255': 'quota' },
};
const barracuda: ZoneEntry = { ...plain, zone: 'b.barracudacentral.org', caveat: 'Barracuda answers only registered resolvers' };
const a = (...values: string[]): DnsOutcome<string[]> => ({ kind: 'answer', values });

test('NXDOMAIN is clean', () => {
  expect(classifyAnswer(plain, { kind: 'nxdomain' })).toEqual({ status: 'clean', codes: [], reason: null });
});

test('an answer in 127/8 is a listing, codes sorted numerically and deduplicated', () => {
  expect(classifyAnswer(spamhaus, a('127.0.0.10', '127.0.0.2', '127.0.0.4', '127.0.0.2'))).toEqual({
    status: 'listed', codes: ['127.0.0.2', '127.0.0.4', '127.0.0.10'], reason: null,
  });
});

test.each([
  ['a timeout', { kind: 'error', code: 'ETIMEOUT', attempts: 2 } as const, /timed out \(asked 2 times\)/],
  ['SERVFAIL', { kind: 'error', code: 'ESERVFAIL', attempts: 2 } as const, /SERVFAIL/],
  ['REFUSED', { kind: 'error', code: 'EREFUSED', attempts: 1 } as const, /refused \(REFUSED\)/],
  ['an unreachable resolver', { kind: 'error', code: 'ECONNREFUSED', attempts: 2 } as const, /could not be reached/],
  ['an empty answer (NODATA)', { kind: 'nodata' } as const, /no address/],
  ['an empty address list', a(), /no address/],
])('%s is unknown, never clean', (_label, outcome, reason) => {
  const c = classifyAnswer(plain, outcome);
  expect(c.status).toBe('unknown');
  expect(c.reason).toMatch(reason);
});

test('an answer outside 127/8 (a resolver rewriting NXDOMAIN) is unknown', () => {
  const c = classifyAnswer(plain, a('198.51.100.53'));
  expect(c).toMatchObject({ status: 'unknown', codes: ['198.51.100.53'] });
  expect(c.reason).toMatch(/outside 127\.0\.0\.0\/8/);
});

test('127.0.0.1 is never a listing, even next to a real code', () => {
  const c = classifyAnswer(plain, a('127.0.0.2', '127.0.0.1'));
  expect(c.status).toBe('unknown');
  expect(c.reason).toMatch(/127\.0\.0\.1 is never a listing/);
});

test.each([
  ['127.255.255.254', /public resolver/],
  ['127.255.255.252', /typo/],
  ['127.255.255.255', /quota/],
  ['127.255.255.1', /generic Spamhaus error/],
])('Spamhaus %s is an error code (unknown) with its specific reason', (code, reason) => {
  const c = classifyAnswer(spamhaus, a(code));
  expect(c).toMatchObject({ status: 'unknown', codes: [code] });
  expect(c.reason).toMatch(reason);
});

test('the same 127.255.255.254 from a list without error codes is a listing (RFC 5782: any 127/8 code)', () => {
  expect(classifyAnswer(plain, a('127.255.255.254')).status).toBe('listed');
});

test('the most specific error code wins over the range', () => {
  expect(errorCodeReason(spamhaus, '127.255.255.254')).toBe('public resolver');
  expect(errorCodeReason(spamhaus, '127.255.255.9')).toBe('generic Spamhaus error');
  expect(errorCodeReason(spamhaus, '127.0.0.2')).toBeNull();
});

test("a list's caveat is said with every unusable answer, not with clean or listed ones", () => {
  expect(classifyAnswer(barracuda, { kind: 'error', code: 'EREFUSED', attempts: 1 }).reason).toMatch(/REFUSED.*registered resolvers/);
  expect(classifyAnswer(barracuda, { kind: 'nodata' }).reason).toMatch(/registered resolvers/);
  expect(classifyAnswer(barracuda, { kind: 'nxdomain' }).reason).toBeNull();
  expect(classifyAnswer(barracuda, a('127.0.0.2')).reason).toBeNull();
});

test('DNS error descriptions', () => {
  expect(describeDnsError('ETIMEOUT', 1)).toBe('no answer: the query timed out');
  expect(describeDnsError('EWHATEVER', 1)).toBe('DNS error EWHATEVER');
});

test('TXT answers are joined per record, stripped of control characters and bounded', () => {
  const txt = cleanTxt([['Listed ', 'since 2024'], ['\u001b[31mred\u202e'], ['x'.repeat(2000)], ['']]);
  expect(txt[0]).toBe('Listed since 2024');
  expect(txt[1]).toBe('[31mred');
  expect(txt[2].length).toBeLessThanOrEqual(513);
  expect(txt).toHaveLength(3);
});
