/**
 * A segment written to its file in pieces of one small buffer, never laid out whole in memory: the
 * bytes layoutSegment gives for the same parts (test/unit/segmentStream.test.ts). A build from
 * nothing writes the segment of every file it reads; laid out whole, the largest file's segment (10
 * MiB for 240 MiB of a log from many addresses) stayed allocated for the rest of the build, and each
 * larger one left the smaller to the collector and the allocator, so the build's memory grew with the
 * size of its logs.
 *
 * The IP directory comes before the records and holds a CRC-32 of each IP's records, so the records
 * are made twice: once for their CRCs, once to write them. The header's CRC covers the metadata
 * after it and the MAC covers the header and the metadata: the header is written last, at the
 * start, and the metadata read back (from the page cache) for the MAC.
 */
import fs from 'node:fs';
import { crc32Continue, SEGMENT_LAYOUT, segmentMetaMacInPieces, segmentOffsets, StringTable, writeSegmentHeader } from './loginIndexFormat';

const { HEADER, DIR_ENTRY, AGG_ENTRY, FAIL_ENTRY, REC_ENTRY } = SEGMENT_LAYOUT;

/** Logins' records, REC_ENTRY bytes each in directory order, made a range at a time. */
export interface RecordsInRanges {
  count: number;
  /** writes records [from, to) at `at` */
  writeRange(buf: Buffer, at: number, from: number, to: number): void;
}

/**
 * A segment's parts as a build has them (segmentColumns.ts): made on demand, not laid out in arrays
 * for every login. Directory entry d's IP is string d (the IPs are the first strings, in order).
 */
export interface StreamedParts {
  strings: StringTable;
  /** the string id of each login kind */
  kinds: ArrayLike<number>;
  /** directory entries */
  ips: number;
  /** per directory entry, where its aggregates, records and failure rows start (one more: the end) */
  aggStart: ArrayLike<number>;
  recStart: ArrayLike<number>;
  failStart: ArrayLike<number>;
  /** the aggregates of entry d, in order (name's string id, logins, last time, protocols) */
  aggs: { count: number; forEach(d: number, emit: (user: number, count: number, last: number, proto: number) => void): void };
  /** failure row a, in directory order */
  fails: { count: number; user(a: number): number; attempts(a: number): number; first(a: number): number; last(a: number): number };
  records: RecordsInRanges;
}

/** What a segment's manifest reference needs of it. */
export interface StreamedSegment {
  bytes: number;
  records: number;
  /** the header's CRC-32 */
  crc: number;
  /** segmentMetaMac() of its metadata */
  mac: string;
}

/** Bytes written at increasing offsets of a file through one buffer; a CRC-32 of them while `crcOn`. */
class PieceWriter {
  private fill = 0;
  crc = 0;
  crcOn = true;
  readonly dv: DataView;

  constructor(private readonly fd: number, readonly piece: Buffer, public pos: number) {
    this.dv = new DataView(piece.buffer, piece.byteOffset, piece.byteLength);
  }

  /** The offset in the piece where `bytes` bytes may be written now. */
  room(bytes: number): number {
    if (this.fill + bytes > this.piece.length) this.flush();
    const at = this.fill;
    this.fill += bytes;
    return at;
  }

  /** Bytes made elsewhere (a text longer than the piece). */
  put(bytes: Buffer): void {
    this.flush();
    this.out(bytes);
  }

  flush(): void {
    if (this.fill > 0) this.out(this.piece.subarray(0, this.fill));
    this.fill = 0;
  }

  private out(bytes: Buffer): void {
    if (this.crcOn) this.crc = crc32Continue(bytes, 0, bytes.length, this.crc);
    writeAll(this.fd, bytes, this.pos);
    this.pos += bytes.length;
  }
}

function writeAll(fd: number, bytes: Uint8Array, pos: number): void {
  for (let done = 0; done < bytes.length;) done += fs.writeSync(fd, bytes, done, bytes.length - done, pos + done);
}

/**
 * Writes the segment of `parts` to `fd` (a new file, open for reading and writing) from offset 0,
 * through `piece` (a few hundred KiB at least: records are made a piece at a time). `recCrc`: room
 * for one number per directory entry, or null for a new array.
 */
