/**
 * Splits a mail-log line into its time stamp, host and body (cpanel-facts §4 prefixes).
 * The body starts at the program name ("dovecot[123]: imap-login: Login: ..."), so login patterns can
 * be anchored at its start and text inside a message can never pose as a program.
 */

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

const MONTHS: Record<string, number> = {
  Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12,
};

// `Nov 27 22:11:50 `, `Feb  2 09:47:12 ` (space padded), `Jun 1 00:12:06 `, optionally after `<PRI>`.
const BSD = /^(?:<\d{1,3}>)?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d\d):(\d\d):(\d\d) /;
// RFC 3339: `2025-11-12T05:41:22.537051+00:00 ` (rsyslog's file format), optionally after `<PRI>` when
// the line was written as received from the network. An offset that cannot exist (`+25:00`, `+01:75`)
// makes the line stamp-less rather than placed at a wrong instant.
const RFC3339 = /^(?:<\d{1,3}>)?(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d) /;
// Dovecot's own log file: `dovecot: 2008-10-02 23:34:07 ` or plain `2008-10-02 23:34:07 `.
const DOVECOT_OWN = /^(?:dovecot: )?(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) /;

/** After the stamp comes a host name, unless the next token is already a program ("pop3-login:"). */
function splitHost(rest: string): { host: string | null; body: string } {
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

export function splitLogLine(line: string): SplitLine {
  let m = BSD.exec(line);
  if (m && Object.hasOwn(MONTHS, m[1])) {
    const { host, body } = splitHost(line.slice(m[0].length));
    return {
      stamp: { year: null, month: MONTHS[m[1]], day: Number(m[2]), hour: Number(m[3]), minute: Number(m[4]), second: Number(m[5]), millis: 0, offsetMinutes: null },
      host,
      body,
    };
  }
  m = RFC3339.exec(line);
  if (m) {
    const { host, body } = splitHost(line.slice(m[0].length));
    return {
      stamp: {
        year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: Number(m[4]), minute: Number(m[5]), second: Number(m[6]),
        millis: m[7] ? Number(m[7].padEnd(3, '0').slice(0, 3)) : 0,
        offsetMinutes: offset(m[8]),
      },
      host,
      body,
    };
  }
  m = DOVECOT_OWN.exec(line);
  if (m) {
    return {
      stamp: { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: Number(m[4]), minute: Number(m[5]), second: Number(m[6]), millis: 0, offsetMinutes: null },
      host: null,
      body: line.slice(m[0].length),
    };
  }
  return { stamp: null, host: null, body: line };
}

/** Days in a month of a year (month 1-12), by the proleptic Gregorian calendar. */
function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
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
  return (s) => {
    if (s.month < 1 || s.month > 12 || s.day < 1 || s.hour > 23 || s.minute > 59 || s.second > 60) return null;
    if (s.millis < 0 || s.millis > 999) return null;
    // 23:59:60 (a leap second) is kept: Date carries it into the next second, which is as close as it gets.
    if (s.year !== null) {
      if (s.day > daysInMonth(s.year, s.month)) return null;
      const d = s.offsetMinutes !== null
        ? new Date(Date.UTC(s.year, s.month - 1, s.day, s.hour, s.minute, s.second, s.millis) - s.offsetMinutes * 60_000)
        : new Date(s.year, s.month - 1, s.day, s.hour, s.minute, s.second, s.millis);
      return Number.isNaN(d.getTime()) ? null : d;
    }
    // Yearless: this year, else the year before; for 29 February, back to the latest leap year (at most 8).
    for (let year = mtimeYear; year >= mtimeYear - 8; year--) {
      if (s.day > daysInMonth(year, s.month)) continue;
      const d = new Date(year, s.month - 1, s.day, s.hour, s.minute, s.second, s.millis);
      if (Number.isNaN(d.getTime())) return null;
      if (d.getTime() <= limit) return d;
    }
    return null;
  };
}
