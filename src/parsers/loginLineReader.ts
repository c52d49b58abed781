/**
 * parseLoginLine() for a stream of log lines, with the same answers and less work per line. Pure.
 *
 * A scan of a large log parses hundreds of thousands of login lines, and most of the cost of
 * parseLoginLine() is work that repeats from line to line: the time stamp and host of a line are
 * usually those of the line before (syslog writes many lines a second), and the same few thousand
 * addresses log in again and again. So:
 *
 * - the stamp and host are split once per distinct prefix ("Nov 27 22:11:50 server1 "): when a line
 *   starts with the prefix of the last line that had a host, splitLogLine() would find the same stamp
 *   and host again, and the body is simply the rest; when only its time of day differs (a log of a
 *   few lines a second), the time is read from its fixed place;
 * - canonicalIp() is remembered per address text that is not already canonical;
 * - one regular expression of every needle tells whether any pattern can match at all (a failed
 *   login's line, asked first whether it is a login, costs one search instead of one per pattern);
 * - a line asked about twice (a login? else a failed login?) is split once.
 *
 * The pattern matching itself is that of matchLoginBody(), pattern by pattern in table order; the test
 * (test/unit/loginLineReader.test.ts) holds the two to the same answer on every sample line. The
 * same goes for failed logins: parseFailed() is parseFailedLoginLine() with the same two memos.
 */
import { FAILED_LOGIN_NEEDLES, FailedLoginMatch, matchFailedLoginBody } from './failedLoginLine';
import { canonicalIp, isCanonicalIp } from './ip';
import { LoginMatch } from './loginLine';
import { LOGIN_PATTERNS, LoginPattern, MailProtocol } from './patterns/loginPatterns';
import { splitLogLineAt, Stamp } from './syslogLine';

/** As in loginLine.ts: the pattern's fixed protocol, its `proto` group, or its program name. */
function protocolOf(p: LoginPattern, groups: Record<string, string | undefined>): MailProtocol {
  if (p.protocol) return p.protocol;
  const proto = groups.proto;
  if (proto) return proto.toLowerCase().startsWith('pop') ? 'pop3' : 'imap';
  const prog = groups.prog ?? '';
  return /pop/i.test(prog) ? 'pop3' : 'imap';
}

/** Whether a text holds any of some literal needles: one search for all of them. */
function anyOf(needles: readonly string[]): RegExp {
  return new RegExp(needles.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));
}
const ANY_LOGIN_NEEDLE = anyOf(LOGIN_PATTERNS.map((p) => p.needle));
const ANY_FAILED_NEEDLE = anyOf(FAILED_LOGIN_NEEDLES);

/**
 * The month and day of a classic syslog prefix whose time of day follows ("Nov 27 " before
 * "10:00:00 "), with no <PRI> before and no fraction after the seconds: the part of such a prefix
 * that stays from one second to the next. As BSD in syslogLine.ts.
 */
const BSD_DAY = /^[A-Z][a-z]{2} {1,2}\d{1,2} (?=\d\d:\d\d:\d\d )/;

