/**
 * Streams a log file (plain or gzip) in large chunks and hands the caller only the lines that contain
 * one of the needles, with their 1-based line number and byte offset. Memory stays bounded by the
 * chunk size plus the longest line, whatever the file size.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { candidateLines, countNewlines } from '../parsers/candidateLines';
import { Host } from './host';

export interface CandidateLine {
  text: string;
  /** 1-based */
  line: number;
  /** byte offset of the line start (in the decompressed stream for .gz files) */
  offset: number;
}

export interface ScanOptions {
  needles: readonly string[];
  /** where to start reading in a plain file (bytes); the caller must pass a line boundary */
  startOffset?: number;
  /** line number of the line at startOffset */
  startLine?: number;
  /** stop at this byte of a plain file (what was there when the scan began) */
  endOffset?: number;
  gz?: boolean;
  chunkSize?: number;
  /** lines longer than this are skipped (counted, not matched): protects memory from a hostile line */
  maxLineBytes?: number;
  /** treat an unterminated last line as complete (rotated files); a live file's may be half written */
  includePartialLastLine?: boolean;
  onLine: (c: CandidateLine) => void;
  onProgress?: (bytesRead: number) => void;
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

const DEFAULT_CHUNK = 4 * 1024 * 1024;
const DEFAULT_MAX_LINE = 1024 * 1024;

export async function scanLines(host: Host, hostPath: string, opts: ScanOptions): Promise<ScanResult> {
  const start = opts.gz ? 0 : (opts.startOffset ?? 0);
  const raw = host.openReadStream(hostPath, {
    start,
    ...(opts.endOffset !== undefined && !opts.gz ? { end: opts.endOffset - 1 } : {}),
    highWaterMark: opts.chunkSize ?? DEFAULT_CHUNK,
  });
  return scanStream(raw, { ...opts, startOffset: start });
}

/** Scans any readable byte stream (a file, standard input); gunzips it when opts.gz. */
export async function scanStream(raw: Readable, opts: ScanOptions): Promise<ScanResult> {
  const needles = opts.needles.map((n) => Buffer.from(n, 'latin1'));
  const maxLine = opts.maxLineBytes ?? DEFAULT_MAX_LINE;
  const start = opts.gz ? 0 : (opts.startOffset ?? 0);
  const source: NodeJS.ReadableStream = opts.gz ? raw.pipe(zlib.createGunzip({ chunkSize: 256 * 1024 })) : raw;
  let rawBytes = 0;
  raw.on('data', (c: Buffer) => {
    rawBytes += c.length;
    opts.onProgress?.(rawBytes);
  });

  let carry: Buffer | null = null;
  let carryOffset = start; // stream offset of carry[0]
  let line = (opts.startLine ?? 1) - 1; // complete lines seen so far
  let skippingLongLine = false;
  let longLinesSkipped = 0;

  const consume = (chunk: Buffer): void => {
    let buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    let bufOffset = carry ? carryOffset : carryOffset;
    carry = null;
    if (skippingLongLine) {
      const nl = buf.indexOf(0x0a);
      if (nl === -1) {
        carryOffset = bufOffset + buf.length;
        return;
      }
      skippingLongLine = false;
      line++;
      buf = buf.subarray(nl + 1);
      bufOffset += nl + 1;
    }
    const lastNl = buf.lastIndexOf(0x0a);
    const limit = lastNl + 1;
    if (limit > 0) {
      let counted = 0;
      let lineAtCounted = line;
      for (const span of candidateLines(buf, needles, limit)) {
        if (span.end - span.start > maxLine) continue;
        lineAtCounted += countNewlines(buf, counted, span.start);
        counted = span.start;
        opts.onLine({ text: buf.toString('utf8', span.start, span.end).replace(/\r$/, ''), line: lineAtCounted + 1, offset: bufOffset + span.start });
      }
      line = lineAtCounted + countNewlines(buf, counted, limit);
    }
    const rest = buf.subarray(limit);
    if (rest.length > maxLine) {
      skippingLongLine = true;
      longLinesSkipped++;
      carryOffset = bufOffset + buf.length;
    } else if (rest.length > 0) {
      carry = Buffer.from(rest);
      carryOffset = bufOffset + limit;
    } else {
      carryOffset = bufOffset + limit;
    }
  };

  await new Promise<void>((resolve, reject) => {
    source.on('data', (c: Buffer) => {
      try {
        consume(c);
      } catch (e) {
        reject(e);
      }
    });
    source.on('end', () => resolve());
    source.on('error', reject);
    raw.on('error', reject);
  });

  let partial = carry as Buffer | null;
  if (partial && opts.includePartialLastLine) {
    consume(Buffer.from('\n'));
    partial = null;
  }
  const partialBytes = partial ? partial.length : 0;
  return {
    bytesRead: rawBytes,
    endOffset: carryOffset,
    lines: line,
    partialBytes,
    longLinesSkipped,
  };
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
