/**
 * Splits a mail-log line into its time stamp, host and body (cpanel-facts §4 prefixes).
 * The body starts at the program name ("dovecot[123]: imap-login: Login: ..."), so login patterns can
 * be anchored at its start and text inside a message can never pose as a program.
 *
 * Prefixes read:
 * - classic syslog `Nov 27 22:11:50 host ` (optionally after `<PRI>`, with a fraction as
 *   `journalctl -o short-precise` writes it), and FreeBSD syslogd -v/-vv's `<mail.info> ` or `<2.6> `
 *   between the stamp and the host;
 * - RFC 3339 `2025-11-12T05:41:22.537051+00:00 host ` (rsyslog's file format, `journalctl -o short-iso`
 *   and `short-iso-precise`);
 * - RFC 5424 `<30>1 2025-11-12T05:41:22.537Z host app procid msgid [sd] msg`, with or without the
 *   `<PRI>`: the body is rebuilt in the classic `app[procid]: msg` form;
 * - `journalctl -o short-full` / `with-unit`: `Mon 2025-11-12 05:41:22 CET host `;
 * - `journalctl -o short-unix`: `1762925482.537051 host ` (seconds since the epoch, UTC);
 * - `journalctl -o short-monotonic` / `short-delta`: `[ 1234.567890] host ` (time since boot: no stamp);
 * - Dovecot's own log file: `dovecot: 2008-10-02 23:34:07 ` or plain `2008-10-02 23:34:07 `.
 */
import { zoneOffset } from './zoneAbbreviations';

export interface Stamp {
  /** null when the log format carries no year (classic syslog). */
  year: number | null;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  millis: number;
  /** minutes east of UTC, null when the stamp is in the server's local time */
  offsetMinutes: number | null;
}

export interface SplitLine {
  stamp: Stamp | null;
  host: string | null;
  body: string;
}

/**
 * Changes whenever the prefixes read here change: stored answers that were read with an older parser
 * (the login index) are rebuilt rather than trusted.
 */
export const SYSLOG_PREFIX_VERSION = 2;

const MONTHS: Record<string, number> = {
  Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12,
};

// `Nov 27 22:11:50 `, `Feb  2 09:47:12 ` (space padded), `Jun 1 00:12:06 `, optionally after `<PRI>`;
// `Nov 27 22:11:50.123456 ` from journalctl -o short-precise.
const BSD = /^(?:<\d{1,3}>)?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))? /;
// RFC 3339: `2025-11-12T05:41:22.537051+00:00 ` (rsyslog's file format), optionally after `<PRI>` when
// the line was written as received from the network. An offset that cannot exist (`+25:00`, `+01:75`)
// makes the line stamp-less rather than placed at a wrong instant.
const RFC3339_STAMP = String.raw`(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)`;
const RFC3339 = new RegExp(String.raw`^(?:<\d{1,3}>)?${RFC3339_STAMP} `);
// RFC 5424: `<PRI>VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID ` (then STRUCTURED-DATA and MSG);
// each header field may be the NILVALUE `-`. Some collectors write it without the `<PRI>`.
const RFC5424 = new RegExp(String.raw`^(?:<\d{1,3}>)?[1-9]\d? (?:${RFC3339_STAMP}|-) (\S{1,255}) (\S{1,48}) (\S{1,128}) (\S{1,32}) `);
// journalctl -o short-full (and with-unit): `Mon 2025-11-12 05:41:22 CET `, the zone as strftime's %Z.
const JOURNAL_FULL = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))? ([A-Za-z]{1,6}|[+-]\d\d(?:\d\d)?) /;
// journalctl -o short-unix: `1762925482.537051 ` (always with microseconds).
const UNIX = /^(\d{9,12})\.(\d{1,9}) /;
// journalctl -o short-monotonic and short-delta: `[ 1234.567890] `, `[ 1234.567890 <    0.000120>] `.
const MONOTONIC = /^\[ {0,12}\d{1,12}\.\d{1,9}(?: <[ \d.]{1,24}>)?\] /;
// Dovecot's own log file: `dovecot: 2008-10-02 23:34:07 ` or plain `2008-10-02 23:34:07 `.
const DOVECOT_OWN = /^(?:dovecot: )?(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) /;
// FreeBSD syslogd -v (`<2.6> `) and -vv (`<mail.info> `): facility and level between stamp and host.
const FACILITY_LEVEL = /^<[a-z0-9]{1,12}\.[a-z0-9]{1,12}> /;

