/**
 * The explainer: for every IP in the relay list, why it is there. Pure: it takes what the services
 * read from the host and returns the answer an admin needs.
 *
 * An IP is `explained` by a successful POP3/IMAP login from it, `alwaysrelay` when the static list
 * /etc/alwaysrelay names it, and `unexplained` otherwise. Failed logins explain nothing: anyone can
 * fail a login from anywhere. They are evidence all the same: failures against this server's
 * mailboxes are password guessing, and a failure naming a mailbox ties the IP to its account.
 *
 * Scope is decided by evidence, never by the outcome: an IP is tied to an account when a successful
 * login, a failed login or cPanel's user map names one of its mailboxes or its system user. A
 * reseller sees every IP tied to their accounts, unexplained ones included, with the evidence that
 * names their own mailboxes (and nothing about anyone else's).
 */
import { ipOrder } from '../parsers/ip';
import { MailProtocol } from '../parsers/patterns/loginPatterns';
import { Accounts } from './accounts';
import { FailedLogins, failedLoginsFor, failedUsers, IpFailedEvidence } from './failedLogins';
import { canSeeAccount, Viewer } from './scope';

/** What the logs say about one IP: built by the services while scanning. */
export interface IpLoginEvidence {
  /** per login name: count and last time */
  users: Map<string, { count: number; last: number | null; protocols: Set<MailProtocol> }>;
}

/**
 * Adds `count` logins of `user` from `ip` to the evidence (last: time in ms of the newest, NaN when
 * unknown). The one place both the log scan and the login index build evidence.
 */
export function addLoginEvidence(
  evidence: Map<string, IpLoginEvidence>,
  ip: string,
  user: string,
  count: number,
  last: number,
  protocols: Iterable<MailProtocol>,
): void {
  let ev = evidence.get(ip);
  if (!ev) {
    ev = { users: new Map() };
    evidence.set(ip, ev);
  }
  let row = ev.users.get(user);
  if (!row) {
    row = { count: 0, last: null, protocols: new Set() };
    ev.users.set(user, row);
  }
  row.count += count;
  for (const p of protocols) row.protocols.add(p);
  if (!Number.isNaN(last) && (row.last === null || last > row.last)) row.last = last;
}

export type HostStatus = 'explained' | 'alwaysrelay' | 'unexplained';
/** What ties a host to the viewer's accounts (root: to any name at all). */
export type TieEvidence = 'login' | 'failed-login' | 'map';
export type Verdict = 'clear' | 'unexplained' | 'empty' | 'unknown';

export interface RelayHost {
  ip: string;
  status: HostStatus;
  stale: boolean;
  /** login names, most recent first: from the logs, then those only cPanel's user map names */
  users: string[];
  /** users named by cPanel's IP→user map (recent_authed_mail_ips_users / relayhostsusers) */
  mapUsers: string[];
  /** users with a successful login from this IP, most recent first */
  loginUsers: string[];
  /** failed POP3/IMAP logins from this IP (a reseller: only those naming their own mailboxes) */
  failedLogins: FailedLogins;
  /** the evidence that names the viewer's mailboxes (root: any), in this order */
  tiedBy: TieEvidence[];
  lastLogin: string | null;
  loginCount: number;
  protocols: MailProtocol[];
  accounts: string[];
  owners: string[];
  /** when cPanel should drop the IP: last login + expire_host_mins (up to twice that in practice) */
  expiresAt: string | null;
  /** /etc/alwaysrelay's user for this IP, when listed there */
  alwaysRelayUser: string | null;
  /** one sentence for people */
  summary: string;
}

export interface ExplainInput {
  relayIps: readonly string[];
  userMap: ReadonlyMap<string, readonly string[]>;
  alwaysRelay: ReadonlyMap<string, string | null>;
  evidence: ReadonlyMap<string, IpLoginEvidence>;
  /** failed logins per IP */
  failed: ReadonlyMap<string, IpFailedEvidence>;
  accounts: Accounts;
  expireHostMins: number;
  now: Date;
  viewer: Viewer;
}

