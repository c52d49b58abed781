/**
 * The byte-search kernel behind the log scanner: in one pass over a buffer it finds the lines that
 * contain any of a set of literal needles, and it counts newlines, both with 128-bit SIMD in a small
 * WebAssembly module built at run time (wasmEmitter.ts). Where WebAssembly SIMD is not available
 * the same interface runs on Buffer.indexOf (the JS kernel); the two are tested to agree.
 *
 * Why: a regular expression per line, or one Buffer.indexOf pass per needle, costs several times
 * the reading of the file. The SIMD kernel looks at 16 bytes at a time for a 3-byte "fingerprint"
 * of every needle at once (the Teddy technique of Hyperscan: two nibble-indexed table lookups per
 * byte give the set of needles whose fingerprint can start there), then confirms each hit by
 * comparing the whole needle. Newlines are counted by comparing 16 bytes at a time and summing the
 * matches in vector lanes.
 *
 * The buffer the caller reads file bytes into lives inside the module's memory (`kernel.buffer`), so
 * nothing is copied.
 */
import { buildModule, Code } from './wasmEmitter';

/** The part of the WebAssembly JS API used here (the project's TypeScript lib has no DOM types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (desc: { initial: number; maximum: number }) => { buffer: ArrayBuffer };
}
const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

export interface CandidateKernel {
  /** where the caller reads data; offsets below are offsets into this buffer */
  readonly buffer: Buffer;
  /** true when the SIMD kernel runs, false for the JS kernel */
  readonly simd: boolean;
  /** chooses each needle's fingerprint from a sample of the data (e.g. the first chunk read) */
  tune(from: number, to: number): void;
  /** number of '\n' bytes in buffer[from, to) */
  countNewlines(from: number, to: number): number;
  /**
   * Calls onLine(start, end) once for every line of buffer[from, limit) that contains a needle, in
   * order; `end` is the offset of the line's '\n' (or `limit`). `from` must be a line start.
   */
  forEachCandidate(from: number, limit: number, onLine: (start: number, end: number) => void): void;
}

const NL = 0x0a;

// ---- fingerprints -----------------------------------------------------------------------------

/** Rough rarity of a byte in log text, used only to break ties between fingerprints. */
function staticRarity(b: number): number {
  if (b >= 0x41 && b <= 0x5a) return 3; // A-Z: rarer than lower case in logs
  if (b >= 0x61 && b <= 0x7a) return 1;
  if (b >= 0x30 && b <= 0x39) return 0; // digits: times, pids, addresses
  if (b === 0x20 || b === 0x3d || b === 0x2c || b === 0x3a || b === 0x2e) return -1; // space = , : .
  return 2;
}

function gramHash(b0: number, b1: number, b2: number): number {
  return ((b0 * 251 + b1) * 251 + b2) & 0xffff;
}

/** Occurrences of each (hashed) gram of length `f` in a sample. */
function gramCounts(buf: Buffer, from: number, to: number, f: number): Uint32Array {
  const counts = new Uint32Array(65536);
  for (let i = from; i + f <= to; i++) counts[gramHash(buf[i], f > 1 ? buf[i + 1] : 0, f > 2 ? buf[i + 2] : 0)]++;
  return counts;
}

/**
 * For each needle, the offset of its `f`-byte fingerprint. Needles that share a fingerprint share a
 * bucket of the SIMD tables, and there are 8 buckets, so this is a small set cover: greedily take the
 * fingerprint with the fewest sample occurrences per needle it covers ("Log" covers "Login: ",
 * "Logged in: " and "Login user="), until every needle is covered.
 */
