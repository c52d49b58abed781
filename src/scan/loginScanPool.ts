/**
 * Runs a login scan over several files, or parts of files, on every core: large plain files are cut
 * into jobs of about 32 MiB at line boundaries, and the jobs are shared between the main thread and
 * worker threads (one per further core). Results come back in file order, with line numbers made
 * absolute, whatever order the jobs finish in.
 *
 * Small scans run in the main thread only, as a worker costs tens of milliseconds to start; in the
 * daemon, whose workers are kept running (scanWorkers.ts), a warm update of a few megabytes is
 * shared too.
 */
import { compiledKernelsMade, tunedPlansMade } from './candidateKernel';
import { lineBoundaryAfter } from './lineScanner';
import { LogFile } from '../host/logFiles';
import { CoreContext } from '../services/context';
import { witnessNeedles } from '../parsers/ipTextFilter';
import { LoginBatch } from './loginBatch';
import type { FailedRecord } from './loginRecord';
import { JobResult, runScanJob, ScanJob } from './loginScanJob';
import { asError, PARALLEL_MIN_BYTES, poolWorkerCount, releaseScanWorkers, scanWorkersWarm, takeScanWorkers, workersAvailable } from './scanWorkers';

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
  /**
   * true: use worker threads when there is more than one core, each given a job at once; 'auto'
   * (default): only for large scans, each worker taking jobs once it has loaded its code
   */
  parallel?: boolean | 'auto';
  /** logins of one job, in file order; absolute line = lineBase + batch.line[i] */
  onLogins: (targetIndex: number, batch: LoginBatch, lineBase: number) => void;
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  /** keep only the logins from these IPs (a scan for explain needs no others) */
  onlyIps?: ReadonlySet<string>;
  /** failed logins of one job, in file order (asking for them makes the jobs find them too) */
  onFailed?: (targetIndex: number, failed: readonly FailedRecord[]) => void;
  /**
   * a target's last job has been handed over (error: nothing of it is to be kept), so that its
   * logins can be stored away before the next files are read
   */
  onTargetDone?: (targetIndex: number, error: NodeJS.ErrnoException | null) => void;
}

const JOB_BYTES = 32 * 1024 * 1024;
/** with the daemon's workers already running, a scan this size is shared between the threads */
const WARM_PARALLEL_MIN_BYTES = 2 * 1024 * 1024;
const MIN_JOB_BYTES = 1024 * 1024;

/**
 * Resolves after `n` turns of the event loop. One turn may not be enough for a message from a worker:
 * the callbacks of setImmediate run before the loop next polls for messages.
 */
async function eventLoopTurns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

function targetBytes(t: ScanTarget): number {
  return t.file.gz ? t.file.size : Math.max(0, (t.end ?? t.file.size) - t.start);
}

interface PlannedJob {
  target: number;
  job: ScanJob;
  last: boolean;
}

