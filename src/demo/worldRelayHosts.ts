/**
 * The relay list of the demo host: one IP for every case relaywatch must explain, each with the
 * logins (or failures) the mail log will show for it. The relay files and the mail log are both
 * written from this plan, so they always agree.
 *
 * Statuses (times relative to `now`):
 * - explained:   a successful POP3/IMAP login from the IP in the last 30 minutes;
 * - stale:       the last successful login was 60–180 minutes ago, yet the IP is still listed
 *                (cPanel should have dropped it: its tracker was stopped or stuck);
 * - alwaysrelay: named in /etc/alwaysrelay, no login at all;
 * - unexplained: no successful login anywhere in the logs: one with failed logins only (look-alike
 *                lines, by attacker-chosen user names), others with nothing.
 */
import { AddressPool, AddressKind } from './addresses';
import { HOSTILE_USERS } from './names';
import { Random } from './random';
import { DemoAccount } from './worldAccounts';

export type RelayStatus = 'explained' | 'stale' | 'alwaysrelay' | 'unexplained';
export type MailProtocol = 'imap' | 'pop3';
/** How Dovecot writes the login: 2.3 `Login:`, 2.4 `Logged in:`, or 2.3 with `session=` before `method=`. */
export type LoginStyle = 'login' | 'logged-in' | 'session-first';
export type Security = 'TLS' | 'secured' | null;
export type FailureKind = 'auth-failed' | 'aborted' | 'password-mismatch';

export interface PlannedLogin {
  at: number;
  user: string;
  protocol: MailProtocol;
  /** the address as the log writes it (`rip=`) */
  rip: string;
  security: Security;
  style: LoginStyle;
}

export interface PlannedFailure {
  at: number;
  user: string;
  protocol: MailProtocol;
  rip: string;
  kind: FailureKind;
}

