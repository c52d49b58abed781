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
 *   and host again, and the body is simply the rest;
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

  private splitNew(line: string): { stamp: Stamp | null; body: string } {
    const prefix = this.prefix;
    if (prefix !== null && line.startsWith(prefix)) return { stamp: this.prefixStamp, body: line.slice(prefix.length) };
    const s = splitLogLineAt(line);
    // Only a line with a stamp *and* a host, followed by a space, gives a reusable prefix: a body that
    // follows the stamp directly would make the next line's host look like part of its body, and a
    // host without the space could be the start of a longer one. The body must also be the line's
    // own rest: an RFC 5424 body is rebuilt ("app[procid]: msg"), not cut from the line (bodyAt -1).
    const prefixLength = s.bodyAt;
    if (s.stamp !== null && s.host !== null && prefixLength > 0 && line[prefixLength - 1] === ' ') {
      this.prefix = line.slice(0, prefixLength);
      this.prefixStamp = s.stamp;
    }
    return { stamp: s.stamp, body: s.body };
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
