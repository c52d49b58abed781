/**
 * The per-account view for resellers (and root): each account's domains, the relay IPs its
 * mailboxes logged in from, and the mailboxes that send through POP-before-SMTP. Only accounts the
 * viewer owns exist here: any other name gets the same "no such account" as a name nobody uses.
 */
import { RelayHost } from '../domain/explain';
import { RelianceUser } from '../domain/reliance';
import { canSeeAccount, Viewer, viewerKey } from '../domain/scope';
import { AppError } from '../http/appError';
import { sharedAccounts } from './accountsService';
import { cachedAnswer } from '../cache/answerCache';
import { CoreContext } from './context';
import { explain } from './explainService';
import { relianceReport } from './relianceService';

export interface AccountRow {
  account: string;
  owner: string | null;
  domains: string[];
  relayIps: number;
  reliantMailboxes: number;
}

export interface AccountsOverview {
  viewer: { user: string; isRoot: boolean };
  accounts: AccountRow[];
  /** the look-back of the reliance counts, in days */
  days: number;
  /** the period the reliance counts cover, in words (shorter than `days` when the exim log is) */
  period: string;
  checkedAt: string;
}

export interface AccountView {
  account: string;
  owner: string | null;
  domains: string[];
  /** relay IPs now in the list tied to this account by a login, a failed login or cPanel's map (only its own users are named) */
  relayIps: RelayHost[];
  /** the relay IPs in one sentence, saying what ties each kind to the account */
  relaySentence: string;
  /** this account's mailboxes that sent mail without a password through the relay list */
  reliance: RelianceUser[];
  days: number;
  /** the period the reliance counts cover, in words (shorter than `days` when the exim log is) */
  period: string;
  checkedAt: string;
}

const ACCOUNT_NAME = /^[a-z0-9][a-z0-9_.-]{0,31}$/i;

/** One host as this account sees it: only its own mailboxes. */
function hostForAccount(h: RelayHost, account: string, accountOf: (u: string) => string | null): RelayHost {
  const mine = (u: string): boolean => accountOf(u) === account;
  return {
    ...h,
    users: h.users.filter(mine),
    mapUsers: h.mapUsers.filter(mine),
    loginUsers: h.loginUsers.filter(mine),
    failedLogins: { ...h.failedLogins, users: h.failedLogins.users.filter(mine) },
    accounts: [account],
  };
}

/** What ties the account to its relay IPs, in words: a login only where its mailboxes logged in. */
export function relaySentence(hosts: readonly RelayHost[]): string {
  if (hosts.length === 0) return 'No relay IP in the list is tied to this account right now.';
  const n = (k: number, one: string, many: string): string => `${k} ${k === 1 ? one : many}`;
  const loggedIn = hosts.filter((h) => h.loginUsers.length > 0).length;
  const unexplained = hosts.filter((h) => h.status === 'unexplained').length;
  const other = hosts.length - loggedIn - unexplained;
  const parts = [
    ...(loggedIn ? [`${n(loggedIn, 'is', 'are')} there because this account’s mailboxes logged in from ${loggedIn === 1 ? 'it' : 'them'}`] : []),
    ...(unexplained ? [`${n(unexplained, 'has', 'have')} no successful login behind ${unexplained === 1 ? 'it' : 'them'}, though cPanel’s map or failed logins name this account’s mailboxes: look at ${unexplained === 1 ? 'it' : 'them'}`] : []),
    ...(other ? [`${n(other, 'is', 'are')} there for another reason (a login of another mailbox, or /etc/alwaysrelay); failed logins or cPanel’s map name this account’s mailboxes`] : []),
  ];
  return `${n(hosts.length, 'relay IP', 'relay IPs')} in the list ${hosts.length === 1 ? 'is' : 'are'} tied to this account: ${parts.join('; ')}.`;
}

/**
 * How long an overview may be reused while none of its files changed: as long as the relay report
 * it counts from (explainService.ts).
 */
const OVERVIEW_REUSE_MS = 30_000;

/** Every account the viewer can see, with its counts: computed once per change (10,000 accounts). */
export async function accountsOverview(ctx: CoreContext, viewer: Viewer): Promise<AccountsOverview> {
  return cachedAnswer(ctx, `accounts-overview:${viewerKey(viewer)}`, OVERVIEW_REUSE_MS, (c) => accountsOverviewNow(c, viewer));
}

async function accountsOverviewNow(ctx: CoreContext, viewer: Viewer): Promise<AccountsOverview> {
  const accounts = await sharedAccounts(ctx);
  const days = ctx.config.evidence.days;
  const [relay, reliance] = [await explain(ctx, viewer), await relianceReport(ctx, viewer, { days })];
  // Counted in one pass each (not a pass over every host per account: 10,000 × 2,000).
  const relayIps = new Map<string, number>();
  for (const h of relay.hosts) for (const a of h.accounts) relayIps.set(a, (relayIps.get(a) ?? 0) + 1);
  const reliant = new Map<string, number>();
  for (const u of reliance.users) if (u.account !== null) reliant.set(u.account, (reliant.get(u.account) ?? 0) + 1);
  const rows: AccountRow[] = [];
  for (const account of [...accounts.owners.keys()].sort()) {
    if (!canSeeAccount(viewer, account)) continue;
    rows.push({
      account,
      owner: accounts.ownerOf(account),
      domains: accounts.domainsOf(account),
      relayIps: relayIps.get(account) ?? 0,
      reliantMailboxes: reliant.get(account) ?? 0,
    });
  }
  return { viewer: { user: viewer.user, isRoot: viewer.isRoot }, accounts: rows, days, period: reliance.period ?? `in the last ${days} days`, checkedAt: ctx.now().toISOString() };
}

export async function accountView(ctx: CoreContext, viewer: Viewer, name: string): Promise<AccountView> {
  const accounts = await sharedAccounts(ctx);
  if (!ACCOUNT_NAME.test(name) || !accounts.isAccount(name) || !canSeeAccount(viewer, name)) {
    throw AppError.notFound(`No account "${name.slice(0, 40)}" that you can see.`);
  }
  const days = ctx.config.evidence.days;
  const relay = await explain(ctx, viewer);
  const reliance = await relianceReport(ctx, viewer, { days });
  const accountOf = (u: string): string | null => accounts.accountOfMailUser(u);
  const relayIps = relay.hosts.filter((h) => h.accounts.includes(name)).map((h) => hostForAccount(h, name, accountOf));
  return {
    account: name,
    owner: accounts.ownerOf(name),
    domains: accounts.domainsOf(name),
    relayIps,
    relaySentence: relaySentence(relayIps),
    reliance: reliance.users.filter((u) => u.account === name),
    days,
    period: reliance.period ?? `in the last ${days} days`,
    checkedAt: ctx.now().toISOString(),
  };
}
