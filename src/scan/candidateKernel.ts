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

/** The `f` bytes (at most 3) of a needle at `off` as one number, the first byte highest. */
function gramKey(n: Buffer, off: number, f: number): number {
  let k = 0;
  for (let j = 0; j < f; j++) k = k * 256 + n[off + j];
  return k;
}

/**
 * Occurrences of each (hashed) gram of length `f` in a sample: the reference for the SIMD kernel's
 * own count (gramsFunction), which the tests hold to it.
 */
export function gramCounts(buf: Buffer, from: number, to: number, f: number): Uint32Array {
  const counts = new Uint32Array(65536);
  if (to - from < f) return counts;
  // gramHash(x, y, z) of the gram at i: (buf[i], buf[i + 1], buf[i + 2]), with 0 past the gram's length
  if (f === 3) {
    let x = buf[from];
    let y = buf[from + 1];
    for (let i = from + 2; i < to; i++) {
      const z = buf[i];
      counts[((x * 251 + y) * 251 + z) & 0xffff]++;
      x = y;
      y = z;
    }
  } else if (f === 2) {
    let x = buf[from];
    for (let i = from + 1; i < to; i++) {
      const y = buf[i];
      counts[((x * 251 + y) * 251) & 0xffff]++;
      x = y;
    }
  } else {
    for (let i = from; i < to; i++) counts[(buf[i] * 251 * 251) & 0xffff]++;
  }
  return counts;
}

/**
 * For each needle, the offset of its `f`-byte fingerprint. Needles that share a fingerprint share a
 * bucket of the SIMD tables, and there are 8 buckets, so this is a small set cover: greedily take the
 * fingerprint with the fewest sample occurrences per needle it covers ("Log" covers "Login: ",
 * "Logged in: " and "Login user="), until every needle is covered.
 *
 * Each thread plans once, on its first job, before it reads anything: the grams are kept in flat
 * arrays and the needles each still covers are counted as they go, so that planning the witnesses
 * of a relay list (a hundred needles, hundreds of grams) takes a fraction of a millisecond rather
 * than a good part of the first job.
 */
export function chooseFingerprints(needles: readonly Buffer[], f: number, counts: Uint32Array | null): number[] {
  // The grams in the order they first occur (needle by needle), each with the needles holding it
  // and where (its first place in each). A gram is known by its bytes as a big-endian number
  // (gramKey), which orders grams of one length as their text does.
  const ids = new Map<number, number>();
  const texts: number[] = [];
  const gramCount: number[] = [];
  const rarity: number[] = [];
  const atNeedle: number[][] = [];
  const atOffset: number[][] = [];
  /** per needle, the grams it holds */
  const gramsOf: number[][] = needles.map(() => []);
  needles.forEach((n, idx) => {
    for (let off = 0; off + f <= n.length; off++) {
      const text = gramKey(n, off, f);
      let g = ids.get(text);
      if (g === undefined) {
        g = texts.length;
        ids.set(text, g);
        let r = 0;
        for (let j = 0; j < f; j++) r += staticRarity(n[off + j]);
        texts.push(text);
        gramCount.push(counts ? counts[gramHash(n[off], f > 1 ? n[off + 1] : 0, f > 2 ? n[off + 2] : 0)] : 0);
        rarity.push(r);
        atNeedle.push([]);
        atOffset.push([]);
      }
      const list = atNeedle[g];
      if (list.length > 0 && list[list.length - 1] === idx) continue; // a needle's first place only
      list.push(idx);
      atOffset[g].push(off);
      gramsOf[idx].push(g);
    }
  });
  /** per gram, the needles it holds that no chosen gram covers yet */
  const covers = new Int32Array(texts.length);
  for (let g = 0; g < texts.length; g++) covers[g] = atNeedle[g].length;
  const covered = new Uint8Array(needles.length);
  const offsets = new Array<number>(needles.length).fill(0);
  let left = needles.length;
  while (left > 0) {
    let best = -1;
    let bestScore = Infinity;
    for (let g = 0; g < texts.length; g++) {
      const c = covers[g];
      if (c === 0) continue;
      const score = (gramCount[g] + 1) / c;
      if (best < 0 || score < bestScore || (score === bestScore && (rarity[g] > rarity[best] || (rarity[g] === rarity[best] && texts[g] < texts[best])))) {
        best = g;
        bestScore = score;
      }
    }
    if (best < 0) break; // cannot happen: every needle has at least one gram
    const list = atNeedle[best];
    for (let k = 0; k < list.length; k++) {
      const idx = list[k];
      if (covered[idx]) continue;
      covered[idx] = 1;
      offsets[idx] = atOffset[best][k];
      left--;
      for (const g of gramsOf[idx]) covers[g]--;
    }
  }
  return offsets;
}