export interface DemoRelayHost {
  /** canonical form (IPv4 dotted, IPv6 RFC 5952) */
  ip: string;
  status: RelayStatus;
  /** users in cPanel's IP → users map, most recent first; empty = no line in the map */
  mapUsers: string[];
  logins: PlannedLogin[];
  failures: PlannedFailure[];
  /** for alwaysrelay: the user on its /etc/alwaysrelay line (null = a bare `IP` line) */
  alwaysRelayUser: string | null;
  /** one line on why the demo has this IP */
  story: string;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

interface ExplainedSpec {
  kind: AddressKind;
  owner: string;
  users: number;
  protocol: MailProtocol;
  security: Security;
  style: LoginStyle;
  /** log the IPv4 address as IPv4-mapped IPv6 */
  mapped?: boolean;
  /** log in with the cPanel user name instead of an e-mail address */
  systemUser?: boolean;
  /** a wrong password first, then the right one */
  typoFirst?: boolean;
  story: string;
}

const EXPLAINED: ExplainedSpec[] = [
  { kind: 'isp-like', owner: 'resellera', users: 1, protocol: 'imap', security: 'TLS', style: 'login', story: 'a phone checking mail over IMAP' },
  { kind: 'isp-like', owner: 'resellerb', users: 2, protocol: 'imap', security: 'TLS', style: 'login', story: 'a small office: two mailboxes behind one address' },
  { kind: 'isp-like', owner: 'root', users: 1, protocol: 'pop3', security: 'TLS', style: 'login', story: 'a desktop client polling POP3' },
  { kind: 'isp-like', owner: 'resellerall', users: 1, protocol: 'imap', security: 'TLS', style: 'logged-in', story: 'logged by Dovecot 2.4 ("Logged in:"), which cPanel\'s own tracker misses' },
  { kind: 'documentation', owner: 'root', users: 1, protocol: 'imap', security: 'TLS', style: 'session-first', story: 'fields in another order (session= before method=)' },
  { kind: 'documentation', owner: 'resellera', users: 1, protocol: 'pop3', security: null, style: 'login', story: 'POP3 without TLS' },
  { kind: 'documentation', owner: 'root', users: 1, protocol: 'imap', security: 'TLS', style: 'login', mapped: true, story: 'logged as IPv4-mapped IPv6 (::ffff:a.b.c.d)' },
  { kind: 'ipv6', owner: 'resellerb', users: 1, protocol: 'imap', security: 'TLS', style: 'login', story: 'an IPv6 client' },
  { kind: 'ipv6', owner: 'root', users: 1, protocol: 'pop3', security: 'TLS', style: 'login', story: 'an IPv6 POP3 client' },
  { kind: 'documentation', owner: 'resellera', users: 1, protocol: 'imap', security: 'TLS', style: 'login', systemUser: true, story: 'a login with the cPanel account name' },
  { kind: 'isp-like', owner: 'root', users: 1, protocol: 'imap', security: 'TLS', style: 'login', typoFirst: true, story: 'a mistyped password, then a successful login' },
  { kind: 'documentation', owner: 'resellerall', users: 3, protocol: 'imap', security: 'TLS', style: 'login', story: 'a shared office line: three mailboxes' },
  { kind: 'isp-like', owner: 'resellerb', users: 1, protocol: 'imap', security: 'TLS', style: 'login', story: 'a laptop on a home connection' },
  { kind: 'documentation', owner: 'root', users: 1, protocol: 'imap', security: 'secured', style: 'login', story: 'a client on the STARTTLS port' },
];

const STALE: Array<{ kind: AddressKind; owner: string; protocol: MailProtocol }> = [
  { kind: 'isp-like', owner: 'resellera', protocol: 'imap' },
  { kind: 'documentation', owner: 'root', protocol: 'pop3' },
  { kind: 'isp-like', owner: 'resellerb', protocol: 'imap' },
  { kind: 'documentation', owner: 'resellerall', protocol: 'imap' },
  { kind: 'ipv6', owner: 'root', protocol: 'imap' },
];

function mapUsersOf(logins: readonly PlannedLogin[], from: number, to: number): string[] {
  const recent = logins.filter((l) => l.at >= from && l.at <= to).sort((a, b) => b.at - a.at);
  return [...new Set(recent.map((l) => l.user))];
}

export interface RelayPlanInput {
  rng: Random;
  pool: AddressPool;
  accounts: readonly DemoAccount[];
  nowMs: number;
  /** earliest instant the mail logs cover */
  logStartMs: number;
}

export function planRelayHosts({ rng, pool, accounts, nowMs, logStartMs }: RelayPlanInput): DemoRelayHost[] {
  const withMail = accounts.filter((a) => a.mailboxes.length > 0);
  const usedAccounts = new Set<string>();
  /** A fresh account of that owner, so each relay IP names a different customer. */
  const accountOf = (owner: string, minMailboxes = 1): DemoAccount => {
    const candidates = withMail.filter((a) => a.owner === owner && !usedAccounts.has(a.user) && a.mailboxes.length >= minMailboxes);
    const acct = rng.pick(candidates.length > 0 ? candidates : withMail);
    usedAccounts.add(acct.user);
    return acct;
  };

  /** A mail client polling every 5–15 minutes, ending with the login at `last`. */
  const polling = (last: number, users: string[], base: Omit<PlannedLogin, 'at' | 'user'>): PlannedLogin[] => {
    const out: PlannedLogin[] = [{ ...base, at: last, user: users[0] }];
    const first = last - rng.int(20, 90) * MIN;
    let t = last;
    let i = 1;
    for (;;) {
      t -= rng.int(5 * MIN, 15 * MIN);
      if (t < first) break;
      out.push({ ...base, at: t, user: users[i++ % users.length] });
    }
    return out;
  };

  /** Earlier days: a few logins a day from the same place, for the history pages. */
  const history = (before: number, users: string[], base: Omit<PlannedLogin, 'at' | 'user'>): PlannedLogin[] => {
    const out: PlannedLogin[] = [];
    for (let day = before - DAY; day > logStartMs; day -= DAY) {
      for (let k = rng.int(0, 2); k > 0; k--) {
        const at = day + rng.int(0, DAY - 1);
        if (at > logStartMs && at < before) out.push({ ...base, at, user: rng.pick(users) });
      }
    }
    return out;
  };

  const hosts: DemoRelayHost[] = [];

  for (const spec of EXPLAINED) {
    const acct = accountOf(spec.owner, spec.users);
    const users = spec.systemUser ? [acct.user] : rng.shuffle(acct.mailboxes).slice(0, spec.users);
    const ip = pool.take(spec.kind);
    const rip = spec.mapped ? `::ffff:${ip}` : ip;
    const base = { protocol: spec.protocol, rip, security: spec.security, style: spec.style };
    const last = nowMs - rng.int(1 * MIN, 28 * MIN);
    const logins = polling(last, users, base);
    const polledFrom = Math.min(...logins.map((l) => l.at));
    if (rng.chance(0.5)) logins.push(...history(polledFrom - HOUR, users, base));
    const failures: PlannedFailure[] = spec.typoFirst
      ? [{ at: polledFrom - rng.int(20_000, 90_000), user: users[0], protocol: spec.protocol, rip, kind: 'password-mismatch' }]
      : [];
    logins.sort((a, b) => a.at - b.at);
    hosts.push({
      ip,
      status: 'explained',
      mapUsers: mapUsersOf(logins, nowMs - 60 * MIN, nowMs),
      logins,
      failures,
      alwaysRelayUser: null,
      story: spec.story,
    });
  }

  for (const spec of STALE) {
    const acct = accountOf(spec.owner);
    const users = [rng.pick(acct.mailboxes)];
    const ip = pool.take(spec.kind);
    const base = { protocol: spec.protocol, rip: ip, security: 'TLS' as const, style: 'login' as const };
    const last = nowMs - rng.int(65 * MIN, 175 * MIN);
    const logins = polling(last, users, base);
    if (rng.chance(0.5)) logins.push(...history(Math.min(...logins.map((l) => l.at)) - HOUR, users, base));
    logins.sort((a, b) => a.at - b.at);
    hosts.push({
      ip,
      status: 'stale',
      mapUsers: mapUsersOf(logins, last - 30 * MIN, last),
      logins,
      failures: [],
      alwaysRelayUser: null,
      story: 'the last login is over an hour old, yet the IP is still listed',
    });
  }

  const rootAccount = accountOf('root');
  hosts.push(
    { ip: pool.take('documentation'), status: 'alwaysrelay', mapUsers: ['-alwaysrelay-'], logins: [], failures: [], alwaysRelayUser: null, story: 'a bare IP line in /etc/alwaysrelay (an old office scanner)' },
    { ip: pool.take('documentation'), status: 'alwaysrelay', mapUsers: ['-alwaysrelay-'], logins: [], failures: [], alwaysRelayUser: rootAccount.user, story: `an "IP: user" line in /etc/alwaysrelay for ${rootAccount.user}` },
  );

  // Unexplained 1: failed logins only, by attacker-chosen (hostile) user names; the map names a real mailbox.
  const victim = accountOf('resellera');
  const hostileIp = pool.take('documentation');
  const hostileFailures: PlannedFailure[] = [];
  for (let k = 0; k < 8; k++) {
    hostileFailures.push({
      at: nowMs - rng.int(2 * MIN, 170 * MIN),
      user: HOSTILE_USERS[k % HOSTILE_USERS.length],
      protocol: k % 3 === 0 ? 'pop3' : 'imap',
      rip: hostileIp,
      kind: k % 2 === 0 ? 'auth-failed' : 'aborted',
    });
  }
  hosts.push({
    ip: hostileIp,
    status: 'unexplained',
    mapUsers: [victim.mailboxes[0]],
    logins: [],
    failures: hostileFailures.sort((a, b) => a.at - b.at),
    alwaysRelayUser: null,
    story: 'failed logins only, with attacker-chosen user names',
  });

  // Unexplained 2: look-alike lines for a real mailbox (wrong passwords, aborted logins), never a success.
  const target = accountOf('root');
  const lookAlikeIp = pool.take('isp-like');
  const targetUser = target.mailboxes[0];
  const kinds: FailureKind[] = ['password-mismatch', 'auth-failed', 'aborted', 'password-mismatch', 'auth-failed'];
  hosts.push({
    ip: lookAlikeIp,
    status: 'unexplained',
    mapUsers: [targetUser],
    logins: [],
    failures: kinds
      .map((kind, k) => ({ at: nowMs - rng.int(3 * MIN, 110 * MIN), user: targetUser, protocol: (k === 2 ? 'pop3' : 'imap') as MailProtocol, rip: lookAlikeIp, kind }))
      .sort((a, b) => a.at - b.at),
    alwaysRelayUser: null,
    story: 'only failed and aborted logins (look-alikes of a login) for a real mailbox',
  });

  // Unexplained 3 and 4: nothing at all in the logs; one named in the map, one not.
  const ghost = accountOf('resellerb');
  hosts.push(
    { ip: pool.take('isp-like'), status: 'unexplained', mapUsers: [ghost.user], logins: [], failures: [], alwaysRelayUser: null, story: 'no line in any log, though the map names a cPanel user' },
    { ip: pool.take('ipv6'), status: 'unexplained', mapUsers: [], logins: [], failures: [], alwaysRelayUser: null, story: 'no line in any log and no user in the map' },
  );

  return hosts;
}