/** The number of two ASCII digits at `at`, or -1. */
function twoDigits(s: string, at: number): number {
  const a = s.charCodeAt(at) - 0x30;
  const b = s.charCodeAt(at + 1) - 0x30;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Addresses remembered at most; the memo starts over when full (a flood of distinct addresses). */
const IP_MEMO_MAX = 100_000;

export class LoginLineReader {
  /** the stamp-and-host prefix of the last line that had both, and what it split into */
  private prefix: string | null = null;
  private prefixStamp: Stamp | null = null;
  private readonly ips = new Map<string, string | null>();

  private readonly canonicalMemo = (text: string): string | null => this.canonical(text);

  private canonical(text: string): string | null {
    // Text already canonical is its own answer: no memo entry for each of the many distinct
    // addresses a log of mobile clients holds (the memo is for the spellings that need work).
    if (isCanonicalIp(text)) return text;
    let ip = this.ips.get(text);
    if (ip === undefined) {
      if (this.ips.size >= IP_MEMO_MAX) this.ips.clear();
      ip = canonicalIp(text);
      this.ips.set(text, ip);
    }
    return ip;
  }

  private lastLine: string | null = null;
  private lastSplit: { stamp: Stamp | null; body: string } = { stamp: null, body: '' };

  private split(line: string): { stamp: Stamp | null; body: string } {
    if (line === this.lastLine) return this.lastSplit;
    this.lastLine = line;
    this.lastSplit = this.splitNew(line);
    return this.lastSplit;
  }

  /**
   * Where the time of day ("hh:mm:ss") starts in the prefix, when the prefix is a classic syslog one
   * with nothing else that changes from second to second (no <PRI>, no fraction); else -1.
   */
  private prefixTimeAt = -1;

  private splitNew(line: string): { stamp: Stamp | null; body: string } {
    const prefix = this.prefix;
    if (prefix !== null) {
      if (line.startsWith(prefix)) return { stamp: this.prefixStamp, body: line.slice(prefix.length) };
      const later = this.sameDayAndHost(line, prefix);
      if (later) return later;
    }
    const s = splitLogLineAt(line);
    // Only a line with a stamp *and* a host, followed by a space, gives a reusable prefix: a body that
    // follows the stamp directly would make the next line's host look like part of its body, and a
    // host without the space could be the start of a longer one. The body must also be the line's
    // own rest: an RFC 5424 body is rebuilt ("app[procid]: msg"), not cut from the line (bodyAt -1).
    const prefixLength = s.bodyAt;
    if (s.stamp !== null && s.host !== null && prefixLength > 0 && line[prefixLength - 1] === ' ') {
      this.prefix = line.slice(0, prefixLength);
      this.prefixStamp = s.stamp;
      const day = BSD_DAY.exec(this.prefix);
      this.prefixTimeAt = day && s.stamp.year === null ? day[0].length : -1;
    }
    return { stamp: s.stamp, body: s.body };
  }

  /**
   * A line whose prefix is the last one's but for the time of day ("Nov 27 10:00:01 server1 " after
   * "Nov 27 10:00:00 server1 "), split without splitLogLineAt(): the same month and day, the same
   * text from the space after the seconds to the end of the host, so splitLogLineAt() would read the
   * same classic stamp with this time, find the same host, and start the body at the same place.
   * A log of a few lines a second rarely repeats a prefix whole.
   */
  private sameDayAndHost(line: string, prefix: string): { stamp: Stamp; body: string } | null {
    const t = this.prefixTimeAt;
    if (t < 0 || line.length < prefix.length || !line.startsWith(prefix.slice(0, t)) || !line.startsWith(prefix.slice(t + 8), t + 8)) return null;
    const hour = twoDigits(line, t);
    const minute = twoDigits(line, t + 3);
    const second = twoDigits(line, t + 6);
    if (hour < 0 || minute < 0 || second < 0 || line.charCodeAt(t + 2) !== 0x3a || line.charCodeAt(t + 5) !== 0x3a) return null;
    const was = this.prefixStamp!;
    const stamp: Stamp = { year: null, month: was.month, day: was.day, hour, minute, second, millis: 0, offsetMinutes: null };
    this.prefix = line.slice(0, prefix.length);
    this.prefixStamp = stamp;
    return { stamp, body: line.slice(prefix.length) };
  }

  parse(line: string): LoginMatch | null {
    const { stamp, body } = this.split(line);
    if (!ANY_LOGIN_NEEDLE.test(body)) return null;
    for (let i = 0; i < LOGIN_PATTERNS.length; i++) {
      const p = LOGIN_PATTERNS[i];
      if (!body.includes(p.needle)) continue;
      const m = p.regex.exec(body);
      if (!m || !m.groups) continue;
      const ip = this.canonical(m.groups.ip ?? '');
      const user = m.groups.user;
      if (!ip || !user) continue;
      return { pattern: p.name, service: p.service, protocol: protocolOf(p, m.groups), user, ip, stamp };
    }
    return null;
  }

  /** The line as a failed login (parseFailedLoginLine's answer), or null. */
  parseFailed(line: string): FailedLoginMatch | null {
    const { stamp, body } = this.split(line);
    if (!ANY_FAILED_NEEDLE.test(body)) return null;
    return matchFailedLoginBody(body, this.canonicalMemo, stamp);
  }
}
