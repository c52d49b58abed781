/**
 * The scan worker threads (loginScanWorker.ts), one job at a time each, as promises.
 *
 * A one-off run (the CLI) starts workers for a large scan only and ends them after it: a worker
 * costs some 70 ms to start. The daemon keeps them between scans (keepScanWorkersWarm), so that
 * the few megabytes of a warm update are also read on every core, which halves the time an answer
 * waits for new log lines on a 2-core server.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CompiledKernels, TunedPlans } from './candidateKernel';
import type { JobResult, ScanJob } from './loginScanJob';

const WORKER_FILE = path.join(__dirname, 'loginScanWorker.js');

interface Running {
  id: number;
  resolve(r: JobResult): void;
  reject(e: Error): void;
  onProgress?: (bytes: number) => void;
}

type WorkerMessage = { id: number; ready?: true; progress?: number; result?: JobResult; error?: { message: string; code?: string } };

export function asError(e: unknown): NodeJS.ErrnoException {
  return e instanceof Error ? e : new Error(String(e));
}

/**
 * A scan worker's young generation (MB). V8's default (some 32 MB committed per thread) is mostly
 * room for the scan's short-lived strings; at this size a first index build of a large log peaks
 * some 30 MB lower, at the same CPU time (measured on the many-IPs data set).
 */
const WORKER_YOUNG_GENERATION_MB = 12;

export class ScanWorker {
  private readonly worker = new Worker(WORKER_FILE, { resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
  private running: Running | null = null;
  private nextId = 0;
  /** crashed or ended: it takes no more jobs */
  dead = false;
  /**
   * Resolves when the worker has loaded its code (or died): a scan gives it jobs only then, so that
   * a worker slow to start never holds a job the main thread could have read meanwhile.
   */
  readonly ready: Promise<void>;
  private markReady: () => void = () => undefined;

  constructor() {
    this.ready = new Promise<void>((resolve) => (this.markReady = resolve));
    this.worker.on('message', (msg: WorkerMessage) => {
      if (msg.ready) {
        this.markReady();
        return;
      }
      const r = this.running;
      if (!r || msg.id !== r.id) return;
      if (msg.progress !== undefined) {
        r.onProgress?.(msg.progress);
        return;
      }
      this.settled();
      if (msg.result) {
        workerJobs++;
        r.resolve(msg.result);
      } else {
        const e = new Error(msg.error?.message ?? 'scan worker failed') as NodeJS.ErrnoException;
        if (msg.error?.code) e.code = msg.error.code;
        r.reject(e);
      }
    });
    // A worker that dies fails only its current job; the scan gives the rest to the others.
    this.worker.on('error', (e) => this.die(asError(e)));
    this.worker.on('exit', (code) => this.die(new Error(`the scan worker ended (exit code ${code})`)));
    this.worker.unref();
  }

  /**
   * `plans`, `modules`: the byte search's plans the caller's thread has tuned and the kernel modules
   * it has compiled (the worker need not tune or compile its own)
   */
  run(job: ScanJob, onProgress?: (bytes: number) => void, plans?: TunedPlans, modules?: CompiledKernels): Promise<JobResult> {
    if (this.dead) return Promise.reject(new Error('the scan worker has ended'));
    if (this.running) return Promise.reject(new Error('the scan worker is busy'));
    // Held while it works (an idle kept worker must not keep a process alive).
    this.worker.ref();
    return new Promise<JobResult>((resolve, reject) => {
      this.running = { id: this.nextId++, resolve, reject, onProgress };
      this.worker.postMessage({ id: this.running.id, job, plans, modules });
    });
  }

  async terminate(): Promise<void> {
    this.dead = true;
    await this.worker.terminate();
  }

  private settled(): void {
    this.running = null;
    this.worker.unref();
  }

  private die(e: Error): void {
    this.dead = true;
    this.markReady();
    const r = this.running;
    this.settled();
    r?.reject(e);
  }
}

/** below this, workers cost a one-off scan more than they save (a worker takes tens of milliseconds to start) */
export const PARALLEL_MIN_BYTES = 64 * 1024 * 1024;

/** Worker threads a shared scan uses: one per further core, at most three. */
export function poolWorkerCount(): number {
  const o = os as typeof os & { availableParallelism?: () => number };
  return Math.min(o.availableParallelism ? o.availableParallelism() : os.cpus().length, 4) - 1;
}

/** Workers run compiled JavaScript: under ts-jest (TypeScript sources) there is none. */
export function workersAvailable(): boolean {
  return __filename.endsWith('.js') && fs.existsSync(WORKER_FILE);
}

/** jobs finished by workers in this process (tests check with it that a scan was shared) */
let workerJobs = 0;

export function scanWorkerJobs(): number {
  return workerJobs;
}

let keepWarm = false;
/** kept workers not running a job */
const idle: ScanWorker[] = [];
let busy = 0;

/** The daemon: keep the workers between scans, and use them for small scans too. */
export function keepScanWorkersWarm(): void {
  keepWarm = true;
}

/** Back to one-off use: the kept workers end (the daemon's stop). */
export async function endScanWorkers(): Promise<void> {
  keepWarm = false;
  await Promise.all(idle.splice(0).map((w) => w.terminate()));
}

export function scanWorkersWarm(): boolean {
  return keepWarm;
}

/**
 * Up to `n` workers for one scan. Kept workers first; while another scan of this process has them,
 * a warm process does not start more (the main thread reads alone, as it would have anyway).
 */
export function takeScanWorkers(n: number): ScanWorker[] {
  const out: ScanWorker[] = [];
  while (out.length < n && spare.length > 0) {
    const w = spare.pop()!;
    if (!w.dead) out.push(w);
  }
  while (out.length < n && idle.length > 0) {
    const w = idle.pop()!;
    if (!w.dead) out.push(w);
  }
  if (!keepWarm || busy === 0) while (out.length < n) out.push(new ScanWorker());
  busy += out.length;
  return out;
}

/** workers started ahead of a scan that may come (prestartScanWorkers) */
const spare: ScanWorker[] = [];

/**
 * Starts `n` workers now, for a scan this process is about to make: a one-off `explain` without an
 * index still reads its config, the relay list and the account files before it scans, and a worker
 * takes as long to load its code, so the two happen at once instead of one after the other. They do
 * not keep the process alive; a scan takes them (takeScanWorkers), and one that never comes costs
 * the other core's time only.
 */
export function prestartScanWorkers(n: number): void {
  if (!workersAvailable()) return;
  while (spare.length < n) spare.push(new ScanWorker());
}

/** The workers a one-off scan of this many bytes would use (loginScanPool.ts), started now. */
export function prestartPoolWorkers(totalBytes: number): void {
  if (totalBytes >= PARALLEL_MIN_BYTES) prestartScanWorkers(poolWorkerCount());
}

/** Returns a scan's workers: kept by a warm process, else ended (a one-off process does not wait for them to end). */
export async function releaseScanWorkers(workers: ScanWorker[]): Promise<void> {
  busy -= workers.length;
  const ending: Promise<void>[] = [];
  for (const w of workers) {
    if (keepWarm && !w.dead) idle.push(w);
    else if (keepWarm) ending.push(w.terminate());
    // A one-off run does not wait for its workers to end: a thread takes some milliseconds to be
    // torn down, which now overlap with building and printing the answer (the process's exit
    // waits for the thread).
    else void w.terminate().catch(() => undefined);
  }
  await Promise.all(ending);
}
