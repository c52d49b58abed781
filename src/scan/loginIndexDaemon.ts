/**
 * The daemon keeps the login index warm: it builds it at start when there is none, then reads each
 * new line soon after it is written (the log folders are watched, and checked every 30 seconds in
 * case a watch event is missed). Pages and the JSON API show the progress of a build.
 */
import path from 'node:path';
import { watchLogFolders } from '../host/logWatcher';
import { CoreContext } from '../services/context';
import { setRevalidateWindow } from '../cache/answerCache';
import { indexHostDir, openLoginIndex } from './loginIndex';
import { endScanWorkers, keepScanWorkersWarm } from './scanWorkers';
import { reportScanTime } from './scanTimings';

export interface IndexProgress {
  /** idle: the index is up to date (or there is no daemon); building: first build; updating: reading new lines */
  state: 'idle' | 'building' | 'updating' | 'failed';
  bytesDone: number;
  bytesTotal: number;
  /** 0-100 */
  percent: number;
  startedAt: string | null;
  finishedAt: string | null;
  message: string | null;
}

interface Daemon {
  progress: IndexProgress;
  /** run after each update of the index (the serve command warms its most asked answer) */
  afterUpdate: (() => Promise<unknown>) | null;
  /** the first build has finished (the index can answer) */
  ready: boolean;
  running: Promise<void> | null;
  again: boolean;
  stop(): void;
}

/** by configuration: a context copied for one computation (answerCache.ts) still finds its daemon */
const daemons = new WeakMap<CoreContext['config'], Daemon>();
/** daemons started and not stopped (the scan workers end with the last) */
let daemonsRunning = 0;
const CHECK_EVERY_MS = 30_000;
/** a change shows in the daemon's answers at most this much later */
export const REVALIDATE_MS = 100;

const IDLE: IndexProgress = { state: 'idle', bytesDone: 0, bytesTotal: 0, percent: 100, startedAt: null, finishedAt: null, message: null };

/** Progress of the daemon's index work for this context (idle when no daemon runs). */
export function indexProgress(ctx: CoreContext): IndexProgress {
  return daemons.get(ctx.config)?.progress ?? IDLE;
}

/**
 * While the daemon builds the index for the first time, a question about logins would have to
 * read every log a second time: it is told to wait instead (a problem that makes the answer
 * "unknown" for a moment), and the page shows the build's progress.
 */
export function indexStillBuilding(ctx: CoreContext): IndexProgress | null {
  const d = daemons.get(ctx.config);
  return d && !d.ready ? d.progress : null;
}

async function refresh(ctx: CoreContext, d: Daemon): Promise<void> {
  const first = !d.ready;
  const started = new Date();
  d.progress = { ...d.progress, state: first ? 'building' : 'updating', bytesDone: 0, bytesTotal: 0, percent: 0, startedAt: started.toISOString(), message: null };
  try {
    const view = await openLoginIndex(ctx, {
      create: true,
      onProgress: (p) => {
        d.progress = { ...d.progress, bytesDone: p.bytesDone, bytesTotal: p.bytesTotal, percent: p.bytesTotal > 0 ? Math.min(99, Math.floor((100 * p.bytesDone) / p.bytesTotal)) : 0 };
      },
    });
    // null: another process is writing it; ours is ready when that one is done (next check).
    if (view) d.ready = true;
    reportScanTime(first ? 'build' : 'update', (Date.now() - started.getTime()) / 1000);
    d.progress = { ...d.progress, state: 'idle', percent: 100, finishedAt: new Date().toISOString(), message: view ? null : 'another process is writing the index' };
    if (view && d.afterUpdate) await d.afterUpdate().catch(() => undefined);
  } catch (e) {
    d.progress = { ...d.progress, state: 'failed', finishedAt: new Date().toISOString(), message: (e as Error).message };
    // The answers fall back to scanning the logs: never wait for an index that cannot be built.
    d.ready = true;
    console.error(`relaywatch: the login index in ${indexHostDir(ctx)} could not be updated: ${(e as Error).message}`);
  }
}

function schedule(ctx: CoreContext, d: Daemon): void {
  if (d.running) {
    d.again = true;
    return;
  }
  d.running = (async () => {
    do {
      d.again = false;
      await refresh(ctx, d);
    } while (d.again);
  })().finally(() => {
    d.running = null;
  });
}

/**
 * Starts the daemon's background work for a context: builds and then follows the login index.
 * Returns a stop function (tests, shutdown).
 */
export function startBackgroundWork(ctx: CoreContext, opts: { afterUpdate?: () => Promise<unknown> } = {}): { stop(): void; idle(): Promise<void> } {
  const existing = daemons.get(ctx.config);
  if (existing) return { stop: existing.stop, idle: async () => { while (existing.running) await existing.running; } };
  const dirs = [...ctx.config.logs.maillog, ...ctx.config.logs.dovecot].map((p) => path.posix.dirname(p));
  const d: Daemon = { progress: { ...IDLE }, afterUpdate: opts.afterUpdate ?? null, ready: false, running: null, again: false, stop: () => undefined };
  daemons.set(ctx.config, d);
  // Answers may be reused for this long without looking at their files again (answerCache.ts).
  setRevalidateWindow(ctx, REVALIDATE_MS);
  // New lines are read on every core, by workers started once.
  keepScanWorkersWarm();
  daemonsRunning++;
  const watcher = watchLogFolders(ctx.host, dirs, () => schedule(ctx, d));
  const timer = setInterval(() => schedule(ctx, d), CHECK_EVERY_MS);
  timer.unref();
  d.stop = () => {
    setRevalidateWindow(ctx, 0);
    clearInterval(timer);
    watcher.close();
    daemons.delete(ctx.config);
    if (--daemonsRunning === 0) void endScanWorkers();
  };
  schedule(ctx, d);
  return { stop: d.stop, idle: async () => { while (d.running) await d.running; } };
}
