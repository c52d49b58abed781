/**
 * The state folder (`/var/lib/relaywatch`: the login index, the last blacklist result) and the key
 * that signs the index. relaywatch runs as root and believes what it finds there, so whoever could
 * write there could hide an IP's real logins or make root write through a planted symlink. So:
 *
 * - the folder is created 0700 whatever the umask (mkdir, then chmod);
 * - an existing folder must be a real folder (not a symlink) that belongs to this process's user
 *   or to root and that nobody else may enter (root's folder, seen by another user, is not repaired). One that others could only read is made 0700. One that
 *   others could write to but that holds only relaywatch's own files is made 0700 and what anyone
 *   could have written there meanwhile (the index, the cached result) is thrown away, which costs
 *   only a rebuild. Anything else (another owner, foreign files) is refused, with the reason, and not
 *   used. Each repair is said (on the daemon's log or the command's error output);
 * - temporary files get random names and are created with O_EXCL (never through an existing name,
 *   symlink or not);
 * - the index's key lives elsewhere (`/etc/relaywatch/index.key`, 0600, root's): write access to
 *   the state folder does not give it, so an index written by anyone else fails its MAC.
 */
import fs from 'node:fs';
import path from 'node:path';

/**
 * Random bytes from the global Web Crypto (the same generator as node:crypto's): a process that only
 * reads, a scan worker or a CLI answer, does not load node:crypto for this module.
 */
function randomBytes(n: number): Buffer {
  return Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(n)));
}

export const STATE_DIR_ENTRIES = ['login-index', 'blacklist.json', 'control.lock'];
/** The key that signs the login index (host path). */
export const INDEX_KEY_PATH = '/etc/relaywatch/index.key';
const KEY_BYTES = 32;

const euid = (): number => process.geteuid?.() ?? 0;

export type StateDirState = { ok: true; repaired: string | null } | { ok: false; why: string };

/** A random name next to `target` for a temporary file. */
export function temporaryName(target: string): string {
  return `${target}.tmp-${randomBytes(9).toString('base64url')}`;
}

