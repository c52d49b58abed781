/**
 * The per-account view for resellers (and root): each account's domains, the relay IPs its
 * mailboxes logged in from, and the mailboxes that send through POP-before-SMTP. Only accounts the
 * viewer owns exist here: any other name gets the same "no such account" as a name nobody uses.
 */
import { RelayHost } from '../domain/explain';
import { RelianceUser } from '../domain/reliance';
import { canSeeAccount, Viewer } from '../domain/scope';
import { AppError } from '../http/appError';
import { sharedAccounts } from './accountsService';
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
  checkedAt: string;
}

export interface AccountView {
  account: string;
  owner: string | null;
  domains: string[];
  /** relay IPs now in the list through this account's mailboxes (only its own users are named) */
  relayIps: RelayHost[];
  /** this account's mailboxes that sent mail without a password through the relay list */
  reliance: RelianceUser[];
  days: number;
  checkedAt: string;
}

const ACCOUNT_NAME = /^[a-z0-9][a-z0-9_.-]{0,31}$/i;

/** One host as this account sees it: only its own mailboxes. */
function hostForAccount(h: RelayHost, account: string, accountOf: (u: string) => string | null): RelayHost {
  const users = h.users.filter((u) => accountOf(u) === account);
  return { ...h, users, mapUsers: h.mapUsers.filter((u) => accountOf(u) === account), accounts: [account] };
}

export async function accountsOverview(ctx: CoreContext, viewer: Viewer): Promise<AccountsOverview> {
  const accounts = await sharedAccounts(ctx);
  const days = ctx.config.evidence.days;
  const [relay, reliance] = [await explain(ctx, viewer), await relianceReport(ctx, viewer, { days })];
  const rows: AccountRow[] = [];
  for (const account of [...accounts.owners.keys()].sort()) {
    if (!canSeeAccount(viewer, account)) continue;
    rows.push({
      account,
      owner: accounts.ownerOf(account),
      domains: accounts.domainsOf(account),
      relayIps: relay.hosts.filter((h) => h.accounts.includes(account)).length,
      reliantMailboxes: reliance.users.filter((u) => u.account === account).length,
    });
  }
  return { viewer: { user: viewer.user, isRoot: viewer.isRoot }, accounts: rows, days, checkedAt: ctx.now().toISOString() };
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
  return {
    account: name,
    owner: accounts.ownerOf(name),
    domains: accounts.domainsOf(name),
    relayIps: relay.hosts.filter((h) => h.accounts.includes(name)).map((h) => hostForAccount(h, name, accountOf)),
    reliance: reliance.users.filter((u) => u.account === name),
    days,
    checkedAt: ctx.now().toISOString(),
  };
}