/** cPanel's marker user for /etc/alwaysrelay entries merged into the list. */
const ALWAYSRELAY_MARKER = '-alwaysrelay-';

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function names(list: readonly string[]): string {
  return list.slice(0, 3).join(', ') + (list.length > 3 ? ` and ${list.length - 3} more` : '');
}

/** The failed logins in words, or '' when there are none. */
function failedClause(f: FailedLogins): string {
  if (f.count === 0) return '';
  const tried = f.users.length ? ` for ${names(f.users)}` : '';
  return `${plural(f.count, 'failed login')}${tried}${f.targetsMailboxes ? ', against mailboxes of this server: password guessing' : ''}`;
}

function summarize(h: Omit<RelayHost, 'summary'>): string {
  const failed = failedClause(h.failedLogins);
  if (h.status === 'alwaysrelay') return `Listed in /etc/alwaysrelay${h.alwaysRelayUser ? ` for ${h.alwaysRelayUser}` : ''}: a static allowlist entry someone added by hand.${failed ? ` Also ${failed}.` : ''}`;
  if (h.status === 'unexplained') {
    const base = 'No successful POP3/IMAP login from this IP was found in the logs';
    if (h.mapUsers.length > 0) return `${base}, though cPanel's record of recent logins names ${names(h.mapUsers)}${failed ? `; ${failed}` : ''}.`;
    return failed ? `${base}; ${failed}: look at it.` : `${base}: look at it.`;
  }
  if (h.loginUsers.length === 0) {
    // A reseller's view of a host their mailbox was only tried from, or named for by the map.
    return `A mailbox outside your accounts logged in from this IP, which is why it is in the list${failed ? `; ${failed}` : ''}.`;
  }
  const who = names(h.loginUsers);
  return `${who} logged in by ${h.protocols.map((p) => p.toUpperCase()).join('/')} from this IP${h.stale ? '; the last login is older than the relay window, so cPanel should drop it soon' : ''}${failed ? `; before or after, ${failed}` : ''}.`;
}

export function explainHost(ip: string, input: ExplainInput): RelayHost | null {
  const { accounts, viewer } = input;
  const ev = input.evidence.get(ip);
  const userRows = ev ? [...ev.users.entries()] : [];
  userRows.sort((a, b) => (b[1].last ?? 0) - (a[1].last ?? 0));
  const mapUsers = (input.userMap.get(ip) ?? []).filter((u) => u !== ALWAYSRELAY_MARKER);
  const alwaysListed = input.alwaysRelay.has(ip);

  const visible = (user: string): boolean => canSeeAccount(viewer, accounts.accountOfMailUser(user));
  const loginUsers = userRows.filter(([u]) => visible(u));
  const mapVisible = mapUsers.filter(visible);
  const failedEv = input.failed.get(ip);
  const failedVisible = failedUsers(failedEv).filter(visible);

  const status: HostStatus = alwaysListed ? 'alwaysrelay' : userRows.length > 0 ? 'explained' : 'unexplained';
  const tiedBy: TieEvidence[] = [
    ...(loginUsers.length ? ['login' as const] : []),
    ...(failedVisible.length ? ['failed-login' as const] : []),
    ...(mapVisible.length ? ['map' as const] : []),
  ];
  // A reseller sees a host when the evidence names one of their accounts' mailboxes, whatever the
  // outcome (unexplained too); what names nobody of theirs (a static entry, a stranger) is root's.
  if (!viewer.isRoot && tiedBy.length === 0) return null;

  const users = [...loginUsers.map(([u]) => u), ...mapVisible.filter((u) => !loginUsers.some(([l]) => l === u))];
  let last: number | null = null;
  let count = 0;
  const protocols = new Set<MailProtocol>();
  for (const [, row] of loginUsers) {
    count += row.count;
    if (row.last !== null && (last === null || row.last > last)) last = row.last;
    row.protocols.forEach((p) => protocols.add(p));
  }
  const accts = [...new Set([...users, ...failedVisible].map((u) => accounts.accountOfMailUser(u)).filter((a): a is string => a !== null))].sort();
  const owners = [...new Set(accts.map((a) => accounts.ownerOf(a)).filter((o): o is string => o !== null))].sort();
  const windowMs = input.expireHostMins * 60_000;
  const stale = last !== null && input.now.getTime() - last > 2 * windowMs;

  const host: Omit<RelayHost, 'summary'> = {
    ip,
    status,
    stale,
    users,
    mapUsers: mapVisible,
    loginUsers: loginUsers.map(([u]) => u),
    failedLogins: failedLoginsFor(failedEv, accounts, viewer.isRoot ? null : visible),
    tiedBy,
    lastLogin: iso(last),
    loginCount: count,
    protocols: [...protocols].sort(),
    accounts: accts,
    owners,
    expiresAt: iso(last === null ? null : last + windowMs),
    alwaysRelayUser: viewer.isRoot ? (input.alwaysRelay.get(ip) ?? null) : null,
  };
  return { ...host, summary: summarize(host) };
}

