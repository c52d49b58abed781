import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { makeStampResolver, splitLogLine, splitLogLineAt, Stamp } from '../../src/parsers/syslogLine';

function stamp(partial: Partial<Stamp>): Stamp {
  return { year: null, month: 1, day: 1, hour: 0, minute: 0, second: 0, millis: 0, offsetMinutes: null, ...partial };
}

describe('splitLogLine: prefix forms (cpanel-facts §4)', () => {
  test('classic syslog: no year, host, program with pid', () => {
    expect(splitLogLine('Nov 27 22:11:50 host dovecot[123]: imap-login: Login: user=<a>')).toEqual({
      stamp: stamp({ month: 11, day: 27, hour: 22, minute: 11, second: 50 }),
      host: 'host',
      body: 'dovecot[123]: imap-login: Login: user=<a>',
    });
  });

  test('space-padded, single-digit and zero-padded days', () => {
    expect(splitLogLine('Feb  2 09:47:12 host prog: msg').stamp).toEqual(stamp({ month: 2, day: 2, hour: 9, minute: 47, second: 12 }));
    expect(splitLogLine('Jun 1 00:12:06 server1 courierpop3login: LOGIN').stamp).toEqual(stamp({ month: 6, day: 1, hour: 0, minute: 12, second: 6 }));
    expect(splitLogLine('Jul 02 13:49:31 hostname dovecot[442]: x').stamp).toEqual(stamp({ month: 7, day: 2, hour: 13, minute: 49, second: 31 }));
    expect(splitLogLine('Feb  2 09:47:12 host prog: msg').host).toBe('host');
  });

  test('<PRI> before a classic stamp', () => {
    expect(splitLogLine('<22>Feb  2 09:47:12 host prog: msg')).toEqual({
      stamp: stamp({ month: 2, day: 2, hour: 9, minute: 47, second: 12 }),
      host: 'host',
      body: 'prog: msg',
    });
  });

  test('RFC 3339 with fractional seconds and an offset', () => {
    expect(splitLogLine('2025-11-12T05:41:22.537051+00:00 host dovecot: imap-login: x')).toEqual({
      stamp: { year: 2025, month: 11, day: 12, hour: 5, minute: 41, second: 22, millis: 537, offsetMinutes: 0 },
      host: 'host',
      body: 'dovecot: imap-login: x',
    });
  });

  test.each([
    ['2025-11-12T05:41:22Z host p: x', 0, 0],
    ['2025-11-12T05:41:22.5-05:30 host p: x', -330, 500],
    ['2025-11-12T05:41:22.123456789+0100 host p: x', 60, 123],
    ['2025-11-12T05:41:22.04+14:00 host p: x', 840, 40],
    ['<30>2025-11-12T05:41:22+02:00 host p: x', 120, 0],
  ])('RFC 3339 variant %s', (line, offsetMinutes, millis) => {
    const s = splitLogLine(line);
    expect(s.stamp).toMatchObject({ year: 2025, month: 11, day: 12, offsetMinutes, millis });
    expect(s.host).toBe('host');
    expect(s.body).toBe('p: x');
  });

  test('an offset that cannot exist leaves the line without a stamp', () => {
    for (const line of ['2025-11-12T05:41:22+25:00 host p: x', '2025-11-12T05:41:22+01:75 host p: x']) {
      expect(splitLogLine(line)).toEqual({ stamp: null, host: null, body: line });
    }
  });

  test("Dovecot's own log file with a dated stamp", () => {
    expect(splitLogLine('dovecot: 2008-10-02 23:34:07 Info: imap-login: Login: user=<a>')).toEqual({
      stamp: { year: 2008, month: 10, day: 2, hour: 23, minute: 34, second: 7, millis: 0, offsetMinutes: null },
      host: null,
      body: 'Info: imap-login: Login: user=<a>',
    });
    expect(splitLogLine('2013-08-11 03:56:40 auth-worker(default): Info: pam(u,1.2.3.4): x')).toMatchObject({
      stamp: { year: 2013, month: 8, day: 11 },
      host: null,
      body: 'auth-worker(default): Info: pam(u,1.2.3.4): x',
    });
  });

  test("Dovecot's own log file with a classic stamp and no host", () => {
    expect(splitLogLine('Jan 29 09:33:58 pop3-login: Info: Login: user=<a>')).toEqual({
      stamp: stamp({ month: 1, day: 29, hour: 9, minute: 33, second: 58 }),
      host: null,
      body: 'pop3-login: Info: Login: user=<a>',
    });
  });

  test('lines without a recognised stamp keep their whole text as body', () => {
    for (const line of [
      '',
      'hello world',
      'Foo 12 10:00:00 host prog: x', // not a month
      'Jan 1 0:00:00 host prog: x', // one-digit hour
      '@400000004c91b044077a9e94 imap-login: Info: Login: user=<a>', // multilog TAI64N: not a form cPanel uses
      ' Jan  1 00:00:00 host prog: x', // leading space
    ]) {
      expect(splitLogLine(line)).toEqual({ stamp: null, host: null, body: line });
    }
  });
});

