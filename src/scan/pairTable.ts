/**
 * Numbers for pairs of numbers (an IP's text number and a name's), given in the order each pair
 * first comes: an open-addressing hash table in typed arrays. A Map keyed by the pair would cost a
 * heap number and a map entry per pair, some 50 bytes; this costs 8 bytes a pair and
 * 4 a slot (at least two slots a pair).
 */
import { ChunkPool, Column } from './chunkedColumn';

export class PairTable {
  private readonly a: Column<Uint32Array>;
  private readonly b: Column<Uint32Array>;
  /** row + 1 of each slot, 0 when free */
  private slots: Int32Array;
  size = 0;

  constructor(private readonly pool: ChunkPool | null = null) {
    this.a = new Column(Uint32Array, pool);
    this.b = new Column(Uint32Array, pool);
    this.slots = this.newSlots(2048);
  }

  /** Empty again; its chunks go back to the pool. */
  release(): void {
    this.a.release();
    this.b.release();
    this.pool?.giveSlots(this);
    this.slots = this.newSlots(2048);
    this.size = 0;
  }

  /** The row of (x, y): a new row (numbered `size` before the call) when the pair is new. */
  row(x: number, y: number): number {
    const mask = this.slots.length - 1;
    for (let s = hash(x, y) & mask; ; s = (s + 1) & mask) {
      const r = this.slots[s] - 1;
      if (r < 0) {
        const fresh = this.size++;
        this.a.push(x);
        this.b.push(y);
        this.slots[s] = fresh + 1;
        // at most half full: probes stay short
        if (this.size * 2 > this.slots.length) this.rehash();
        return fresh;
      }
      if (this.a.get(r) === x && this.b.get(r) === y) return r;
    }
  }

  first(r: number): number {
    return this.a.get(r);
  }

  second(r: number): number {
    return this.b.get(r);
  }

  private newSlots(length: number): Int32Array {
    return this.pool ? this.pool.slots(this, length) : new Int32Array(length);
  }

  private rehash(): void {
    const slots = this.newSlots(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let r = 0; r < this.size; r++) {
      let s = hash(this.a.get(r), this.b.get(r)) & mask;
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = r + 1;
    }
    this.slots = slots;
  }
}

function hash(x: number, y: number): number {
  let h = Math.imul(x, 0x9e3779b1) ^ Math.imul(y + 0x7f4a7c15, 0x85ebca77);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return (h ^ (h >>> 13)) >>> 0;
}
