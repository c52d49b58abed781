/**
 * Reading files that a cPanel user controls (`~/.autorespond/*`) without letting that user choose
 * what root reads.
 *
 * relaywatch reads as root, and a user owns their home: they can replace any file or folder in it by
 * a symlink or a hard link at any moment, including between a check and an open. So nothing under a
 * user's folder is looked up by path. Node has no openat(2); the same effect comes from procfs:
 *
 * - The walk starts at the host root (trusted by configuration) and opens one component at a time,
 *   as `/proc/self/fd/<parent fd>/<name>` with O_DIRECTORY | O_NOFOLLOW. `/proc/self/fd/N` is a
 *   "magic link": the kernel does not re-walk a path for it but jumps to the very directory the open
 *   descriptor N refers to, so renaming or swapping that directory or any of its ancestors after it
 *   was opened changes nothing. O_NOFOLLOW then makes the kernel refuse (ELOOP) a symlink as the one
 *   name looked up in it. Each step therefore lands in a real directory inside the one before.
 * - What is checked is what is held: every opened folder and file is checked with fstat on the
 *   descriptor, never with a stat of a path, so there is no window between check and use.
 * - A symlink is followed only on the way to the home folder, and only when both the link and the
 *   folder holding it belong to root (or to this process) and nobody else may write to that folder:
 *   only the administrator can have put it there (/home -> /data/home). From the home folder down,
 *   no symlink is followed.
 * - Every folder from the home folder down, and every file read, must belong to the home folder's
 *   owner. A hard link in the home to someone else's file (possible where protected_hardlinks is
 *   off) belongs to that someone else and is refused; what is read is always the user's own data.
 * - Files are opened with O_NONBLOCK (a FIFO planted in place of a file cannot stall the daemon) and
 *   must be regular files of a bounded size.
 *
 * The walk needs a real procfs at /proc; without one nothing is read from users' folders.
 */
import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';

/** What of the host adapter a walk needs: its root, and `direct` (which a recording host notes). */
export interface HostRoot {
  readonly root: string;
  direct(hostPath: string): string;
}

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK } = fs.constants;
const DIR_FLAGS = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;
const FILE_FLAGS = O_RDONLY | O_NOFOLLOW | O_NONBLOCK;
const PROC_SUPER_MAGIC = 0x9fa0;
const MAX_SYMLINK_HOPS = 40;

export type UserFolderProblem = 'missing' | 'refused' | 'unreadable';

export type UserFolderResult = { ok: true; folder: UserFolder } | { ok: false; problem: UserFolderProblem; why: string };

export type UserFileResult = { ok: true; text: string } | { ok: false; why: string };

let procChecked: string | null | undefined;

/** null when /proc/self/fd is procfs, else why user folders cannot be read safely here. */
function procProblem(): string | null {
  if (procChecked !== undefined) return procChecked;
  try {
    const st = fs.statfsSync('/proc/self/fd');
    procChecked = Number(st.type) === PROC_SUPER_MAGIC ? null : '/proc is not procfs';
  } catch (e) {
    procChecked = `/proc cannot be used (${(e as NodeJS.ErrnoException).code ?? String(e)})`;
  }
  return procChecked;
}

function at(fd: number, name: string): string {
  return `/proc/self/fd/${fd}/${name}`;
}

const euid = process.geteuid?.() ?? 0;

/** A folder only root (or this process) can change: what is in it was put there by the administrator. */
function adminOnly(st: fs.Stats): boolean {
  return (st.uid === 0 || st.uid === euid) && (st.mode & 0o022) === 0;
}

function errno(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? String(e);
}

class Refusal extends Error {
  constructor(readonly problem: UserFolderProblem, why: string) {
    super(why);
  }
}

/** A user's folder, held open: its entries are listed and read relative to the descriptor. */
export class UserFolder {
  private closed = false;

  constructor(
    private readonly host: HostRoot,
    private readonly fd: number,
    /** host path the folder was reached by */
    readonly hostPath: string,
    /** the uid every file read from it must belong to */
    readonly ownerUid: number,
  ) {}

