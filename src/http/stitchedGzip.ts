/**
 * Gzip for a kept page whose bytes differ per request only by short inserts (the CSP nonce): each
 * fixed part is compressed once, and a response is stitched together from those parts and the
 * inserts as uncompressed ("stored") DEFLATE blocks (RFC 1951 §3.2.4), inside one gzip member
 * (RFC 1952). Compressing a 64 KiB page costs about 0.5 ms per request; stitching costs the CRC-32
 * of the insert, combined with the kept CRC-32 of each part (crc32Combine) rather than computed
 * again over the whole page.
 *
 * Each part is compressed with a sync flush, so it ends on a byte boundary with no final block and
 * refers to nothing before it; any sequence of such parts and stored blocks, closed by an empty
 * final block, is a valid DEFLATE stream.
 */
import zlib from 'node:zlib';

export interface StitchedGzip {
  /** each fixed part, compressed */
  deflated: Buffer[];
  /** each fixed part as it is */
  plain: Buffer[];
  /** CRC-32 of each part, and the operator that moves a CRC-32 past it (crc32Shift) */
  crcs: number[];
  shifts: number[];
}

const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff]); // deflate, no name, no time, OS unknown
const FINAL_EMPTY_BLOCK = Buffer.from([0x01, 0x00, 0x00, 0xff, 0xff]);

/** Whether this Node has zlib.crc32 (Node 20.15 and later); without it pages go uncompressed. */
export const canStitchGzip = typeof (zlib as { crc32?: unknown }).crc32 === 'function';

const crc32 = (data: Buffer, value?: number): number => (zlib as unknown as { crc32(data: Buffer, value?: number): number }).crc32(data, value);

// CRC-32 combination as zlib does it (crc32_combine_gen and crc32_combine_op, zlib 1.2.12): the
// CRC-32 of A followed by B is shift(|B|) applied to crc(A), xor crc(B). A shift is multiplication
// by x^(8·|B|) modulo the CRC polynomial, in the reflected bit order CRC-32 uses.
const POLY = 0xedb88320;

/** a·b modulo the CRC-32 polynomial (reflected). */
function multModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** x^(2^n) modulo the polynomial, n = 0..31 */
const X2N: number[] = (() => {
  const t: number[] = [];
  let p = 0x40000000; // x^1
  for (let n = 0; n < 32; n++) {
    t.push(p);
    p = multModP(p, p);
  }
  return t;
})();

/** The operator that moves a CRC-32 past `bytes` more bytes: x^(8·bytes) modulo the polynomial. */
export function crc32Shift(bytes: number): number {
  let p = 0x80000000; // x^0
  let k = 3; // 8 bits a byte
  for (let n = bytes; n > 0; n = Math.floor(n / 2), k++) if (n % 2 === 1) p = multModP(X2N[k & 31], p);
  return p;
}

/** CRC-32 of A followed by B, from crc(A), crc(B) and crc32Shift(|B|). */
export function crc32Combine(crcA: number, crcB: number, shiftB: number): number {
  return (multModP(shiftB, crcA) ^ crcB) >>> 0;
}

export function prepareStitchedGzip(plain: Buffer[]): StitchedGzip {
  return {
    plain,
    // An empty part adds no block at all (zlib would end the stream with a final block for it).
    deflated: plain.map((part) => (part.length === 0 ? Buffer.alloc(0) : zlib.deflateRawSync(part, { finishFlush: zlib.constants.Z_SYNC_FLUSH }))),
    crcs: plain.map((part) => crc32(part)),
    shifts: plain.map((part) => crc32Shift(part.length)),
  };
}

function storedBlock(data: Buffer): Buffer {
  if (data.length > 0xffff) throw new RangeError('a stored block holds at most 65535 bytes');
  const head = Buffer.alloc(5);
  head[0] = 0x00; // not final, stored; the rest of the byte is padding
  head.writeUInt16LE(data.length, 1);
  head.writeUInt16LE(~data.length & 0xffff, 3);
  return Buffer.concat([head, data]);
}

/** Inserts (nonces) all have the same length: their shift is worked out once. */
const insertShifts = new Map<number, number>();
function insertShiftOf(length: number): number {
  let shift = insertShifts.get(length);
  if (shift === undefined) {
    shift = crc32Shift(length);
    if (insertShifts.size < 64) insertShifts.set(length, shift);
  }
  return shift;
}

/** The gzip bytes of plain[0] + insert + plain[1] + insert + … + plain[n]. */
export function stitchGzip(g: StitchedGzip, insert: Buffer): Buffer[] {
  const stored = storedBlock(insert);
  const insertCrc = crc32(insert);
  const insertShift = insertShiftOf(insert.length);
  const out: Buffer[] = [GZIP_HEADER];
  let crc = 0;
  let size = 0;
  g.plain.forEach((part, i) => {
    if (i > 0) {
      out.push(stored);
      crc = crc32Combine(crc, insertCrc, insertShift);
      size += insert.length;
    }
    out.push(g.deflated[i]);
    crc = crc32Combine(crc, g.crcs[i], g.shifts[i]);
    size += part.length;
  });
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(size % 2 ** 32, 4);
  out.push(FINAL_EMPTY_BLOCK, trailer);
  return out;
}
