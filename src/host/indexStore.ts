/**
 * The files of the login index under the state directory (`/var/lib/relaywatch/login-index/`): the
 * manifest, the segments, and the writer's lock. File I/O only; the format is loginIndexFormat.ts.
 *
 * Every file is written to a temporary name and renamed into place, so a reader (or a crash) never
 * sees half a file. Segments are never changed once written; the manifest is replaced whole. A
 * segment the manifest no longer names is removed only after a grace period, so that a reader who
 * loaded the previous manifest a moment ago can still read it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Host } from './host';
import { ensureStateDir, INDEX_KEY_PATH, indexKey, privateSubdirProblem, replaceFile, replaceFileWith, StateDirState } from './stateDir';

export const INDEX_DIR_NAME = 'login-index';
const MANIFEST = 'manifest.json';
const LOCK = 'writer.lock';
/** a lock older than this, or whose process is gone, is taken over */
const LOCK_STALE_MS = 15 * 60_000;

export interface IndexLock {
  release(): void;
}

const warned = new Set<string>();

/** Said once per process: a repair of the state folder, or why it is not used. */
function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  console.error(`relaywatch: ${message}`);
}

export class IndexStore {
  /** real path of the index directory */
  readonly dir: string;
  private readonly stateDir: string;
  private readonly keyPath: string;
  private key: Buffer | null = null;

  constructor(host: Host, stateDir: string) {
    this.dir = host.direct(path.posix.join(stateDir, INDEX_DIR_NAME));
    // Not through host.direct: a recording host (answerCache.ts) would take every change of the state
    // folder or the key for a change of the answers' data.
    this.stateDir = path.join(host.root, path.posix.normalize(stateDir));
    this.keyPath = path.join(host.root, INDEX_KEY_PATH);
  }

  /**
   * Why the index's folder cannot be trusted now (null: it can), after repairing what can safely be
   * repaired (stateDir.ts). An index folder that is not private is thrown away: it is only a cache.
   * The state folder is made only for a writer (`create`): a reader finds nothing to distrust.
   */
  trustProblem(create = false): string | null {
    let state: StateDirState;
    try {
      state = ensureStateDir(this.stateDir, { create });
    } catch (e) {
      return `the state folder ${this.stateDir} cannot be prepared (${(e as NodeJS.ErrnoException).code ?? String(e)})`;
    }
    if (!state.ok) {
      warnOnce(`not using the login index: ${state.why}`);
      return state.why;
    }
    if (state.repaired) warnOnce(state.repaired);
    const sub = privateSubdirProblem(this.dir);
    if (sub === 'readable') {
      fs.chmodSync(this.dir, 0o700);
      warnOnce(`${this.dir} could be read by other users: made private (700)`);
    } else if (sub !== null) {
      try {
        fs.rmSync(this.dir, { recursive: true, force: true });
      } catch {
        // root's index seen by another user: not that user's to discard, and not to be trusted
        warnOnce(`not using the login index: ${sub}`);
        return sub;
      }
      warnOnce(`${sub}: the login index was discarded (it is rebuilt)`);
    }
    return null;
  }

  /** The key of the index's MACs (stateDir.ts), read once per store. */
  macKey(): Buffer {
    if (this.key === null) {
      const k = indexKey(this.keyPath);
      if (k.replaced) warnOnce(k.replaced);
      this.key = k.key;
    }
    return this.key;
  }

  /** host-independent display path */
  get manifestPath(): string {
    return path.join(this.dir, MANIFEST);
  }

  exists(): boolean {
    return fs.existsSync(this.manifestPath);
  }

