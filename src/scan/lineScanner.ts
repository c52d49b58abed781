/**
 * Streams a log file (plain or gzip) and hands the caller only the lines that contain one of the
 * needles, with their 1-based line number and byte offset. Memory stays bounded by the read size
 * plus the longest line, whatever the file size.
 *
 * Where the time goes (the README's Performance section): reading is done with synchronous reads of 128 KiB into
 * one reused window, so the bytes are still in the CPU cache when the SIMD kernel of
 * scan/candidateKernel.ts searches them for all needles at once and counts their newlines; only
 * candidate lines are decoded to strings. The unfinished last line is moved to the front of the
 * window (a copy of one line, not of the chunk), and the event loop gets a turn every few MiB.
 */
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { CandidateKernel, createCandidateKernel } from './candidateKernel';
import { Host } from '../host/host';

export interface CandidateLine {
  text: string;
  /** 1-based */
  line: number;
  /** byte offset of the line start (in the decompressed stream for .gz files) */
  offset: number;
}

export interface ScanOptions {
  needles: readonly string[];
  /**
   * where to start (bytes; the caller must pass a line boundary). For .gz files this is an offset
   * in the decompressed data: the bytes before it are decompressed and passed over.
   */
  startOffset?: number;
  /** line number of the line at startOffset */
  startLine?: number;
  /** stop at this byte of a plain file (what was there when the scan began) */
  endOffset?: number;
  gz?: boolean;
  /** bytes per read (default 128 KiB: small enough to stay in the CPU cache while searched) */
  chunkSize?: number;
  /** lines longer than this are skipped (counted, not matched): protects memory from a hostile line */
  maxLineBytes?: number;
  /** treat an unterminated last line as complete (rotated files); a live file's may be half written */
  includePartialLastLine?: boolean;
  onLine: (c: CandidateLine) => void;
  /**
   * A cheap test on a candidate line's bytes before it is decoded: false skips it (a scan that
   * wants a few IPs only, see parsers/ipTextFilter.ts).
   */
  lineFilter?: (buf: Buffer, start: number, end: number) => boolean;
  onProgress?: (bytesRead: number) => void;
  /** false forces the JS kernel (tests compare the two) */
  simd?: boolean;
  /**
   * bytes of each needle's fingerprint in the SIMD kernel (default 2); 3 for needles made of
   * digits and dots (IP addresses), whose 2-byte pieces are everywhere in a log
   */
  fingerprintBytes?: 1 | 2 | 3;
}

export interface ScanResult {
  /** bytes consumed from the file (compressed bytes for .gz) */
  bytesRead: number;
  /** offset just after the last complete line (decompressed for .gz) */
  endOffset: number;
  /** number of complete lines seen, including those before startOffset */
  lines: number;
  /** bytes of an unterminated last line, left for the next run */
  partialBytes: number;
  longLinesSkipped: number;
}

const DEFAULT_CHUNK = 128 * 1024;
const DEFAULT_MAX_LINE = 1024 * 1024;
/** give the event loop a turn after this many bytes (a daemon keeps answering while it scans) */
const YIELD_EVERY = 8 * 1024 * 1024;
/**
 * ... or after this long reading a plain file: a scan worker that has just loaded its code gets its
 * first job on the main thread's next turn, and a thread's first megabytes are its slowest (the
 * kernel is planned and compiled, the parsers are not yet optimized): 8 MiB took 30 ms there, while
 * the worker waited.
 */
const YIELD_AFTER_MS = 2;
const NL = 0x0a;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The window bytes are read into: the unfinished line first, then fresh data. Each commit() searches
 * the complete lines and keeps the unfinished one for the next.
 */
class LineWindow {
  readonly buf: Buffer;
  private used = 0;
  /** stream offset of buf[0] */
  private bufOffset: number;
  /** complete lines before buf[0] */
  private line: number;
  /** inside a line longer than maxLine: drop bytes until its newline */
  private skipping = false;
  private skipStart = 0;
  private tuned = false;
  longLinesSkipped = 0;

  constructor(
    readonly kernel: CandidateKernel,
    private readonly chunk: number,
    private readonly maxLine: number,
    startOffset: number,
    startLine: number,
    private readonly onLine: (c: CandidateLine) => void,
    private readonly lineFilter: ((buf: Buffer, start: number, end: number) => boolean) | undefined,
  ) {
    this.buf = this.kernel.buffer;
    this.bufOffset = startOffset;
    this.line = startLine - 1;
  }

  /** Where to write the next bytes, and how many fit. */
  get writeAt(): number {
    return this.used;
  }

  get room(): number {
    return Math.min(this.chunk, this.buf.length - this.used);
  }

