/**
 * Runs a login scan over several files, or parts of files, on every core: large plain files are cut
 * into jobs of about 32 MiB at line boundaries, and the jobs are shared between the main thread and
 * worker threads (one per further core). Results come back in file order, with line numbers made
 * absolute, whatever order the jobs finish in.
 *
 * Small scans (the warm updates of the index, tests) run in the main thread only: a worker costs
 * tens of milliseconds to start.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { lineBoundaryAfter } from '../host/lineScanner';
import { LogFile } from '../host/logFiles';
import { CoreContext } from './context';
import { LoginBatch } from './loginBatch';
import { JobResult, runScanJob, ScanJob } from './loginScanJob';

export interface ScanTarget {
  file: Pick<LogFile, 'path' | 'gz' | 'mtime' | 'size'>;
  /** first byte to scan (decompressed offset for .gz), a line start */
  start: number;
  /** line number of the line at `start` */
  startLine: number;
  /** stop before this byte (plain files); null = to the end */
  end: number | null;
  includePartialLastLine: boolean;
}

export interface TargetOutcome {
  /** complete lines from the file's start up to endOffset */
  lines: number;
  endOffset: number;
  partialBytes: number;
  bytesRead: number;
  error: NodeJS.ErrnoException | null;
}

export interface ScanRunOptions {
  /** true: use worker threads when there is more than one core; 'auto' (default): only for large scans */
  parallel?: boolean | 'auto';
  /** logins of one job, in file order; absolute line = lineBase + batch.line[i] */
  onLogins: (targetIndex: number, batch: LoginBatch, lineBase: number) => void;
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  /** keep only the logins from these IPs (a scan for explain needs no others) */
  onlyIps?: ReadonlySet<string>;
}

const JOB_BYTES = 32 * 1024 * 1024;
/** below this, workers cost more than they save */
const PARALLEL_MIN_BYTES = 64 * 1024 * 1024;
const WORKER_FILE = path.join(__dirname, 'loginScanWorker.js');

function cores(): number {
  const o = os as typeof os & { availableParallelism?: () => number };
  return o.availableParallelism ? o.availableParallelism() : os.cpus().length;
}

function targetBytes(t: ScanTarget): number {
  return t.file.gz ? t.file.size : Math.max(0, (t.end ?? t.file.size) - t.start);
}

/** Workers run compiled JavaScript: under ts-jest (TypeScript sources) there is none. */
function workersAvailable(): boolean {
  return __filename.endsWith('.js') && fs.existsSync(WORKER_FILE);
}

interface PlannedJob {
  target: number;
  job: ScanJob;
  last: boolean;
}

function planJobs(ctx: CoreContext, targets: readonly ScanTarget[], split: boolean, onlyIps: readonly string[] | undefined): PlannedJob[] {
  const jobs: PlannedJob[] = [];
  targets.forEach((t, ti) => {
    const base = { root: ctx.host.root, hostPath: t.file.path, gz: t.file.gz, mtimeMs: t.file.mtime.getTime(), ...(onlyIps ? { onlyIps } : {}) };
    const end = t.end ?? (t.file.gz ? null : t.file.size);
    const cuts: number[] = [t.start];
    if (split && !t.file.gz && end !== null) {
      let at = t.start;
      while (end - at > JOB_BYTES * 1.5) {
        const b = lineBoundaryAfter(ctx.host, t.file.path, at + JOB_BYTES, end);
        if (b === null || b >= end) break;
        cuts.push(b);
        at = b;
      }
    }
    cuts.forEach((from, k) => {
      const last = k === cuts.length - 1;
      jobs.push({ target: ti, last, job: { ...base, start: from, end: last ? end : cuts[k + 1], includePartialLastLine: last && t.includePartialLastLine } });
    });
  });
  return jobs;
}

function asError(e: unknown): NodeJS.ErrnoException {
  return e instanceof Error ? e : new Error(String(e));
}

