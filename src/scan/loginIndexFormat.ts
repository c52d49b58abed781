/**
 * The on-disk format of the login index (see the README's Performance section for why this format and not an
 * embedded database). Pure: bytes in, bytes out.
 *
 * - The manifest (JSON) names every indexed log by identity (device, inode, hash of the first line)
 *   with how far it has been read (offset and line count), and lists its segments. It carries a
 *   checksum of itself; it is replaced by rename, so a reader sees the old one or the new one.
 * - A segment (binary, immutable) holds the logins and the failed logins read from one log in one
 *   run (both found in the same pass over the bytes): a string table, an IP directory sorted by
 *   address text, per IP the (user, count, last time, protocols) aggregates of its logins and the
 *   (name tried, attempts, first time, last time) rows of its failures that explain needs, and per IP
 *   its login records (line, time, user, kind). Every part is covered by a CRC-32, checked when read;
 *   a bad one makes the index "corrupt", and a corrupt index is rebuilt, never trusted.
 * - Version 2 added the failures. An index of version 1 holds no failures, so it cannot answer for
 *   them: it is "stale" and rebuilt from the logs (once, on the first run after an upgrade), like an
 *   index built with other patterns; a version-1 segment named by a version-2 manifest is damage.
 */
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { FAILED_LOGIN_PATTERNS } from '../parsers/patterns/failedLoginPatterns';
import { LOGIN_PATTERNS } from '../parsers/patterns/loginPatterns';
import { SYSLOG_PREFIX_VERSION } from '../parsers/syslogLine';
import type { FailedRecord } from './loginRecord';

export const MANIFEST_FORMAT = 'relaywatch-login-index';
/** 2: segments hold the failed logins too */
export const FORMAT_VERSION = 2;

const patternKey = (p: { name: string; service: string; protocol?: string; needle: string; regex: RegExp }): unknown[] => [p.name, p.service, p.protocol ?? null, p.needle, p.regex.source, p.regex.flags];

/**
 * Any change to the login or failure patterns, or to the line prefixes read before them, changes
 * what a scan finds: an index built with others is stale.
 */
export const PATTERNS_ID = crypto
  .createHash('sha256')
  .update(JSON.stringify([FORMAT_VERSION, SYSLOG_PREFIX_VERSION, LOGIN_PATTERNS.map(patternKey), FAILED_LOGIN_PATTERNS.map(patternKey)]))
  .digest('hex')
  .slice(0, 16);

export class IndexCorrupt extends Error {
  constructor(message: string) {
    super(`login index is damaged: ${message}`);
  }
}

// ---- CRC-32 -------------------------------------------------------------------------------------

let table: Int32Array | null = null;
function crcTable(): Int32Array {
  if (table) return table;
  table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
}