export function chooseFingerprints(needles: readonly Buffer[], f: number, counts: Uint32Array | null): number[] {
  interface Gram { text: string; count: number; rarity: number; at: Map<number, number> }
  const grams = new Map<string, Gram>();
  needles.forEach((n, idx) => {
    for (let off = 0; off + f <= n.length; off++) {
      const text = n.subarray(off, off + f).toString('latin1');
      let g = grams.get(text);
      if (!g) {
        let rarity = 0;
        for (let j = 0; j < f; j++) rarity += staticRarity(n[off + j]);
        g = { text, count: counts ? counts[gramHash(n[off], f > 1 ? n[off + 1] : 0, f > 2 ? n[off + 2] : 0)] : 0, rarity, at: new Map() };
        grams.set(text, g);
      }
      if (!g.at.has(idx)) g.at.set(idx, off);
    }
  });
  const offsets = new Array<number>(needles.length).fill(0);
  const uncovered = new Set(needles.map((_, i) => i));
  while (uncovered.size > 0) {
    let best: Gram | null = null;
    let bestScore = Infinity;
    for (const g of grams.values()) {
      let covers = 0;
      for (const idx of g.at.keys()) if (uncovered.has(idx)) covers++;
      if (covers === 0) continue;
      const score = (g.count + 1) / covers;
      if (best === null || score < bestScore || (score === bestScore && (g.rarity > best.rarity || (g.rarity === best.rarity && g.text < best.text)))) {
        best = g;
        bestScore = score;
      }
    }
    if (!best) break; // cannot happen: every needle has at least one gram
    for (const [idx, off] of best.at) {
      if (!uncovered.has(idx)) continue;
      offsets[idx] = off;
      uncovered.delete(idx);
    }
  }
  return offsets;
}

/** Nibble combinations above this are estimated, not counted (see BucketCosts). */
const EXACT_COST_MAX = 64;

interface Group {
  grams: string[];
  needles: number[];
  /** per fingerprint position, the low and the high nibbles the bucket accepts (bit masks) */
  lo: number[];
  hi: number[];
  /** the grams' own sample occurrences (+1 each) */
  own: number;
  cost: number;
}

function popcount16(x: number): number {
  let n = 0;
  for (let v = x; v !== 0; v &= v - 1) n++;
  return n;
}

/**
 * Sample occurrences of everything a bucket lets through: every combination of the nibbles its grams
 * have at each position. Counted exactly while there are few combinations; beyond that (a bucket of
 * many 3-byte grams, as the case variants of IP witnesses make) estimated as the grams' own
 * occurrences scaled by the combinations per gram: counting them all made planning a scan for IPs
 * cost some 250 ms per thread.
 */
function groupCost(lo: readonly number[], hi: readonly number[], grams: number, own: number, f: number, counts: Uint32Array | null): number {
  if (!counts) return grams;
  let combos = 1;
  for (let j = 0; j < f; j++) combos *= popcount16(lo[j]) * popcount16(hi[j]);
  if (combos > EXACT_COST_MAX) return (own * combos) / grams;
  const accepted = (j: number): number[] => {
    if (j >= f) return [0];
    const out: number[] = [];
    for (let h = 0; h < 16; h++) if (hi[j] & (1 << h)) for (let l = 0; l < 16; l++) if (lo[j] & (1 << l)) out.push((h << 4) | l);
    return out;
  };
  const [s0, s1, s2] = [accepted(0), accepted(1), accepted(2)];
  let sum = 0;
  for (const a of s0) for (const b of s1) for (const c of s2) sum += counts[gramHash(a, f > 1 ? b : 0, f > 2 ? c : 0)];
  return sum;
}

function newGroup(gram: string, needles: number[], f: number, counts: Uint32Array | null): Group {
  const lo: number[] = [];
  const hi: number[] = [];
  for (let j = 0; j < f; j++) {
    lo.push(1 << (gram.charCodeAt(j) & 15));
    hi.push(1 << (gram.charCodeAt(j) >> 4));
  }
  const own = (counts ? counts[gramHash(gram.charCodeAt(0), f > 1 ? gram.charCodeAt(1) : 0, f > 2 ? gram.charCodeAt(2) : 0)] : 0) + 1;
  return { grams: [gram], needles, lo, hi, own, cost: groupCost(lo, hi, 1, own, f, counts) };
}

