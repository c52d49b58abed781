/**
 * Texts numbered in the order they first come, each kept once, outside the JavaScript heap: the
 * code units of every text in chunks of an array buffer (one byte each when every unit fits in
 * one, as IPs and most names do: half the room of UTF-16), found again by an open-addressing
 * hash table in typed arrays. A build keeps every IP and name of a file until the file's segment is
 * written; as strings in a Map, they were the most of the main thread's live heap, and the collector
 * lets a heap grow to several times what is live before it collects, so the process grew with the
 * number of distinct addresses of a file.
 */
import { ChunkPool, Column } from './chunkedColumn';

const CHUNK = 1 << 17;
/** lengthOf's flag of a text with a code unit above 255, kept as two bytes a unit (little-endian) */
const WIDE = 0x80000000;
const LENGTH = 0x7fffffff;

export class TextTable {
  /** the texts' code units: one byte each (Latin-1), two for a text with a unit above 255 */
  private chunks: Uint8Array[] = [];
  /** room left in the last chunk */
  private free = 0;
  private readonly chunkOf: Column<Uint32Array>;
  private readonly startOf: Column<Uint32Array>;
  /** length in code units, | WIDE */
  private readonly lengthOf: Column<Uint32Array>;
  private readonly hashOf: Column<Uint32Array>;
  /** id + 1 of each slot, 0 when free; at most half full */
  private slots: Int32Array;
  size = 0;

  constructor(private readonly pool: ChunkPool | null = null) {
    this.chunkOf = new Column(Uint32Array, pool);
    this.startOf = new Column(Uint32Array, pool);
    this.lengthOf = new Column(Uint32Array, pool);
    this.hashOf = new Column(Uint32Array, pool);
    this.slots = this.newSlots(1024);
  }

  /** The number of text s: a new one (`size` before the call) when it is new. */
  id(s: string): number {
    const h = hashOf(s);
    const mask = this.slots.length - 1;
    let slot = h & mask;
    for (;;) {
      const id = this.slots[slot] - 1;
      if (id < 0) break;
      if (this.hashOf.get(id) === h && this.equals(id, s)) return id;
      slot = (slot + 1) & mask;
    }
    const id = this.size++;
    this.store(s, h);
    this.slots[slot] = id + 1;
    if (this.size * 2 > this.slots.length) this.rehash();
    return id;
  }

  text(id: number): string {
    const chunk = this.chunks[this.chunkOf.get(id)];
    const start = this.startOf.get(id);
    const len = this.lengthOf.get(id);
    const wide = (len & WIDE) !== 0;
    const n = len & LENGTH;
    let out = '';
    // in pieces: String.fromCharCode takes its codes as arguments
    const codes: number[] = [];
    for (let i = 0; i < n; i++) {
      codes.push(wide ? chunk[start + 2 * i] | (chunk[start + 2 * i + 1] << 8) : chunk[start + i]);
      if (codes.length === 4096) out += String.fromCharCode.apply(null, codes.splice(0));
    }
    return out + String.fromCharCode.apply(null, codes);
  }

  /** Bytes of text `id` in UTF-8, as Buffer.byteLength counts them. */
  utf8Length(id: number): number {
    const len = this.lengthOf.get(id);
    if ((len & WIDE) !== 0) return Buffer.byteLength(this.text(id), 'utf8');
    const chunk = this.chunks[this.chunkOf.get(id)];
    const start = this.startOf.get(id);
    const end = start + len;
    // a unit from 128 to 255 is two bytes in UTF-8
    let n = len;
    for (let i = start; i < end; i++) if (chunk[i] >= 0x80) n++;
    return n;
  }

  /** Writes text `id` as UTF-8 at `at` (as Buffer.write does); returns the bytes written. */
  writeUtf8(id: number, buf: Buffer, at: number): number {
    const len = this.lengthOf.get(id);
    const chunk = this.chunks[this.chunkOf.get(id)];
    const start = this.startOf.get(id);
    const end = start + len;
    if ((len & WIDE) === 0) {
      let ascii = true;
      for (let i = start; i < end; i++) if (chunk[i] >= 0x80) ascii = false;
      if (ascii) {
        for (let i = start; i < end; i++) buf[at + i - start] = chunk[i];
        return len;
      }
    }
    return buf.write(this.text(id), at, 'utf8');
  }

