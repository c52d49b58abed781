/**
 * Reads how the server routes mail for its domains: every `/etc/valiases/<domain>` file, and where
 * each account's home directory is (`HOMEDIR=` in /var/cpanel/users/<user>, else /home/<user>).
 * Only the domains and accounts the viewer may see are read.
 */
import path from 'node:path';
import { Accounts } from '../domain/accounts';
import { canSeeAccount, Viewer } from '../domain/scope';
import type { UserFolderResult } from '../host/userFolder';
import { parseKeyValue, parsePasswdUids } from '../parsers/accountFiles';
import { parseValiases, ValiasesFile } from '../parsers/valiases';
import { CoreContext } from './context';
import { Problems } from './problems';

export const VALIASES_DIR = '/etc/valiases';

/** A domain's alias file: thousands of forwarders fit in far less. */
export const MAX_VALIASES_BYTES = 4 * 1024 * 1024;

/** Files read from users' homes are small; anything bigger is not an autoresponder file. */
export const MAX_USER_FILE_BYTES = 256 * 1024;

export interface DomainAliases extends ValiasesFile {
  /** host path */
  path: string;
  account: string | null;
  owner: string | null;
}

const DOMAIN_NAME = /^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$/i;

export async function loadValiases(ctx: CoreContext, accounts: Accounts, viewer: Viewer, problems: Problems): Promise<DomainAliases[]> {
  let names: string[];
  try {
    names = await ctx.host.list(VALIASES_DIR);
  } catch (e) {
    problems.add({ path: VALIASES_DIR, problem: 'unreadable', message: `${VALIASES_DIR} cannot be listed (${(e as Error).message})` }, false);
    return [];
  }
  const out: DomainAliases[] = [];
  for (const name of names) {
    if (!DOMAIN_NAME.test(name)) continue; // editor backups, dotfiles
    const domain = name.toLowerCase();
    const account = accounts.domains.get(domain) ?? null;
    if (!canSeeAccount(viewer, account)) continue;
    const p = `${VALIASES_DIR}/${name}`;
    // The domain's account owns this file on cPanel: its size is the user's choice, so it is bounded.
    const r = await ctx.host.readText(p, { maxBytes: MAX_VALIASES_BYTES });
    if (!r.ok) {
      if (r.problem !== 'not-a-file') problems.add(r, false);
      continue;
    }
    out.push({ ...parseValiases(r.value, domain), path: p, account, owner: account ? accounts.ownerOf(account) : null });
  }
  return out;
}

/** `~user`: HOMEDIR= from /var/cpanel/users/<user> when present, else /home/<user>. */
export async function homeOf(ctx: CoreContext, user: string): Promise<string> {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(user) || user.startsWith('.')) return `/home/${user.replace(/[^A-Za-z0-9._-]/g, '_')}`;
  const text = await ctx.host.readOptional(`/var/cpanel/users/${user}`).catch(() => null);
  const home = text ? parseKeyValue(text).HOMEDIR : undefined;
  if (home && isSafeDir(home)) return path.posix.normalize(home);
  return `/home/${user}`;
}

/** An absolute path with no `..` part (a path from a file we read is never trusted to climb). */
export function isSafeDir(p: string): boolean {
  return p.startsWith('/') && !p.split('/').includes('..') && !p.includes('\0') && p.length < 1024;
}

/** uid of each system user, from /etc/passwd (empty when it cannot be read). */
export async function systemUids(ctx: CoreContext): Promise<Map<string, number>> {
  const text = await ctx.host.readOptional(PASSWD).catch(() => null);
  return text === null ? new Map() : parsePasswdUids(text);
}

const PASSWD = '/etc/passwd';

/**
 * Opens a folder under an account's home for reading as the account's user would have it
 * (host/userFolder.ts: no symlink followed, every file the user's own). `dir` must lie under the
 * account's home: a folder named in a file the user can write (their /etc/valiases file) is never a
 * way to read somewhere else. The caller closes the folder.
 */
export async function openAccountFolder(ctx: CoreContext, account: string | null, dir: string, uids: Map<string, number>): Promise<UserFolderResult> {
  if (account === null) return { ok: false, problem: 'refused', why: `${dir} belongs to no account; not read` };
  const home = await homeOf(ctx, account);
  const rel = path.posix.relative(home, path.posix.normalize(dir));
  if (rel.startsWith('..') || path.posix.isAbsolute(rel)) {
    return { ok: false, problem: 'refused', why: `${dir} is not under the home of account ${account} (${home}); not read` };
  }
  return ctx.host.openUserFolder(home, rel === '' ? [] : rel.split('/'), uids.get(account) ?? null);
}
