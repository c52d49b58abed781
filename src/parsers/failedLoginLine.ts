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
 * Matches a body (program onward) against the failure patterns whose needle it contains. `canonical`
 * is canonicalIp, or a memo of it (LoginLineReader: a scan meets the same addresses again and again).
 */
export function matchFailedLoginBody(body: string, canonical: (text: string) => string | null = canonicalIp): Omit<FailedLoginMatch, 'stamp'> | null {
  for (const p of FAILED_LOGIN_PATTERNS) {
    if (!body.includes(p.needle)) continue;
    const m = p.regex.exec(body);
    if (!m || !m.groups) continue;
    const ip = canonical(m.groups.ip ?? '');
    if (!ip) continue;
    const attempts = Number(m.groups.attempts ?? '1');
    return {
      pattern: p.name,
      service: p.service,
      protocol: protocolOf(p, m.groups),
      user: m.groups.user || null,
      ip,
      attempts: Number.isSafeInteger(attempts) && attempts > 0 ? Math.min(attempts, 1000) : 1,
    };
  }
  return null;
}

export function parseFailedLoginLine(line: string): FailedLoginMatch | null {
  const split = splitLogLine(line);
  const hit = matchFailedLoginBody(split.body);
  return hit ? { ...hit, stamp: split.stamp } : null;
}

/** Every needle, for the byte-level candidate search. */
export const FAILED_LOGIN_NEEDLES: readonly string[] = [...new Set(FAILED_LOGIN_PATTERNS.map((p) => p.needle))];
