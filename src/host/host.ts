/**
 * The host adapter: the only way relaywatch reaches the server's files. Every path the rest of the
 * code uses is a *host path* ("/etc/relayhosts"), resolved under one root directory ("/" on a real
 * server, a folder on the demo host and in tests).
 *
 * Symlinks are followed by this code, not by the kernel, so that an absolute link target
 * ("/etc/relayhosts -> /etc/recent_authed_mail_ips") stays under the root, a loop is reported as a
 * loop, and a relative target that climbs above the root is refused instead of read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { temporaryName } from './stateDir';
import { climbsAboveRoot, openUserFolder, UserFolderResult } from './userFolder';

/**
 * The promise API, taken from `fs` when first used (Node loads it then): a scan worker, which reads
 * with synchronous calls only, never loads it.
 */
const fsp = (): typeof fs.promises => fs.promises;

export type FileProblem = 'missing' | 'unreadable' | 'symlink-loop' | 'outside-root' | 'not-a-file';

export interface FileIssue {
  path: string;
  problem: FileProblem;
  message: string;
}

export type ReadResult<T> = { ok: true; path: string; value: T } | ({ ok: false } & FileIssue);

export class HostPathError extends Error {
  constructor(readonly issue: FileIssue) {
    super(issue.message);
  }
}

const MAX_SYMLINK_HOPS = 40;

function issueFromErrno(hostPath: string, e: unknown): FileIssue {
  if (e instanceof HostPathError) return e.issue;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return { path: hostPath, problem: 'missing', message: `${hostPath} does not exist` };
  if (code === 'EISDIR') return { path: hostPath, problem: 'not-a-file', message: `${hostPath} is a directory` };
  if (code === 'ELOOP') return { path: hostPath, problem: 'symlink-loop', message: `${hostPath}: too many symlinks` };
  return { path: hostPath, problem: 'unreadable', message: `${hostPath} cannot be read (${code ?? String(e)})` };
}

export class Host {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /** The real filesystem path of a host path, with no symlink resolution (for writes and listing). */
  direct(hostPath: string): string {
    if (!hostPath.startsWith('/')) throw new Error(`host paths are absolute, got "${hostPath}"`);
    return path.join(this.root, path.posix.normalize(hostPath));
  }

  /**
   * Resolves every symlink in a host path under the root. Throws HostPathError for loops and for
   * relative targets that climb above the root. A missing final component is not an error here.
   */
  resolve(hostPath: string): string {
    let pending = path.posix.normalize(hostPath).split('/').filter(Boolean);
    let current = '/';
    let hops = 0;
    while (pending.length > 0) {
      const part = pending.shift()!;
      const candidate = path.posix.join(current, part);
      let st: fs.Stats;
      try {
        st = fs.lstatSync(this.direct(candidate));
      } catch {
        return path.posix.join(candidate, ...pending);
      }
      if (!st.isSymbolicLink()) {
        current = candidate;
        continue;
      }
      if (++hops > MAX_SYMLINK_HOPS) {
        throw new HostPathError({ path: hostPath, problem: 'symlink-loop', message: `${hostPath}: symlink loop (more than ${MAX_SYMLINK_HOPS} links)` });
      }
      const target = fs.readlinkSync(this.direct(candidate));
      if (target.startsWith('/')) {
        pending = [...path.posix.normalize(target).split('/').filter(Boolean), ...pending];
        current = '/';
      } else {
        const joined = path.posix.join(current, target);
        if (climbsAboveRoot(current, target)) {
          throw new HostPathError({ path: hostPath, problem: 'outside-root', message: `${hostPath}: symlink ${candidate} -> ${target} points outside the host root` });
        }
        pending = [...joined.split('/').filter(Boolean), ...pending];
        current = '/';
      }
    }
    return current;
  }

  /** Real path to open for reading, following symlinks under the root. */
  real(hostPath: string): string {
    return this.direct(this.resolve(hostPath));
  }