export async function scanTargets(ctx: CoreContext, targets: readonly ScanTarget[], opts: ScanRunOptions): Promise<TargetOutcome[]> {
  const total = targets.reduce((n, t) => n + targetBytes(t), 0);
  const wantParallel = opts.parallel === true || ((opts.parallel ?? 'auto') === 'auto' && total >= PARALLEL_MIN_BYTES);
  const workerCount = wantParallel && workersAvailable() ? Math.min(cores(), 4) - 1 : 0;
  const jobs = planJobs(ctx, targets, workerCount > 0, opts.onlyIps ? [...opts.onlyIps] : undefined);

  const outcomes: TargetOutcome[] = targets.map((t) => ({ lines: t.startLine - 1, endOffset: t.start, partialBytes: 0, bytesRead: 0, error: null }));
  const results: Array<JobResult | NodeJS.ErrnoException | undefined> = new Array(jobs.length);
  const progress = new Array<number>(jobs.length).fill(0);
  let progressSum = 0;
  const setProgress = (j: number, bytes: number): void => {
    progressSum += bytes - progress[j];
    progress[j] = bytes;
    opts.onProgress?.(progressSum, total);
  };

  let nextToEmit = 0;
  const emitReady = (): void => {
    while (nextToEmit < jobs.length && results[nextToEmit] !== undefined) {
      const j = nextToEmit++;
      const r = results[j]!;
      const { target, last } = jobs[j];
      const o = outcomes[target];
      results[j] = undefined; // release the batch once handled
      if (o.error) continue;
      if (r instanceof Error) {
        o.error = r;
        continue;
      }
      opts.onLogins(target, r.batch, o.lines);
      o.lines += r.lines;
      o.bytesRead += r.bytesRead;
      if (last) {
        o.endOffset = r.endOffset;
        o.partialBytes = r.partialBytes;
      }
    }
  };
  const done = (j: number, r: JobResult | NodeJS.ErrnoException): void => {
    results[j] = r;
    emitReady();
  };

  let nextToRun = 0;
  const workers: Worker[] = [];
  let outstanding = 0;
  let wake: (() => void) | null = null;
  const settle = (): void => {
    outstanding--;
    if (wake) wake();
  };

  const feed = (w: Worker, state: { job: number | null }): void => {
    if (nextToRun >= jobs.length) {
      state.job = null;
      return;
    }
    const j = nextToRun++;
    state.job = j;
    outstanding++;
    w.postMessage({ id: j, job: jobs[j].job });
  };

  for (let i = 0; i < workerCount; i++) {
    const w = new Worker(WORKER_FILE);
    const state: { job: number | null } = { job: null };
    w.on('message', (msg: { id: number; progress?: number; result?: JobResult; error?: { message: string; code?: string } }) => {
      if (msg.progress !== undefined) {
        setProgress(msg.id, msg.progress);
        return;
      }
      if (msg.result) {
        setProgress(msg.id, msg.result.bytesRead);
        done(msg.id, msg.result);
      } else {
        const e = new Error(msg.error?.message ?? 'scan worker failed') as NodeJS.ErrnoException;
        if (msg.error?.code) e.code = msg.error.code;
        done(msg.id, e);
      }
      settle();
      feed(w, state);
    });
    w.on('error', (e) => {
      // A worker that dies fails only its current job; the others go on.
      if (state.job !== null) {
        done(state.job, asError(e));
        state.job = null;
        settle();
      }
    });
    workers.push(w);
    feed(w, state);
  }

  try {
    while (nextToRun < jobs.length) {
      const j = nextToRun++;
      let r: JobResult | NodeJS.ErrnoException;
      try {
        r = await runScanJob(jobs[j].job, (bytes) => setProgress(j, bytes));
      } catch (e) {
        r = asError(e);
      }
      done(j, r);
    }
    while (outstanding > 0) {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = null;
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  emitReady();
  return outcomes.map((o, i) => (o.error ? { ...o, lines: targets[i].startLine - 1, endOffset: targets[i].start, partialBytes: 0 } : o));
}