export function explainHosts(input: ExplainInput): RelayHost[] {
  const out: RelayHost[] = [];
  for (const ip of input.relayIps) {
    const h = explainHost(ip, input);
    if (h) out.push(h);
  }
  const rank: Record<HostStatus, number> = { unexplained: 0, alwaysrelay: 1, explained: 2 };
  const byIp = ipOrder();
  return out.sort((a, b) => rank[a.status] - rank[b.status] || byIp(a.ip, b.ip));
}

export function verdictOf(hosts: readonly RelayHost[], decided: boolean): Verdict {
  if (!decided) return 'unknown';
  if (hosts.length === 0) return 'empty';
  return hosts.some((h) => h.status === 'unexplained') ? 'unexplained' : 'clear';
}

/** Hosts whose failed logins tried this server's mailboxes: password guessing. */
export function guessedHosts(hosts: readonly RelayHost[]): RelayHost[] {
  return hosts.filter((h) => h.failedLogins.count > 0 && h.failedLogins.targetsMailboxes);
}

export function verdictSentence(verdict: Verdict, hosts: readonly RelayHost[]): string {
  const n = hosts.length;
  const bad = hosts.filter((h) => h.status === 'unexplained').length;
  const guessed = guessedHosts(hosts);
  const guessedBad = guessed.filter((h) => h.status === 'unexplained').length;
  switch (verdict) {
    case 'empty':
      return 'The relay list is empty: no IP may relay by POP-before-SMTP right now.';
    case 'clear':
      if (guessed.length > 0) {
        return `All ${n} relay IP${n === 1 ? ' is' : 's are'} explained by POP3/IMAP logins${hosts.some((h) => h.status === 'alwaysrelay') ? ' or /etc/alwaysrelay' : ''}, but ${guessed.length === n ? (n === 1 ? 'it' : 'all of them') : guessed.length} also failed to log in to this server's mailboxes: password guessing; make sure those logins were the mailboxes' owners.`;
      }
      return `No sign of a break-in: all ${n} relay IP${n === 1 ? ' is' : 's are'} explained by POP3/IMAP logins${hosts.some((h) => h.status === 'alwaysrelay') ? ' or /etc/alwaysrelay' : ''}.`;
    case 'unexplained':
      return `${bad} relay IP${bad === 1 ? ' needs' : 's need'} a look: no successful login explains ${bad === 1 ? 'it' : 'them'}${
        guessedBad > 0 ? `, and ${guessedBad === bad ? (bad === 1 ? 'it shows' : 'all show') : `${guessedBad} of them ${guessedBad === 1 ? 'shows' : 'show'}`} failed logins against this server's mailboxes: password guessing` : ''
      }.`;
    default:
      return 'relaywatch could not decide: some files could not be read (see the problems below).';
  }
}