/** Nibble combinations above this are estimated, not counted (see groupCost). */
const EXACT_COST_MAX = 64;

function popcount16(x: number): number {
  let n = 0;
  for (let v = x; v !== 0; v &= v - 1) n++;
  return n;
}

/** The bytes a bucket accepts at each fingerprint position (groupCost's scratch, reused). */
const acceptedBytes = new Int32Array(3 * 256);

/**
 * Fills acceptedBytes[256 * j ...] with the bytes whose nibbles are in lo and hi, in ascending order;
 * returns how many. Visits the set bits only: planning calls this thousands of times, mostly before
 * the JIT has compiled it.
 */
function acceptedAt(j: number, lo: number, hi: number): number {
  let n = 0;
  for (let hs = hi; hs !== 0; hs &= hs - 1) {
    const h = 31 - Math.clz32(hs & -hs);
    for (let ls = lo; ls !== 0; ls &= ls - 1) acceptedBytes[256 * j + n++] = (h << 4) | (31 - Math.clz32(ls & -ls));
  }
  return n;
}

/**
 * Sample occurrences of everything a bucket lets through: every combination of the nibbles its grams
 * have at each position. Counted exactly while there are few combinations; beyond that (a bucket of
 * many 3-byte grams, as the case variants of IP witnesses make) estimated as the grams' own
 * occurrences scaled by the combinations per gram: counting them all made planning a scan for IPs
 * cost some 250 ms per thread.
 */