  /** Names in the folder, sorted. */
  list(): string[] {
    return fs.readdirSync(`/proc/self/fd/${this.fd}`).sort();
  }

  /** Reads a regular file of at most `maxBytes` that belongs to the folder's owner. */
  async readSmallFile(name: string, maxBytes: number): Promise<UserFileResult> {
    const shown = `${this.hostPath}/${name}`;
    if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) return { ok: false, why: `${shown} is not a plain file name` };
    this.host.direct(shown); // lets a recording host note the file (answerCache.ts)
    let fh: FileHandle;
    try {
      fh = await fs.promises.open(at(this.fd, name), FILE_FLAGS);
    } catch (e) {
      const code = errno(e);
      if (code === 'ELOOP') return { ok: false, why: `${shown} is a symbolic link; not followed` };
      if (code === 'ENOENT') return { ok: false, why: `${shown} does not exist` };
      return { ok: false, why: `${shown} cannot be read (${code})` };
    }
    try {
      const st = await fh.stat();
      if (!st.isFile()) return { ok: false, why: `${shown} is not a regular file` };
      if (st.uid !== this.ownerUid) return { ok: false, why: `${shown} belongs to uid ${st.uid}, not to the folder's owner (uid ${this.ownerUid}); not read` };
      if (st.size > maxBytes) return { ok: false, why: `${shown} is larger than ${maxBytes} bytes; not read` };
      const buf = Buffer.alloc(maxBytes + 1);
      let got = 0;
      while (got < buf.length) {
        const { bytesRead } = await fh.read(buf, got, buf.length - got, got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      if (got > maxBytes) return { ok: false, why: `${shown} is larger than ${maxBytes} bytes; not read` };
      return { ok: true, text: buf.toString('utf8', 0, got) };
    } catch (e) {
      return { ok: false, why: `${shown} cannot be read (${errno(e)})` };
    } finally {
      await fh.close();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
  }
}

/**
 * Opens `sub` (plain names, e.g. ['.autorespond']) under the home folder `home` (a host path),
 * as described at the top of this file. `expectedUid`, when known (from /etc/passwd), is the uid the
 * home folder must belong to. The caller closes the folder.
 */
export function openUserFolder(host: HostRoot, home: string, sub: readonly string[], expectedUid: number | null = null): UserFolderResult {
  const shown = path.posix.join(home, ...sub);
  const proc = procProblem();
  if (proc !== null) return { ok: false, problem: 'refused', why: `${shown} was not read: ${proc}, which relaywatch needs to read users' files safely` };
  if (!home.startsWith('/') || sub.some((s) => s === '' || s === '.' || s === '..' || s.includes('/') || s.includes('\0'))) {
    return { ok: false, problem: 'refused', why: `${shown} is not a plain path` };
  }
  host.direct(shown); // lets a recording host note the folder (answerCache.ts)
  const held: number[] = [];
  const closeAll = (): void => {
    for (const fd of held.splice(0)) fs.closeSync(fd);
  };
  try {
    const homeFd = walkToHome(host, home, held);
    const homeSt = fs.fstatSync(homeFd);
    const owner = homeSt.uid;
    if (expectedUid !== null && owner !== expectedUid) {
      throw new Refusal('refused', `${home} belongs to uid ${owner}, not to the account's user (uid ${expectedUid}); not read`);
    }
    let fd = homeFd;
    let where = home;
    for (const name of sub) {
      where = path.posix.join(where, name);
      let next: number;
      try {
        next = fs.openSync(at(fd, name), DIR_FLAGS);
      } catch (e) {
        const code = errno(e);
        if (code === 'ENOENT') throw new Refusal('missing', `${where} does not exist`);
        // O_DIRECTORY | O_NOFOLLOW on a symlink fails with ENOTDIR or ELOOP: which one, only the message says.
        if (code === 'ELOOP' || (code === 'ENOTDIR' && isSymlinkAt(fd, name))) throw new Refusal('refused', `${where} is a symbolic link; not followed`);
        if (code === 'ENOTDIR') throw new Refusal('refused', `${where} is not a folder`);
        throw new Refusal('unreadable', `${where} cannot be opened (${code})`);
      }
      held.push(next);
      const st = fs.fstatSync(next);
      if (st.uid !== owner) throw new Refusal('refused', `${where} belongs to uid ${st.uid}, not to the owner of ${home} (uid ${owner}); not read`);
      fd = next;
    }
    // Only the folder itself stays open; the descriptors on the way to it are closed.
    held.splice(held.indexOf(fd), 1);
    closeAll();
    return { ok: true, folder: new UserFolder(host, fd, shown, owner) };
  } catch (e) {
    closeAll();
    if (e instanceof Refusal) return { ok: false, problem: e.problem, why: e.message };
    return { ok: false, problem: 'unreadable', why: `${shown} cannot be opened (${errno(e)})` };
  }
}

/**
 * Opens the home folder, component by component from the host root. Symlinks on the way are followed
 * only where the administrator alone can have made them (see the top of this file). Every descriptor
 * opened is pushed on `held`; the last one is the home folder's.
 */
function walkToHome(host: HostRoot, home: string, held: number[]): number {
  let pending = path.posix.normalize(home).split('/').filter(Boolean);
  let current = '/';
  let hops = 0;
  let fd = -1;
  const restart = (): void => {
    for (const d of held.splice(0)) fs.closeSync(d);
    fd = fs.openSync(host.root, O_RDONLY | O_DIRECTORY);
    held.push(fd);
    current = '/';
  };
  restart();
  while (pending.length > 0) {
    const name = pending.shift()!;
    const where = path.posix.join(current, name);
    if (name === '..') throw new Refusal('refused', `${home} climbs out of its folder`);
    let next: number;
    try {
      next = fs.openSync(at(fd, name), DIR_FLAGS);
    } catch (e) {
      const code = errno(e);
      if (code === 'ENOENT') throw new Refusal('missing', `${where} does not exist`);
      if (code !== 'ELOOP' && code !== 'ENOTDIR') throw new Refusal('unreadable', `${where} cannot be opened (${code})`);
      const link = fs.lstatSync(at(fd, name));
      if (!link.isSymbolicLink()) throw new Refusal('refused', `${where} is not a folder`);
      // A symlink: followed only when the administrator alone can have made it. (Nobody else can
      // change an entry of such a folder, so the link read here is the one the open refused.)
      const parent = fs.fstatSync(fd);
      if (!adminOnly(parent) || (link.uid !== 0 && link.uid !== euid)) {
        throw new Refusal('refused', `${where} is a symbolic link that a user could have made; not followed`);
      }
      if (++hops > MAX_SYMLINK_HOPS) throw new Refusal('refused', `${home}: symlink loop (more than ${MAX_SYMLINK_HOPS} links)`);
      const target = fs.readlinkSync(at(fd, name));
      const joined = target.startsWith('/') ? path.posix.normalize(target) : path.posix.join(current, target);
      if (!target.startsWith('/') && climbsAboveRoot(current, target)) {
        throw new Refusal('refused', `${home}: symlink ${where} -> ${target} points outside the host root`);
      }
      pending = [...joined.split('/').filter(Boolean), ...pending];
      restart();
      continue;
    }
    held.push(next);
    fd = next;
    current = where;
  }
  return fd;
}

function isSymlinkAt(fd: number, name: string): boolean {
  try {
    return fs.lstatSync(at(fd, name)).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Does a relative symlink target, read in the folder `current` (a path under the host root), climb above the root? */
export function climbsAboveRoot(current: string, relTarget: string): boolean {
  let depth = current.split('/').filter(Boolean).length;
  for (const part of relTarget.split('/')) {
    if (part === '..') depth -= 1;
    else if (part && part !== '.') depth += 1;
    if (depth < 0) return true;
  }
  return false;
}
