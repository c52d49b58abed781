/**
 * The explainer: for every IP in the relay list, why it is there. Pure: it takes what the services
 * read from the host and returns the answer an admin needs.
 *
 * An IP is `explained` by a successful POP3/IMAP login from it, `alwaysrelay` when the static list
 * /etc/alwaysrelay names it, and `unexplained` otherwise. Failed logins explain nothing: anyone can
 * fail a login from anywhere.
 */
import { ipOrder } from '../parsers/ip';
import { MailProtocol } from '../parsers/patterns/loginPatterns';
import { Accounts } from './accounts';
import { Generation } from './generation';
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
export type Verdict = 'clear' | 'unexplained' | 'empty' | 'unknown';

export interface RelayHost {
  ip: string;
  status: HostStatus;
  stale: boolean;
  /** login names, most recent first: from the logs, then those only cPanel's user map names */
  users: string[];
  /** users named by cPanel's IP→user map (recent_authed_mail_ips_users / relayhostsusers) */
  mapUsers: string[];
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

function summarize(h: Omit<RelayHost, 'summary'>): string {
  if (h.status === 'alwaysrelay') return `Listed in /etc/alwaysrelay${h.alwaysRelayUser ? ` for ${h.alwaysRelayUser}` : ''}: a static allowlist entry someone added by hand.`;
  if (h.status === 'unexplained') {
    return h.mapUsers.length > 0
      ? `No successful POP3/IMAP login from this IP was found in the logs, though cPanel's record of recent logins names ${h.mapUsers.join(', ')}.`
      : 'No successful POP3/IMAP login from this IP was found in the logs: look at it.';
  }
  const who = h.users.slice(0, 3).join(', ') + (h.users.length > 3 ? ` and ${h.users.length - 3} more` : '');
  return `${who} logged in by ${h.protocols.map((p) => p.toUpperCase()).join('/')} from this IP${h.stale ? '; the last login is older than the relay window, so cPanel should drop it soon' : ''}.`;
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

  const status: HostStatus = alwaysListed ? 'alwaysrelay' : userRows.length > 0 ? 'explained' : 'unexplained';
  if (!viewer.isRoot) {
    // Resellers see a host only through their own accounts' mailboxes; unexplained and static entries are root's.
    if (status !== 'explained' || (loginUsers.length === 0 && mapVisible.length === 0)) return null;
  }

  const users = [...loginUsers.map(([u]) => u), ...mapVisible.filter((u) => !loginUsers.some(([l]) => l === u))];
  let last: number | null = null;
  let count = 0;
  const protocols = new Set<MailProtocol>();
  for (const [, row] of loginUsers) {
    count += row.count;
    if (row.last !== null && (last === null || row.last > last)) last = row.last;
    row.protocols.forEach((p) => protocols.add(p));
  }
  const accts = [...new Set(users.map((u) => accounts.accountOfMailUser(u)).filter((a): a is string => a !== null))].sort();
  const owners = [...new Set(accts.map((a) => accounts.ownerOf(a)).filter((o): o is string => o !== null))].sort();
  const windowMs = input.expireHostMins * 60_000;
  const stale = last !== null && input.now.getTime() - last > 2 * windowMs;

  const host: Omit<RelayHost, 'summary'> = {
    ip,
    status,
    stale,
    users,
    mapUsers: mapVisible,
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

export function verdictSentence(verdict: Verdict, hosts: readonly RelayHost[]): string {
  const n = hosts.length;
  const bad = hosts.filter((h) => h.status === 'unexplained').length;
  switch (verdict) {
    case 'empty':
      return 'The relay list is empty: no IP may relay by POP-before-SMTP right now.';
    case 'clear':
      return `No sign of a break-in: all ${n} relay IP${n === 1 ? ' is' : 's are'} explained by POP3/IMAP logins${hosts.some((h) => h.status === 'alwaysrelay') ? ' or /etc/alwaysrelay' : ''}.`;
    case 'unexplained':
      return `${bad} relay IP${bad === 1 ? ' needs' : 's need'} a look: no successful login explains ${bad === 1 ? 'it' : 'them'}.`;
    default:
      return 'relaywatch could not decide: some files could not be read (see the problems below).';
  }
}