function mergedCost(x: Group, y: Group, f: number, counts: Uint32Array | null): number {
  const lo = x.lo.map((m, j) => m | y.lo[j]);
  const hi = x.hi.map((m, j) => m | y.hi[j]);
  return groupCost(lo, hi, x.grams.length + y.grams.length, x.own + y.own, f, counts);
}

export interface BucketPlan {
  /** fingerprint offset of each needle */
  offsets: number[];
  /** needle indices per bucket (at most 8 buckets) */
  buckets: number[][];
}

/**
 * Puts the needles' fingerprints into at most 8 buckets. A bucket with two fingerprints also lets
 * through their nibble combinations, so when there are more than 8 the pair whose merge lets through
 * the fewest sample bytes is merged, until 8 remain.
 */
export function planBuckets(needles: readonly Buffer[], f: number, counts: Uint32Array | null): BucketPlan {
  const offsets = chooseFingerprints(needles, f, counts);
  const byGram = new Map<string, number[]>();
  needles.forEach((n, idx) => {
    const g = n.subarray(offsets[idx], offsets[idx] + f).toString('latin1');
    const list = byGram.get(g);
    if (list) list.push(idx);
    else byGram.set(g, [idx]);
  });
  let groups = [...byGram.entries()].map(([g, idx]) => newGroup(g, idx, f, counts));
  // The cost of each pair's merge, computed once per pair: a merge changes only the new group's pairs.
  const pairCost = new Map<Group, Map<Group, number>>();
  const costOf = (x: Group, y: Group): number => {
    let m = pairCost.get(x);
    if (!m) pairCost.set(x, (m = new Map()));
    let c = m.get(y);
    if (c === undefined) m.set(y, (c = mergedCost(x, y, f, counts)));
    return c;
  };
  while (groups.length > 8) {
    let bi = 0;
    let bj = 1;
    let bestDelta = Infinity;
    for (let i = 0; i < groups.length; i++) {
      for (let j = i + 1; j < groups.length; j++) {
        const delta = costOf(groups[i], groups[j]) - groups[i].cost - groups[j].cost;
        if (delta < bestDelta) {
          bestDelta = delta;
          bi = i;
          bj = j;
        }
      }
    }
    const x = groups[bi];
    const y = groups[bj];
    const merged: Group = {
      grams: [...x.grams, ...y.grams],
      needles: [...x.needles, ...y.needles],
      lo: x.lo.map((m, j) => m | y.lo[j]),
      hi: x.hi.map((m, j) => m | y.hi[j]),
      own: x.own + y.own,
      cost: costOf(x, y),
    };
    groups = groups.filter((_, k) => k !== bi && k !== bj);
    groups.push(merged);
  }
  return { offsets, buckets: groups.map((g) => g.needles) };
}

// ---- JS kernel --------------------------------------------------------------------------------

/** Counts '\n' bytes in buf[from, to). */
export function countNewlines(buf: Buffer, from: number, to: number): number {
  const view = buf.subarray(0, to); // indexOf must not run on past `to`
  let n = 0;
  let at = view.indexOf(NL, from);
  while (at !== -1) {
    n++;
    at = view.indexOf(NL, at + 1);
  }
  return n;
}

/** One Buffer.indexOf pass per needle, merged: the reference the SIMD kernel is tested against. */
export function jsCandidateSpans(buf: Buffer, needles: readonly Buffer[], from: number, limit: number): Array<[number, number]> {
  const view = buf.subarray(0, limit); // searches stop at the limit, not at the end of a large window
  const seen = new Set<number>();
  const spans: Array<[number, number]> = [];
  for (const needle of needles) {
    let at = view.indexOf(needle, from);
    while (at !== -1) {
      const start = Math.max(from, view.lastIndexOf(NL, at) + 1);
      let end = view.indexOf(NL, at);
      if (end === -1) end = limit;
      if (!seen.has(start)) {
        seen.add(start);
        spans.push([start, end]);
      }
      if (end >= limit) break;
      at = view.indexOf(needle, end + 1);
    }
  }
  if (needles.length > 1) spans.sort((a, b) => a[0] - b[0]);
  return spans;
}

