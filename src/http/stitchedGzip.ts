/**
 * Gzip for a kept page whose bytes differ per request only by short inserts (the CSP nonce): each
 * fixed part is compressed once, and a response is stitched together from those parts and the
 * inserts as uncompressed ("stored") DEFLATE blocks (RFC 1951 §3.2.4), inside one gzip member
 * (RFC 1952). Compressing a 64 KiB page costs about 0.5 ms per request; stitching costs a CRC-32.
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
}

const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff]); // deflate, no name, no time, OS unknown
const FINAL_EMPTY_BLOCK = Buffer.from([0x01, 0x00, 0x00, 0xff, 0xff]);

/** Whether this Node has zlib.crc32 (Node 20.15 and later); without it pages go uncompressed. */
export const canStitchGzip = typeof (zlib as { crc32?: unknown }).crc32 === 'function';

export function prepareStitchedGzip(plain: Buffer[]): StitchedGzip {
  // An empty part adds no block at all (zlib would end the stream with a final block for it).
  return { plain, deflated: plain.map((part) => (part.length === 0 ? Buffer.alloc(0) : zlib.deflateRawSync(part, { finishFlush: zlib.constants.Z_SYNC_FLUSH }))) };
}

function storedBlock(data: Buffer): Buffer {
  if (data.length > 0xffff) throw new RangeError('a stored block holds at most 65535 bytes');
  const head = Buffer.alloc(5);
  head[0] = 0x00; // not final, stored; the rest of the byte is padding
  head.writeUInt16LE(data.length, 1);
  head.writeUInt16LE(~data.length & 0xffff, 3);
  return Buffer.concat([head, data]);
}

/** The gzip bytes of plain[0] + insert + plain[1] + insert + … + plain[n]. */
export function stitchGzip(g: StitchedGzip, insert: Buffer): Buffer[] {
  const crc32 = (zlib as unknown as { crc32(data: Buffer, value?: number): number }).crc32;
  const stored = storedBlock(insert);
  const out: Buffer[] = [GZIP_HEADER];
  let crc = 0;
  let size = 0;
  g.plain.forEach((part, i) => {
    if (i > 0) {
      out.push(stored);
      crc = crc32(insert, crc);
      size += insert.length;
    }
    out.push(g.deflated[i]);
    crc = crc32(part, crc);
    size += part.length;
  });
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(size % 2 ** 32, 4);
  out.push(FINAL_EMPTY_BLOCK, trailer);
  return out;
}