describe('splitLogLine: host vs program', () => {
  test.each([
    ['Jan 20 10:15:30 server dovecot: imap-login: x', 'server', 'dovecot: imap-login: x'],
    ['Jan 20 10:15:30 dovecot: imap-login: x', null, 'dovecot: imap-login: x'],
    ['Jan 20 10:15:30 dovecot[5678]: imap-login: x', null, 'dovecot[5678]: imap-login: x'],
    ['Jan 20 10:15:30 mail.example.com cyrus/imap[5355]: login: x', 'mail.example.com', 'cyrus/imap[5355]: login: x'],
    ['Jan 20 10:15:30 192.0.2.1 pop3d: LOGIN, user=a', '192.0.2.1', 'pop3d: LOGIN, user=a'],
    ['Jan 20 10:15:30 host', 'host', ''],
    ['2025-11-12T05:41:22Z imap-login: Login: x', null, 'imap-login: Login: x'],
  ])('%s', (line, host, body) => {
    const s = splitLogLine(line);
    expect(s.host).toBe(host);
    expect(s.body).toBe(body);
  });

  test('a message cannot pose as the program: the body starts where the host ends', () => {
    const s = splitLogLine('Jan 20 10:15:30 server sshd[1]: Invalid user x: imap-login: Login: user=<y>, rip=6.6.6.6');
    expect(s.body.startsWith('sshd[1]: ')).toBe(true);
  });
});