class JsKernel implements CandidateKernel {
  readonly buffer: Buffer;
  readonly simd = false;

  constructor(private readonly needles: readonly Buffer[], windowBytes: number) {
    this.buffer = Buffer.allocUnsafe(windowBytes);
  }

  tune(): void {
    // Buffer.indexOf needs no tuning.
  }

  countNewlines(from: number, to: number): number {
    return countNewlines(this.buffer, from, to);
  }

  forEachCandidate(from: number, limit: number, onLine: (start: number, end: number) => void): void {
    for (const [s, e] of jsCandidateSpans(this.buffer, this.needles, from, limit)) onLine(s, e);
  }
}

// ---- SIMD kernel ------------------------------------------------------------------------------

// Memory layout of the module (bytes).
const TABLES = 0; // 6 nibble tables of 16 bytes: lo0 hi0 lo1 hi1 lo2 hi2
const BUCKETS = 96; // 8 x (first entry, entry count)
const ENTRIES = 160; // needle entries: (bytes offset, length, fingerprint offset, unused)
const MAX_ENTRIES = 256;
const SCRATCH = ENTRIES + MAX_ENTRIES * 16; // 32 bytes: the masks of two blocks
const RESUME = SCRATCH + 32;
const NEEDLE_BYTES = RESUME + 16;
const NEEDLE_BYTES_END = 65536;
const OUT = 65536; // hits: (line start, line end) pairs
const OUT_CAP = 8192;
const DATA = OUT + OUT_CAP * 8;
/** loads of 16 bytes at p+2 may read past the data: keep that inside memory */
const SLACK = 64;
const PAGE = 65536;

/** count(ptr, end): '\n' bytes in memory[ptr, end). Lane counters are summed every 63 rounds of 64 bytes. */
function countFunction(): Code {
  const [ptr, end, n, blockEnd, nl, acc] = [0, 1, 2, 3, 4, 5];
  const c = new Code();
  c.i32(NL).splat8().set(nl);
  c.block('done').loop('outer');
  c.get(ptr).i32(64).add().get(end).gtU().brIf('done');
  c.get(ptr).i32(64 * 63).add().set(blockEnd);
  c.get(blockEnd).get(end).gtU().if().get(end).set(blockEnd).end();
  c.v128Const(new Array(16).fill(0)).set(acc);
  c.block('innerDone').loop('inner');
  c.get(ptr).i32(64).add().get(blockEnd).gtU().brIf('innerDone');
  for (const off of [0, 16, 32, 48]) c.get(acc).get(ptr).v128Load(off).get(nl).eq8().sub8().set(acc);
  c.get(ptr).i32(64).add().set(ptr).br('inner');
  c.end().end();
  c.get(acc).extaddPairwiseU8().extaddPairwiseU16().set(acc);
  c.get(n);
  for (const lane of [0, 1, 2, 3]) c.get(acc).extractLane32(lane).add();
  c.set(n).br('outer');
  c.end().end();
  c.block('tailDone').loop('tail');
  c.get(ptr).get(end).geU().brIf('tailDone');
  c.get(n).get(ptr).load8().i32(NL).eq().add().set(n);
  c.get(ptr).i32(1).add().set(ptr).br('tail');
  c.end().end();
  c.get(n);
  return c;
}

/**
 * find(ptr, end): writes (line start, line end) of candidate lines to OUT and returns their number.
 * Returns OUT_CAP when OUT is full; the search then resumes at the position stored at RESUME.
 */
