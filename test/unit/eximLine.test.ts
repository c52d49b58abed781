/**
 * The exim_mainlog line parser beyond the sample file: stamps and zones, the field tokenizer, and
 * linear time on hostile 100 KiB lines.
 */
import { eximNeedles, parseEximLine, splitEximLine, tokenizeFields } from '../../src/parsers/eximLine';
import { EXIM_PATTERNS } from '../../src/parsers/patterns/eximPatterns';
import { makeStampResolver } from '../../src/parsers/syslogLine';
import { cpuMs } from '../helpers/cpuTime';

test('stamps: local time without a zone, UTC offset with one, milliseconds, pid', () => {
  const local = splitEximLine('2026-08-11 01:35:09 1wtYaK-0000000GRSy-2tQh Completed')!;
  expect(local.id).toBe('1wtYaK-0000000GRSy-2tQh');
  expect(local.body).toBe('Completed');
  const resolve = makeStampResolver(new Date());
  expect(resolve(local.stamp)!.getTime()).toBe(new Date(2026, 7, 11, 1, 35, 9).getTime());
  const zoned = splitEximLine('2026-08-11 01:35:09.123 +0200 [4242] 1hfiw4-0004PJ-6h Completed')!;
  expect(zoned.pid).toBe(4242);
  expect(resolve(zoned.stamp)!.toISOString()).toBe('2026-08-10T23:35:09.123Z');
  expect(splitEximLine('Aug 11 01:35:09 host exim: x')).toBeNull();
});

test('the tokenizer keeps quoted values, parenthesised HELO names and the recipient list whole', () => {
  const f = tokenizeFields('H=mail.example (helo with space) [192.0.2.1]:25 P=esmtp X=TLS1.3:A:256 K S=12 T="a \\"b\\" for c" from <x@y> for "q u"@example.org r@example.org');
  expect(f.host).toEqual({ name: 'mail.example', helo: 'helo with space', ip: '192.0.2.1', port: 25 });
  expect(f.values.get('T')).toBe('a "b" for c');
  expect(f.values.get('S')).toBe('12');
  expect(f.values.has('K')).toBe(false);
  expect(f.recipients).toEqual(['"q u"@example.org', 'r@example.org']);
});

test('the first occurrence of a field wins', () => {
  const f = tokenizeFields('A=dovecot_login:real@example.org S=1 A=dovecot_login:fake@example.org');
  expect(f.values.get('A')).toBe('dovecot_login:real@example.org');
});

test('IPv4-mapped client addresses are made canonical', () => {
  const ev = parseEximLine('2026-08-11 01:35:09 1wtYaK-0000000GRSy-2tQh <= a@b.example H=(x) [::ffff:192.0.2.9]:1 P=esmtp S=1 for c@d.example');
  expect(ev && ev.kind === 'arrival' && ev.host?.ip).toBe('192.0.2.9');
});

test('kinds filter what is returned, not what a line is', () => {
  const line = '2026-08-11 07:00:05 1wtZ45-0000000GS45-0cd1 <= spam@bad.example H=(bad) [192.0.2.66]:40005 P=esmtp S=500 T="x" for a@b Rejected relay attempt: \'6.6.6.6\' From: \'a\' To: \'b\'';
  expect(parseEximLine(line, new Set(['rejected-relay']))).toBeNull();
  expect(parseEximLine(line, new Set(['arrival']))?.kind).toBe('arrival');
});

test('needles cover every pattern and only the wanted kinds', () => {
  expect(eximNeedles().length).toBe(new Set(EXIM_PATTERNS.map((p) => p.needle)).size);
  expect(eximNeedles(new Set(['identification']))).toEqual(['SMTP connection identification ']);
});

describe('hostile 100 KiB lines are parsed in linear time', () => {
  const big = 100 * 1024;
  const bodies: Array<[string, string]> = [
    ['arrival sender', `<= ${'a'.repeat(big)}`],
    ['arrival quoted sender', `<= "${'\\"'.repeat(big / 2)}`],
    ['arrival fields', `<= a@b H=${'('.repeat(big)} P=esmtp`],
    ['arrival subject', `<= a@b H=(x) [192.0.2.1]:1 P=esmtp T="${'\\'.repeat(big)}`],
    ['arrival recipients', `<= a@b P=local for ${'"x '.repeat(big / 3)}`],
    ['bounce', `<= <> R=1wtYaK-0000000GRSy-2tQh ${'U='.repeat(big / 2)}`],
    ['pipe', `=> |/usr/local/cpanel/bin/autorespond ${'a '.repeat(big / 2)}`],
    ['delivery pipe', `=> |${' x'.repeat(big / 2)}(`],
    ['delivery', `=> ${'a'.repeat(big)} (${'b'.repeat(big)}`],
    ['failure', `** ${'a:'.repeat(big / 2)}`],
    ['identification', `SMTP connection identification ${'H=(x '.repeat(big / 5)}`],
    ['rejected relay', `${"Rejected relay attempt: '1.2.3.4' From: '".repeat(big / 40)}`],
    ['rejected relay tail', `${'x'.repeat(big)}Rejected relay attempt: '1.2.3.4' From: '${"'".repeat(big)}`],
  ];
  test.each(bodies)('%s', (_name, body) => {
    const line = `2026-08-11 01:35:09 1wtYaK-0000000GRSy-2tQh ${body}`;
    const ms = cpuMs(() => {
      for (let i = 0; i < 3; i++) parseEximLine(line);
    });
    expect(ms).toBeLessThan(300);
  });
});