function groupCost(lo: ArrayLike<number>, hi: ArrayLike<number>, at: number, grams: number, own: number, f: number, counts: Uint32Array | null): number {
  if (!counts) return grams;
  let combos = 1;
  for (let j = 0; j < f; j++) combos *= popcount16(lo[at + j]) * popcount16(hi[at + j]);
  if (combos > EXACT_COST_MAX) return (own * combos) / grams;
  const n0 = acceptedAt(0, lo[at], hi[at]);
  const n1 = f > 1 ? acceptedAt(1, lo[at + 1], hi[at + 1]) : 1;
  const n2 = f > 2 ? acceptedAt(2, lo[at + 2], hi[at + 2]) : 1;
  let sum = 0;
  for (let a = 0; a < n0; a++) {
    const b0 = acceptedBytes[a];
    for (let b = 0; b < n1; b++) {
      const b1 = f > 1 ? acceptedBytes[256 + b] : 0;
      for (let c = 0; c < n2; c++) sum += counts[gramHash(b0, b1, f > 2 ? acceptedBytes[512 + c] : 0)];
    }
  }
  return sum;
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
 *
 * A group is a bucket in the making: its nibble masks per position, the sample occurrences of its
 * grams, and its cost, in flat arrays by group number (a merge makes a new number). The cost of each
 * pair's merge is computed once: a merge changes only the new group's pairs.
 */
export function planBuckets(needles: readonly Buffer[], f: number, counts: Uint32Array | null): BucketPlan {
  const offsets = chooseFingerprints(needles, f, counts);
  const byGram = new Map<number, number[]>();
  needles.forEach((n, idx) => {
    const g = gramKey(n, offsets[idx], f);
    const list = byGram.get(g);
    if (list) list.push(idx);
    else byGram.set(g, [idx]);
  });
  const first = byGram.size;
  const max = Math.max(1, 2 * first);
  const lo = new Int32Array(max * 3);
  const hi = new Int32Array(max * 3);
  const grams = new Int32Array(max);
  const own = new Float64Array(max);
  const cost = new Float64Array(max);
  const members: number[][] = [];
  let made = 0;
  for (const [gram, idx] of byGram) {
    const b = [0, 0, 0];
    for (let j = 0; j < f; j++) {
      b[j] = (gram >> (8 * (f - 1 - j))) & 255;
      lo[made * 3 + j] = 1 << (b[j] & 15);
      hi[made * 3 + j] = 1 << (b[j] >> 4);
    }
    grams[made] = 1;
    own[made] = (counts ? counts[gramHash(b[0], b[1], b[2])] : 0) + 1;
    cost[made] = groupCost(lo, hi, made * 3, 1, own[made], f, counts);
    members.push(idx);
    made++;
  }
  const pairCost = new Float64Array(max * max).fill(NaN);
  const mergedLo = new Int32Array(3);
  const mergedHi = new Int32Array(3);
  const costOf = (x: number, y: number): number => {
    let c = pairCost[x * max + y];
    if (c !== c) {
      for (let j = 0; j < f; j++) {
        mergedLo[j] = lo[x * 3 + j] | lo[y * 3 + j];
        mergedHi[j] = hi[x * 3 + j] | hi[y * 3 + j];
      }
      c = groupCost(mergedLo, mergedHi, 0, grams[x] + grams[y], own[x] + own[y], f, counts);
      pairCost[x * max + y] = c;
    }
    return c;
  };
  let groups = Array.from({ length: first }, (_, k) => k);
  while (groups.length > 8) {
    let bi = 0;
    let bj = 1;
    let bestDelta = Infinity;
    for (let i = 0; i < groups.length; i++) {
      const x = groups[i];
      for (let j = i + 1; j < groups.length; j++) {
        const y = groups[j];
        const delta = costOf(x, y) - cost[x] - cost[y];
        if (delta < bestDelta) {
          bestDelta = delta;
          bi = i;
          bj = j;
        }
      }
    }
    const x = groups[bi];
    const y = groups[bj];
    const m = made++;
    for (let j = 0; j < f; j++) {
      lo[m * 3 + j] = lo[x * 3 + j] | lo[y * 3 + j];
      hi[m * 3 + j] = hi[x * 3 + j] | hi[y * 3 + j];
    }
    grams[m] = grams[x] + grams[y];
    own[m] = own[x] + own[y];
    cost[m] = costOf(x, y);
    members.push([...members[x], ...members[y]]);
    groups = groups.filter((_, k) => k !== bi && k !== bj);
    groups.push(m);
  }
  return { offsets, buckets: groups.map((g) => members[g]) };
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
/** the sample's gram counts (tune), one i32 per gramHash value, in the pages after the window */
const GRAM_TABLE_BYTES = 65536 * 4;

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

/**
 * grams(ptr, end, table): adds 1 to the i32 at table + 4 * gramHash of every `f`-byte gram that
 * starts in memory[ptr, end - f]. The sample a thread plans from is counted here rather than in
 * JavaScript: it runs once per thread, before the JIT has compiled anything, where a loop over 64 KiB
 * cost some 3 ms in the interpreter and costs a tenth of a millisecond compiled.
 */
function gramsFunction(f: number): Code {
  const [ptr, end, table, last] = [0, 1, 2, 3];
  const c = new Code();
  c.get(end).i32(f).sub().set(last);
  c.block('done').loop('next');
  c.get(ptr).get(last).gtU().brIf('done');
  // gramHash(b0, b1, b2) = ((b0 * 251 + b1) * 251 + b2) & 0xffff, with 0 for bytes past the gram
  c.get(ptr).load8(0);
  for (let j = 1; j < 3; j++) {
    c.i32(251).mul();
    if (j < f) c.get(ptr).load8(j).add();
  }
  c.i32(0xffff).and().i32(2).shl().get(table).add().tee(last + 1);
  c.get(last + 1).load(0).i32(1).add().store(0);
  c.get(ptr).i32(1).add().set(ptr).br('next');
  c.end().end();
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
      { name: 'grams', params: ['i32', 'i32', 'i32'], results: [], locals: ['i32', 'i32'], code: gramsFunction(f) },
    ], pages);
    if (!wasm) throw new Error('no WebAssembly in this runtime');
    mod = new wasm.Module(bytes);
    moduleCache.set(key, mod);
  }
  return mod;
}

/** A compiled kernel module, by its key (fingerprint length and memory pages), as handed to a scan worker. */
export type CompiledKernels = Array<[string, object]>;

/** The kernel modules this thread has compiled, for a scan worker's next job (adoptCompiledKernels). */
export function compiledKernelsMade(): CompiledKernels {
  return [...moduleCache];
}