  readManifest(): Buffer | null {
    try {
      return fs.readFileSync(this.manifestPath);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  /** The index folder, made private if new; throws when the state folder is not to be used. */
  private prepare(): void {
    const problem = this.trustProblem(true);
    if (problem !== null) throw Object.assign(new Error(problem), { code: 'EUNTRUSTED' });
    try {
      fs.mkdirSync(this.dir, { mode: 0o700 });
      fs.chmodSync(this.dir, 0o700);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }

  private writeFile(name: string, data: Buffer): void {
    this.prepare();
    replaceFile(path.join(this.dir, name), data, 0o600);
  }

  writeManifest(data: Buffer): void {
    this.writeFile(MANIFEST, data);
  }

  writeSegment(name: string, data: Buffer): void {
    this.writeFile(name, data);
  }

  /** A segment written in pieces: `write` gets its new file, open for reading and writing. */
  writeSegmentWith<T>(name: string, write: (fd: number) => T): T {
    this.prepare();
    return replaceFileWith(path.join(this.dir, name), 0o600, write);
  }

  /** Bytes [start, end) of a segment (fewer when the file is shorter: the caller checks). */
  readRange(name: string, start: number, end: number): Buffer {
    const fd = fs.openSync(path.join(this.dir, name), 'r');
    try {
      const buf = Buffer.allocUnsafe(Math.max(0, end - start));
      let got = 0;
      while (got < buf.length) {
        const n = fs.readSync(fd, buf, got, buf.length - got, start + got);
        if (n === 0) break;
        got += n;
      }
      return buf.subarray(0, got);
    } finally {
      fs.closeSync(fd);
    }
  }

  segmentStat(name: string): { size: number; mtimeMs: number } | null {
    try {
      const st = fs.statSync(path.join(this.dir, name));
      return { size: st.size, mtimeMs: st.mtimeMs };
    } catch {
      return null;
    }
  }

  /** Removes segments not in `keep` that are older than `graceMs`, and stale temporary files. */
  collectGarbage(keep: ReadonlySet<string>, graceMs: number, now = Date.now()): void {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return;
    }
    for (const name of names) {
      const isSegment = /^seg-.*\.rwx$/.test(name);
      const isTmp = name.includes('.tmp-');
      if ((!isSegment || keep.has(name)) && !isTmp) continue;
      const p = path.join(this.dir, name);
      try {
        if (now - fs.statSync(p).mtimeMs >= graceMs) fs.rmSync(p, { force: true });
      } catch {
        // gone already
      }
    }
  }

  /** Deletes one segment no manifest names (gone already is fine). */
  removeSegment(name: string): void {
    try {
      fs.rmSync(path.join(this.dir, name), { force: true });
    } catch {
      // left for collectGarbage
    }
  }

  /** Deletes the whole index (it is rebuilt from the logs when needed). */
  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * The writer's lock, or null when another live process holds it. One writer at a time; readers
   * never lock.
   */
  tryLock(): IndexLock | null {
    // A state folder that is not to be used is never written: the answer comes from a scan.
    if (this.trustProblem() !== null) return null;
    this.prepare();
    const p = path.join(this.dir, LOCK);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = fs.openSync(p, 'wx', 0o600);
        fs.writeSync(fd, JSON.stringify({ pid: process.pid, at: Date.now() }));
        fs.closeSync(fd);
        let released = false;
        return {
          release: () => {
            if (released) return;
            released = true;
            fs.rmSync(p, { force: true });
          },
        };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        if (!this.lockIsStale(p)) return null;
        fs.rmSync(p, { force: true });
      }
    }
    return null;
  }

  private lockIsStale(p: string): boolean {
    try {
      const st = fs.statSync(p);
      const { pid } = JSON.parse(fs.readFileSync(p, 'utf8')) as { pid?: unknown };
      if (Date.now() - st.mtimeMs > LOCK_STALE_MS) return true;
      if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return true;
      if (pid === process.pid) return false;
      try {
        process.kill(pid, 0);
        return false;
      } catch (e) {
        return (e as NodeJS.ErrnoException).code === 'ESRCH';
      }
    } catch {
      // unreadable or half-written lock file: give its writer a moment before taking it over
      try {
        return Date.now() - fs.statSync(p).mtimeMs > 5000;
      } catch {
        return true;
      }
    }
  }
}
