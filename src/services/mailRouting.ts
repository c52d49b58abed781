/**
 * Reads how the server routes mail for its domains: every `/etc/valiases/<domain>` file, and where
 * each account's home directory is (`HOMEDIR=` in /var/cpanel/users/<user>, else /home/<user>).
 * Only the domains and accounts the viewer may see are read.
 */
import path from 'node:path';
import { Accounts } from '../domain/accounts';
import { canSeeAccount, Viewer } from '../domain/scope';
import { parseKeyValue } from '../parsers/accountFiles';
import { parseValiases, ValiasesFile } from '../parsers/valiases';
import { CoreContext } from './context';
import { Problems } from './problems';

export const VALIASES_DIR = '/etc/valiases';

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
    const r = await ctx.host.readText(p);
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

/**
 * Reads a small regular file from a user's home. Symlinks are refused: a user could point one at a
 * file only root may read, and relaywatch reads as root.
 */
export async function readUserFile(ctx: CoreContext, hostPath: string): Promise<{ ok: true; text: string } | { ok: false; why: string }> {
  if (await ctx.host.readlink(hostPath)) return { ok: false, why: `${hostPath} is a symbolic link; not followed` };
  const st = await ctx.host.stat(hostPath).catch(() => null);
  if (!st) return { ok: false, why: `${hostPath} cannot be read` };
  if (!st.isFile()) return { ok: false, why: `${hostPath} is not a regular file` };
  if (st.size > MAX_USER_FILE_BYTES) return { ok: false, why: `${hostPath} is larger than ${MAX_USER_FILE_BYTES} bytes; not read` };
  const r = await ctx.host.readText(hostPath);
  return r.ok ? { ok: true, text: r.value } : { ok: false, why: r.message };
}
