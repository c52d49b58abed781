/**
 * The persistent login index under the state directory (`/var/lib/relaywatch/login-index/`): every
 * successful and every failed login of every mail log, read once (both in the same pass). Each run
 * reads only the bytes added since the last (files are followed through rotation, compression and
 * truncation: loginIndexMatch.ts), so after the first build an answer costs a few milliseconds
 * instead of a scan of every log.
 *
 * - `relaywatch index` and the daemon build and refresh it; `explain` uses it when it is there and
 *   scans when it is not (the answers are the same: test/component/indexRotation.test.ts).
 * - One writer at a time (a lock file); a process that cannot write reads the new bytes into
 *   memory instead, so the answer is never older than the logs.
 * - It can be deleted at any time (it is rebuilt from the logs); a damaged index is rebuilt, never
 *   trusted (every part is checksummed: loginIndexFormat.ts).
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { IndexLock, IndexStore, INDEX_DIR_NAME } from '../host/indexStore';
import { gzipSizeMod32, readHead } from '../host/logIdentity';
import { CoreContext } from '../services/context';
import {
  encodeManifest, encodeSegment, decodeManifest, FORMAT_VERSION, IndexCorrupt, IndexedFailure, IndexedLogin, kindKey, LogEntry, Manifest, MANIFEST_FORMAT,
  PATTERNS_ID, SegmentRef, decodeSegmentHeader, parseKind, segmentMetaMac,
} from './loginIndexFormat';
import { FileFacts, matchLogs } from './loginIndexMatch';
import { loadSegmentMeta, LoginIndexView, LoginRow, NewLines, newestFirst } from './loginIndexView';
import { mergeSegments, SegmentBytes } from './loginIndexMerge';
import { kindInfo, LoginBatch } from './loginBatch';
import { SegmentColumns } from './segmentColumns';
import { ChunkPool } from './chunkedColumn';
import { holdHeapGrowth } from './buildHeapGrowth';
import type { ScanProgress } from './loginRecord';
import { knownHead, mailLogFiles, unreadableLog } from './loginScanFiles';
import type { ScanRunOptions, ScanTarget, TargetOutcome } from './loginScanPool';
import { Problems } from '../services/problems';

export type { LoginRow } from './loginIndexView';
export { LoginIndexView } from './loginIndexView';

export interface RefreshOptions {
  /** build the index when there is none (the index command, the daemon); else no index = null */
  create?: boolean;
  /** start again from nothing */
  rebuild?: boolean;
  /** false: never write (new bytes are read into memory only) */
  write?: boolean;
  onProgress?: (p: ScanProgress) => void;
  parallel?: boolean | 'auto';
  /**
   * Answer first, write the new logins to the index right after (an answer does not wait for the
   * disk). The index command, the daemon's refresh and tests write before returning.
   */
  deferWrite?: boolean;
}

/** Updates being written after their answer, by index directory. */
const pendingWrites = new Map<string, Promise<void>>();

/** Resolves when the index updates this process deferred (deferWrite) are on disk. */
export async function indexWritesSettled(ctx: CoreContext): Promise<void> {
  const dir = indexStore(ctx).dir;
  while (pendingWrites.has(dir)) await pendingWrites.get(dir);
}

/** Resolves when every deferred index update of this process is on disk (for shutdown and tests). */
export async function allIndexWritesSettled(): Promise<void> {
  while (pendingWrites.size > 0) await Promise.all([...pendingWrites.values()]);
}

/** Segments past this many per log are merged however small. */
const MAX_SEGMENTS = 12;
/** Unreferenced segments are deleted this long after they were written over. */
const GARBAGE_GRACE_MS = 60_000;

export function indexStore(ctx: CoreContext): IndexStore {
  return new IndexStore(ctx.host, ctx.config.stateDir);
}

/** Host path of the index directory, for messages. */
export function indexHostDir(ctx: CoreContext): string {
  return path.posix.join(ctx.config.stateDir, INDEX_DIR_NAME);
}

