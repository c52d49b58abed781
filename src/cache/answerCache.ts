/**
 * Remembers an answer (explain's report) until one of the files it was computed from changes, so a
 * daemon asked the same question by many clients computes it once. Exact, not timed: the answer is
 * computed through a host that records every path it touches (files read, directories listed,
 * symlinks followed, files that were looked for and missing), and it is reused only while every one
 * of them still has the same inode, size, modification and change time. A short age limit covers what
 * depends on the clock (an IP going stale as time passes).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Host } from '../host/host';
import { CoreContext, withHost } from '../services/context';
import { joinOrRun } from './joinOrRun';

function stampOf(realPath: string): string {
  let st: fs.BigIntStats | undefined;
  try {
    st = fs.lstatSync(realPath, { bigint: true, throwIfNoEntry: false });
  } catch (e) {
    // A path this process may not even look at (a folder closed to a user other than root): the
    // read that follows says so itself; here it is noted as such, and noted again the same way.
    return `!${(e as NodeJS.ErrnoException).code ?? 'error'}`;
  }
  return st ? `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}` : '-';
}

/**
 * A Host that notes every host path it is asked about, and where a symlink led, with the stamp of
 * each at that moment: taken before the path is read, so a change while the answer is computed
 * shows as a change afterwards. The directories walked through on the way are not noted (a file
 * that appears or goes is noted by its own path, and a listed folder by the folder's).
 */
class RecordingHost extends Host {
  readonly stamps = new Map<string, string>();
  private resolving = 0;

  /** @param origin the context whose answers this computation may reuse */
  constructor(readonly origin: CoreContext) {
    super(origin.host.root);
  }

  private note(hostPath: string): void {
    if (!hostPath.startsWith('/')) return;
    const real = super.direct(path.posix.normalize(hostPath));
    if (!this.stamps.has(real)) this.stamps.set(real, stampOf(real));
  }

  override direct(hostPath: string): string {
    if (this.resolving === 0) this.note(hostPath);
    return super.direct(hostPath);
  }

  override resolve(hostPath: string): string {
    this.note(hostPath);
    this.resolving++;
    try {
      const target = super.resolve(hostPath);
      if (target !== path.posix.normalize(hostPath)) this.note(target);
      return target;
    } finally {
      this.resolving--;
    }
  }
}

interface Entry<T> {
  value: T;
  /** real path -> stamp when the computation ended */
  stamps: Map<string, string>;
  /** ctx.now() when computed */
  at: number;
  /** wall clock of the last time the stamps were found unchanged */
  checked: number;
  /** how long the last look at the stamps took (an answer read from 10,000 files costs a while) */
  checkMs: number;
  /** a look at the stamps (daemon) or a recomputation because of age, under way */
  refreshing: Promise<unknown> | null;
}

/**
 * How long a daemon may reuse an answer without looking at its files again (0: look every time).
 * Under load many requests arrive within a millisecond; one look serves them all.
 */
const revalidateMs = new WeakMap<CoreContext['config'], number>();

export function setRevalidateWindow(ctx: CoreContext, ms: number): void {
  revalidateMs.set(ctx.config, ms);
}

const caches = new WeakMap<CoreContext, Map<string, Entry<unknown>>>();
const inFlight = new WeakMap<CoreContext, Map<string, Promise<unknown>>>();

function isYoung(e: Entry<unknown>, now: number, maxAgeMs: number): boolean {
  return now - e.at <= maxAgeMs && now >= e.at;
}

/**
 * Whether every file an answer was read from is as it was, looked at without holding up the event
 * loop for long: an answer read from 20,000 files (the autoresponders of 10,000 accounts) is looked
 * at in slices of a few milliseconds, letting requests through in between. (Synchronous stats: the
 * promise API costs several times the CPU per file.)
 */
async function stampsUnchangedInSlices(e: Entry<unknown>): Promise<boolean> {
  const SLICE_MS = 4;
  let sliceStart = Date.now();
  for (const [p, s] of e.stamps) {
    if (stampOf(p) !== s) return false;
    if (Date.now() - sliceStart >= SLICE_MS) {
      await new Promise((r) => setImmediate(r));
      sliceStart = Date.now();
    }
  }
  return true;
}

/**
 * The cached answer for `key` if nothing it was computed from has changed and it is younger than
 * `maxAgeMs`; otherwise computes it (once, however many ask at the same time).
 *
 * In the daemon (a revalidation window is set) nobody waits for what is only housekeeping: while the
 * files are being looked at, others get the answer as it was, and an answer that is merely older
 * than `maxAgeMs` (its files unchanged) is handed out while its successor is computed in the
 * background. Only the request that finds a changed file waits for the new answer.
 */
