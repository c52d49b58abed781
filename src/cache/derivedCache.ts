/**
 * Keeps what is made from cached answers (the overview's verdict and cards, worked out from the
 * relay report of 2,000 IPs and the autoresponders of 10,000 accounts) for as long as those answers
 * are the same objects. Under load a daemon is asked for the same overview hundreds of times a
 * second; working it out again each time cost more than everything else in the request.
 *
 * The key must name everything the value is made from: the viewer and the answerId() of every
 * answer it reads (see answerCache.ts). A recomputed answer gets a new id, so a change on disk gives
 * a new key and the old value is never handed out again. The value is shared: callers must not
 * modify it.
 */
import type { CoreContext } from '../services/context';

/** Enough for every viewer of a busy server at once; the oldest are forgotten first. */
const MAX_VALUES = 64;

const kept = new WeakMap<CoreContext['config'], Map<string, unknown>>();

export function derivedValue<T>(ctx: CoreContext, key: string, make: () => T): T {
  // By config, not by context: a copy of the context (withHost) serves the same host and settings.
  let values = kept.get(ctx.config);
  if (!values) {
    values = new Map();
    kept.set(ctx.config, values);
  }
  if (values.has(key)) return values.get(key) as T;
  const value = make();
  values.set(key, value);
  // A Map keeps its insertion order: the first key is the oldest.
  while (values.size > MAX_VALUES) values.delete(values.keys().next().value!);
  return value;
}
