/**
 * Failed POP3/IMAP logins: the lines a password-guessing script leaves. Pure: one line's text in,
 * the attempt out (or null). A table of named patterns, each proven by real lines in
 * test/unit/failedLogin.test.ts (fail2ban's test logs and the shared sample log).
 *
 * Two sides of Dovecot write about the same attempt: the login process ("Disconnected (auth failed,
 * 2 attempts …): user=<…>, …, session=<S>") and the auth process ("Password mismatch", "unknown
 * user", "pam_authenticate() failed", with `<S>` too). The login side carries the number of
 * attempts; an auth-side line counts only when no login-side line of its session was seen, so one
 * attempt is never counted twice (see countFailedAttempts).
 */

export interface FailedAttempt {
  /** the name that was tried, when the line gives one */
  user: string | null;
  /** attempts this line stands for */
  attempts: number;
  /** Dovecot's session id, to pair the two sides of one attempt */
  session: string | null;
  side: 'login' | 'auth';
  /** the pattern's name */
  pattern: string;
}

interface FailedPattern {
  name: string;
  side: 'login' | 'auth';
  re: RegExp;
}

// Dovecot's user field: `user=<name>`, up to the field after it; the name is the client's choice and
// may itself hold `<` or `>` (the count does not depend on it, only whom the attempt names).
const USER = String.raw`user=<(?<user>[^\n]{1,320}?)>(?:, |$)`;

export const FAILED_LOGIN_PATTERNS: readonly FailedPattern[] = [
  // Dovecot login process, any way the connection ended ("Disconnected", "Aborted login",
  // "Login aborted: Connection closed", "Disconnected: Inactivity", "Client has quit the connection").
  { name: 'dovecot-auth-failed', side: 'login', re: new RegExp(String.raw`-login: .{0,200}?\(auth failed, (?<n>\d{1,6}) attempts?\b[^)]{0,40}\)(?: \(auth_failed\))?: (?:${USER})?`) },
  // Dovecot auth process: the wrong password, or a name that does not exist.
  { name: 'dovecot-password-mismatch', side: 'auth', re: /\bauth(?:-worker\(\d+\))?: [a-z-]{1,20}\((?<user>[^,()\s]{1,320}),[^()]{0,80}?(?:,<(?<session>[^>]{1,64})>)?\): (?:Password mismatch|unknown user|pam_authenticate\(\) failed)/ },
  // Courier: `LOGIN FAILED, user=NAME, ip=[…]` or without a user.
  { name: 'courier-login-failed', side: 'login', re: /\bLOGIN FAILED, (?:user=(?<user>[^,\s]{1,320}), )?ip=\[/ },
  // UW imapd: `Login failed user=NAME …` and `Login excessive login failures user=NAME …`.
  { name: 'uw-login-failed', side: 'login', re: /\bLogin (?:failed|excessive login failures) user=(?<user>\S{1,320}) / },
  // Cyrus: `badlogin: host [IP] mech NAME SASL(…): authentication failure`.
  { name: 'cyrus-badlogin', side: 'login', re: /\bbadlogin: \S{1,255} \[[^\]]{1,64}\] \S{1,40} (?<user>\S{1,320}) / },
  // vpopmail: `vchkpw-pop3: password fail (pass: '…') user@domain:IP`.
  { name: 'vpopmail-password-fail', side: 'login', re: /\bvchkpw-[a-z0-9]{1,10}: password fail \(pass: .{0,200}\) (?<user>[^\s:]{1,320}):/ },
];

const SESSION = /\bsession=<(?<session>[^>]{1,64})>/;

export function parseFailedLogin(text: string): FailedAttempt | null {
  for (const p of FAILED_LOGIN_PATTERNS) {
    const m = p.re.exec(text);
    if (!m) continue;
    const g = m.groups ?? {};
    const session = g.session ?? SESSION.exec(text)?.groups?.session ?? null;
    return { user: g.user ?? null, attempts: g.n ? Math.max(1, Number(g.n)) : 1, session, side: p.side, pattern: p.name };
  }
  return null;
}

/**
 * The attempts in a set of lines (each already known to be about one IP), each attempt once: an
 * auth-side line whose session also has a login-side line is the same attempt.
 */
export function countFailedAttempts<T extends { attempt: FailedAttempt }>(items: readonly T[]): Array<T & { counted: number }> {
  const loginSessions = new Set(items.filter((i) => i.attempt.side === 'login' && i.attempt.session).map((i) => i.attempt.session));
  return items.map((i) => ({
    ...i,
    counted: i.attempt.side === 'auth' && i.attempt.session !== null && loginSessions.has(i.attempt.session) ? 0 : i.attempt.attempts,
  }));
}