describe('makeStampResolver', () => {
  const june = new Date(2025, 5, 15, 12, 0, 0); // local time, like the file's mtime on the server

  /**
   * The resolver against the resolver as it was written first (a Date for every stamp, no shortcut),
   * in a time zone: in a child process, since the zone is fixed when a process starts.
   */
  const RESOLVER_DRIVER = `
const [dir] = process.argv.slice(1);
const { makeStampResolver } = require(dir + '/syslogLine.js');
function referenceResolver(fileMtime) {
  const limit = fileMtime.getTime() + 86400000;
  const mtimeYear = fileMtime.getFullYear();
  const days = (year, month) => new Date(Date.UTC(year, month, 0)).getUTCDate();
  return (s) => {
    if (s.month < 1 || s.month > 12 || s.day < 1 || s.hour > 23 || s.minute > 59 || s.second > 60) return null;
    if (s.millis < 0 || s.millis > 999) return null;
    if (s.year !== null) {
      if (s.day > days(s.year, s.month)) return null;
      const d = s.offsetMinutes !== null
        ? new Date(Date.UTC(s.year, s.month - 1, s.day, s.hour, s.minute, s.second, s.millis) - s.offsetMinutes * 60000)
        : new Date(s.year, s.month - 1, s.day, s.hour, s.minute, s.second, s.millis);
      return Number.isNaN(d.getTime()) ? null : d;
    }
    for (let year = mtimeYear; year >= mtimeYear - 8; year--) {
      if (s.day > days(year, s.month)) continue;
      const d = new Date(year, s.month - 1, s.day, s.hour, s.minute, s.second, s.millis);
      if (Number.isNaN(d.getTime())) return null;
      if (d.getTime() <= limit) return d;
    }
    return null;
  };
}
const stamp = (p) => ({ year: null, month: 1, day: 1, hour: 0, minute: 0, second: 0, millis: 0, offsetMinutes: null, ...p });
let seed = 3;
const rnd = (n) => { seed = (seed * 1103515245 + 12345) >>> 0; return (seed >>> 8) % n; };
const wrong = [];
let checked = 0;
for (const mtime of [new Date(2025, 5, 15, 12), new Date(2026, 0, 2, 1), new Date(2025, 10, 2, 3)]) {
  const resolve = makeStampResolver(mtime);
  const want = referenceResolver(mtime);
  const check = (s) => {
    checked++;
    const got = resolve(s)?.getTime() ?? null;
    const expected = want(s)?.getTime() ?? null;
    if (got !== expected) wrong.push({ s, got, expected });
  };
  // every minute of the days the offset changes on in the zones tried (and of the day before the
  // limit, New Year's Eve, a leap day), in order
  for (const [month, day] of [[3, 9], [3, 30], [4, 6], [9, 28], [10, 5], [11, 2], [6, 16], [1, 3], [2, 29], [12, 31]]) {
    for (let minute = 0; minute < 24 * 60; minute++) {
      for (let k = 0; k < 2; k++) {
        const second = [0, 59, 60, rnd(61)][rnd(4)];
        check(stamp({ month, day, hour: Math.floor(minute / 60), minute: minute % 60, second, millis: rnd(1000) }));
        check(stamp({ year: 2025 - rnd(3), month, day, hour: Math.floor(minute / 60), minute: minute % 60, second, millis: rnd(1000) }));
      }
    }
  }
  // years Date reads as 19xx, far years, days a month lacks, and values no moment has
  for (const year of [0, 50, 99, 100, 1600, 1700, 1883, 1900, 2000, 2100, 275759, 275761]) {
    for (const [month, day] of [[2, 28], [2, 29], [2, 30], [4, 31], [11, 18], [12, 31]]) {
      for (const hour of [0, 1, 12, 23]) check(stamp({ year, month, day, hour, minute: 3, second: rnd(61), millis: rnd(1000) }));
    }
  }
  for (const s of [stamp({ month: 13 }), stamp({ month: 0 }), stamp({ day: 0 }), stamp({ hour: 24 }), stamp({ second: 61 }), stamp({ millis: 1000 })]) check(s);
}
process.stdout.write(JSON.stringify({ checked, wrong: wrong.slice(0, 5), dst: new Date(2025, 2, 9, 2, 30).getHours() }));
`;

  describe('in time zones whose offset changes', () => {
    let dir = '';
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relaywatch-stamps-'));
      for (const f of ['syslogLine', 'zoneAbbreviations']) {
        const source = fs.readFileSync(path.join(__dirname, `../../src/parsers/${f}.ts`), 'utf8');
        fs.writeFileSync(path.join(dir, `${f}.js`), ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText);
      }
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    test.each(['UTC', 'America/New_York', 'Australia/Lord_Howe', 'Pacific/Apia', 'America/St_Johns'])(
      '%s: stamps minute by minute through the days of a change give what a Date for each gives',
      (zone) => {
        const out = JSON.parse(execFileSync(process.execPath, ['-e', RESOLVER_DRIVER, dir], { encoding: 'utf8', env: { ...process.env, TZ: zone } })) as { checked: number; wrong: unknown[]; dst: number };
        // the zone is in force: 02:30 on 9 March 2025 does not exist in New York
        if (zone === 'America/New_York') expect(out.dst).toBe(3);
        expect(out.checked).toBeGreaterThan(100_000);
        expect(out.wrong).toEqual([]);
      },
    );
  });

  test('yearless stamps take the year of the file modification time', () => {
    const resolve = makeStampResolver(june);
    expect(resolve(stamp({ month: 3, day: 3, hour: 10, minute: 4, second: 5 }))).toEqual(new Date(2025, 2, 3, 10, 4, 5));
    expect(resolve(stamp({ month: 6, day: 15, hour: 11 }))).toEqual(new Date(2025, 5, 15, 11, 0, 0));
  });

  test('a December line in a file modified in January is from the previous year', () => {
    const resolve = makeStampResolver(new Date(2026, 0, 5, 8, 0, 0));
    expect(resolve(stamp({ month: 12, day: 31, hour: 23, minute: 59, second: 59 }))).toEqual(new Date(2025, 11, 31, 23, 59, 59));
    expect(resolve(stamp({ month: 1, day: 4 }))).toEqual(new Date(2026, 0, 4, 0, 0, 0));
  });

  test('up to a day after the modification time stays in the same year (clock skew); later is last year', () => {
    const resolve = makeStampResolver(june);
    expect(resolve(stamp({ month: 6, day: 16, hour: 6 }))).toEqual(new Date(2025, 5, 16, 6, 0, 0));
    expect(resolve(stamp({ month: 6, day: 17, hour: 6 }))).toEqual(new Date(2024, 5, 17, 6, 0, 0));
  });

  test('a yearless 29 February takes the latest leap year before the limit', () => {
    expect(makeStampResolver(june)(stamp({ month: 2, day: 29 }))).toEqual(new Date(2024, 1, 29));
    expect(makeStampResolver(new Date(2024, 2, 1))(stamp({ month: 2, day: 29 }))).toEqual(new Date(2024, 1, 29));
    expect(makeStampResolver(new Date(2028, 0, 10))(stamp({ month: 2, day: 29 }))).toEqual(new Date(2024, 1, 29));
  });

  test('RFC 3339 offsets give the right instant, whatever the local zone', () => {
    const resolve = makeStampResolver(june);
    const at = (line: string) => resolve(splitLogLine(line).stamp!)!.toISOString();
    expect(at('2025-11-12T05:41:22.537051+02:00 h p: x')).toBe('2025-11-12T03:41:22.537Z');
    expect(at('2025-11-12T05:41:22-05:30 h p: x')).toBe('2025-11-12T11:11:22.000Z');
    expect(at('2025-11-12T05:41:22Z h p: x')).toBe('2025-11-12T05:41:22.000Z');
    expect(at('2025-01-01T00:30:00+01:00 h p: x')).toBe('2024-12-31T23:30:00.000Z');
    expect(at('2024-02-29T23:00:00-02:00 h p: x')).toBe('2024-03-01T01:00:00.000Z');
  });

  test("Dovecot's dated own stamps are local time in their own year", () => {
    const resolve = makeStampResolver(june);
    expect(resolve(splitLogLine('dovecot: 2008-10-02 23:34:07 Info: x').stamp!)).toEqual(new Date(2008, 9, 2, 23, 34, 7));
  });

  test.each([
    ['30 February, yearless', stamp({ month: 2, day: 30 })],
    ['31 April, yearless', stamp({ month: 4, day: 31 })],
    ['day 32', stamp({ month: 1, day: 32 })],
    ['day 0', stamp({ month: 1, day: 0 })],
    ['month 0', stamp({ month: 0, day: 1 })],
    ['month 13', stamp({ month: 13, day: 1 })],
    ['hour 24', stamp({ month: 1, day: 1, hour: 24 })],
    ['minute 60', stamp({ month: 1, day: 1, minute: 60 })],
    ['second 61', stamp({ month: 1, day: 1, second: 61 })],
    ['29 February 2025', stamp({ year: 2025, month: 2, day: 29, offsetMinutes: 0 })],
    ['31 June 2025, local', stamp({ year: 2025, month: 6, day: 31 })],
  ])('invalid date gives null: %s', (_name, s) => {
    expect(makeStampResolver(june)(s)).toBeNull();
  });

  test('invalid dates in real prefixes give null end to end', () => {
    const resolve = makeStampResolver(june);
    for (const line of ['Feb 30 10:00:00 h p: x', 'Jan 32 10:00:00 h p: x', 'Jan 10 25:00:00 h p: x', '2025-13-01T00:00:00Z h p: x', '2025-02-29T00:00:00Z h p: x', 'dovecot: 2025-04-31 10:00:00 Info: x']) {
      const s = splitLogLine(line).stamp;
      expect(s).not.toBeNull();
      expect(resolve(s!)).toBeNull();
    }
  });

  test('a leap second is accepted', () => {
    const d = makeStampResolver(june)(splitLogLine('2016-12-31T23:59:60Z h p: x').stamp!);
    expect(d?.toISOString()).toBe('2017-01-01T00:00:00.000Z');
  });
});

