/**
 * Turns one mail-log line into a failed-login record, or null. Pure. See patterns/failedLoginPatterns.ts.
 */
import { canonicalIp } from './ip';
import { FAILED_LOGIN_PATTERNS, FailedLoginPattern } from './patterns/failedLoginPatterns';
import { MailProtocol, MailService } from './patterns/loginPatterns';
import { splitLogLine, Stamp } from './syslogLine';

export interface FailedLoginMatch {
  pattern: string;
  service: MailService;
  protocol: MailProtocol;
  /** the name tried; null when the line does not say */
  user: string | null;
  /** canonical IP */
  ip: string;
  /** failed attempts the line stands for (Dovecot counts several per connection) */
  attempts: number;
  stamp: Stamp | null;
}

function protocolOf(p: FailedLoginPattern, groups: Record<string, string | undefined>): MailProtocol {
  if (p.protocol) return p.protocol;
  const proto = groups.proto;
  if (proto) return proto.toLowerCase().startsWith('pop') ? 'pop3' : 'imap';
  return /pop/i.test(groups.prog ?? '') ? 'pop3' : 'imap';
}

/**
 * Matches a body (program onward) against the failure patterns whose needle it contains; `stamp` is
 * the line's, carried into the answer. `canonical` is canonicalIp, or a memo of it (LoginLineReader:
 * a scan meets the same addresses again and again).
 */
export function matchFailedLoginBody(body: string, canonical: (text: string) => string | null = canonicalIp, stamp: Stamp | null = null): FailedLoginMatch | null {
  for (const p of FAILED_LOGIN_PATTERNS) {
    if (!body.includes(p.needle)) continue;
    const m = p.regex.exec(body);
    if (!m || !m.groups) continue;
    const g = m.groups;
    const ip = canonical(g.ip ?? '');
    if (!ip) continue;
    const attempts = Number(g.attempts ?? '1');
    return {
      pattern: p.name,
      service: p.service,
      protocol: protocolOf(p, g),
      user: g.user || null,
      ip,
      attempts: Number.isSafeInteger(attempts) && attempts > 0 ? Math.min(attempts, 1000) : 1,
      stamp,
    };
  }
  return null;
}

export function parseFailedLoginLine(line: string): FailedLoginMatch | null {
  const split = splitLogLine(line);
  return matchFailedLoginBody(split.body, canonicalIp, split.stamp);
}

/** Every needle, for the byte-level candidate search. */
export const FAILED_LOGIN_NEEDLES: readonly string[] = [...new Set(FAILED_LOGIN_PATTERNS.map((p) => p.needle))];
