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
import { CoreContext } from './context';

function stampOf(realPath: string): string {
  const st = fs.lstatSync(realPath, { bigint: true, throwIfNoEntry: false });
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

function stillValid(e: Entry<unknown>, now: number, maxAgeMs: number): boolean {
  if (now - e.at > maxAgeMs || now < e.at) return false;
  for (const [p, s] of e.stamps) if (stampOf(p) !== s) return false;
  return true;
}

/**
 * The cached answer for `key` if nothing it was computed from has changed and it is younger than
 * `maxAgeMs`; otherwise computes it (once, however many ask at the same time).
 */
export async function cachedAnswer<T>(ctx: CoreContext, key: string, maxAgeMs: number, compute: (c: CoreContext) => Promise<T>): Promise<T> {
  // Inside another cached computation: let that one record the paths (and not cache twice).
  if (ctx.host instanceof RecordingHost) return compute(ctx);
  let cache = caches.get(ctx);
  if (!cache) {
    cache = new Map();
    caches.set(ctx, cache);
  }
  const hit = cache.get(key);
  if (hit) {
    const wall = Date.now();
    const now = ctx.now().getTime();
    const young = now - hit.at <= maxAgeMs && now >= hit.at;
    const window = revalidateMs.get(ctx.config) ?? 0;
    // In a daemon, looking at the files takes at most about a tenth of the time.
    if (young && window > 0 && wall - hit.checked < Math.max(window, 10 * hit.checkMs)) return hit.value as T;
    const valid = stillValid(hit, now, maxAgeMs);
    hit.checkMs = Date.now() - wall;
    if (valid) {
      hit.checked = wall;
      return hit.value as T;
    }
  }
  let flights = inFlight.get(ctx);
  if (!flights) {
    flights = new Map();
    inFlight.set(ctx, flights);
  }
  const running = flights.get(key);
  if (running) return running as Promise<T>;
  const p = (async () => {
    const host = new RecordingHost(ctx.host.root);
    const at = ctx.now().getTime();
    const value = await compute({ ...ctx, host });
    cache!.set(key, { value, stamps: host.stamps, at, checked: Date.now(), checkMs: 0 });
    return value;
  })();
  flights.set(key, p);
  try {
    return await p;
  } finally {
    flights.delete(key);
  }
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