export function writeSegmentInPieces(parts: StreamedParts, fd: number, piece: Buffer, macKey: Buffer, recCrc: Uint32Array | null = null): StreamedSegment {
  const { strings, kinds, aggStart, recStart, failStart, records, aggs, fails } = parts;
  const nIps = parts.ips;
  const n = records.count;
  const nAgg = aggs.count;
  const nFail = fails.count;
  // each directory entry's records' CRC-32, the records made a piece at a time
  const crcs = recCrc && recCrc.length >= nIps ? recCrc : new Uint32Array(nIps);
  const perPiece = Math.max(1, Math.floor(piece.length / REC_ENTRY));
  let d = 0;
  let c = 0;
  for (let a = 0; a < n; a += perPiece) {
    const b = Math.min(n, a + perPiece);
    records.writeRange(piece, 0, a, b);
    for (; d < nIps; d++) {
      const s = Math.max(recStart[d], a);
      const e = Math.min(recStart[d + 1], b);
      if (e > s) c = crc32Continue(piece, REC_ENTRY * (s - a), REC_ENTRY * (e - a), c);
      if (recStart[d + 1] > b) break; // its records go on in the next piece
      crcs[d] = c;
      c = 0;
    }
  }
  for (; d < nIps; d++) crcs[d] = 0; // no records: the CRC-32 of nothing

  const w = new PieceWriter(fd, piece, HEADER);
  const dv = w.dv;
  // the string index first: where each string starts in the blob, which gives the blob's size
  let blobBytes = 0;
  for (let i = 0; i < strings.count; i++) {
    dv.setUint32(w.room(4), blobBytes, true);
    blobBytes += strings.byteLength(i);
  }
  dv.setUint32(w.room(4), blobBytes, true);
  const { offStrIdx, offBlob, offKinds, offDir, offAgg, offFail, offRec, total } = segmentOffsets({ strings: strings.count, blobBytes, kinds: kinds.length, ips: nIps, aggs: nAgg, fails: nFail, records: n });

  for (let i = 0; i < strings.count; i++) {
    const len = strings.byteLength(i);
    if (len > piece.length) {
      const big = Buffer.alloc(len);
      strings.writeTo(i, big, 0);
      w.put(big);
    } else {
      strings.writeTo(i, piece, w.room(len));
    }
  }
  const pad = offKinds - (offBlob + blobBytes);
  if (pad > 0) {
    const o = w.room(pad);
    piece.fill(0, o, o + pad);
  }
  for (let k = 0; k < kinds.length; k++) dv.setUint32(w.room(4), kinds[k], true);
  for (let e = 0; e < nIps; e++) {
    const o = w.room(DIR_ENTRY);
    dv.setUint32(o, e, true);
    dv.setUint32(o + 4, aggStart[e], true);
    dv.setUint32(o + 8, aggStart[e + 1] - aggStart[e], true);
    dv.setUint32(o + 12, recStart[e], true);
    dv.setUint32(o + 16, recStart[e + 1] - recStart[e], true);
    dv.setUint32(o + 20, crcs[e], true);
    dv.setUint32(o + 24, failStart[e], true);
    dv.setUint32(o + 28, failStart[e + 1] - failStart[e], true);
  }
  let aggsWritten = 0;
  const writeAgg = (user: number, count: number, last: number, proto: number): void => {
    const o = w.room(AGG_ENTRY);
    dv.setUint32(o, user, true);
    dv.setUint32(o + 4, count, true);
    dv.setFloat64(o + 8, last, true);
    dv.setUint32(o + 16, proto, true);
    aggsWritten++;
  };
  for (let e = 0; e < nIps; e++) aggs.forEach(e, writeAgg);
  if (aggsWritten !== nAgg) throw new Error(`${aggsWritten} aggregates written, not ${nAgg}`);
  for (let a = 0; a < nFail; a++) {
    const o = w.room(FAIL_ENTRY);
    dv.setUint32(o, fails.user(a), true);
    dv.setFloat64(o + 4, fails.attempts(a), true);
    dv.setFloat64(o + 12, fails.first(a), true);
    dv.setFloat64(o + 20, fails.last(a), true);
  }
  w.flush();
  const crcMeta = w.crc;
  w.crcOn = false;
  for (let a = 0; a < n; a += perPiece) {
    const b = Math.min(n, a + perPiece);
    records.writeRange(piece, w.room(REC_ENTRY * (b - a)), a, b);
  }
  w.flush();
  if (w.pos !== total) throw new Error(`segment laid out in ${w.pos} bytes, not ${total}`);

  const header = Buffer.alloc(HEADER);
  const crc = writeSegmentHeader(header, {
    strings: strings.count, ips: nIps, aggs: nAgg, records: n, kinds: kinds.length, fails: nFail,
    offStrIdx, offBlob, offDir, offAgg, offRec, offKinds, offFail, total, crcMeta,
  });
  writeAll(fd, header, 0);

  const mac = segmentMetaMacInPieces(macKey).update(header);
  for (let p = HEADER; p < offRec;) {
    const got = fs.readSync(fd, piece, 0, Math.min(piece.length, offRec - p), p);
    if (got <= 0) throw new Error('the segment being written is shorter than what was written');
    mac.update(piece.subarray(0, got));
    p += got;
  }
  return { bytes: total, records: n, crc, mac: mac.digest('hex') };
}