function findFunction(f: number): Code {
  const [ptr, end, p, n, lane, bits, k, e, cnt, ent, s, len, i, nb, ls, le, q, lanes] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17];
  const [m, low, v, m2] = [18, 19, 20, 27];
  const tbl = [21, 22, 23, 24, 25, 26]; // lo0 hi0 lo1 hi1 lo2 hi2
  const c = new Code();
  for (let t = 0; t < 6; t++) c.i32(0).v128Load(TABLES + t * 16).set(tbl[t]);
  c.i32(0x0f).splat8().set(low);
  c.get(ptr).set(p).i32(0).set(n);
  /** the mask of the 16 positions at p + offset: lane x = the buckets whose fingerprint can start at p + offset + x */
  const blockMask = (offset: number): void => {
    for (let j = 0; j < f; j++) {
      c.get(p).v128Load(offset + j).set(v);
      c.get(tbl[2 * j]).get(v).get(low).vAnd().swizzle();
      // high nibbles: a 16-bit shift and a mask is cheaper than an 8-bit shift here
      c.get(tbl[2 * j + 1]).get(v).i32(4).shrU16().get(low).vAnd().swizzle();
      c.vAnd();
      if (j > 0) c.vAnd();
    }
  };
  const zero = new Array<number>(16).fill(0);
  c.block('done').loop('main');
  c.get(p).get(end).geU().brIf('done');
  // two blocks a round, one branch
  blockMask(0);
  c.set(m);
  blockMask(16);
  c.set(m2);
  c.get(m).get(m2).vOr().anyTrue().if();
  {
    // lanes with a possible fingerprint: a 32-bit mask over both blocks, visited lowest first
    c.i32(SCRATCH).get(m).v128Store(0);
    c.i32(SCRATCH).get(m2).v128Store(16);
    c.get(m).v128Const(zero).eq8().bitmask8();
    c.get(m2).v128Const(zero).eq8().bitmask8().i32(16).shl();
    c.add().i32(-1).xor().set(lanes);
    c.block('lanesDone').loop('lanesLoop');
    c.get(lanes).eqz().brIf('lanesDone');
    c.get(lanes).ctz().set(lane);
    c.get(lanes).get(lanes).i32(1).sub().and().set(lanes);
    c.i32(SCRATCH).get(lane).add().load8().set(bits);
    c.get(bits).if();
    {
      c.get(p).get(lane).add().set(q);
      c.block('bitsDone').loop('bitsLoop');
      c.get(bits).eqz().brIf('bitsDone');
      c.get(bits).ctz().set(k);
      c.get(bits).get(bits).i32(1).sub().and().set(bits);
      c.i32(BUCKETS).get(k).i32(3).shl().add().set(ent);
      c.get(ent).load(0).set(e).get(ent).load(4).set(cnt);
      c.block('entDone').loop('entLoop');
      c.get(cnt).eqz().brIf('entDone');
      c.i32(ENTRIES).get(e).i32(4).shl().add().set(ent);
      c.get(q).get(ent).load(8).sub().set(s);
      c.get(ent).load(4).set(len);
      c.get(s).get(ptr).geU().if();
      c.get(s).get(len).add().get(end).leU().if();
      {
        c.get(ent).load(0).set(nb).i32(0).set(i);
        c.block('cmpDone').loop('cmp');
        c.get(i).get(len).geU().brIf('cmpDone');
        c.get(s).get(i).add().load8().get(nb).get(i).add().load8().ne().brIf('cmpDone');
        c.get(i).i32(1).add().set(i).br('cmp');
        c.end().end();
        c.get(i).get(len).eq().if();
        {
          // a needle: report its line once and go on after it
          c.get(s).set(ls);
          c.block('lsDone').loop('lsLoop');
          c.get(ls).get(ptr).leU().brIf('lsDone');
          c.get(ls).i32(1).sub().load8().i32(NL).eq().brIf('lsDone');
          c.get(ls).i32(1).sub().set(ls).br('lsLoop');
          c.end().end();
          c.get(q).set(le);
          c.block('leDone').loop('leLoop');
          c.get(le).get(end).geU().brIf('leDone');
          c.get(le).load8().i32(NL).eq().brIf('leDone');
          c.get(le).i32(1).add().set(le).br('leLoop');
          c.end().end();
          c.i32(OUT).get(n).i32(3).shl().add().tee(i).get(ls).store(0);
          c.get(i).get(le).store(4);
          c.get(n).i32(1).add().set(n);
          c.get(le).i32(1).add().set(p);
          c.get(n).i32(OUT_CAP).geU().if().i32(RESUME).get(p).store(0).get(n).return().end();
          c.br('main');
        }
        c.end();
      }
      c.end().end();
      c.get(e).i32(1).add().set(e);
      c.get(cnt).i32(1).sub().set(cnt).br('entLoop');
      c.end().end();
      c.br('bitsLoop');
      c.end().end();
    }
    c.end();
    c.br('lanesLoop');
    c.end().end();
  }
  c.end();
  c.get(p).i32(32).add().set(p).br('main');
  c.end().end();
  c.get(n);
  return c;
}

