/**
 * Turns one mail-log line into a successful-login record, or null. Pure.
 */
import { canonicalIp } from './ip';
import { LOGIN_PATTERNS, LoginPattern, MailProtocol, MailService } from './patterns/loginPatterns';
import { splitLogLine, Stamp } from './syslogLine';

export interface LoginMatch {
  pattern: string;
  service: MailService;
  protocol: MailProtocol;
  user: string;
  /** canonical IP */
  ip: string;
  stamp: Stamp | null;
}

/** The protocol from the pattern's fixed one, its `proto` group, or its program name (pop in it = POP3). */
function protocolOf(p: LoginPattern, groups: Record<string, string | undefined>): MailProtocol {
  if (p.protocol) return p.protocol;
  const proto = groups.proto;
  if (proto) return proto.toLowerCase().startsWith('pop') ? 'pop3' : 'imap';
  const prog = groups.prog ?? '';
  return /pop/i.test(prog) ? 'pop3' : 'imap';
}

/**
 * Matches a body (program onward) against the patterns whose needle it contains, in table order; the
 * first pattern that yields a valid address and a user wins.
 */
export function matchLoginBody(body: string): Omit<LoginMatch, 'stamp'> | null {
  for (const p of LOGIN_PATTERNS) {
    if (!body.includes(p.needle)) continue;
    const m = p.regex.exec(body);
    if (!m || !m.groups) continue;
    const ip = canonicalIp(m.groups.ip ?? '');
    const user = m.groups.user;
    if (!ip || !user) continue;
    return { pattern: p.name, service: p.service, protocol: protocolOf(p, m.groups), user, ip };
  }
  return null;
}

export function parseLoginLine(line: string): LoginMatch | null {
  const split = splitLogLine(line);
  const hit = matchLoginBody(split.body);
  return hit ? { ...hit, stamp: split.stamp } : null;
}

/** Every needle, for the byte-level candidate search. */
export const LOGIN_NEEDLES: readonly string[] = [...new Set(LOGIN_PATTERNS.map((p) => p.needle))];
