/**
 * What a WHM user may see. Root, and a reseller with the `all` ACL, see the whole server; any other
 * reseller sees only the accounts it owns (and its own account). Anyone else is refused.
 */
import { AppError } from '../http/appError';
import { Accounts } from './accounts';

export interface Viewer {
  user: string;
  /** true for root and resellers with `all` */
  isRoot: boolean;
  /** accounts visible to a reseller; unused for root */
  accounts: ReadonlySet<string>;
}

export function viewerFor(user: string | null | undefined, accounts: Accounts): Viewer {
  if (!user) throw new AppError(401, 'no_user', 'No WHM user was given for this request.');
  if (user === 'root') return { user, isRoot: true, accounts: new Set() };
  const acls = accounts.resellers.get(user);
  if (!acls) throw AppError.forbidden(`WHM user "${user}" is neither root nor a reseller on this server.`);
  if (acls.includes('all')) return { user, isRoot: true, accounts: new Set() };
  return { user, isRoot: false, accounts: accounts.ownedBy(user) };
}

/** A key that tells viewers with different views apart (for caches of scoped answers). */
export function viewerKey(viewer: Viewer): string {
  return `${viewer.isRoot ? '*' : '-'}:${viewer.user}:${[...viewer.accounts].sort().join(',')}`;
}

export function canSeeAccount(viewer: Viewer, account: string | null): boolean {
  if (viewer.isRoot) return true;
  return account !== null && viewer.accounts.has(account);
}

export function requireRoot(viewer: Viewer, what: string): void {
  if (!viewer.isRoot) throw AppError.forbidden(`Only root (or a reseller with the "all" privilege) can ${what}.`);
}