const moduleCache = new Map<string, object>();

function kernelModule(f: number, pages: number): object {
  const key = `${f}/${pages}`;
  let mod = moduleCache.get(key);
  if (!mod) {
    const bytes = buildModule([
      { name: 'count', params: ['i32', 'i32'], results: ['i32'], locals: ['i32', 'i32', 'v128', 'v128'], code: countFunction() },
      {
        name: 'find',
        params: ['i32', 'i32'],
        results: ['i32'],
        locals: [...new Array<'i32'>(16).fill('i32'), ...new Array<'v128'>(10).fill('v128')],
        code: findFunction(f),
      },
    ], pages);
    if (!wasm) throw new Error('no WebAssembly in this runtime');
    mod = new wasm.Module(bytes);
    moduleCache.set(key, mod);
  }
  return mod;
}

/** Bucket plans tuned in this thread, by fingerprint length and needles. */
const tunedPlans = new Map<string, BucketPlan>();

class SimdKernel implements CandidateKernel {
  readonly buffer: Buffer;
  readonly simd = true;
  private readonly mem: Buffer;
  private readonly words: Int32Array;
  private readonly count: (ptr: number, end: number) => number;
  private readonly find: (ptr: number, end: number) => number;

  constructor(private readonly needles: readonly Buffer[], private readonly f: number, windowBytes: number) {
    const pages = Math.ceil((DATA + windowBytes + SLACK) / PAGE);
    if (!wasm) throw new Error('no WebAssembly in this runtime');
    const memory = new wasm.Memory({ initial: pages, maximum: pages });
    const inst = new wasm.Instance(kernelModule(f, pages), { env: { memory } });
    this.count = inst.exports.count as (ptr: number, end: number) => number;
    this.find = inst.exports.find as (ptr: number, end: number) => number;
    this.mem = Buffer.from(memory.buffer);
    this.words = new Int32Array(memory.buffer);
    this.buffer = Buffer.from(memory.buffer, DATA, windowBytes);
    this.load(planBuckets(needles, f, null));
  }