/** Writes a new file that must not exist yet (O_CREAT | O_EXCL: an existing name, symlink or not, fails). */
export function writeExclusive(realPath: string, data: string | Buffer, mode: number): void {
  const fd = fs.openSync(realPath, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, mode);
  try {
    fs.fchmodSync(fd, mode);
    fs.writeFileSync(fd, data);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes `data` to a fresh temporary file and renames it over `realPath`. */
export function replaceFile(realPath: string, data: string | Buffer, mode: number): void {
  replaceFileWith(realPath, mode, (fd) => fs.writeFileSync(fd, data));
}

/**
 * replaceFile() for a file written in pieces: `write` gets the fresh temporary file, open for
 * reading and writing, and writes it whole before it is renamed over `realPath`.
 */
export function replaceFileWith<T>(realPath: string, mode: number, write: (fd: number) => T): T {
  const tmp = temporaryName(realPath);
  try {
    const fd = fs.openSync(tmp, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, mode);
    let out: T;
    try {
      fs.fchmodSync(fd, mode);
      out = write(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, realPath);
    return out;
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Makes sure the state folder (a real path) exists (unless `create` is false: for a reader) and is
 * private to this process's user; repairs it when that is safe. `ok: false` means: do not read from
 * it and do not write to it.
 */
export function ensureStateDir(realDir: string, opts: { create?: boolean } = {}): StateDirState {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(realDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return { ok: false, why: `${realDir} cannot be examined (${(e as NodeJS.ErrnoException).code})` };
    if (opts.create === false) return { ok: true, repaired: null }; // nothing there to distrust
    fs.mkdirSync(path.dirname(realDir), { recursive: true, mode: 0o755 });
    try {
      fs.mkdirSync(realDir, { mode: 0o700 });
    } catch (e2) {
      if ((e2 as NodeJS.ErrnoException).code !== 'EEXIST') throw e2;
      return ensureStateDir(realDir); // made by another process meanwhile: check it as found
    }
    fs.chmodSync(realDir, 0o700); // the umask may have taken bits away; it never adds any
    return { ok: true, repaired: null };
  }
  if (st.isSymbolicLink()) return { ok: false, why: `${realDir} is a symbolic link; relaywatch uses only a real folder for its state (set stateDir to the folder itself)` };
  if (!st.isDirectory()) return { ok: false, why: `${realDir} is not a folder` };
  // Root's folder is trusted by everyone (root could forge anything anyway); another user's only by that user.
  if (st.uid !== euid() && st.uid !== 0) {
    return { ok: false, why: `${realDir} belongs to uid ${st.uid}, not to uid ${euid()}; relaywatch does not use it (its owner could forge what is in it). Remove it, or chown it to root and chmod it 700.` };
  }
  if ((st.mode & 0o077) === 0) return { ok: true, repaired: null };
  if (st.uid !== euid()) {
    // Root's folder seen by another user: not this user's to repair, and usable only while nobody else may write it.
    if ((st.mode & 0o022) === 0) return { ok: true, repaired: null };
    return { ok: false, why: `${realDir} may be written by other users (mode ${(st.mode & 0o777).toString(8)}); relaywatch does not use it until root runs it again (which makes it private)` };
  }
  if ((st.mode & 0o022) === 0) {
    // Others could look but not write: nothing in it can have been forged; it only becomes private.
    fs.chmodSync(realDir, 0o700);
    return { ok: true, repaired: `${realDir} could be read by other users (mode ${(st.mode & 0o777).toString(8)}): made private (700)` };
  }
  const foreign = fs.readdirSync(realDir).filter((n) => !STATE_DIR_ENTRIES.includes(n) && !n.includes('.tmp-'));
  if (foreign.length > 0) {
    return { ok: false, why: `${realDir} may be written by other users (mode ${(st.mode & 0o777).toString(8)}) and holds files that are not relaywatch's (${foreign.slice(0, 5).join(', ')}); relaywatch does not use it. Make it private (chmod 700) or point stateDir at a folder of its own.` };
  }
  fs.chmodSync(realDir, 0o700);
  // What anyone could have written while it was open is not kept: the index is rebuilt from the logs.
  for (const name of fs.readdirSync(realDir)) fs.rmSync(path.join(realDir, name), { recursive: true, force: true });
  return { ok: true, repaired: `${realDir} could be written by other users (mode ${(st.mode & 0o777).toString(8)}): made private (700), and the login index and cached results in it were discarded (they are rebuilt)` };
}

/**
 * Checks a folder inside the state folder (the login index's): real, ours, private. Null when fine,
 * 'readable' when others could only read it, else what is wrong.
 */
export function privateSubdirProblem(realDir: string): string | null {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(realDir);
  } catch {
    return null; // not there yet: made private when it is made
  }
  if (st.isSymbolicLink() || !st.isDirectory()) return `${realDir} is not a real folder`;
  if (st.uid !== euid() && st.uid !== 0) return `${realDir} belongs to uid ${st.uid}`;
  if ((st.mode & 0o022) !== 0) return `${realDir} may be written by other users (mode ${(st.mode & 0o777).toString(8)})`;
  if ((st.mode & 0o077) !== 0 && st.uid === euid()) return 'readable'; // root's, seen by another user: not that user's to change
  return null;
}

/**
 * The key that signs the login index: read, or made the first time (root only). A key that others
 * could read or replace (not a plain 0600 file of ours in a folder only we can write) is replaced by
 * a new one, which invalidates the index it signed: it is rebuilt.
 */
export function indexKey(realKeyPath: string): { key: Buffer; replaced: string | null } {
  const dir = path.dirname(realKeyPath);
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const d = fs.lstatSync(dir);
  if (!d.isDirectory() || d.uid !== euid() || (d.mode & 0o022) !== 0) {
    throw new Error(`${dir} is not a folder that only uid ${euid()} may write to; the index key cannot be kept there safely`);
  }
  let replaced: string | null = null;
  try {
    const fd = fs.openSync(realKeyPath, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    try {
      const st = fs.fstatSync(fd);
      if (st.isFile() && st.uid === euid() && (st.mode & 0o077) === 0 && st.size === KEY_BYTES) {
        const key = Buffer.alloc(KEY_BYTES);
        if (fs.readSync(fd, key, 0, KEY_BYTES, 0) === KEY_BYTES) return { key, replaced: null };
      }
      replaced = `${realKeyPath} was not a private 0600 file of ${KEY_BYTES} bytes owned by uid ${euid()}: replaced by a new key (the login index is rebuilt)`;
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') replaced = `${realKeyPath} was a symbolic link: replaced by a new key (the login index is rebuilt)`;
    else if (code !== 'ENOENT') throw e;
  }
  if (replaced) fs.rmSync(realKeyPath, { force: true });
  const key = randomBytes(KEY_BYTES);
  try {
    writeExclusive(realKeyPath, key, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return indexKey(realKeyPath); // made by another process meanwhile
    throw e;
  }
  return { key, replaced };
}