// ---------------------------------------------------------------------------------------------------
// FreeBSD syslogd -v, RFC 5424 and journalctl's output modes: each split, and its instant
// ---------------------------------------------------------------------------------------------------

const LOGIN = 'imap-login: Login: user=<a>, method=PLAIN, rip=203.0.113.5, lip=192.0.2.1';
/** The instant a prefix names, for stamps that carry a zone (a yearless or local stamp gives null). */
const instant = (line: string): string | null => {
  const s = splitLogLine(line).stamp;
  if (!s || s.year === null || s.offsetMinutes === null) return null;
  return makeStampResolver(new Date())(s)?.toISOString() ?? null;
};

describe('splitLogLine: FreeBSD syslogd -v and -vv', () => {
  test.each([
    ['names (-vv)', `Dec  5 12:00:00 <mail.info> mx1 dovecot[810]: ${LOGIN}`],
    ['numbers (-v)', `Dec  5 12:00:00 <2.6> mx1 dovecot[810]: ${LOGIN}`],
    ['local0 and a two-digit level', `Dec  5 12:00:00 <local0.notice> mx1 dovecot[810]: ${LOGIN}`],
  ])('%s: the token is neither host nor body', (_name, line) => {
    expect(splitLogLine(line)).toEqual({ stamp: stamp({ month: 12, day: 5, hour: 12 }), host: 'mx1', body: `dovecot[810]: ${LOGIN}` });
  });

  test('a token that is not facility.level stays the host', () => {
    expect(splitLogLine(`Dec  5 12:00:00 <mail> mx1 dovecot: x`).host).toBe('<mail>');
  });
});