  /** Writes the needle tables of a bucket plan. */
  private load(plan: BucketPlan): void {
    const mem = this.mem;
    const fpOffsets = plan.offsets;
    mem.fill(0, 0, NEEDLE_BYTES);
    const buckets: number[][] = Array.from({ length: 8 }, (_, b) => plan.buckets[b] ?? []);
    let entry = 0;
    let bytesAt = NEEDLE_BYTES;
    const placed = new Map<number, number>();
    for (let b = 0; b < 8; b++) {
      this.words[(BUCKETS >> 2) + b * 2] = entry;
      this.words[(BUCKETS >> 2) + b * 2 + 1] = buckets[b].length;
      for (const idx of buckets[b]) {
        const nd = this.needles[idx];
        let at = placed.get(idx);
        if (at === undefined) {
          at = bytesAt;
          nd.copy(mem, at);
          bytesAt += nd.length;
          placed.set(idx, at);
        }
        const w = (ENTRIES >> 2) + entry * 4;
        this.words[w] = at;
        this.words[w + 1] = nd.length;
        this.words[w + 2] = fpOffsets[idx];
        entry++;
        for (let j = 0; j < this.f; j++) {
          const byte = nd[fpOffsets[idx] + j];
          mem[TABLES + 32 * j + (byte & 15)] |= 1 << b;
          mem[TABLES + 32 * j + 16 + (byte >> 4)] |= 1 << b;
        }
      }
    }
    // Unused fingerprint positions accept every byte.
    for (let j = this.f; j < 3; j++) mem.fill(0xff, TABLES + 32 * j, TABLES + 32 * j + 32);
  }

  tune(from: number, to: number): void {
    if (to - from < 1024) return;
    // One sample per thread and needle set: the jobs of a scan are parts of the same logs, and
    // counting a sample and choosing fingerprints again for every 32 MiB job cost milliseconds each.
    const key = `${this.f}\0${this.needles.map((n) => n.toString('latin1')).join('\0')}`;
    let plan = tunedPlans.get(key);
    if (!plan) {
      plan = planBuckets(this.needles, this.f, gramCounts(this.buffer, from, Math.min(to, from + 64 * 1024), this.f));
      if (tunedPlans.size >= 16) tunedPlans.clear();
      tunedPlans.set(key, plan);
    }
    this.load(plan);
  }

  countNewlines(from: number, to: number): number {
    if (to <= from) return 0;
    return this.count(DATA + from, DATA + to);
  }

  forEachCandidate(from: number, limit: number, onLine: (start: number, end: number) => void): void {
    let ptr = DATA + from;
    const end = DATA + limit;
    while (ptr < end) {
      const n = this.find(ptr, end);
      const w = this.words;
      for (let h = 0; h < n; h++) onLine(w[(OUT >> 2) + h * 2] - DATA, w[(OUT >> 2) + h * 2 + 1] - DATA);
      if (n < OUT_CAP) return;
      ptr = w[RESUME >> 2];
    }
  }
}

function needleBytes(needles: readonly Buffer[]): number {
  return needles.reduce((a, n) => a + n.length, 0);
}

let simdUnavailable = false;

/**
 * Two bytes: measured on a cPanel-like mail log, the third byte's two extra table lookups per
 * position cost more than the false candidates it saves.
 */
const DEFAULT_FINGERPRINT = 2;

/**
 * A kernel for these needles with a buffer of `windowBytes`. The SIMD kernel is used unless
 * `opts.simd` is false, WebAssembly SIMD is missing, or the needles do not fit its tables (empty
 * needles, more than 256, over 60 KiB in all, or a needle holding a newline).
 */
export function createCandidateKernel(needles: readonly Buffer[], windowBytes: number, opts: { simd?: boolean; fingerprintBytes?: 1 | 2 | 3 } = {}): CandidateKernel {
  const fits = needles.length > 0 && needles.length <= MAX_ENTRIES && needles.every((n) => n.length > 0 && !n.includes(NL))
    && needleBytes(needles) <= NEEDLE_BYTES_END - NEEDLE_BYTES && windowBytes <= 1024 * 1024 * 1024;
  if (opts.simd !== false && fits && !simdUnavailable) {
    const f = Math.min(opts.fingerprintBytes ?? DEFAULT_FINGERPRINT, ...needles.map((n) => n.length));
    try {
      return new SimdKernel(needles, f, windowBytes);
    } catch {
      simdUnavailable = true; // no SIMD in this runtime (or no WebAssembly): use the JS kernel from now on
    }
  }
  return new JsKernel(needles, windowBytes);
}
