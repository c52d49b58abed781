/**
 * A map that forgets its oldest entries beyond a limit. Per-message state while reading a log (was
 * this message already counted, whom did it come from) is needed only for a short while after the
 * message, and a server's log may hold millions of messages: this keeps memory flat.
 */
export class RecentMap<K, V> {
  private readonly m = new Map<K, V>();

  constructor(private readonly limit: number) {}

  get(k: K): V | undefined {
    return this.m.get(k);
  }

  set(k: K, v: V): void {
    this.m.delete(k);
    this.m.set(k, v);
    if (this.m.size > this.limit) this.m.delete(this.m.keys().next().value as K);
  }

  get size(): number {
    return this.m.size;
  }
}
