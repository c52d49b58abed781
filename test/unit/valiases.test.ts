/**
 * /etc/valiases/<domain> parsing, the default-address / forwarder judgements built on it, and the
 * listing times the backscatter report accepts.
 */
import { judgeDefaultAddress, outsideDestinations, parseListingTime } from '../../src/domain/backscatter';
import { parseAliasTarget, parseValiases } from '../../src/parsers/valiases';

const local = (d: string): boolean => ['alice.example', 'bob.example'].includes(d);

test('cPanel\'s lines: autoresponder pipe shared with a local copy, forwarder, default address', () => {
  const f = parseValiases([
    'info@alice.example: "|/usr/local/cpanel/bin/autorespond info@alice.example /home/alice/.autorespond",info@alice.example',
    'sales@alice.example: friend@mail.example, sales-archive@bob.example',
    'Team@Alice.example: alice',
    '# a comment',
    '',
    '*: :fail: No Such User Here, really',
  ].join('\n'), 'Alice.example');
  expect(f.domain).toBe('alice.example');
  expect(f.rejected).toEqual([]);
  expect(f.entries[0]).toEqual({
    line: 1,
    source: 'info@alice.example',
    targets: [
      { kind: 'pipe', command: '/usr/local/cpanel/bin/autorespond info@alice.example /home/alice/.autorespond', autoresponder: { address: 'info@alice.example', dir: '/home/alice/.autorespond' } },
      { kind: 'address', address: 'info@alice.example' },
    ],
  });
  expect(f.entries[1].targets).toEqual([{ kind: 'address', address: 'friend@mail.example' }, { kind: 'address', address: 'sales-archive@bob.example' }]);
  expect(outsideDestinations(f.entries[1], local)).toEqual(['friend@mail.example']);
  expect(f.entries[2]).toMatchObject({ source: 'team@alice.example', targets: [{ kind: 'local-user', user: 'alice' }] });
  expect(f.entries[3]).toEqual({ line: 6, source: '*', targets: [{ kind: 'fail', message: 'No Such User Here, really' }] });
});

test('other destinations: blackhole, defer, file, include, a pipe that is not the autoresponder', () => {
  expect(parseAliasTarget(':blackhole:')).toEqual({ kind: 'blackhole' });
  expect(parseAliasTarget(':defer: try later')).toEqual({ kind: 'defer', message: 'try later' });
  expect(parseAliasTarget('/home/alice/mail/archive')).toEqual({ kind: 'file', path: '/home/alice/mail/archive' });
  expect(parseAliasTarget(':include:/etc/lists/x')).toEqual({ kind: 'include', path: '/etc/lists/x' });
  expect(parseAliasTarget('|/home/alice/bin/autorespond info@alice.example /home/alice/.autorespond')).toMatchObject({ kind: 'pipe', autoresponder: null });
  expect(parseAliasTarget('"not valid"')).toBeNull();
});

test('a bare local part belongs to the file\'s domain; a line without a colon is rejected, not dropped', () => {
  const f = parseValiases('info: alice\ngarbage line\n', 'bob.example');
  expect(f.entries[0].source).toBe('info@bob.example');
  expect(f.rejected).toEqual([{ line: 2, text: 'garbage line', reason: 'no "address:" at the start' }]);
});

describe('default addresses', () => {
  const judge = (line: string) => judgeDefaultAddress(parseValiases(line, 'alice.example').entries[0], local);
  test.each([
    ['*: :blackhole:', 'blackhole', false],
    ['*: :fail: No Such User Here', 'fail', true],
    ['*: :defer: later', 'defer', false],
    ['*: alice', 'deliver', true],
    ['*: info@alice.example', 'deliver', true],
    ['*: someone@mail.example', 'forward', true],
    ['*: "|/usr/local/cpanel/bin/autorespond info@alice.example /home/alice/.autorespond"', 'autoresponder', true],
  ])('%s is %s', (line, kind, risky) => {
    const j = judge(line);
    expect(j.kind).toBe(kind);
    expect(j.risky).toBe(risky);
    expect(j.reason.length).toBeGreaterThan(10);
  });
});

describe('listing times', () => {
  test.each([
    ['2026-08-11T01:35:09Z', '2026-08-11T01:35:09.000Z'],
    ['2026-08-11T01:35:09.250Z', '2026-08-11T01:35:09.250Z'],
    ['2026-08-11 03:35:09 +02:00', '2026-08-11T01:35:09.000Z'],
    ['2026-08-11T01:35:09-0130', '2026-08-11T03:05:09.000Z'],
    ['2026-08-11 01:35 UTC', '2026-08-11T01:35:00.000Z'],
    ['1786412109', '2026-08-11T01:35:09.000Z'],
    ['1786412109000', '2026-08-11T01:35:09.000Z'],
  ])('%s', (text, iso) => {
    expect(parseListingTime(text).toISOString()).toBe(iso);
  });
  test('a time without a zone is the server\'s local time', () => {
    expect(parseListingTime('2026-08-11 01:35:09').getTime()).toBe(new Date(2026, 7, 11, 1, 35, 9).getTime());
  });
  test.each(['yesterday', '2026-02-31 10:00', '2026-08-11 25:00', '', '12345'])('"%s" is refused', (text) => {
    expect(() => parseListingTime(text)).toThrow(/is not a time/);
  });
});