/** CRC-32 (zlib's, where this Node has it). */
export function crc32(data: Uint8Array): number {
  const native = (zlib as unknown as { crc32?: (d: Uint8Array) => number }).crc32;
  if (native) return native(data) >>> 0;
  const t = crcTable();
  let c = -1;
  for (let i = 0; i < data.length; i++) c = t[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

// ---- manifest -----------------------------------------------------------------------------------

export interface SegmentRef {
  name: string;
  bytes: number;
  records: number;
  /** CRC-32 of the segment's header */
  crc: number;
  /** HMAC-SHA256 (hex) of the segment's metadata, bytes [0, offRec), under the index key */
  mac: string;
}

export interface LogEntry {
  /** stable id of this log in the index */
  id: number;
  /** host path where it was last seen */
  path: string;
  dev: number;
  ino: number;
  gz: boolean;
  /** sha256 of the first line (null: no complete first line when last read) */
  head: string | null;
  headBytes: number;
  /** size on disk and modification time when last read */
  size: number;
  mtimeMs: number;
  /** bytes read (decompressed for .gz): always just after a complete line */
  offset: number;
  /** lines before offset */
  lines: number;
  /** read to its very end, unterminated last line included: a rotated file */
  sealed: boolean;
  segments: SegmentRef[];
}

export interface Manifest {
  format: string;
  version: number;
  patterns: string;
  createdAt: string;
  updatedAt: string;
  /** +1 on every write */
  generation: number;
  nextLogId: number;
  logs: LogEntry[];
}

/**
 * The manifest is signed with a key only root can read (host/stateDir.ts): HMAC-SHA256 over the
 * manifest, which names every segment with the MAC of its metadata. An index written by anyone who
 * could write to the state folder but not read the key fails here and is rebuilt from the logs.
 * (A manifest of the unsigned form before, with a plain `checksum`, is stale: rebuilt, no alarm.)
 */
function hmac(key: Buffer, data: string | Buffer): string {
  return crypto.createHmac('sha256', key).update(data).digest('hex');
}

/** The MAC a segment's reference carries: over its metadata (header, strings, IP directory, aggregates). */
export function segmentMetaMac(key: Buffer, meta: Buffer): string {
  return hmac(key, meta);
}

/** segmentMetaMac() over metadata given in pieces: update() with each, in order, then digest('hex'). */
export function segmentMetaMacInPieces(key: Buffer): crypto.Hmac {
  return crypto.createHmac('sha256', key);
}

function sameMac(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

export function encodeManifest(m: Manifest, key: Buffer): Buffer {
  const body = JSON.stringify(m);
  return Buffer.from(`${JSON.stringify({ mac: hmac(key, body), manifest: m }, null, 1)}\n`, 'utf8');
}

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const num = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x) && x >= 0;

function checkEntry(e: unknown): e is LogEntry {
  if (!isObj(e)) return false;
  return num(e.id) && typeof e.path === 'string' && num(e.dev) && num(e.ino) && typeof e.gz === 'boolean'
    && (e.head === null || typeof e.head === 'string') && num(e.headBytes) && num(e.size) && num(e.mtimeMs)
    && num(e.offset) && num(e.lines) && typeof e.sealed === 'boolean' && Array.isArray(e.segments)
    && e.segments.every((s) => isObj(s) && typeof s.name === 'string' && /^seg-[0-9a-z-]{1,80}\.rwx$/.test(s.name) && num(s.bytes) && num(s.records) && num(s.crc) && typeof s.mac === 'string' && /^[0-9a-f]{64}$/.test(s.mac));
}

/**
 * The manifest, or IndexCorrupt; `stale` when it was written by another format or pattern set.
 * `key` null: the MAC is not checked (for looking at an index, never for answering from it).
 */
export function decodeManifest(data: Buffer, key: Buffer | null): { manifest: Manifest; stale: boolean } {
  let outer: unknown;
  try {
    outer = JSON.parse(data.toString('utf8'));
  } catch {
    throw new IndexCorrupt('the manifest is not valid JSON');
  }
  if (isObj(outer) && typeof outer.checksum === 'string' && outer.mac === undefined && isObj(outer.manifest)) {
    return { manifest: outer.manifest as unknown as Manifest, stale: true }; // the unsigned form of before
  }
  if (!isObj(outer) || typeof outer.mac !== 'string' || !isObj(outer.manifest)) throw new IndexCorrupt('the manifest has no MAC');
  const m = outer.manifest;
  if (key !== null && !sameMac(hmac(key, JSON.stringify(m)), outer.mac)) {
    throw new IndexCorrupt('the manifest\'s MAC does not match: it was not written by relaywatch with this server\'s key');
  }
  if (m.format !== MANIFEST_FORMAT) throw new IndexCorrupt('not a relaywatch login index');
  const stale = m.version !== FORMAT_VERSION || m.patterns !== PATTERNS_ID;
  if (stale) return { manifest: m as unknown as Manifest, stale };
  if (!num(m.generation) || !num(m.nextLogId) || !Array.isArray(m.logs) || !m.logs.every(checkEntry)) throw new IndexCorrupt('the manifest does not have the expected shape');
  return { manifest: m as unknown as Manifest, stale };
}

// ---- segments -----------------------------------------------------------------------------------

const MAGIC = 0x494c5752; // "RWLI" little-endian
const HEADER = 72;
/** where the header's own CRC-32 is, over the bytes before it */
const HEADER_CRC_AT = 68;
const DIR_ENTRY = 32; // ip, aggStart, aggCount, recStart, recCount, recCrc, failStart, failCount
const AGG_ENTRY = 20; // user u32, count u32, last f64, protocols u32
/** user u32, attempts f64 (a sum: no u32 limit), first f64, last f64 */
const FAIL_ENTRY = 28;
const REC_ENTRY = 20; // line u32, time f64, user u32, kind u32
/** bytes per login record (merging segments copies them) */
export const SEGMENT_RECORD_BYTES = REC_ENTRY;

/** The layout's constants, for a writer that lays a segment out in pieces (segmentStream.ts). */
export const SEGMENT_LAYOUT = { HEADER, DIR_ENTRY, AGG_ENTRY, FAIL_ENTRY, REC_ENTRY } as const;

export const PROTO_IMAP = 1;
export const PROTO_POP3 = 2;

/** One login as the index stores it. */
export interface IndexedLogin {
  ip: string;
  user: string;
  line: number;
  /** ms, NaN when unknown */
  time: number;
  /** "pattern/protocol/service" (see kindKey) */
  kind: string;
}

/**
 * Failed logins from one IP under one name tried ('' for a line that names none), summed: the rows
 * of a scan job (loginRecord.ts), and of a segment, are each in the order its name first appeared
 * for its IP, which is all that explain's per-IP limit on names kept needs (domain/failedLogins.ts).
 */
export type IndexedFailure = FailedRecord;

export function kindKey(pattern: string, protocol: string, service: string): string {
  return `${pattern}/${protocol}/${service}`;
}

const parsedKinds = new Map<string, { pattern: string; protocol: 'imap' | 'pop3'; service: string }>();

export function parseKind(kind: string): { pattern: string; protocol: 'imap' | 'pop3'; service: string } {
  let k = parsedKinds.get(kind);
  if (!k) {
    const [pattern, protocol, service] = kind.split('/');
    k = { pattern, protocol: protocol === 'pop3' ? 'pop3' : 'imap', service };
    if (parsedKinds.size < 1000) parsedKinds.set(kind, k);
  }
  return k;
}

/**
 * The CRC-32 of bytes [start, end) of buf following `crc`, the CRC-32 of the bytes before them (0
 * for none): a value computed in pieces equals crc32() of the whole.
 */
export function crc32Continue(buf: Uint8Array, start: number, end: number, crc: number): number {
  const native = (zlib as unknown as { crc32?: (d: Uint8Array, value?: number) => number }).crc32;
  // a native call costs more than the JavaScript loop over a few records
  if (native && end - start > 256) return native(buf.subarray(start, end), crc) >>> 0;
  const t = crcTable();
  let c = crc ^ -1;
  for (let i = start; i < end; i++) c = t[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** CRC-32 of a small slice in JavaScript (no native call and no subarray per slice). */
function crc32Range(buf: Uint8Array, start: number, end: number): number {
  const t = crcTable();
  let c = -1;
  for (let i = start; i < end; i++) c = t[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/**
 * Encodes logins and failed logins into a segment. Records keep the order given within each IP
 * (callers give them in line order); failure rows of the same IP and name are summed, in the order
 * each name first comes. Written for speed (a warm update encodes while an answer waits): one string
 * table, logins grouped by a counting sort, aggregates in flat arrays, no object per login.
 */
export function encodeSegment(logins: readonly IndexedLogin[], failures: readonly IndexedFailure[] = []): Buffer {
  return encodeSegmentFrom({
    logins: logins.length,
    ip: (i) => logins[i].ip, user: (i) => logins[i].user, line: (i) => logins[i].line, time: (i) => logins[i].time, kind: (i) => logins[i].kind,
    failures: failures.length,
    failIp: (i) => failures[i].ip, failUser: (i) => failures[i].user, attempts: (i) => failures[i].attempts, first: (i) => failures[i].first, last: (i) => failures[i].last,
  });
}

/**
 * What encodeSegment reads, field by field: a build keeps a file's logins in columns
 * (segmentColumns.ts) rather than one object per login, and encodes from them.
 */
export interface SegmentSource {
  logins: number;
  ip(i: number): string;
  user(i: number): string;
  line(i: number): number;
  time(i: number): number;
  kind(i: number): string;
  failures: number;
  failIp(i: number): string;
  failUser(i: number): string;
  attempts(i: number): number;
  first(i: number): number;
  last(i: number): number;
}

/** encodeSegment from columns (the same bytes for the same logins and failures). */
export function encodeSegmentFrom(src: SegmentSource): Buffer {
  const strings: string[] = [];
  const ids = new Map<string, number>();
  const intern = (s: string): number => {
    let id = ids.get(s);
    if (id === undefined) {
      id = strings.length;
      strings.push(s);
      ids.set(s, id);
    }
    return id;
  };
  const n = src.logins;
  const nf = src.failures;
  // IPs in text order (canonical IP texts are ASCII: code-unit order is byte order): those with
  // logins, failures or both
  const ipSet = new Set<string>();
  for (let i = 0; i < n; i++) ipSet.add(src.ip(i));
  for (let i = 0; i < nf; i++) ipSet.add(src.failIp(i));
  const ips = [...ipSet].sort();
  // the IPs are the first strings, so an IP's string id is its directory index (no second map:
  // with a hundred thousand IPs, each map is megabytes)
  for (const ip of ips) intern(ip);
  const kindIds = new Map<string, number>();
  const kindStrings: number[] = [];
  const loginDir = new Int32Array(n);
  const loginUser = new Int32Array(n);
  const loginKind = new Int32Array(n);
  const loginPop = new Uint8Array(n);
  const perDir = new Int32Array(ips.length + 1);
  for (let i = 0; i < n; i++) {
    const d = ids.get(src.ip(i))!;
    loginDir[i] = d;
    perDir[d + 1]++;
    loginUser[i] = intern(src.user(i));
    const kind = src.kind(i);
    let k = kindIds.get(kind);
    if (k === undefined) {
      k = kindStrings.length;
      kindIds.set(kind, k);
      kindStrings.push(intern(kind));
    }
    loginKind[i] = k;
    loginPop[i] = parseKind(kind).protocol === 'pop3' ? 1 : 0;
  }
  // counting sort by IP, stable: each IP's logins stay in the order given
  for (let d = 0; d < ips.length; d++) perDir[d + 1] += perDir[d];
  const order = new Int32Array(n);
  const fill = perDir.slice(0, ips.length);
  for (let i = 0; i < n; i++) order[fill[loginDir[i]]++] = i;

  // the same for the failures
  const failDir = new Int32Array(nf);
  const failUser = new Int32Array(nf);
  const perDirFail = new Int32Array(ips.length + 1);
  for (let i = 0; i < nf; i++) {
    const d = ids.get(src.failIp(i))!;
    failDir[i] = d;
    perDirFail[d + 1]++;
    failUser[i] = intern(src.failUser(i));
  }
  for (let d = 0; d < ips.length; d++) perDirFail[d + 1] += perDirFail[d];
  const failOrder = new Int32Array(nf);
  const failFill = perDirFail.slice(0, ips.length);
  for (let i = 0; i < nf; i++) failOrder[failFill[failDir[i]]++] = i;

  // aggregates per (ip, user), users in order of first appearance within the IP
  const aggUser: number[] = [];
  const aggCount: number[] = [];
  const aggLast: number[] = [];
  const aggProto: number[] = [];
  const aggStart = new Int32Array(ips.length + 1);
  const failRowUser: number[] = [];
  const failRowCount: number[] = [];
  const failRowFirst: number[] = [];
  const failRowLast: number[] = [];
  const failStart = new Int32Array(ips.length + 1);
  const rowOf = new Map<number, number>();
  for (let d = 0; d < ips.length; d++) {
    aggStart[d] = aggUser.length;
    rowOf.clear();
    for (let o = perDir[d]; o < perDir[d + 1]; o++) {
      const i = order[o];
      let r = rowOf.get(loginUser[i]);
      if (r === undefined) {
        r = aggUser.length;
        rowOf.set(loginUser[i], r);
        aggUser.push(loginUser[i]);
        aggCount.push(0);
        aggLast.push(NaN);
        aggProto.push(0);
      }
      aggCount[r]++;
      const t = src.time(i);
      if (!Number.isNaN(t) && (Number.isNaN(aggLast[r]) || t > aggLast[r])) aggLast[r] = t;
      aggProto[r] |= loginPop[i] ? PROTO_POP3 : PROTO_IMAP;
    }
    failStart[d] = failRowUser.length;
    rowOf.clear();
    for (let o = perDirFail[d]; o < perDirFail[d + 1]; o++) {
      const i = failOrder[o];
      let r = rowOf.get(failUser[i]);
      if (r === undefined) {
        r = failRowUser.length;
        rowOf.set(failUser[i], r);
        failRowUser.push(failUser[i]);
        failRowCount.push(0);
        failRowFirst.push(NaN);
        failRowLast.push(NaN);
      }
      failRowCount[r] += src.attempts(i);
      const first = src.first(i);
      const last = src.last(i);
      if (!Number.isNaN(first) && (Number.isNaN(failRowFirst[r]) || first < failRowFirst[r])) failRowFirst[r] = first;
      if (!Number.isNaN(last) && (Number.isNaN(failRowLast[r]) || last > failRowLast[r])) failRowLast[r] = last;
    }
  }
  aggStart[ips.length] = aggUser.length;
  failStart[ips.length] = failRowUser.length;

  // the records, grouped by IP
  const records = Buffer.alloc(REC_ENTRY * n);
  for (let o = 0; o < n; o++) {
    const i = order[o];
    const p = REC_ENTRY * o;
    records.writeUInt32LE(src.line(i), p);
    records.writeDoubleLE(src.time(i), p + 4);
    records.writeUInt32LE(loginUser[i], p + 12);
    records.writeUInt32LE(loginKind[i], p + 16);
  }
  return layoutSegment({
    // as text: a Buffer each would be some hundred bytes of heap per IP while the segment is laid out
    strings,
    kinds: kindStrings,
    dirIp: ips.map((ip) => ids.get(ip)!),
    aggStart, recStart: perDir, failStart,
    aggUser, aggCount, aggLast, aggProto,
    failUser: failRowUser, failCount: failRowCount, failFirst: failRowFirst, failLast: failRowLast,
    records,
  });
}

/** A segment's parts, before they are laid out in bytes (encodeSegment, mergeSegments). */
export interface SegmentParts {
  /** the string table (UTF-8 bytes, or text written as UTF-8), by id; or written on demand */
  strings: ReadonlyArray<Buffer | string> | StringTable;
  /** the string id of each login kind */
  kinds: ArrayLike<number>;
  /** the string id of each directory entry's IP, in address-text order */
  dirIp: ArrayLike<number>;
  /** per directory entry, where its aggregates, records and failure rows start (one more: the end) */
  aggStart: ArrayLike<number>;
  recStart: ArrayLike<number>;
  failStart: ArrayLike<number>;
  aggUser: ArrayLike<number>;
  aggCount: ArrayLike<number>;
  aggLast: ArrayLike<number>;
  aggProto: ArrayLike<number>;
  failUser: ArrayLike<number>;
  failCount: ArrayLike<number>;
  failFirst: ArrayLike<number>;
  failLast: ArrayLike<number>;
  /**
   * REC_ENTRY bytes per login, grouped by directory entry: as bytes, or written straight into the
   * segment (no second copy of them while it is laid out)
   */
  records: Buffer | { count: number; writeTo(segment: Buffer, at: number): void };
}

/** A string table that writes each string's UTF-8 bytes itself (a build's table of texts). */
export interface StringTable {
  count: number;
  byteLength(i: number): number;
  /** returns the bytes written */
  writeTo(i: number, buf: Buffer, at: number): number;
}

function stringTableOf(strings: ReadonlyArray<Buffer | string>): StringTable {
  return {
    count: strings.length,
    byteLength: (i) => {
      const x = strings[i];
      return typeof x === 'string' ? Buffer.byteLength(x, 'utf8') : x.length;
    },
    writeTo: (i, buf, at) => {
      const x = strings[i];
      return typeof x === 'string' ? buf.write(x, at, 'utf8') : x.copy(buf, at);
    },
  };
}

/**
 * The bytes of a segment: its parts laid out, with every checksum. `into`: a buffer to lay them out
 * in when it is large enough (a build writes one segment after another from the same buffer, where
 * a new one per segment would leave each to the collector); the result is then a view of it.
 */
export function layoutSegment(parts: SegmentParts, into?: (bytes: number) => Buffer): Buffer {
  const { kinds, dirIp, aggStart, recStart, failStart, records } = parts;
  const strings = Array.isArray(parts.strings) ? stringTableOf(parts.strings as ReadonlyArray<Buffer | string>) : (parts.strings as StringTable);
  const nIps = dirIp.length;
  const n = Buffer.isBuffer(records) ? records.length / REC_ENTRY : records.count;
  let blobBytes = 0;
  for (let i = 0; i < strings.count; i++) blobBytes += strings.byteLength(i);
  const nAgg = parts.aggUser.length;
  const nFail = parts.failUser.length;
  const { offStrIdx, offBlob, offKinds, offDir, offAgg, offFail, offRec, total } = segmentOffsets({ strings: strings.count, blobBytes, kinds: kinds.length, ips: nIps, aggs: nAgg, fails: nFail, records: n });
  const buf = into ? into(total).subarray(0, total).fill(0) : Buffer.alloc(total);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);

  let at = 0;
  for (let i = 0; i < strings.count; i++) {
    dv.setUint32(offStrIdx + 4 * i, at, true);
    at += strings.writeTo(i, buf, offBlob + at);
  }
  dv.setUint32(offStrIdx + 4 * strings.count, at, true);
  for (let k = 0; k < kinds.length; k++) dv.setUint32(offKinds + 4 * k, kinds[k], true);
  for (let a = 0; a < nAgg; a++) {
    const o = offAgg + AGG_ENTRY * a;
    dv.setUint32(o, parts.aggUser[a], true);
    dv.setUint32(o + 4, parts.aggCount[a], true);
    dv.setFloat64(o + 8, parts.aggLast[a], true);
    dv.setUint32(o + 16, parts.aggProto[a], true);
  }
  for (let a = 0; a < nFail; a++) {
    const o = offFail + FAIL_ENTRY * a;
    dv.setUint32(o, parts.failUser[a], true);
    dv.setFloat64(o + 4, parts.failCount[a], true);
    dv.setFloat64(o + 12, parts.failFirst[a], true);
    dv.setFloat64(o + 20, parts.failLast[a], true);
  }
  if (Buffer.isBuffer(records)) records.copy(buf, offRec);
  else records.writeTo(buf, offRec);
  for (let d = 0; d < nIps; d++) {
    const o = offDir + DIR_ENTRY * d;
    dv.setUint32(o, dirIp[d], true);
    dv.setUint32(o + 4, aggStart[d], true);
    dv.setUint32(o + 8, aggStart[d + 1] - aggStart[d], true);
    dv.setUint32(o + 12, recStart[d], true);
    dv.setUint32(o + 16, recStart[d + 1] - recStart[d], true);
    dv.setUint32(o + 20, crc32Range(buf, offRec + REC_ENTRY * recStart[d], offRec + REC_ENTRY * recStart[d + 1]), true);
    dv.setUint32(o + 24, failStart[d], true);
    dv.setUint32(o + 28, failStart[d + 1] - failStart[d], true);
  }

  writeSegmentHeader(buf, {
    strings: strings.count, ips: nIps, aggs: nAgg, records: n, kinds: kinds.length, fails: nFail,
    offStrIdx, offBlob, offDir, offAgg, offRec, offKinds, offFail, total,
    crcMeta: crc32(buf.subarray(HEADER, offRec)),
  });
  return buf;
}

/** Where each part of a segment starts, in order, and its size: from the parts' counts. */
export function segmentOffsets(c: { strings: number; blobBytes: number; kinds: number; ips: number; aggs: number; fails: number; records: number }): {
  offStrIdx: number; offBlob: number; offKinds: number; offDir: number; offAgg: number; offFail: number; offRec: number; total: number;
} {
  const offStrIdx = HEADER;
  const offBlob = offStrIdx + 4 * (c.strings + 1);
  const offKinds = align4(offBlob + c.blobBytes);
  const offDir = offKinds + 4 * c.kinds;
  const offAgg = offDir + DIR_ENTRY * c.ips;
  const offFail = offAgg + AGG_ENTRY * c.aggs;
  const offRec = offFail + FAIL_ENTRY * c.fails;
  return { offStrIdx, offBlob, offKinds, offDir, offAgg, offFail, offRec, total: offRec + REC_ENTRY * c.records };
}

/**
 * Writes a segment's header into buf[0, HEADER), ending with the CRC of the header itself, which it
 * returns: one layout for a segment made whole in memory and for one written to its file in pieces.
 */
export function writeSegmentHeader(buf: Buffer, h: Omit<SegmentHeader, 'crc'>): number {
  buf.writeUInt32LE(MAGIC, 0);
  buf.writeUInt32LE(FORMAT_VERSION, 4);
  buf.writeUInt32LE(h.strings, 8);
  buf.writeUInt32LE(h.ips, 12);
  buf.writeUInt32LE(h.aggs, 16);
  buf.writeUInt32LE(h.records, 20);
  buf.writeUInt32LE(h.offStrIdx, 24);
  buf.writeUInt32LE(h.offBlob, 28);
  buf.writeUInt32LE(h.offDir, 32);
  buf.writeUInt32LE(h.offAgg, 36);
  buf.writeUInt32LE(h.offRec, 40);
  buf.writeUInt32LE(h.total, 44);
  buf.writeUInt32LE(h.crcMeta, 48);
  buf.writeUInt32LE(h.kinds, 52);
  buf.writeUInt32LE(h.offKinds, 56);
  buf.writeUInt32LE(h.fails, 60);
  buf.writeUInt32LE(h.offFail, 64);
  const crc = crc32(buf.subarray(0, HEADER_CRC_AT));
  buf.writeUInt32LE(crc, HEADER_CRC_AT);
  return crc;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

export interface SegmentHeader {
  strings: number;
  ips: number;
  aggs: number;
  records: number;
  offStrIdx: number;
  offBlob: number;
  offDir: number;
  offAgg: number;
  offRec: number;
  total: number;
  /** CRC-32 of bytes [HEADER, offRec): everything but the header and the records */
  crcMeta: number;
  kinds: number;
  offKinds: number;
  /** failure rows, at offFail (between the aggregates and the records) */
  fails: number;
  offFail: number;
  crc: number;
}

export const SEGMENT_HEADER_BYTES = HEADER;

export function decodeSegmentHeader(b: Buffer, name: string): SegmentHeader {
  if (b.length < 8 || b.readUInt32LE(0) !== MAGIC) throw new IndexCorrupt(`${name} is not a segment`);
  // Checked before the header's CRC, which an older version keeps elsewhere: the message says why.
  const version = b.readUInt32LE(4);
  if (version !== FORMAT_VERSION) throw new IndexCorrupt(`${name}: a segment of version ${version}, not ${FORMAT_VERSION}`);
  if (b.length < HEADER) throw new IndexCorrupt(`${name} is not a segment`);
  const crc = b.readUInt32LE(HEADER_CRC_AT);
  if (crc32(b.subarray(0, HEADER_CRC_AT)) !== crc) throw new IndexCorrupt(`${name}: header checksum`);
  const h: SegmentHeader = {
    strings: b.readUInt32LE(8), ips: b.readUInt32LE(12), aggs: b.readUInt32LE(16), records: b.readUInt32LE(20),
    offStrIdx: b.readUInt32LE(24), offBlob: b.readUInt32LE(28), offDir: b.readUInt32LE(32), offAgg: b.readUInt32LE(36),
    offRec: b.readUInt32LE(40), total: b.readUInt32LE(44), crcMeta: b.readUInt32LE(48), kinds: b.readUInt32LE(52), offKinds: b.readUInt32LE(56),
    fails: b.readUInt32LE(60), offFail: b.readUInt32LE(64), crc,
  };
  const ordered = HEADER <= h.offStrIdx && h.offStrIdx <= h.offBlob && h.offBlob <= h.offKinds && h.offKinds <= h.offDir
    && h.offDir <= h.offAgg && h.offAgg <= h.offFail && h.offFail <= h.offRec && h.offRec <= h.total
    && h.offDir + DIR_ENTRY * h.ips === h.offAgg && h.offAgg + AGG_ENTRY * h.aggs === h.offFail && h.offFail + FAIL_ENTRY * h.fails === h.offRec
    && h.offRec + REC_ENTRY * h.records === h.total
    && h.offStrIdx + 4 * (h.strings + 1) === h.offBlob && h.offKinds + 4 * h.kinds === h.offDir;
  if (!ordered) throw new IndexCorrupt(`${name}: inconsistent header`);
  return h;
}

export interface AggRow {
  user: string;
  count: number;
  /** ms, NaN when no login had a readable time */
  last: number;
  protocols: number;
}

/** The failed logins from one IP under one name tried, in a segment. */
export interface FailRow {
  /** '' for lines that name nobody */
  user: string;
  attempts: number;
  /** ms, NaN when no failure had a readable time */
  first: number;
  last: number;
}

export interface IpSlot {
  aggStart: number;
  aggCount: number;
  recStart: number;
  recCount: number;
  recCrc: number;
  failStart: number;
  failCount: number;
}

/**
 * A segment's metadata (everything but the records): what explain reads. `meta` is the byte range
 * [0, offRec) of the file, checked against its CRC-32 once.
 *
 * The IP directory is not decoded as a whole: it is sorted by address text, so an IP is found by a
 * binary search that compares its bytes with the string table's (some 17 comparisons among 150,000
 * addresses). explain asks for the relay list's few IPs and an IP report for one; decoding a
 * directory of every client address the logs ever saw into a Map cost a CLI run more than the rest
 * of its answer together.
 */
export class SegmentMeta {
  readonly header: SegmentHeader;
  private readonly meta: Buffer;
  private readonly strCache = new Map<number, string>();
  readonly kinds: string[] = [];

  constructor(meta: Buffer, readonly name: string) {
    this.header = decodeSegmentHeader(meta, name);
    const h = this.header;
    if (meta.length < h.offRec) throw new IndexCorrupt(`${name} is shorter than its header says`);
    if (crc32(meta.subarray(HEADER, h.offRec)) !== h.crcMeta) throw new IndexCorrupt(`${name}: metadata checksum`);
    this.meta = meta;
    for (let k = 0; k < h.kinds; k++) this.kinds.push(this.str(meta.readUInt32LE(h.offKinds + 4 * k)));
  }

  /** number of IPs in the directory */
  get ipCount(): number {
    return this.header.ips;
  }

  /** Byte range of string i in the metadata. */
  private strRange(i: number): [number, number] {
    const h = this.header;
    if (i >= h.strings) throw new IndexCorrupt(`${this.name}: string ${i} out of range`);
    const a = this.meta.readUInt32LE(h.offStrIdx + 4 * i);
    const b = this.meta.readUInt32LE(h.offStrIdx + 4 * i + 4);
    if (a > b || h.offBlob + b > h.offKinds) throw new IndexCorrupt(`${this.name}: string ${i} out of range`);
    return [h.offBlob + a, h.offBlob + b];
  }

  /** The bytes of string i (merging segments copies them as they are). */
  stringBytes(i: number): Buffer {
    return this.meta.subarray(...this.strRange(i));
  }

  /** The string id of login kind k. */
  kindStringId(k: number): number {
    if (k >= this.header.kinds) throw new IndexCorrupt(`${this.name}: kind ${k} out of range`);
    return this.meta.readUInt32LE(this.header.offKinds + 4 * k);
  }

  /** The string id of directory entry d's IP. */
  dirIpId(d: number): number {
    if (d >= this.header.ips) throw new IndexCorrupt(`${this.name}: directory entry ${d} out of range`);
    return this.meta.readUInt32LE(this.header.offDir + DIR_ENTRY * d);
  }

  /** Aggregate row a as stored: the user's string id, count, last time, protocols. */
  aggRaw(a: number): [user: number, count: number, last: number, protocols: number] {
    const o = this.header.offAgg + AGG_ENTRY * a;
    return [this.meta.readUInt32LE(o), this.meta.readUInt32LE(o + 4), this.meta.readDoubleLE(o + 8), this.meta.readUInt32LE(o + 16)];
  }

  /** Failure row a as stored: the name's string id, attempts, first and last time. */
  failRaw(a: number): [user: number, attempts: number, first: number, last: number] {
    const o = this.header.offFail + FAIL_ENTRY * a;
    return [this.meta.readUInt32LE(o), this.meta.readDoubleLE(o + 4), this.meta.readDoubleLE(o + 12), this.meta.readDoubleLE(o + 20)];
  }

  /** The directory entry d: where its aggregates, records and failure rows are. */
  slotAt(d: number): IpSlot {
    return this.entry(d);
  }

  /** The directory entry d: its IP and where its aggregates and records are. */
  private entry(d: number): IpSlot {
    const h = this.header;
    const o = h.offDir + DIR_ENTRY * d;
    const m = this.meta;
    const slot: IpSlot = {
      aggStart: m.readUInt32LE(o + 4), aggCount: m.readUInt32LE(o + 8), recStart: m.readUInt32LE(o + 12), recCount: m.readUInt32LE(o + 16), recCrc: m.readUInt32LE(o + 20),
      failStart: m.readUInt32LE(o + 24), failCount: m.readUInt32LE(o + 28),
    };
    if (slot.aggStart + slot.aggCount > h.aggs || slot.recStart + slot.recCount > h.records || slot.failStart + slot.failCount > h.fails) throw new IndexCorrupt(`${this.name}: directory out of range`);
    return slot;
  }

  /** The slot of one IP (canonical text), or null: a binary search of the sorted directory. */
  slot(ip: string): IpSlot | null {
    const d = this.find(Buffer.from(ip, 'latin1'), 0);
    return d >= 0 ? this.entry(d) : null;
  }

  /**
   * The slots of several IPs, given in ascending order (`sortedIps`, with their bytes): each search
   * starts where the one before ended.
   */
  slots(sortedIps: readonly string[], keys: readonly Buffer[]): Array<[string, IpSlot]> {
    const out: Array<[string, IpSlot]> = [];
    let lo = 0;
    for (let k = 0; k < keys.length && lo < this.header.ips; k++) {
      const d = this.find(keys[k], lo);
      if (d >= 0) {
        out.push([sortedIps[k], this.entry(d)]);
        lo = d + 1;
      } else lo = -d - 1;
    }
    return out;
  }

  /** Index of `key` in the directory at or after `lo`, or -(insertion point) - 1. */
  private find(key: Buffer, from: number): number {
    const m = this.meta;
    const h = this.header;
    let lo = from;
    let hi = h.ips - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const [a, b] = this.strRange(m.readUInt32LE(h.offDir + DIR_ENTRY * mid));
      const c = key.compare(m, a, b);
      if (c === 0) return mid;
      if (c < 0) hi = mid - 1;
      else lo = mid + 1;
    }
    return -lo - 1;
  }

  /** Every IP with its slot, in directory order (merging segments, tools). */
  *entries(): IterableIterator<[string, IpSlot]> {
    const h = this.header;
    for (let d = 0; d < h.ips; d++) yield [this.meta.toString('latin1', ...this.strRange(this.meta.readUInt32LE(h.offDir + DIR_ENTRY * d))), this.entry(d)];
  }

  str(i: number): string {
    let s = this.strCache.get(i);
    if (s === undefined) {
      s = this.meta.toString('utf8', ...this.strRange(i));
      this.strCache.set(i, s);
    }
    return s;
  }

  aggregates(ip: string): AggRow[] {
    const slot = this.slot(ip);
    return slot ? this.aggregatesOf(slot) : [];
  }

  /** The (user, count, last time, protocols) rows of a directory slot. */
  aggregatesOf(slot: IpSlot): AggRow[] {
    const out: AggRow[] = [];
    for (let a = slot.aggStart; a < slot.aggStart + slot.aggCount; a++) {
      const o = this.header.offAgg + AGG_ENTRY * a;
      out.push({ user: this.str(this.meta.readUInt32LE(o)), count: this.meta.readUInt32LE(o + 4), last: this.meta.readDoubleLE(o + 8), protocols: this.meta.readUInt32LE(o + 16) });
    }
    return out;
  }

  /** The failed logins of a directory slot, one row per name tried, in the order each name first came. */
  failuresOf(slot: IpSlot): FailRow[] {
    const out: FailRow[] = [];
    const m = this.meta;
    for (let a = slot.failStart; a < slot.failStart + slot.failCount; a++) {
      const o = this.header.offFail + FAIL_ENTRY * a;
      out.push({ user: this.str(m.readUInt32LE(o)), attempts: m.readDoubleLE(o + 4), first: m.readDoubleLE(o + 12), last: m.readDoubleLE(o + 20) });
    }
    return out;
  }

  /** byte range of an IP's records in the file */
  recordRange(slot: IpSlot): [number, number] {
    const start = this.header.offRec + REC_ENTRY * slot.recStart;
    return [start, start + REC_ENTRY * slot.recCount];
  }

  /** Checks the records of every IP against their checksums (`records` = the whole records section). */
  verifyRecords(records: Buffer): void {
    if (records.length !== REC_ENTRY * this.header.records) throw new IndexCorrupt(`${this.name}: records section has the wrong size`);
    // (IP texts are decoded only to name a bad one: a merge checks every IP of a large segment.)
    for (let d = 0; d < this.header.ips; d++) {
      const slot = this.entry(d);
      const start = REC_ENTRY * slot.recStart;
      const end = start + REC_ENTRY * slot.recCount;
      const crc = slot.recCount <= 8 ? crc32Range(records, start, end) : crc32(records.subarray(start, end));
      if (crc !== slot.recCrc) throw new IndexCorrupt(`${this.name}: records of ${this.stringBytes(this.dirIpId(d)).toString('latin1')}`);
    }
  }

  /** Decodes records read from recordRange(slot) (`data` starts at the range start). */
  decodeRecords(ip: string, slot: IpSlot, data: Buffer): IndexedLogin[] {
    if (data.length !== REC_ENTRY * slot.recCount || crc32(data) !== slot.recCrc) throw new IndexCorrupt(`${this.name}: records of ${ip}`);
    const out: IndexedLogin[] = [];
    for (let r = 0; r < slot.recCount; r++) {
      const o = REC_ENTRY * r;
      const kind = this.kinds[data.readUInt32LE(o + 16)];
      if (kind === undefined) throw new IndexCorrupt(`${this.name}: record kind out of range`);
      out.push({ ip, line: data.readUInt32LE(o), time: data.readDoubleLE(o + 4), user: this.str(data.readUInt32LE(o + 12)), kind });
    }
    return out;
  }
}
