/**
 * Failed logins per IP: who was tried, how often, first and last time. Pure. Built by the services
 * from the logs or the login index (loginEvidence.ts, ipReportService.ts); shown per relay IP and on
 * the IP page, and used to tie an IP to the account whose mailbox was tried.
 */
import { Accounts } from './accounts';

export interface FailedRow {
  count: number;
  /** ms, null when no failure had a readable time */
  first: number | null;
  last: number | null;
}

/**
 * The failures from one IP, per name tried. '' holds failures whose line names nobody, and those of
 * names beyond MAX_FAILED_USERS_PER_IP (counted, not named).
 */
export interface IpFailedEvidence {
  users: Map<string, FailedRow>;
}

/** What an answer says about one IP's failed logins. */
export interface FailedLogins {
  count: number;
  /** the names tried, sorted, each once */
  users: string[];
  first: string | null;
  last: string | null;
  /** some of the names tried are mailboxes or system users of accounts on this server */
  targetsMailboxes: boolean;
}

/** Names kept per IP at most (a dictionary attack tries thousands); every failure is counted. */
export const MAX_FAILED_USERS_PER_IP = 200;

function addRow(ev: IpFailedEvidence, user: string, r: FailedRow): void {
  const key = ev.users.has(user) || ev.users.size < MAX_FAILED_USERS_PER_IP ? user : '';
  const row = ev.users.get(key);
  if (!row) {
    ev.users.set(key, { ...r });
    return;
  }
  row.count += r.count;
  if (r.first !== null && (row.first === null || r.first < row.first)) row.first = r.first;
  if (r.last !== null && (row.last === null || r.last > row.last)) row.last = r.last;
}

function evidenceOf(evidence: Map<string, IpFailedEvidence>, ip: string): IpFailedEvidence {
  let ev = evidence.get(ip);
  if (!ev) {
    ev = { users: new Map() };
    evidence.set(ip, ev);
  }
  return ev;
}

/** Counts one line's failures (time in ms, NaN when unknown). */
export function addFailedLogin(evidence: Map<string, IpFailedEvidence>, ip: string, user: string | null, attempts: number, time: number): void {
  const t = Number.isNaN(time) ? null : time;
  addRow(evidenceOf(evidence, ip), user ?? '', { count: attempts, first: t, last: t });
}

/**
 * Counts failures already summed per name (a scan job's or an index segment's, ms or NaN). Given in
 * the order each name first came, they are kept or folded into '' exactly as their lines one by one.
 */
export function addFailedRecord(evidence: Map<string, IpFailedEvidence>, ip: string, user: string, attempts: number, first: number, last: number): void {
  addRow(evidenceOf(evidence, ip), user, { count: attempts, first: Number.isNaN(first) ? null : first, last: Number.isNaN(last) ? null : last });
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * The failed logins of one IP as a viewer may see them: root (visible = null) sees every name
 * tried; a reseller only the names of their own accounts' mailboxes, and only those failures are
 * counted and timed, so nothing about another account shows.
 */
export function failedLoginsFor(ev: IpFailedEvidence | undefined, accounts: Accounts, visible: ((user: string) => boolean) | null): FailedLogins {
  let count = 0;
  let first: number | null = null;
  let last: number | null = null;
  const users: string[] = [];
  for (const [user, row] of ev?.users ?? []) {
    if (visible !== null && (user === '' || !visible(user))) continue;
    if (user !== '') users.push(user);
    count += row.count;
    if (row.first !== null && (first === null || row.first < first)) first = row.first;
    if (row.last !== null && (last === null || row.last > last)) last = row.last;
  }
  return {
    count,
    users: users.sort(),
    first: iso(first),
    last: iso(last),
    targetsMailboxes: users.some((u) => accounts.accountOfMailUser(u) !== null),
  };
}

/** The names of one IP's failures that a viewer may see (for deciding what ties the IP to them). */
export function failedUsers(ev: IpFailedEvidence | undefined): string[] {
  return ev ? [...ev.users.keys()].filter((u) => u !== '') : [];
}