/** The jobs of a scan: each target whole, or (jobBytes set) plain files cut at line boundaries. */
function planJobs(ctx: CoreContext, targets: readonly ScanTarget[], jobBytes: number | null, onlyIps: readonly string[] | undefined, failedToo: boolean): PlannedJob[] {
  const jobs: PlannedJob[] = [];
  // derived once here rather than by each thread (see ScanJob.ipNeedles)
  const ipNeedles = onlyIps ? witnessNeedles(onlyIps) : null;
  targets.forEach((t, ti) => {
    const base = { root: ctx.host.root, hostPath: t.file.path, gz: t.file.gz, mtimeMs: t.file.mtime.getTime(), ...(onlyIps ? { onlyIps, ipNeedles } : {}), ...(failedToo ? { failedToo } : {}) };
    const end = t.end ?? (t.file.gz ? null : t.file.size);
    const cuts: number[] = [t.start];
    if (jobBytes !== null && !t.file.gz && end !== null) {
      let at = t.start;
      while (end - at > jobBytes * 1.5) {
        // A file that cannot be read now (deleted since it was listed) is not cut: its one job
        // fails with the reason, and the target reports it, as a scan in one thread does.
        let b: number | null = null;
        try {
          b = lineBoundaryAfter(ctx.host, t.file.path, at + jobBytes, end);
        } catch {
          break;
        }
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

export async function scanTargets(ctx: CoreContext, targets: readonly ScanTarget[], opts: ScanRunOptions): Promise<TargetOutcome[]> {
  const total = targets.reduce((n, t) => n + targetBytes(t), 0);
  const minBytes = scanWorkersWarm() ? WARM_PARALLEL_MIN_BYTES : PARALLEL_MIN_BYTES;
  const wantParallel = opts.parallel === true || ((opts.parallel ?? 'auto') === 'auto' && total >= minBytes);
  const workers = takeScanWorkers(wantParallel && workersAvailable() ? poolWorkerCount() : 0);
  // Jobs of at most 32 MiB, and at least one per thread when the scan is smaller than that.
  const jobBytes = Math.max(MIN_JOB_BYTES, Math.min(JOB_BYTES, Math.ceil(total / (workers.length + 1))));
  const jobs = planJobs(ctx, targets, workers.length > 0 ? jobBytes : null, opts.onlyIps ? [...opts.onlyIps] : undefined, opts.onFailed !== undefined);

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
      if (o.error) {
        // a target's later jobs after one that failed
      } else if (r instanceof Error) {
        o.error = r;
      } else {
        opts.onLogins(target, r.batch, o.lines);
        if (r.failed && opts.onFailed) opts.onFailed(target, r.failed);
        o.lines += r.lines;
        o.bytesRead += r.bytesRead;
        if (last) {
          o.endOffset = r.endOffset;
          o.partialBytes = r.partialBytes;
        }
      }
      if (last) opts.onTargetDone?.(target, o.error);
    }
  };

  // Each thread takes the next job until none is left; results are handed on in file order.
  let nextToRun = 0;
  // Resolved once every job has been taken: a worker still loading its code then has nothing to
  // wait for (and, unreferenced, would not keep the process alive until it is ready).
  let allTaken: () => void = () => undefined;
  const taken = new Promise<void>((resolve) => (allTaken = resolve));
  const runJobs = async (run: (job: ScanJob, onProgress: (bytes: number) => void) => Promise<JobResult>, alive: () => boolean, ready?: Promise<void>): Promise<void> => {
    // A worker takes jobs once it has loaded its code; the main thread reads meanwhile.
    if (ready) await Promise.race([ready, taken]);
    while (nextToRun < jobs.length && alive()) {
      const j = nextToRun++;
      let r: JobResult | NodeJS.ErrnoException;
      try {
        r = await run(jobs[j].job, (bytes) => setProgress(j, bytes));
        setProgress(j, r.bytesRead);
      } catch (e) {
        r = asError(e);
      }
      results[j] = r;
      emitReady();
    }
    if (nextToRun >= jobs.length) allTaken();
  };
  try {
    await Promise.all([
      // `parallel: true` shares the scan whatever it costs (tests hold workers' answers to the main
      // thread's): a worker gets its first job at once. Otherwise it joins when it is ready.
      // Each job carries the byte search's plans and kernel modules this thread has made, so that a
      // worker does not sample, plan and compile again.
      ...workers.map((w) => runJobs((job, onProgress) => w.run(job, onProgress, tunedPlansMade(), compiledKernelsMade()), () => !w.dead, opts.parallel === true ? undefined : w.ready)),
      // This thread reads its first job synchronously up to its first turn to the event loop (the
      // kernel is compiled and planned first): a worker already waiting takes its job before that.
      // The word that a worker has loaded its code may still be queued (it came while this thread
      // read the configuration and the accounts): two turns of the event loop let it in, else the
      // worker would wait for this thread to compile, plan and read its first megabytes.
      runJobs(runScanJob, () => true, workers.length > 0 ? eventLoopTurns(2) : undefined),
    ]);
  } finally {
    await releaseScanWorkers(workers);
  }
  emitReady();
  return outcomes.map((o, i) => (o.error ? { ...o, lines: targets[i].startLine - 1, endOffset: targets[i].start, partialBytes: 0 } : o));
}