  /** n bytes were written at writeAt. */
  commit(n: number): void {
    if (n <= 0) return;
    this.used += n;
    if (!this.tuned && this.used >= Math.min(this.chunk, 64 * 1024)) {
      this.kernel.tune(0, this.used);
      this.tuned = true;
    }
    this.process(false);
  }

  private process(final: boolean): void {
    const buf = this.buf;
    let from = 0;
    if (this.skipping) {
      const nl = buf.subarray(0, this.used).indexOf(NL);
      if (nl === -1) {
        this.drop(this.used);
        return;
      }
      this.skipping = false;
      this.line++;
      from = nl + 1;
    }
    const limit = final ? this.used : buf.lastIndexOf(NL, this.used - 1) + 1;
    if (limit > from) this.search(from, limit, final);
    else if (final) return;
    const start = Math.max(limit, from);
    const rest = this.used - start;
    if (!final && rest > this.maxLine) {
      this.skipping = true;
      this.skipStart = this.bufOffset + start;
      this.longLinesSkipped++;
      this.drop(this.used);
      return;
    }
    this.drop(start);
  }

  private search(from: number, limit: number, final: boolean): void {
    const k = this.kernel;
    const buf = this.buf;
    let counted = from;
    let line = this.line;
    k.forEachCandidate(from, limit, (s, e) => {
      if (e - s > this.maxLine) return;
      // Lines are counted up to the candidates that pass the filter only: one kernel call per line
      // handed on rather than per candidate (a dense log has a candidate every few lines).
      if (this.lineFilter && !this.lineFilter(buf, s, e)) return;
      line += k.countNewlines(counted, s);
      counted = s;
      let end = e;
      if (end > s && buf[end - 1] === 0x0d) end--;
      this.onLine({ text: buf.toString('utf8', s, end), line: line + 1, offset: this.bufOffset + s });
    });
    line += k.countNewlines(counted, limit);
    if (final && limit > 0 && buf[limit - 1] !== NL) line++; // the unterminated last line, taken as complete
    this.line = line;
  }

  /** Forgets buf[0, n), keeping the rest at the front. */
  private drop(n: number): void {
    if (n <= 0) return;
    if (n < this.used) this.buf.copyWithin(0, n, this.used);
    this.used -= n;
    this.bufOffset += n;
  }

  /** The end of input: returns the result fields that depend on the window. */
  finish(includePartialLastLine: boolean): Pick<ScanResult, 'endOffset' | 'lines' | 'partialBytes' | 'longLinesSkipped'> {
    if (includePartialLastLine) {
      if (this.skipping) {
        this.skipping = false;
        this.line++;
      } else if (this.used > 0) {
        if (this.used <= this.maxLine) this.process(true);
        else this.line++;
        this.drop(this.used);
      }
    }
    const partialStart = this.skipping ? this.skipStart : this.bufOffset;
    const streamEnd = this.bufOffset + this.used;
    return { endOffset: partialStart, lines: this.line, partialBytes: streamEnd - partialStart, longLinesSkipped: this.longLinesSkipped };
  }
}

/**
 * Kernels not in use, by needles, window size and kind: a thread that scans job after job (32 MiB
 * each) reuses one instead of making a WebAssembly memory and instance for every job.
 */
const idleKernels = new Map<string, CandidateKernel[]>();
const IDLE_KERNELS_MAX = 4;

function windowFor(opts: ScanOptions, startOffset: number): { window: LineWindow; release(): void } {
  const chunk = opts.chunkSize ?? DEFAULT_CHUNK;
  const maxLine = opts.maxLineBytes ?? DEFAULT_MAX_LINE;
  const windowBytes = chunk + maxLine + 1;
  const key = `${opts.simd ?? ''}|${opts.fingerprintBytes ?? ''}|${windowBytes}|${opts.needles.join('\0')}`;
  const kernel = idleKernels.get(key)?.pop() ?? createCandidateKernel(opts.needles.map((n) => Buffer.from(n, 'latin1')), windowBytes, { simd: opts.simd, fingerprintBytes: opts.fingerprintBytes });
  const window = new LineWindow(kernel, chunk, maxLine, startOffset, opts.startLine ?? 1, opts.onLine, opts.lineFilter);
  return {
    window,
    release: () => {
      let list = idleKernels.get(key);
      if (!list) {
        if (idleKernels.size >= IDLE_KERNELS_MAX) idleKernels.clear();
        idleKernels.set(key, (list = []));
      }
      if (list.length < 2) list.push(kernel);
    },
  };
}

/** Reads a plain file with synchronous reads into the window (no stream, no per-chunk allocation). */
async function scanPlainFile(realPath: string, opts: ScanOptions): Promise<ScanResult> {
  const start = opts.startOffset ?? 0;
  const { window: w, release } = windowFor(opts, start);
  try {
    return await readPlainFile(realPath, opts, w, start);
  } finally {
    release();
  }
}