/**
 * Takes the kernel modules another thread compiled (a WebAssembly.Module crosses postMessage as
 * compiled code): a scan worker's first job then makes its kernel without generating and compiling
 * the module again (some 3 ms of CPU before it reads a byte), and runs the code the main thread has
 * already optimized.
 */
export function adoptCompiledKernels(modules: CompiledKernels): void {
  for (const [key, mod] of modules) if (!moduleCache.has(key)) moduleCache.set(key, mod);
}

/** Bucket plans tuned in this thread, by fingerprint length and needles. */
const tunedPlans = new Map<string, BucketPlan>();

/** Plans by fingerprint length and needles, as one thread hands them to another. */
export type TunedPlans = Array<[string, BucketPlan]>;

function keepPlan(key: string, plan: BucketPlan): void {
  if (tunedPlans.size >= 16) tunedPlans.clear();
  tunedPlans.set(key, plan);
}

/** The plans this thread has tuned, for a scan worker's next job (adoptTunedPlans). */
export function tunedPlansMade(): TunedPlans {
  return [...tunedPlans];
}

/**
 * Takes the plans another thread tuned on the same logs: a scan worker's first job then searches at
 * once instead of sampling and planning again (some 8 ms of CPU). The plan only makes the search
 * faster or slower: every plan finds the same lines.
 */
export function adoptTunedPlans(plans: TunedPlans): void {
  for (const [key, plan] of plans) if (!tunedPlans.has(key)) keepPlan(key, plan);
}

class SimdKernel implements CandidateKernel {
  readonly buffer: Buffer;
  readonly simd = true;
  private readonly mem: Buffer;
  private readonly words: Int32Array;
  private readonly count: (ptr: number, end: number) => number;
  private readonly find: (ptr: number, end: number) => number;
  private readonly grams: (ptr: number, end: number, table: number) => void;
  /** where the gram counts of a sample go */
  private readonly gramTable: number;

  constructor(private readonly needles: readonly Buffer[], private readonly f: number, windowBytes: number) {
    this.gramTable = Math.ceil((DATA + windowBytes + SLACK) / PAGE) * PAGE;
    const pages = (this.gramTable + GRAM_TABLE_BYTES) / PAGE;
    if (!wasm) throw new Error('no WebAssembly in this runtime');
    const memory = new wasm.Memory({ initial: pages, maximum: pages });
    const inst = new wasm.Instance(kernelModule(f, pages), { env: { memory } });
    this.count = inst.exports.count as (ptr: number, end: number) => number;
    this.find = inst.exports.find as (ptr: number, end: number) => number;
    this.grams = inst.exports.grams as (ptr: number, end: number, table: number) => void;
    this.mem = Buffer.from(memory.buffer);
    this.words = new Int32Array(memory.buffer);
    this.buffer = Buffer.from(memory.buffer, DATA, windowBytes);
  }

  /**
   * Whether the tables hold a plan. A scan tunes the kernel on its first read (tune), so the plan
   * made without a sample is made only when a search comes first (input smaller than a sample).
   */
  private planned = false;

  /** Writes the needle tables of a bucket plan. */
  private load(plan: BucketPlan): void {
    this.planned = true;
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
    // Each needle with its length: no two needle sets share a key (a plan is also handed between
    // threads, tunedPlansMade), whatever bytes they hold.
    const key = `${this.f}|${this.needles.map((n) => `${n.length}:${n.toString('latin1')}`).join('|')}`;
    let plan = tunedPlans.get(key);
    if (!plan) {
      plan = planBuckets(this.needles, this.f, this.gramCounts(from, Math.min(to, from + 64 * 1024)));
      keepPlan(key, plan);
    }
    this.load(plan);
  }

  /** gramCounts(buffer, from, to, f), counted by the module into its own memory (valid until the next call) */
  gramCounts(from: number, to: number): Uint32Array {
    const counts = new Uint32Array(this.mem.buffer, this.gramTable, GRAM_TABLE_BYTES / 4);
    counts.fill(0);
    if (to - from >= this.f) this.grams(DATA + from, DATA + to, this.gramTable);
    return counts;
  }

  countNewlines(from: number, to: number): number {
    if (to <= from) return 0;
    return this.count(DATA + from, DATA + to);
  }

  forEachCandidate(from: number, limit: number, onLine: (start: number, end: number) => void): void {
    if (!this.planned) this.load(planBuckets(this.needles, this.f, null));
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
