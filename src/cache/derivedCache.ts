/**
 * Keeps what is made from cached answers (the overview's verdict and cards, worked out from the
 * relay report of 2,000 IPs and the autoresponders of 10,000 accounts) for as long as those answers
 * are the same objects. Under load a daemon is asked for the same overview hundreds of times a
 * second; working it out again each time cost more than everything else in the request.
 *
 * A value is kept in a *slot* (what it is and for whom: the overview of one viewer) under a
 * *version* that must name everything it is made from: the answerId() of every answer it reads (see
 * answerCache.ts). A recomputed answer gets a new id, so a change on disk gives a new version, and
 * the value of the old one is never handed out again. One version per slot: a value made from an
 * older answer is let go at once, with the answer it holds (a relay report of thousands of IPs).
 * The value is shared: callers must not modify it.
 */
import type { CoreContext } from '../services/context';

/** Enough for every viewer of a busy server at once; the slot filled longest ago is let go first. */
const MAX_SLOTS = 64;

interface Kept {
  version: string;
  value: unknown;
}

const kept = new WeakMap<CoreContext['config'], Map<string, Kept>>();

export function derivedValue<T>(ctx: CoreContext, slot: string, version: string, make: () => T): T {
  // By config, not by context: a copy of the context (withHost) serves the same host and settings.
  let slots = kept.get(ctx.config);
  if (!slots) {
    slots = new Map();
    kept.set(ctx.config, slots);
  }
  const hit = slots.get(slot);
  if (hit && hit.version === version) return hit.value as T;
  const value = make();
  // Deleted and set again: a Map keeps its insertion order, so the first slot is the oldest.
  slots.delete(slot);
  slots.set(slot, { version, value });
  while (slots.size > MAX_SLOTS) slots.delete(slots.keys().next().value!);
  return value;
}