async function readPlainFile(realPath: string, opts: ScanOptions, w: LineWindow, start: number): Promise<ScanResult> {
  const fd = fs.openSync(realPath, 'r');
  let pos = start;
  let bytesRead = 0;
  let sinceYield = 0;
  let lastYield = performance.now();
  try {
    const end = opts.endOffset ?? Infinity;
    while (pos < end) {
      const want = Math.min(w.room, end - pos);
      const n = fs.readSync(fd, w.buf, w.writeAt, want, pos);
      if (n === 0) break;
      pos += n;
      bytesRead += n;
      w.commit(n);
      opts.onProgress?.(bytesRead);
      sinceYield += n;
      if (sinceYield >= YIELD_EVERY || performance.now() - lastYield >= YIELD_AFTER_MS) {
        sinceYield = 0;
        await yieldToEventLoop();
        lastYield = performance.now();
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return { bytesRead, ...w.finish(opts.includePartialLastLine === true) };
}

/** Feeds a stream of buffers (decompressed data, standard input) through the window. */
async function scanChunks(source: AsyncIterable<Buffer>, opts: ScanOptions, countRaw: () => number): Promise<ScanResult> {
  const skip = opts.startOffset ?? 0;
  const { window: w, release } = windowFor(opts, skip);
  try {
    return await readChunks(source, opts, countRaw, w, skip);
  } finally {
    release();
  }
}

async function readChunks(source: AsyncIterable<Buffer>, opts: ScanOptions, countRaw: () => number, w: LineWindow, skip: number): Promise<ScanResult> {
  let toSkip = skip;
  let sinceYield = 0;
  for await (const chunk of source) {
    let at = 0;
    if (toSkip > 0) {
      at = Math.min(toSkip, chunk.length);
      toSkip -= at;
    }
    while (at < chunk.length) {
      const n = Math.min(w.room, chunk.length - at);
      chunk.copy(w.buf, w.writeAt, at, at + n);
      at += n;
      w.commit(n);
    }
    opts.onProgress?.(countRaw());
    sinceYield += chunk.length;
    if (sinceYield >= YIELD_EVERY) {
      sinceYield = 0;
      await yieldToEventLoop();
    }
  }
  if (toSkip > 0) {
    const e = new Error(`the data ends ${toSkip} bytes before the offset ${skip} to start at`) as NodeJS.ErrnoException;
    e.code = 'ESHORT';
    throw e;
  }
  return { bytesRead: countRaw(), ...w.finish(opts.includePartialLastLine === true) };
}

export async function scanLines(host: Host, hostPath: string, opts: ScanOptions): Promise<ScanResult> {
  const real = host.real(hostPath);
  if (!opts.gz) return scanPlainFile(real, opts);
  return scanStream(fs.createReadStream(real, { highWaterMark: 256 * 1024 }), opts);
}

/** Scans any readable byte stream (a file, standard input); gunzips it when opts.gz. */
export async function scanStream(raw: Readable, opts: ScanOptions): Promise<ScanResult> {
  if (!opts.gz) {
    let seen = 0;
    async function* counted(): AsyncGenerator<Buffer> {
      for await (const c of raw) {
        const b = typeof c === 'string' ? Buffer.from(c) : (c as Buffer);
        seen += b.length;
        yield b;
      }
    }
    return scanChunks(counted(), opts, () => seen);
  }
  let rawBytes = 0;
  raw.on('data', (c: Buffer) => {
    rawBytes += c.length;
  });
  // node:zlib is loaded for compressed logs only (a scan worker reading plain files never loads it)
  const gunzip = (require('node:zlib') as typeof import('node:zlib')).createGunzip({ chunkSize: 128 * 1024 });
  raw.on('error', (e) => gunzip.destroy(e));
  raw.pipe(gunzip);
  return scanChunks(gunzip, opts, () => rawBytes);
}

/**
 * The offset just after the first newline at or after `offset` in a plain file (before `limit`), or
 * null when there is none within 1 MiB: where a large file can be cut into independent parts.
 */
export function lineBoundaryAfter(host: Host, hostPath: string, offset: number, limit: number): number | null {
  const fd = fs.openSync(host.real(hostPath), 'r');
  try {
    const buf = Buffer.allocUnsafe(64 * 1024);
    for (let at = offset; at < limit && at < offset + 1024 * 1024;) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, limit - at), at);
      if (n <= 0) return null;
      const nl = buf.subarray(0, n).indexOf(NL);
      if (nl !== -1) return at + nl + 1;
      at += n;
    }
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

export function isGzipMagic(realPath: string): boolean {
  const fd = fs.openSync(realPath, 'r');
  try {
    const b = Buffer.alloc(2);
    fs.readSync(fd, b, 0, 2, 0);
    return b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    fs.closeSync(fd);
  }
}