/** After the stamp comes a host name, unless the next token is already a program ("pop3-login:"). */
function splitHost(rest: string): { host: string | null; body: string } {
  const fl = rest.charCodeAt(0) === 0x3c ? FACILITY_LEVEL.exec(rest) : null;
  if (fl) rest = rest.slice(fl[0].length);
  const sp = rest.indexOf(' ');
  const token = sp < 0 ? rest : rest.slice(0, sp);
  if (token.endsWith(':')) return { host: null, body: rest };
  return { host: token, body: sp < 0 ? '' : rest.slice(sp + 1) };
}

function offset(text: string): number {
  if (text === 'Z') return 0;
  const sign = text[0] === '-' ? -1 : 1;
  const digits = text.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}

/** Milliseconds of a fraction of a second given as its digits. */
function millisOf(fraction: string | undefined): number {
  return fraction ? Number(fraction.padEnd(3, '0').slice(0, 3)) : 0;
}

/** The stamp of an RFC 3339 match whose seven groups start at m[i]. */
function rfc3339Stamp(m: RegExpExecArray, i: number): Stamp {
  return {
    year: Number(m[i]), month: Number(m[i + 1]), day: Number(m[i + 2]), hour: Number(m[i + 3]), minute: Number(m[i + 4]), second: Number(m[i + 5]),
    millis: millisOf(m[i + 6]),
    offsetMinutes: offset(m[i + 7]),
  };
}

/**
 * The end of RFC 5424's STRUCTURED-DATA starting at `at` (`-` or one or more `[id k="v" ...]`), or -1.
 * Inside a quoted value `\"`, `\\` and `\]` are escapes and `]` does not end the element.
 */
function structuredDataEnd(line: string, at: number): number {
  if (line[at] === '-') return at + 1;
  let i = at;
  while (line[i] === '[') {
    let quoted = false;
    for (i++; i < line.length; i++) {
      const c = line[i];
      if (quoted) {
        if (c === '\\') i++;
        else if (c === '"') quoted = false;
      } else if (c === '"') quoted = true;
      else if (c === ']') break;
    }
    if (i >= line.length) return -1;
    i++;
  }
  return i === at ? -1 : i;
}

/** A split line, and where its body starts in the line: -1 when the body was rebuilt (RFC 5424). */
export interface SplitLineAt extends SplitLine {
  bodyAt: number;
}

function splitRfc5424(line: string, m: RegExpExecArray): SplitLineAt | null {
  const sdEnd = structuredDataEnd(line, m[0].length);
  if (sdEnd < 0 || (sdEnd < line.length && line[sdEnd] !== ' ')) return null;
  let msg = sdEnd < line.length ? line.slice(sdEnd + 1) : '';
  if (msg.charCodeAt(0) === 0xfeff) msg = msg.slice(1); // the BOM that marks a UTF-8 MSG
  const [host, app, procid] = [m[9], m[10], m[11]];
  return {
    stamp: m[1] === undefined ? null : rfc3339Stamp(m, 1),
    host: host === '-' ? null : host,
    body: app === '-' ? msg : `${app}${procid === '-' ? '' : `[${procid}]`}: ${msg}`,
    bodyAt: app === '-' ? line.length - msg.length : -1,
  };
}

/** splitLogLine(), and where the body starts in the line (-1 when it was rebuilt). */
export function splitLogLineAt(line: string): SplitLineAt {
  let m = BSD.exec(line);
  if (m && Object.hasOwn(MONTHS, m[1])) {
    const { host, body } = splitHost(line.slice(m[0].length));
    return {
      stamp: { year: null, month: MONTHS[m[1]], day: Number(m[2]), hour: Number(m[3]), minute: Number(m[4]), second: Number(m[5]), millis: millisOf(m[6]), offsetMinutes: null },
      host,
      body,
      bodyAt: line.length - body.length,
    };
  }
  m = RFC3339.exec(line);
  if (m) {
    const { host, body } = splitHost(line.slice(m[0].length));
    return { stamp: rfc3339Stamp(m, 1), host, body, bodyAt: line.length - body.length };
  }
  return splitLessCommon(line);
}