export async function cachedAnswer<T>(ctx: CoreContext, key: string, maxAgeMs: number, compute: (c: CoreContext) => Promise<T>): Promise<T> {
  // Inside another cached computation: the inner answer is reused (the account list read once for the
  // relay report, the reliance report and the autoresponders), and its files count as the outer's.
  if (ctx.host instanceof RecordingHost) return nestedAnswer(ctx.host, key, maxAgeMs, compute);
  let cache = caches.get(ctx);
  if (!cache) {
    cache = new Map();
    caches.set(ctx, cache);
  }
  const hit = cache.get(key) as Entry<T> | undefined;
  const window = revalidateMs.get(ctx.config) ?? 0;
  if (hit && window > 0) return daemonAnswer(ctx, cache, key, hit, maxAgeMs, window, compute);
  if (hit) {
    const wall = Date.now();
    const valid = isYoung(hit, ctx.now().getTime(), maxAgeMs) && (await stampsUnchangedInSlices(hit));
    hit.checkMs = Date.now() - wall;
    if (valid) {
      hit.checked = wall;
      return hit.value;
    }
  }
  return computeOnce(ctx, cache, key, compute);
}

async function nestedAnswer<T>(outer: RecordingHost, key: string, maxAgeMs: number, compute: (c: CoreContext) => Promise<T>): Promise<T> {
  const value = await cachedAnswer(outer.origin, key, maxAgeMs, compute);
  const entry = caches.get(outer.origin)?.get(key);
  if (entry) for (const [p, stamp] of entry.stamps) if (!outer.stamps.has(p)) outer.stamps.set(p, stamp);
  return value;
}

async function daemonAnswer<T>(ctx: CoreContext, cache: Map<string, Entry<unknown>>, key: string, hit: Entry<T>, maxAgeMs: number, window: number, compute: (c: CoreContext) => Promise<T>): Promise<T> {
  const wall = Date.now();
  const now = ctx.now().getTime();
  const young = isYoung(hit, now, maxAgeMs);
  // An answer left over from long ago (an idle daemon) is not handed out while its successor is made.
  const servable = young || isYoung(hit, now, 2 * maxAgeMs);
  // Looking at the files takes at most about a twentieth of the time.
  if (young && wall - hit.checked < Math.max(window, 20 * hit.checkMs)) return hit.value;
  if (hit.refreshing && servable) return hit.value;
  if (!servable) return computeOnce(ctx, cache, key, compute);
  const look = stampsUnchangedInSlices(hit).then((unchanged) => {
    hit.checkMs = Date.now() - wall;
    if (unchanged) hit.checked = Date.now();
    return unchanged;
  });
  // Unchanged but old: what depends on the clock is brought up to date while others keep reading.
  hit.refreshing = look
    .then((unchanged) => (unchanged && !young ? computeOnce(ctx, cache, key, compute) : undefined))
    .catch(() => undefined) // a failed background computation is tried again by a later request
    .finally(() => {
      hit.refreshing = null;
    });
  // Only a change found in the files makes the asker wait for a new answer.
  if (await look) return hit.value;
  return computeOnce(ctx, cache, key, compute);
}

async function computeOnce<T>(ctx: CoreContext, cache: Map<string, Entry<unknown>>, key: string, compute: (c: CoreContext) => Promise<T>): Promise<T> {
  let flights = inFlight.get(ctx);
  if (!flights) {
    flights = new Map();
    inFlight.set(ctx, flights);
  }
  return joinOrRun(flights, key, async () => {
    const host = new RecordingHost(ctx);
    const at = ctx.now().getTime();
    const value = await compute(withHost(ctx, host));
    cache.set(key, { value, stamps: host.stamps, at, checked: Date.now(), checkMs: 0, refreshing: null });
    return value;
  });
}

/**
 * By host: a computation whose files are being recorded (answerCache's own, each with a host of its
 * own) must read them itself, not join a run whose reads it would not see.
 */
const sharedRuns = new WeakMap<Host, Map<string, Promise<unknown>>>();

/**
 * One computation at a time per key: whoever asks while it runs gets its result, and nothing is kept
 * after it. For what no file stamp can tell the age of (the output of cPanel's commands), so that
 * many asking at once cost one run, and no one gets an answer older than their question.
 */
export function sharedRun<T>(ctx: CoreContext, key: string, compute: () => Promise<T>): Promise<T> {
  let runs = sharedRuns.get(ctx.host);
  if (!runs) {
    runs = new Map();
    sharedRuns.set(ctx.host, runs);
  }
  return joinOrRun(runs, key, compute);
}

/** Forgets every cached answer of a context (after a change made through relaywatch itself). */
export function forgetAnswers(ctx: CoreContext): void {
  caches.delete(ctx);
}

const answerIds = new WeakMap<object, number>();
let lastAnswerId = 0;

/**
 * A number that stays the same for as long as the same cached answer is handed out, and changes when
 * it is recomputed: what is made from an answer (a rendered page) can be kept under it.
 */
export function answerId(answer: object): number {
  let id = answerIds.get(answer);
  if (id === undefined) {
    id = ++lastAnswerId;
    answerIds.set(answer, id);
  }
  return id;
}