function emptyManifest(now: Date): Manifest {
  return { format: MANIFEST_FORMAT, version: FORMAT_VERSION, patterns: PATTERNS_ID, createdAt: now.toISOString(), updatedAt: now.toISOString(), generation: 0, nextLogId: 1, logs: [] };
}

type ManifestState = { kind: 'absent' } | { kind: 'ok'; manifest: Manifest } | { kind: 'stale' } | { kind: 'corrupt'; message: string };

function readManifestState(store: IndexStore): ManifestState {
  // A state folder that others could write to, or that is not root's, is not believed (stateDir.ts).
  const distrust = store.trustProblem();
  if (distrust !== null) return { kind: 'corrupt', message: distrust };
  const raw = store.readManifest();
  if (raw === null) return { kind: 'absent' };
  let key: Buffer;
  try {
    key = store.macKey();
  } catch (e) {
    return { kind: 'corrupt', message: `the index key cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
  }
  try {
    const { manifest, stale } = decodeManifest(raw, key);
    return stale ? { kind: 'stale' } : { kind: 'ok', manifest };
  } catch (e) {
    if (e instanceof IndexCorrupt) return { kind: 'corrupt', message: e.message };
    throw e;
  }
}

/**
 * loginScanPool.ts, loaded on the first scan: it brings the worker pool, the WASM kernel and the
 * line parsers (some ten milliseconds to load), and an index with nothing new to read needs none
 * of them.
 */
function scanTargets(ctx: CoreContext, targets: readonly ScanTarget[], opts: ScanRunOptions): Promise<TargetOutcome[]> {
  return (require('./loginScanPool') as typeof import('./loginScanPool')).scanTargets(ctx, targets, opts);
}

function segmentName(generation: number, entryId: number): string {
  return `seg-${generation}-${entryId}-${crypto.randomBytes(4).toString('hex')}.rwx`;
}

/** Writes a segment and returns its manifest reference. */
function writeSegment(store: IndexStore, generation: number, entryId: number, logins: readonly IndexedLogin[], failures: readonly IndexedFailure[]): SegmentRef {
  return writeSegmentBytes(store, generation, entryId, encodeSegment(logins, failures));
}

function writeSegmentBytes(store: IndexStore, generation: number, entryId: number, data: Buffer): SegmentRef {
  const name = segmentName(generation, entryId);
  store.writeSegment(name, data);
  const h = decodeSegmentHeader(data, name);
  return { name, bytes: data.length, records: h.records, crc: h.crc, mac: segmentMetaMac(store.macKey(), data.subarray(0, h.offRec)) };
}

/** Writes a file's segment from its columns, in pieces (the segment is never whole in memory). */
function writeSegmentColumns(store: IndexStore, generation: number, entryId: number, columns: SegmentColumns): SegmentRef {
  const name = segmentName(generation, entryId);
  const key = store.macKey();
  const s = store.writeSegmentWith(name, (fd) => columns.writeInPieces(fd, key));
  return { name, bytes: s.bytes, records: s.records, crc: s.crc, mac: s.mac };
}

/** A segment's metadata (checked against the manifest's MAC) and its records section. */
function segmentBytes(store: IndexStore, ref: SegmentRef): SegmentBytes {
  const meta = loadSegmentMeta(store, ref);
  const records = store.readRange(ref.name, meta.header.offRec, meta.header.total);
  if (records.length !== meta.header.total - meta.header.offRec) throw new IndexCorrupt(`${ref.name} is shorter than its header says`);
  return { meta, records };
}

/**
 * Merges the newest segments of a log while the newest is at least half the size of the one before
 * (so each login is rewritten only a logarithmic number of times), or while there are too many.
 * Size in bytes: a segment may hold failures and no login. The merge works on the segments' bytes
 * (loginIndexMerge.ts): it runs in the daemon after each update of a growing log.
 */
function compact(store: IndexStore, generation: number, entryId: number, segments: SegmentRef[]): SegmentRef[] {
  const segs = [...segments];
  while (segs.length >= 2) {
    const last = segs[segs.length - 1];
    const prev = segs[segs.length - 2];
    if (!(last.bytes * 2 >= prev.bytes || segs.length > MAX_SEGMENTS)) break;
    // the older segment first: all its lines come before the newer's
    const merged = mergeSegments(segmentBytes(store, prev), segmentBytes(store, last));
    segs.splice(segs.length - 2, 2, writeSegmentBytes(store, generation, entryId, merged));
  }
  return segs;
}

function factsOf(ctx: CoreContext, files: Awaited<ReturnType<typeof mailLogFiles>>, problems: Problems): FileFacts[] {
  const out: FileFacts[] = [];
  for (const file of files) {
    try {
      out.push({ file, head: knownHead(file) ?? readHead(ctx.host, file.path, file.gz, file.rotated), gzipSize: file.gz ? gzipSizeMod32(ctx.host, file.path) : null });
    } catch (e) {
      problems.add(unreadableLog(file.path, e as NodeJS.ErrnoException), true);
    }
  }
  return out;
}

interface Pending {
  entry: LogEntry;
  target: ScanTarget;
  logins: IndexedLogin[];
  /** the failed logins of the same bytes, summed per (IP, name) for each part read */
  failures: IndexedFailure[];
  /**
   * the segment of those logins and failures, already on disk (a build that holds the writer's lock
   * from its start writes each file's segment once it is read: the pass keeps no logins in memory)
   */
  written: SegmentRef | null;
  /** instead of logins and failures, when the segment is written as soon as the file is read */
  columns: SegmentColumns | null;
  /** the entry's old segments no longer apply */
  reset: boolean;
}

/** The outcome of one pass: an answer, or "the index changed under us, read it again". */
type Pass = { view: LoginIndexView | null } | { again: true };

/** Refreshes running in this process, by index directory. */
const refreshing = new Map<string, Promise<unknown>>();

/**
 * One refresh at a time per index in a process: an answer that comes while the daemon reads new
 * lines waits for that read and then finds nothing left to read, instead of reading the same bytes
 * again on the other core.
 */
async function refreshOnce(ctx: CoreContext, store: IndexStore, opts: RefreshOptions): Promise<LoginIndexView | null> {
  for (let running = refreshing.get(store.dir); running; running = refreshing.get(store.dir)) await running.catch(() => undefined);
  const work = (async () => {
    for (let pass = 0; ; pass++) {
      const r = await refreshPass(ctx, store, opts, pass > 0);
      if ('view' in r) return r.view;
    }
  })();
  refreshing.set(store.dir, work);
  try {
    return await work;
  } finally {
    if (refreshing.get(store.dir) === work) refreshing.delete(store.dir);
  }
}

/**
 * Reads what is new in the logs against the current manifest. The writer's lock is taken only to
 * write, and then the manifest is checked again: if another process wrote meanwhile, the pass is
 * done again from its manifest. A build from nothing takes the lock first, so that two processes do
 * not both read every log.
 */
async function refreshPass(ctx: CoreContext, store: IndexStore, opts: RefreshOptions, retry: boolean): Promise<Pass> {
  // An update this process is still writing: let it land first (it holds the writer's lock).
  const writing = pendingWrites.get(store.dir);
  if (writing) await writing;
  const mayWrite = opts.write !== false;
  let state = opts.rebuild && !retry ? ({ kind: 'absent' } as ManifestState) : readManifestState(store);
  if (state.kind === 'absent' && !opts.create && !opts.rebuild) return { view: null };
  let lock: IndexLock | null = null;
  try {
    if (state.kind !== 'ok') {
      // No index, a damaged one, or one of another format: only a writer can (re)build it. Without
      // the lock, another process is doing just that: answer by scanning meanwhile.
      lock = mayWrite ? store.tryLock() : null;
      if (!lock) return { view: null };
      if (!opts.rebuild) state = readManifestState(store); // it may have been built just now
    }
    const manifest: Manifest = state.kind === 'ok' ? state.manifest : emptyManifest(ctx.now());

    const problems = new Problems();
    const files = await mailLogFiles(ctx, problems);
    const match = matchLogs(manifest.logs, factsOf(ctx, files, problems));
    let nextLogId = manifest.nextLogId;
    const entries: LogEntry[] = [];
    const pending: Pending[] = [];
    // the files' columns share their chunks: those of a file whose segment is written serve the next
    const chunkPool = new ChunkPool();
    for (const fp of match.files) {
      const f = fp.facts.file;
      const base: LogEntry = fp.entry && !fp.reset
        ? { ...fp.entry, segments: [...fp.entry.segments] }
        : { id: fp.entry?.id ?? nextLogId++, path: f.path, dev: f.dev, ino: f.ino, gz: f.gz, head: null, headBytes: 0, size: 0, mtimeMs: 0, offset: 0, lines: 0, sealed: false, segments: [] };
      const entry: LogEntry = {
        ...base,
        path: f.path, dev: f.dev, ino: f.ino, gz: f.gz, size: f.size, mtimeMs: f.mtime.getTime(),
        head: fp.facts.head.hash ?? base.head, headBytes: fp.facts.head.hash !== null ? fp.facts.head.bytes : base.headBytes,
      };
      entries.push(entry);
      if (fp.plan.kind === 'adopt') entry.sealed = true;
      if (fp.plan.kind !== 'read') continue;
      pending.push({
        entry,
        reset: fp.reset,
        logins: [],
        failures: [],
        written: null,
        columns: lock ? new SegmentColumns(chunkPool) : null,
        target: { file: f, start: fp.plan.start, startLine: fp.plan.startLine, end: f.gz ? null : f.size, includePartialLastLine: f.rotated },
      });
    }

    // Holding the lock from the start (a build from nothing), each file's segment is written as soon
    // as the file is read, and its logins dropped: only the manifest, written last, names them, so a
    // build cut short leaves the old index (or none) and unnamed segments, removed below or collected
    // as garbage later.
    const generation = manifest.generation + 1;
    const writeEarly = lock;
    let earlyError: unknown = null;
    const storeAway = (p: Pending, failed: boolean): void => {
      const columns = p.columns;
      if (!columns) return;
      try {
        // a file that could not be read keeps nothing of it (the entry keeps what the index had)
        if (!failed && earlyError === null && !columns.empty) p.written = writeSegmentColumns(store, generation, p.entry.id, columns);
      } catch (e) {
        earlyError = e;
      } finally {
        columns.release();
      }
    };
    const scan = async (list: Pending[]): Promise<void> => {
      if (list.length === 0) return;
      const outcomes = await scanTargets(ctx, list.map((p) => p.target), {
        parallel: opts.parallel,
        onProgress: opts.onProgress
          ? (bytesDone, bytesTotal) => opts.onProgress!({ file: '', fileIndex: 0, files: list.length, bytesDone, bytesTotal })
          : undefined,
        onLogins: (t, batch, lineBase) => {
          const p = list[t];
          if (p.columns) p.columns.addLogins(batch, lineBase, kindKeyOf);
          else forEachRecordRaw(batch, lineBase, p.logins);
        },
        // Asking for the failures makes the same byte search find them: new bytes are read once.
        onFailed: (t, failed) => {
          const p = list[t];
          if (p.columns) p.columns.addFailed(failed);
          else for (const f of failed) p.failures.push(f);
        },
        ...(writeEarly ? { onTargetDone: (t: number, error: NodeJS.ErrnoException | null) => storeAway(list[t], error !== null) } : {}),
      });
      if (earlyError !== null) throw earlyError;
      const again: Pending[] = [];
      outcomes.forEach((o, i) => {
        const p = list[i];
        if (o.error) {
          if (o.error.code === 'ESHORT' && p.target.start > 0) {
            // A "copy" shorter than what was indexed: it is not the same log after all. Read it whole.
            p.reset = true;
            p.logins = [];
            p.failures = [];
            p.written = null;
            p.columns?.release();
            p.entry.segments = [];
            p.target = { ...p.target, start: 0, startLine: 1 };
            again.push(p);
            return;
          }
          // Nothing was read: the entry keeps what the index had, and the file is reported.
          problems.add(unreadableLog(p.target.file.path, o.error), true);
          p.logins = [];
          p.failures = [];
          return;
        }
        if (p.reset) p.entry.segments = [];
        p.entry.offset = o.endOffset;
        p.entry.lines = o.lines;
        p.entry.sealed = p.target.includePartialLastLine;
      });
      if (again.length > 0) await scan(again);
    };
    // a build from nothing: the heaps kept small while it reads every log (buildHeapGrowth.ts)
    const heapHeld = writeEarly ? holdHeapGrowth() : null;
    try {
      await scan(pending);
    } catch (e) {
      if (writeEarly) removeUnnamed(store, pending);
      throw e;
    } finally {
      heapHeld?.();
    }

    // Nothing new at all (the usual case between two log lines): leave the files alone.
    const found = (p: Pending): boolean => p.written !== null || p.logins.length > 0 || p.failures.length > 0;
    const changed = state.kind !== 'ok' || JSON.stringify(entries) !== JSON.stringify(manifest.logs) || pending.some(found);
    if (!changed) return { view: new LoginIndexView(manifest, store, new Map(), problems, false) };
    if (!lock && mayWrite) {
      lock = store.tryLock();
      const current = lock ? readManifestState(store) : null;
      if (current && (current.kind !== 'ok' || current.manifest.generation !== manifest.generation || current.manifest.createdAt !== manifest.createdAt)) return { again: true };
    }
    const next: Manifest = { ...manifest, generation, nextLogId, updatedAt: ctx.now().toISOString(), logs: entries };
    const overlay = new Map<number, NewLines>();
    for (const p of pending) if (found(p)) overlay.set(p.entry.id, { logins: p.logins, failures: p.failures });
    // The answer needs only the new logins and failures, in memory; the files follow (now, or after the answer).
    const view = new LoginIndexView(next, store, overlay, problems, lock === null);
    if (!lock) return { view };
    const held = lock;
    lock = null; // released by persist()
    const persist = (): void => {
      let named = false;
      try {
        for (const p of pending) {
          if (!found(p)) continue;
          p.entry.segments = compact(store, generation, p.entry.id, [...p.entry.segments, p.written ?? writeSegment(store, generation, p.entry.id, p.logins, p.failures)]);
        }
        store.writeManifest(encodeManifest(next, store.macKey()));
        named = true;
        store.collectGarbage(new Set(entries.flatMap((e) => e.segments.map((seg) => seg.name))), GARBAGE_GRACE_MS);
      } finally {
        if (!named) removeUnnamed(store, pending);
        held.release();
      }
    };
    // Only small updates wait: a build from nothing is written before it is used.
    if (!opts.deferWrite || state.kind !== 'ok') {
      persist();
      return { view: new LoginIndexView(next, store, new Map(), problems, false) };
    }
    pendingWrites.set(store.dir, new Promise<void>((resolve) => {
      setImmediate(() => {
        try {
          persist();
        } catch (e) {
          // An index deleted while it was being written is simply rebuilt next time; anything else is worth a line.
          if (store.exists()) console.error(`relaywatch: the login index in ${indexHostDir(ctx)} could not be written: ${(e as Error).message}`);
        } finally {
          pendingWrites.delete(store.dir);
          resolve();
        }
      });
    }));
    return { view };
  } finally {
    lock?.release();
  }
}

/**
 * Deletes the segments a pass wrote before its manifest, when that manifest is not written after
 * all (the lock is still held: no other process has named them).
 */
function removeUnnamed(store: IndexStore, pending: readonly Pending[]): void {
  for (const p of pending) {
    if (p.written) store.removeSegment(p.written.name);
  }
}

/** kindKey() of each batch kind, made once (not one string per login). */
const kindKeys: string[] = [];
function kindKeyOf(kind: number): string {
  let key = kindKeys[kind];
  if (key === undefined) {
    const k = kindInfo(kind);
    key = kindKey(k.pattern, k.protocol, k.service);
    kindKeys[kind] = key;
  }
  return key;
}

/** Batch records into IndexedLogin objects with absolute line numbers. */
function forEachRecordRaw(batch: LoginBatch, lineBase: number, out: IndexedLogin[]): void {
  for (let i = 0; i < batch.n; i++) {
    out.push({ ip: batch.strings[batch.ip[i]], user: batch.strings[batch.user[i]], line: lineBase + batch.line[i], time: batch.time[i], kind: kindKeyOf(batch.kind[i]) });
  }
}

function isMissing(e: unknown): boolean {
  return (e as NodeJS.ErrnoException).code === 'ENOENT';
}

function isDenied(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EPERM';
}

/**
 * The login index brought up to date with the logs, or null when there is none (and `create` was
 * not asked) or it cannot be used now (damaged while another process rebuilds it): then scan.
 */
export async function openLoginIndex(ctx: CoreContext, opts: RefreshOptions = {}): Promise<LoginIndexView | null> {
  const store = indexStore(ctx);
  let retriedMissing = false;
  let rebuild = opts.rebuild === true;
  for (;;) {
    try {
      return await refreshOnce(ctx, store, { ...opts, rebuild });
    } catch (e) {
      // A segment vanished under us (a writer merged it and its grace ran out): read again.
      if (isMissing(e) && !retriedMissing) {
        retriedMissing = true;
        continue;
      }
      // An index this process may not read (a user other than root, and the root-only state
      // folder): an answer scans the logs instead; only `relaywatch index` says it cannot.
      if (isDenied(e) && opts.create !== true) return null;
      if (!(e instanceof IndexCorrupt) && !isMissing(e)) throw e;
      // Damaged: rebuilt from the logs, not trusted (or, read-only, not used).
      if (opts.write === false || rebuild) return null;
      rebuild = true;
    }
  }
}

/** The problem an answer carries while the daemon builds the index for the first time. */
export function indexBuildingProblem(ctx: CoreContext, percent: number): { path: string; problem: 'missing'; message: string } {
  return {
    path: indexHostDir(ctx),
    problem: 'missing',
    message: `relaywatch is reading the mail logs for the first time (${percent}% done); the answer follows when it is done.`,
  };
}

/**
 * Asks the index a question. Damage found while answering (a segment changed after it was opened)
 * rebuilds the index and asks again; null when there is no usable index: then scan.
 */
export async function queryLoginIndex<T>(ctx: CoreContext, query: (view: LoginIndexView) => T, opts: RefreshOptions = {}): Promise<{ value: T; view: LoginIndexView } | null> {
  let view = await openLoginIndex(ctx, { deferWrite: true, ...opts });
  for (let attempt = 0; view; attempt++) {
    try {
      return { value: query(view), view };
    } catch (e) {
      if (!(e instanceof IndexCorrupt) && !isMissing(e)) throw e;
      if (attempt > 0 || opts.write === false) return null;
      view = await openLoginIndex(ctx, { ...opts, rebuild: true });
    }
  }
  return null;
}

export interface IndexFileStatus {
  path: string;
  gz: boolean;
  /** size on disk */
  size: number;
  /** bytes read (decompressed for .gz) */
  bytesIndexed: number;
  lines: number;
  logins: number;
  segments: number;
  sealed: boolean;
}

export interface IndexStatus {
  state: 'absent' | 'ready' | 'damaged' | 'outdated';
  /** host path of the index directory */
  dir: string;
  createdAt: string | null;
  updatedAt: string | null;
  generation: number;
  files: IndexFileStatus[];
  bytesIndexed: number;
  logins: number;
  /** bytes the index takes on disk */
  indexBytes: number;
  message: string | null;
}

export function statusOf(ctx: CoreContext, view: LoginIndexView | null): IndexStatus {
  const dir = indexHostDir(ctx);
  if (!view) {
    const st = readManifestState(indexStore(ctx));
    const state = st.kind === 'absent' ? 'absent' : st.kind === 'stale' ? 'outdated' : st.kind === 'corrupt' ? 'damaged' : 'ready';
    return { state, dir, createdAt: null, updatedAt: null, generation: 0, files: [], bytesIndexed: 0, logins: 0, indexBytes: 0, message: st.kind === 'corrupt' ? st.message : null };
  }
  const m = view.manifest;
  const files = m.logs.map((e) => ({ path: e.path, gz: e.gz, size: e.size, bytesIndexed: e.offset, lines: e.lines, logins: view.loginCount(e), segments: e.segments.length, sealed: e.sealed }));
  return {
    state: 'ready',
    dir,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
    generation: m.generation,
    files,
    bytesIndexed: files.reduce((n, f) => n + f.bytesIndexed, 0),
    logins: files.reduce((n, f) => n + f.logins, 0),
    indexBytes: m.logs.reduce((n, e) => n + e.segments.reduce((k, s) => k + s.bytes, 0), 0),
    message: view.inMemory ? 'another process holds the writer lock: the newest logins were read into memory only' : null,
  };
}

/** Whether there is an index on disk at all (whatever its state): one stat, for deciding early. */
export function indexPresent(ctx: CoreContext): boolean {
  return indexStore(ctx).exists();
}

/** The logs the index on disk has read, and how far (null: no usable index). Reads the manifest only. */
export function indexedLogs(ctx: CoreContext): Manifest['logs'] | null {
  const st = readManifestState(indexStore(ctx));
  return st.kind === 'ok' ? st.manifest.logs : null;
}

/** Deletes the index; the next build reads every log again. */
export function deleteLoginIndex(ctx: CoreContext): void {
  indexStore(ctx).remove();
}

/**
 * Every login from one IP across all retained logs (current, rotated, gzipped), newest first: from
 * the index when there is one, else by scanning.
 */
export async function loginsForIp(ctx: CoreContext, ip: string): Promise<LoginRow[]> {
  const fromIndex = await queryLoginIndex(ctx, (v) => v.loginsForIp(ip));
  if (fromIndex) return fromIndex.value;
  const rows: Array<LoginRow & { order: number }> = [];
  const problems = new Problems();
  const files = await mailLogFiles(ctx, problems);
  const outcomes = await scanTargets(ctx, files.map((f) => ({ file: f, start: 0, startLine: 1, end: f.gz ? null : f.size, includePartialLastLine: f.rotated })), {
    onLogins: (t, batch, lineBase) => {
      const logins: IndexedLogin[] = [];
      forEachRecordRaw(batch, lineBase, logins);
      for (const l of logins) if (l.ip === ip) rows.push({ ...rowOfLogin(files[t].path, l), order: t });
    },
  });
  void outcomes;
  return rows.sort(newestFirst).map(({ order: _o, ...r }) => r);
}

function rowOfLogin(file: string, l: IndexedLogin): LoginRow {
  const k = parseKind(l.kind);
  return { file, line: l.line, time: Number.isNaN(l.time) ? null : new Date(l.time).toISOString(), user: l.user, protocol: k.protocol, service: k.service as LoginRow['service'] };
}

