/**
 * What a WHM user may see. Root, and a reseller with the `all` ACL, see the whole server; a reseller
 * with relaywatch's privilege sees only the accounts it owns (and its own account). Anyone else,
 * another reseller included, is refused.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../http/appError';
import { Accounts } from './accounts';
import { GRANT_HINT, opensPlugin, PLUGIN_ACL } from './pluginAcl';

export interface Viewer {
  user: string;
  /** true for root and resellers with `all` */
  isRoot: boolean;
  /** accounts visible to a reseller; unused for root */
  accounts: ReadonlySet<string>;
}

/**
 * Viewers already worked out, per account list (a cached answer: a new one when the account files
 * change). A reseller's viewer walks every account of the server, and every request of the daemon
 * needs it; the same object also keeps its key (viewerKey) for the answers' caches.
 */
const knownViewers = new WeakMap<Accounts, Map<string, Viewer>>();

/** The viewer `user` is with these accounts. Shared between requests: never modify it. */
export function viewerFor(user: string | null | undefined, accounts: Accounts): Viewer {
  if (!user) throw new AppError(401, 'no_user', 'No WHM user was given for this request.');
  let known = knownViewers.get(accounts);
  if (!known) {
    known = new Map();
    knownViewers.set(accounts, known);
  }
  let viewer = known.get(user);
  if (!viewer) {
    viewer = newViewer(user, accounts);
    known.set(user, viewer);
  }
  return viewer;
}

function newViewer(user: string, accounts: Accounts): Viewer {
  if (user === 'root') return { user, isRoot: true, accounts: new Set() };
  const acls = accounts.resellers.get(user);
  if (!acls) throw AppError.forbidden(`WHM user "${user}" is neither root nor a reseller on this server.`);
  if (acls.includes('all')) return { user, isRoot: true, accounts: new Set() };
  if (!opensPlugin(acls)) throw AppError.forbidden(`WHM user "${user}" lacks the "${PLUGIN_ACL}" privilege that relaywatch needs; ${GRANT_HINT}.`);
  return { user, isRoot: false, accounts: accounts.ownedBy(user) };
}

const viewerKeys = new WeakMap<Viewer, string>();

/**
 * A key that tells viewers with different views apart (for caches of scoped answers). A reseller's
 * accounts are named by their SHA-256: the key is looked up in several caches on every request, and
 * a reseller of a thousand accounts would otherwise make each key some ten kilobytes long.
 */
export function viewerKey(viewer: Viewer): string {
  let key = viewerKeys.get(viewer);
  if (key === undefined) {
    const accounts = viewer.accounts.size === 0 ? '' : createHash('sha256').update([...viewer.accounts].sort().join(',')).digest('base64url');
    key = `${viewer.isRoot ? '*' : '-'}:${viewer.user}:${viewer.accounts.size}:${accounts}`;
    viewerKeys.set(viewer, key);
  }
  return key;
}

export function canSeeAccount(viewer: Viewer, account: string | null): boolean {
  if (viewer.isRoot) return true;
  return account !== null && viewer.accounts.has(account);
}

export function requireRoot(viewer: Viewer, what: string): void {
  if (!viewer.isRoot) throw AppError.forbidden(`Only root (or a reseller with the "all" privilege) can ${what}.`);
}