describe('splitLogLine: RFC 5424', () => {
  test('with <PRI>: stamp with its offset, host, and the body rebuilt as "app[procid]: msg"', () => {
    expect(splitLogLine(`<22>1 2025-12-05T12:00:02.123456+01:00 mx1 dovecot 810 - - ${LOGIN}`)).toEqual({
      stamp: { year: 2025, month: 12, day: 5, hour: 12, minute: 0, second: 2, millis: 123, offsetMinutes: 60 },
      host: 'mx1',
      body: `dovecot[810]: ${LOGIN}`,
    });
    expect(instant(`<22>1 2025-12-05T12:00:02.123456+01:00 mx1 dovecot 810 - - ${LOGIN}`)).toBe('2025-12-05T11:00:02.123Z');
  });

  test('without <PRI>, without PROCID, with a MSGID', () => {
    expect(splitLogLine(`1 2025-12-05T11:00:03Z mx1 dovecot - ID47 - ${LOGIN}`)).toMatchObject({ host: 'mx1', body: `dovecot: ${LOGIN}` });
    expect(instant(`1 2025-12-05T11:00:03Z mx1 dovecot - ID47 - ${LOGIN}`)).toBe('2025-12-05T11:00:03.000Z');
  });

  test.each([
    ['one element', '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"]'],
    ['two elements', '[exampleSDID@32473 iut="3"][examplePriority@32473 class="high"]'],
    ['escapes in a value', String.raw`[meta note="a \"quoted\" \] and \\ here"]`],
    ['a bracket inside quotes', '[meta note="a ] b"]'],
  ])('structured data is passed over: %s', (_name, sd) => {
    expect(splitLogLine(`<165>1 2003-10-11T22:14:15.003Z mymachine.example.com dovecot 810 - ${sd} ${LOGIN}`).body).toBe(`dovecot[810]: ${LOGIN}`);
  });

  test('the BOM that marks a UTF-8 message is dropped', () => {
    expect(splitLogLine(`<22>1 2025-12-05T12:00:02Z mx1 dovecot 810 - - \ufeff${LOGIN}`).body).toBe(`dovecot[810]: ${LOGIN}`);
  });

  test('NILVALUE stamp, host and app: no stamp, no host, the message alone', () => {
    expect(splitLogLine(`<22>1 - - - - - - ${LOGIN}`)).toEqual({ stamp: null, host: null, body: LOGIN });
  });

  test('a line with a message and nothing after the structured data', () => {
    expect(splitLogLine('<22>1 2025-12-05T12:00:02Z mx1 dovecot 810 - -')).toMatchObject({ host: 'mx1', body: 'dovecot[810]: ' });
  });

  test.each([
    ['structured data that never closes', `<22>1 2025-12-05T12:00:02Z mx1 dovecot 810 - [meta x="1" ${LOGIN}`],
    ['structured data glued to the message', `<22>1 2025-12-05T12:00:02Z mx1 dovecot 810 - [meta x="1"]${LOGIN}`],
    ['no structured data at all', `<22>1 2025-12-05T12:00:02Z mx1 dovecot 810 - ${LOGIN}`],
  ])('not RFC 5424 after all (%s): the whole line stays the body', (_name, line) => {
    expect(splitLogLine(line)).toEqual({ stamp: null, host: null, body: line });
  });
});