/** The prefixes after the two that nearly every mail log has (kept apart: the common path stays small). */
function splitLessCommon(line: string): SplitLineAt {
  let m = RFC5424.exec(line);
  if (m) {
    const split = splitRfc5424(line, m);
    if (split) return split;
  }
  m = JOURNAL_FULL.exec(line);
  if (m) {
    const [year, month, day, hour, minute] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])];
    const { host, body } = splitHost(line.slice(m[0].length));
    return {
      stamp: { year, month, day, hour, minute, second: Number(m[6]), millis: millisOf(m[7]), offsetMinutes: zoneOffset(m[8], year, month, day, hour, minute) },
      host,
      body,
      bodyAt: line.length - body.length,
    };
  }
  m = UNIX.exec(line);
  if (m) {
    const d = new Date(Number(m[1]) * 1000 + millisOf(m[2]));
    const { host, body } = splitHost(line.slice(m[0].length));
    if (Number.isNaN(d.getTime())) return { stamp: null, host, body, bodyAt: line.length - body.length };
    return {
      stamp: {
        year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(),
        millis: d.getUTCMilliseconds(), offsetMinutes: 0,
      },
      host,
      body,
      bodyAt: line.length - body.length,
    };
  }
  m = MONOTONIC.exec(line);
  if (m) {
    const { host, body } = splitHost(line.slice(m[0].length));
    return { stamp: null, host, body, bodyAt: line.length - body.length };
  }
  m = DOVECOT_OWN.exec(line);
  if (m) {
    return {
      stamp: { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: Number(m[4]), minute: Number(m[5]), second: Number(m[6]), millis: 0, offsetMinutes: null },
      host: null,
      body: line.slice(m[0].length),
      bodyAt: m[0].length,
    };
  }
  return { stamp: null, host: null, body: line, bodyAt: 0 };
}

export function splitLogLine(line: string): SplitLine {
  const { stamp, host, body } = splitLogLineAt(line);
  return { stamp, host, body };
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Days in a month of a year (month 1-12), by the proleptic Gregorian calendar. Years 0 to 99 are
 * 1900 to 1999, as Date reads them (and as it reads the stamp's year below).
 */
function daysInMonth(year: number, month: number): number {
  if (month !== 2) return MONTH_DAYS[month - 1];
  const y = year >= 0 && year <= 99 ? 1900 + year : year;
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
}

/**
 * Local time to an instant, as `new Date(year, month - 1, day, hour, minute, second, millis)` gives
 * it, for second 0 to 60 and millis 0 to 999. Consecutive log lines are mostly in the same minute:
 * the minute's start is worked out once (the time zone's rules are the costly part) and, when the
 * zone's offset is the same at its end (no change of offset inside it), the rest is added to it.
 */
function localTimeMaker(): (year: number, month: number, day: number, hour: number, minute: number, second: number, millis: number) => number {
  let [y, mo, d, h, mi] = [NaN, NaN, NaN, NaN, NaN];
  let start = NaN;
  let even = false;
  return (year, month, day, hour, minute, second, millis) => {
    if (minute !== mi || hour !== h || day !== d || month !== mo || year !== y) {
      [y, mo, d, h, mi] = [year, month, day, hour, minute];
      start = new Date(year, month - 1, day, hour, minute, 0, 0).getTime();
      even = new Date(year, month - 1, day, hour, minute, 60, 999).getTime() - start === 60_999;
    }
    return even ? start + second * 1000 + millis : new Date(year, month - 1, day, hour, minute, second, millis).getTime();
  };
}

/**
 * Turns stamps into instants. Yearless stamps take the year of the file's last modification; a stamp
 * that would then lie more than a day after that moment belongs to the year before (a December line
 * in a file last written in January). A yearless 29 February takes the latest leap year that puts it
 * before that limit. Stamps that name no real moment (30 February, hour 24, month 13) give null,
 * never a date rolled over into the next month.
 */
export function makeStampResolver(fileMtime: Date): (s: Stamp) => Date | null {
  const limit = fileMtime.getTime() + 86_400_000;
  const mtimeYear = fileMtime.getFullYear();
  const localTime = localTimeMaker();
  return (s) => {
    if (s.month < 1 || s.month > 12 || s.day < 1 || s.hour > 23 || s.minute > 59 || s.second > 60) return null;
    if (s.millis < 0 || s.millis > 999) return null;
    // 23:59:60 (a leap second) is kept: Date carries it into the next second, which is as close as it gets.
    if (s.year !== null) {
      if (s.day > daysInMonth(s.year, s.month)) return null;
      const d = s.offsetMinutes !== null
        ? new Date(Date.UTC(s.year, s.month - 1, s.day, s.hour, s.minute, s.second, s.millis) - s.offsetMinutes * 60_000)
        : new Date(localTime(s.year, s.month, s.day, s.hour, s.minute, s.second, s.millis));
      return Number.isNaN(d.getTime()) ? null : d;
    }
    // Yearless: this year, else the year before; for 29 February, back to the latest leap year (at most 8).
    for (let year = mtimeYear; year >= mtimeYear - 8; year--) {
      if (s.day > daysInMonth(year, s.month)) continue;
      const t = localTime(year, s.month, s.day, s.hour, s.minute, s.second, s.millis);
      if (Number.isNaN(t)) return null;
      if (t <= limit) return new Date(t);
    }
    return null;
  };
}
