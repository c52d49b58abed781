/**
 * A column of numbers that grows by fixed-size chunks: growing never copies what is there, so a
 * column of a million values never needs room for two of it at once (as one array grown by doubling
 * does). A build passes the same ChunkPool to the columns of every file: the chunks of a file whose
 * segment is written are used again for the next file's, where new ones would leave the old ones to
 * the collector, which frees array buffers only when it collects the heap.
 */
type NumberArray = Float64Array | Uint32Array | Uint16Array | Uint8Array;
type Make<T extends NumberArray> = new (n: number) => T;

export const CHUNK_BITS = 14;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

/**
 * Chunks given back, by kind and length, for the next column that grows; the working arrays of
 * laying out a segment; and the one small buffer the build's segments are written through.
 */
export class ChunkPool {
  private readonly free = new Map<Make<NumberArray>, Map<number, NumberArray[]>>();
  private segmentPiece: Buffer | null = null;

  private readonly scratches = new Map<string, NumberArray | Int32Array>();
  /** hash tables' slot arrays: free ones, and those in use by their owner */
  private readonly freeSlots: Int32Array[] = [];
  private readonly heldSlots = new Map<object, Int32Array>();

  /**
   * `length` zeroed hash-table slots for `owner` (its slots before, if any, are not needed any more):
   * kept arrays are used again, so that a table growing for each file does not free and allocate
   * again (freed large arrays leave the allocator's heap in pieces the process keeps).
   */
  slots(owner: object, length: number): Int32Array {
    this.giveSlots(owner);
    let best = -1;
    for (let i = 0; i < this.freeSlots.length; i++) {
      const len = this.freeSlots[i].length;
      if (len >= length && (best < 0 || len < this.freeSlots[best].length)) best = i;
    }
    const a = best >= 0 ? this.freeSlots.splice(best, 1)[0] : new Int32Array(length);
    this.heldSlots.set(owner, a);
    return a.subarray(0, length).fill(0);
  }

  giveSlots(owner: object): void {
    const held = this.heldSlots.get(owner);
    if (!held) return;
    this.heldSlots.delete(owner);
    this.freeSlots.push(held);
  }

  /**
   * A working array of `length` numbers (not cleared) for laying out a segment: a view of the same
   * array under `name` each time it is large enough.
   */
  scratch<T extends NumberArray | Int32Array>(name: string, make: new (n: number) => T, length: number): T {
    let a = this.scratches.get(name) as T | undefined;
    if (!a || a.length < length) {
      a = new make(length + (length >>> 3));
      this.scratches.set(name, a);
    }
    return a.subarray(0, length) as T;
  }

  /** The buffer of `bytes` bytes segments are written through: the same one for every file. */
  piece(bytes: number): Buffer {
    if (!this.segmentPiece || this.segmentPiece.length < bytes) this.segmentPiece = Buffer.allocUnsafe(bytes);
    return this.segmentPiece.subarray(0, bytes);
  }

  take<T extends NumberArray>(make: Make<T>, length: number): T {
    const c = this.free.get(make)?.get(length)?.pop();
    return (c as T | undefined) ?? new make(length);
  }

  give(chunks: readonly NumberArray[]): void {
    for (const c of chunks) {
      const make = c.constructor as Make<NumberArray>;
      let byLength = this.free.get(make);
      if (!byLength) this.free.set(make, (byLength = new Map()));
      let list = byLength.get(c.length);
      if (!list) byLength.set(c.length, (list = []));
      list.push(c);
    }
  }
}

export class Column<T extends NumberArray> {
  private chunks: T[] = [];
  length = 0;

  constructor(private readonly make: Make<T>, private readonly pool: ChunkPool | null = null) {}

  push(v: number): void {
    const c = this.length >>> CHUNK_BITS;
    if (c === this.chunks.length) this.chunks.push(this.pool ? this.pool.take(this.make, CHUNK) : new this.make(CHUNK));
    this.chunks[c][this.length & MASK] = v;
    this.length++;
  }

  get(i: number): number {
    return this.chunks[i >>> CHUNK_BITS][i & MASK];
  }

  set(i: number, v: number): void {
    this.chunks[i >>> CHUNK_BITS][i & MASK] = v;
  }

  /** Empty again; the chunks go back to the pool. */
  release(): void {
    this.pool?.give(this.chunks);
    this.chunks = [];
    this.length = 0;
  }
}
