/**
 * The scan engine's entry: finds every successful POP3/IMAP login in the server's mail logs (the live
 * file, its rotations and Dovecot's own log), newest file first.
 *
 * In: the host's mail log files (loginScanFiles.ts finds them) and, for most answers, the IPs wanted.
 * Out: login records (loginRecord.ts) or, from the index, per-IP aggregates (user, count, last time).
 *
 * The folder, by part:
 * - the byte search: candidateKernel.ts (all needles in one pass, SIMD in WebAssembly that
 *   wasmEmitter.ts writes), candidateLines.ts (its plain JavaScript twin and helpers);
 * - the reader: lineScanner.ts (a file, plain or gzip, to candidate lines), loginScanJob.ts (one
 *   stretch of one file to a LoginBatch, loginBatch.ts);
 * - the pool: loginScanPool.ts (cuts large files into jobs for every core), scanWorkers.ts and
 *   loginScanWorker.ts (the worker threads);
 * - the index: loginIndexFormat.ts (the binary format and the manifest), loginIndex.ts (the writer
 *   and the query), loginIndexView.ts (the reader of segments), loginIndexMatch.ts (which indexed
 *   log a file on disk is), loginIndexDaemon.ts (keeps it warm in `serve`).
 * When the index is there it answers without scanning.
 */
import { LogFile } from '../host/logFiles';
import { CoreContext } from '../services/context';
import { kindInfo, LoginBatch } from './loginBatch';
import { indexBuildingProblem, queryLoginIndex } from './loginIndex';
import { indexStillBuilding } from './loginIndexDaemon';
import { scanTargets, ScanTarget } from './loginScanPool';
import { mailLogFiles, unreadableLog } from './loginScanFiles';
import type { FailedRecord, LoginRecord, ScanProgress } from './loginRecord';
import { Problems } from '../services/problems';

export { mailLogFiles, unreadableLog, withoutCopies } from './loginScanFiles';
export type { FailedRecord, LoginRecord, ScanProgress } from './loginRecord';

/** Calls onLogin for each login of a batch, as LoginRecord objects. */
export function forEachRecord(batch: LoginBatch, file: string, lineBase: number, onLogin: (l: LoginRecord) => void): void {
  for (let i = 0; i < batch.n; i++) {
    const k = kindInfo(batch.kind[i]);
    const t = batch.time[i];
    onLogin({
      file,
      line: lineBase + batch.line[i],
      time: Number.isNaN(t) ? null : new Date(t).toISOString(),
      ip: batch.strings[batch.ip[i]],
      user: batch.strings[batch.user[i]],
      protocol: k.protocol,
      service: k.service,
      pattern: k.pattern,
    });
  }
}

/** Whole files to scan, from their first byte. */
export function wholeFileTargets(files: readonly LogFile[]): ScanTarget[] {
  return files.map((f) => ({ file: f, start: 0, startLine: 1, end: f.gz ? null : f.size, includePartialLastLine: f.rotated }));
}

/** Scans one file, calling onLogin for each successful login. */
export async function scanLoginFile(
  ctx: CoreContext,
  file: Pick<LogFile, 'path' | 'gz' | 'mtime' | 'rotated'> & Partial<Pick<LogFile, 'size'>>,
  onLogin: (l: LoginRecord) => void,
  onBytes?: (n: number) => void,
): Promise<void> {
  const [outcome] = await scanTargets(ctx, [{ file: { ...file, size: file.size ?? 0 }, start: 0, startLine: 1, end: null, includePartialLastLine: file.rotated }], {
    parallel: false,
    onLogins: (_t, batch, lineBase) => forEachRecord(batch, file.path, lineBase, onLogin),
    onProgress: onBytes ? (done) => onBytes(done) : undefined,
  });
  if (outcome.error) throw outcome.error;
}

/**
 * Scans whole log files (in parallel when they are large), handing over the logins of each file in
 * order as batches. Unreadable files are recorded as blocking problems and skipped.
 */
export async function scanLogFiles(
  ctx: CoreContext,
  files: readonly LogFile[],
  onBatch: (file: LogFile, batch: LoginBatch, lineBase: number) => void,
  opts: {
    problems: Problems;
    onProgress?: (p: ScanProgress) => void;
    parallel?: boolean | 'auto';
    onlyIps?: ReadonlySet<string>;
    /** failed logins too, in the same byte search (see ScanJob.failedToo) */
    onFailed?: (file: LogFile, failed: readonly FailedRecord[]) => void;
  },
): Promise<void> {
  let current = 0;
  const outcomes = await scanTargets(ctx, wholeFileTargets(files), {
    parallel: opts.parallel,
    onlyIps: opts.onlyIps,
    ...(opts.onFailed ? { onFailed: (t: number, failed: readonly FailedRecord[]) => opts.onFailed!(files[t], failed) } : {}),
    onLogins: (t, batch, lineBase) => {
      current = t;
      onBatch(files[t], batch, lineBase);
    },
    onProgress: opts.onProgress
      ? (bytesDone, bytesTotal) => opts.onProgress!({ file: files[current]?.path ?? '', fileIndex: current, files: files.length, bytesDone, bytesTotal })
      : undefined,
  });
  outcomes.forEach((o, i) => {
    if (o.error) opts.problems.add(unreadableLog(files[i].path, o.error), true);
  });
}

/**
 * Every login in the mail logs, file by file (newest first), line by line. Served from the login
 * index when it is there (loginIndex.ts), else by scanning.
 */
export async function scanAllLogins(
  ctx: CoreContext,
  onLogin: (l: LoginRecord) => void,
  opts: { problems?: Problems; onProgress?: (p: ScanProgress) => void } = {},
): Promise<{ files: LogFile[]; problems: Problems }> {
  const problems = opts.problems ?? new Problems();
  const building = indexStillBuilding(ctx);
  if (building) {
    problems.add(indexBuildingProblem(ctx, building.percent), true);
    return { files: [], problems };
  }
  // All logins are read from the index before the first is handed over (see forEachLogin).
  const fromIndex = await queryLoginIndex(ctx, (v) => {
    const all: LoginRecord[] = [];
    v.forEachLogin((l) => all.push(l));
    return all;
  }, { onProgress: opts.onProgress });
  if (fromIndex) {
    for (const p of fromIndex.view.problems.list) problems.add(p, p.blocking);
    for (const l of fromIndex.value) onLogin(l);
    return { files: await mailLogFiles(ctx, new Problems()), problems };
  }
  const files = await mailLogFiles(ctx, problems);
  await scanLogFiles(ctx, files, (f, batch, lineBase) => forEachRecord(batch, f.path, lineBase, onLogin), { problems, onProgress: opts.onProgress });
  return { files, problems };
}