  /** Order of texts a and b by UTF-16 code units, as JavaScript compares strings. */
  compare(a: number, b: number): number {
    const ca = this.chunks[this.chunkOf.get(a)];
    const cb = this.chunks[this.chunkOf.get(b)];
    const sa = this.startOf.get(a);
    const sb = this.startOf.get(b);
    const la = this.lengthOf.get(a);
    const lb = this.lengthOf.get(b);
    const na = la & LENGTH;
    const nb = lb & LENGTH;
    const n = Math.min(na, nb);
    if (((la | lb) & WIDE) === 0) {
      for (let i = 0; i < n; i++) {
        const d = ca[sa + i] - cb[sb + i];
        if (d !== 0) return d;
      }
    } else {
      const wa = (la & WIDE) !== 0 ? 2 : 1;
      const wb = (lb & WIDE) !== 0 ? 2 : 1;
      for (let i = 0; i < n; i++) {
        const ua = wa === 2 ? ca[sa + 2 * i] | (ca[sa + 2 * i + 1] << 8) : ca[sa + i];
        const ub = wb === 2 ? cb[sb + 2 * i] | (cb[sb + 2 * i + 1] << 8) : cb[sb + i];
        if (ua !== ub) return ua - ub;
      }
    }
    return na - nb;
  }

  private equals(id: number, s: string): boolean {
    const len = this.lengthOf.get(id);
    if ((len & LENGTH) !== s.length) return false;
    const chunk = this.chunks[this.chunkOf.get(id)];
    const start = this.startOf.get(id);
    if ((len & WIDE) !== 0) {
      for (let i = 0; i < s.length; i++) if ((chunk[start + 2 * i] | (chunk[start + 2 * i + 1] << 8)) !== s.charCodeAt(i)) return false;
      return true;
    }
    for (let i = 0; i < s.length; i++) if (chunk[start + i] !== s.charCodeAt(i)) return false;
    return true;
  }

  private store(s: string, h: number): void {
    let wide = false;
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) wide = true;
    const bytes = wide ? 2 * s.length : s.length;
    if (this.chunks.length === 0 || bytes > this.free) {
      // a text longer than a chunk has a chunk of its own
      this.chunks.push(bytes <= CHUNK && this.pool ? this.pool.take(Uint8Array, CHUNK) : new Uint8Array(Math.max(CHUNK, bytes)));
      this.free = this.chunks[this.chunks.length - 1].length;
    }
    const c = this.chunks.length - 1;
    const chunk = this.chunks[c];
    const start = chunk.length - this.free;
    if (wide) {
      for (let i = 0; i < s.length; i++) {
        const u = s.charCodeAt(i);
        chunk[start + 2 * i] = u & 0xff;
        chunk[start + 2 * i + 1] = u >>> 8;
      }
    } else {
      for (let i = 0; i < s.length; i++) chunk[start + i] = s.charCodeAt(i);
    }
    this.free -= bytes;
    this.chunkOf.push(c);
    this.startOf.push(start);
    this.lengthOf.push(wide ? (s.length | WIDE) >>> 0 : s.length);
    this.hashOf.push(h);
  }

  /** Empty again; its chunks go back to the pool. */
  release(): void {
    this.pool?.give(this.chunks);
    this.chunks = [];
    this.free = 0;
    for (const c of [this.chunkOf, this.startOf, this.lengthOf, this.hashOf]) c.release();
    this.pool?.giveSlots(this);
    this.slots = this.newSlots(1024);
    this.size = 0;
  }

  private newSlots(length: number): Int32Array {
    return this.pool ? this.pool.slots(this, length) : new Int32Array(length);
  }

  private rehash(): void {
    const slots = this.newSlots(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.size; id++) {
      let slot = this.hashOf.get(id) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = id + 1;
    }
    this.slots = slots;
  }
}

/** FNV-1a over the code units, mixed at the end (the table takes the low bits). */
function hashOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}