  /**
   * A file's text. `maxBytes` bounds what is read of a file someone else may write (a user's
   * /etc/valiases file could otherwise be made gigabytes long): a longer file is "unreadable".
   */
  async readText(hostPath: string, opts: { maxBytes?: number } = {}): Promise<ReadResult<string>> {
    try {
      if (opts.maxBytes === undefined) {
        const value = await fsp().readFile(this.real(hostPath), 'utf8');
        return { ok: true, path: hostPath, value };
      }
      const fh = await fsp().open(this.real(hostPath), fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      try {
        const st = await fh.stat();
        if (!st.isFile()) return { ok: false, path: hostPath, problem: 'not-a-file', message: `${hostPath} is not a regular file` };
        // Read in pieces sized from the file (it may grow meanwhile), never more than maxBytes + 1.
        const chunks: Buffer[] = [];
        let got = 0;
        for (;;) {
          const want = Math.min(Math.max(st.size + 1 - got, 4096), opts.maxBytes + 1 - got);
          if (want <= 0) break;
          const buf = Buffer.allocUnsafe(want);
          const { bytesRead } = await fh.read(buf, 0, want, got);
          if (bytesRead === 0) break;
          chunks.push(buf.subarray(0, bytesRead));
          got += bytesRead;
        }
        if (got > opts.maxBytes) return { ok: false, path: hostPath, problem: 'unreadable', message: `${hostPath} is larger than ${opts.maxBytes} bytes; not read` };
        return { ok: true, path: hostPath, value: Buffer.concat(chunks, got).toString('utf8') };
      } finally {
        await fh.close();
      }
    } catch (e) {
      return { ok: false, ...issueFromErrno(hostPath, e) };
    }
  }

  /** Reads a file that may legitimately be absent: absent gives null, any other failure throws. */
  async readOptional(hostPath: string): Promise<string | null> {
    const r = await this.readText(hostPath);
    if (r.ok) return r.value;
    if (r.problem === 'missing') return null;
    throw new HostPathError(r);
  }

  // stat and readlink are synchronous, as the path resolution above is: each is one system call
  // answered in microseconds, where the promise API sends it through libuv's thread pool at a hundred
  // times the cost, and an answer makes dozens of them. Contents are still read asynchronously.
  async stat(hostPath: string): Promise<fs.Stats | null> {
    try {
      return fs.statSync(this.real(hostPath), { throwIfNoEntry: false }) ?? null;
    } catch (e) {
      const issue = issueFromErrno(hostPath, e);
      if (issue.problem === 'missing') return null;
      throw new HostPathError(issue);
    }
  }

  async exists(hostPath: string): Promise<boolean> {
    try {
      return (await this.stat(hostPath)) !== null;
    } catch {
      return true; // present but unreadable or looping: it exists
    }
  }

  /** The link target if hostPath itself is a symlink, else null. */
  async readlink(hostPath: string): Promise<string | null> {
    try {
      const st = fs.lstatSync(this.direct(hostPath), { throwIfNoEntry: false });
      if (!st?.isSymbolicLink()) return null;
      return fs.readlinkSync(this.direct(hostPath));
    } catch {
      return null;
    }
  }

  /** Names in a directory (resolved), [] when it does not exist. */
  async list(hostDir: string): Promise<string[]> {
    try {
      return (await fsp().readdir(this.real(hostDir))).sort();
    } catch (e) {
      const issue = issueFromErrno(hostDir, e);
      if (issue.problem === 'missing') return [];
      throw new HostPathError(issue);
    }
  }

  /**
   * A folder under a user's home, held open so that its files are read without following the user's
   * symlinks (userFolder.ts). `home` is the home folder's host path, `sub` the plain names below it.
   */
  openUserFolder(home: string, sub: readonly string[], expectedUid: number | null = null): UserFolderResult {
    return openUserFolder(this, home, sub, expectedUid);
  }

  openReadStream(hostPath: string, opts: { start?: number; end?: number; highWaterMark?: number } = {}): fs.ReadStream {
    return fs.createReadStream(this.real(hostPath), opts);
  }

  async mkdirp(hostDir: string, mode = 0o755): Promise<void> {
    await fsp().mkdir(this.direct(hostDir), { recursive: true, mode });
  }

  /**
   * Writes to a temporary file and renames it into place, so a reader never sees half a file. The
   * temporary name is random and created with O_EXCL: a name planted in advance (a symlink to a file
   * root should not overwrite) makes the write fail instead of following it.
   */
  async writeAtomic(hostPath: string, data: string | Buffer, mode = 0o644): Promise<void> {
    const target = this.direct(hostPath);
    await fsp().mkdir(path.dirname(target), { recursive: true });
    const tmp = temporaryName(target);
    try {
      await fsp().writeFile(tmp, data, { mode, flag: 'wx' });
      await fsp().chmod(tmp, mode);
      await fsp().rename(tmp, target);
    } catch (e) {
      await fsp().rm(tmp, { force: true });
      throw e;
    }
  }

  /** Appends one line; creates the file with `mode` and its directory when missing. */
  async appendLine(hostPath: string, line: string, mode = 0o600): Promise<void> {
    const target = this.direct(hostPath);
    await fsp().mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    const fh = await fsp().open(target, 'a', mode);
    try {
      await fh.write(line.endsWith('\n') ? line : `${line}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
}

/**
 * A lock file shared by every relaywatch process on the host (the daemon and any CLI run): created
 * with O_EXCL and holding the owner's pid. A lock whose owner no longer runs is stale and taken over.
 */
export async function acquireLockFile(host: Host, hostPath: string, waitMs: number): Promise<() => Promise<void>> {
  const real = host.direct(hostPath);
  await fsp().mkdir(path.dirname(real), { recursive: true, mode: 0o700 });
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fh = await fsp().open(real, 'wx', 0o600);
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      return async () => {
        await fsp().rm(real, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = Number((await fsp().readFile(real, 'utf8').catch(() => '')).trim());
    if (!ownerAlive(owner)) {
      await fsp().rm(real, { force: true });
      continue;
    }
    if (Date.now() >= deadline) throw new LockBusyError(hostPath, owner);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export class LockBusyError extends Error {
  constructor(readonly lockPath: string, readonly owner: number) {
    super(`another relaywatch process (pid ${owner}) holds ${lockPath}`);
  }
}

function ownerAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