describe("splitLogLine: journalctl's output modes", () => {
  test.each([
    ['short-full, CET', `Fri 2025-12-05 12:00:05 CET mx1 dovecot[810]: ${LOGIN}`, '2025-12-05T11:00:05.000Z'],
    ['short-full, CEST', `Sat 2025-07-05 12:00:05 CEST mx1 dovecot[810]: ${LOGIN}`, '2025-07-05T10:00:05.000Z'],
    ['short-full, EST', `Fri 2025-12-05 12:00:05 EST mx1 dovecot[810]: ${LOGIN}`, '2025-12-05T17:00:05.000Z'],
    ['short-full, UTC (--utc)', `Fri 2025-12-05 12:00:05 UTC mx1 dovecot[810]: ${LOGIN}`, '2025-12-05T12:00:05.000Z'],
    ['short-full, a numeric zone', `Fri 2025-12-05 12:00:05 +03 mx1 dovecot[810]: ${LOGIN}`, '2025-12-05T09:00:05.000Z'],
    ['short-full, a numeric zone with minutes', `Fri 2025-12-05 12:00:05 -0330 mx1 dovecot[810]: ${LOGIN}`, '2025-12-05T15:30:05.000Z'],
    ['short-full, Nepal', `Fri 2025-12-05 12:00:05 +0545 mx1 dovecot[810]: ${LOGIN}`, '2025-12-05T06:15:05.000Z'],
    ['with-unit', `Fri 2025-12-05 12:00:06 CET mx1 dovecot.service[810]: ${LOGIN}`, '2025-12-05T11:00:06.000Z'],
    ['short-unix', `1764932407.123456 mx1 dovecot[810]: ${LOGIN}`, '2025-12-05T11:00:07.123Z'],
    ['short-iso', `2025-12-05T12:00:08+0100 mx1 dovecot[810]: ${LOGIN}`, '2025-12-05T11:00:08.000Z'],
    ['short-iso-precise', `2025-12-05T12:00:08.654321+01:00 mx1 dovecot[810]: ${LOGIN}`, '2025-12-05T11:00:08.654Z'],
  ])('%s', (_name, line, iso) => {
    const s = splitLogLine(line);
    expect(s.host).toBe('mx1');
    expect(s.body).toMatch(/^dovecot(?:\.service)?\[810\]: imap-login: Login: /);
    expect(instant(line)).toBe(iso);
  });

  test('short-full with an abbreviation the table does not know: the server\'s local time', () => {
    expect(splitLogLine(`Fri 2025-12-05 12:00:05 XYZT mx1 dovecot[810]: ${LOGIN}`).stamp).toEqual({
      year: 2025, month: 12, day: 5, hour: 12, minute: 0, second: 5, millis: 0, offsetMinutes: null,
    });
  });

  test('an ambiguous abbreviation takes the meaning the local zone has, else its common one', () => {
    const local = -new Date(2025, 11, 5, 12, 0).getTimezoneOffset();
    const ist = splitLogLine(`Fri 2025-12-05 12:00:05 IST mx1 dovecot[810]: ${LOGIN}`).stamp!.offsetMinutes;
    expect(ist).toBe([330, 120, 60].includes(local) ? local : 330);
  });

  test('short-precise: the classic stamp with microseconds', () => {
    expect(splitLogLine(`Dec 05 12:00:09.123456 mx1 dovecot[810]: ${LOGIN}`)).toEqual({
      stamp: stamp({ month: 12, day: 5, hour: 12, second: 9, millis: 123 }),
      host: 'mx1',
      body: `dovecot[810]: ${LOGIN}`,
    });
  });

  test.each([
    ['short-monotonic', `[ 1234.567890] mx1 dovecot[810]: ${LOGIN}`],
    ['short-monotonic, long uptime', `[12345678.567890] mx1 dovecot[810]: ${LOGIN}`],
    ['short-delta', `[ 1234.567890 <    0.000120>] mx1 dovecot[810]: ${LOGIN}`],
  ])('%s: time since boot is no instant, but host and body are read', (_name, line) => {
    expect(splitLogLine(line)).toEqual({ stamp: null, host: 'mx1', body: `dovecot[810]: ${LOGIN}` });
  });

  test('short-unix needs a whole epoch: a short number and a dot is not a stamp', () => {
    expect(splitLogLine(`1.2 mx1 dovecot[810]: ${LOGIN}`).stamp).toBeNull();
    expect(splitLogLine(`1.2 mx1 dovecot[810]: ${LOGIN}`).host).toBeNull();
  });
});

describe('splitLogLineAt: where the body starts', () => {
  const lines = ['login-samples.log', 'maillog-real.log', 'exim-samples.log'].flatMap((f) =>
    fs.readFileSync(path.join(__dirname, '../fixtures/samples', f), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')),
  );

  test('the body is the rest of the line from bodyAt, or was rebuilt (-1, RFC 5424 with an APP-NAME)', () => {
    const wrong: string[] = [];
    let rebuilt = 0;
    for (const line of [...lines, `<22>1 2025-12-05T12:00:02Z mx1 - - - - \ufeff${LOGIN}`]) {
      const s = splitLogLineAt(line);
      expect({ stamp: s.stamp, host: s.host, body: s.body }).toEqual(splitLogLine(line));
      if (s.bodyAt === -1) rebuilt++;
      else if (line.slice(s.bodyAt) !== s.body) wrong.push(line);
    }
    expect(wrong).toEqual([]);
    expect(rebuilt).toBeGreaterThanOrEqual(4);
  });
});
