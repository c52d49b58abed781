/**
 * A build writes each file's segment in pieces (segmentStream.ts): the file must hold exactly the
 * bytes encode() lays out in memory (encodeSegment's, test/unit/segmentColumns.test.ts), and the
 * reference the manifest keeps (size, records, header CRC, MAC of the metadata) must be that of those
 * bytes, whatever the size of the pieces: records, directory entries and texts cut at every boundary,
 * an IP's records across pieces, texts longer than a piece, no logins, nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kindInfo, LoginBatchBuilder, loginKind } from '../../src/scan/loginBatch';
import { decodeSegmentHeader, kindKey, segmentMetaMac } from '../../src/scan/loginIndexFormat';
import { SegmentColumns } from '../../src/scan/segmentColumns';
import { ChunkPool } from '../../src/scan/chunkedColumn';

const kindOf = (k: number): string => {
  const i = kindInfo(k);
  return kindKey(i.pattern, i.protocol, i.service);
};

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A file's logins and failures in a few jobs; one IP with many logins (its records cross pieces). */
function fill(columns: SegmentColumns, seed: number, lines: number, spread: number, loginShare = 0.4): void {
  const r = rng(seed);
  const users = ['bob@b.example', '', 'jürgen@bücher.example', '\u{1F600}@x.example', 'x'.repeat(300), 'dave'];
  const kinds = [loginKind(0, 'imap'), loginKind(1, 'pop3')];
  let line = 1;
  while (line <= lines) {
    const lineBase = line - 1;
    const end = Math.min(lines, line + 1 + Math.floor(r() * lines * 0.3));
    const b = new LoginBatchBuilder(4);
    const failed = [];
    for (; line <= end; line++) {
      const n = Math.floor(r() * spread);
      const ip = r() < 0.2 ? '192.0.2.7' : n % 5 === 0 ? `2001:db8::${n.toString(16)}` : `10.${(n >> 8) & 255}.${n & 255}.${n % 11}`;
      const t = r() < 0.1 ? NaN : 1_700_000_000_000 + Math.floor(r() * 1e9);
      if (r() < loginShare) b.push(line - lineBase, t, ip, users[Math.floor(r() * users.length)], kinds[Math.floor(r() * kinds.length)]);
      else failed.push({ ip, user: users[Math.floor(r() * users.length)], attempts: 1 + Math.floor(r() * 3), first: t, last: t });
    }
    columns.addLogins(b.build(), lineBase, kindOf);
    columns.addFailed(failed);
  }
}

const key = Buffer.from('0123456789abcdef0123456789abcdef');
let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-segstream-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function written(columns: SegmentColumns, pieceBytes?: number): { bytes: Buffer; ref: ReturnType<SegmentColumns['writeInPieces']> } {
  const file = path.join(dir, `s${Math.random().toString(36).slice(2)}`);
  const fd = fs.openSync(file, 'w+');
  let ref;
  try {
    ref = columns.writeInPieces(fd, key, pieceBytes);
  } finally {
    fs.closeSync(fd);
  }
  return { bytes: fs.readFileSync(file), ref };
}

function expectSame(columns: SegmentColumns, pieceBytes?: number): void {
  const whole = columns.encode();
  const { bytes, ref } = written(columns, pieceBytes);
  expect(bytes.length).toBe(whole.length);
  expect(bytes.equals(whole)).toBe(true);
  const h = decodeSegmentHeader(whole, 'x');
  expect(ref).toEqual({ bytes: whole.length, records: h.records, crc: h.crc, mac: segmentMetaMac(key, whole.subarray(0, h.offRec)) });
}

test.each([
  [1, 40, 10, 64],
  [2, 3000, 300, 64],
  [3, 3000, 300, 100],
  [4, 20_000, 5000, 1000],
  [5, 20_000, 5000, 4096],
  [6, 60_000, 30_000, undefined],
])('written in pieces: the bytes encode() lays out (seed %d, %d lines, %d IPs, pieces of %s bytes)', (seed, lines, spread, piece) => {
  const columns = new SegmentColumns();
  fill(columns, seed, lines, spread);
  expectSame(columns, piece);
});

test('only failures, only logins, nothing; files one after another with one pool', () => {
  const onlyFailures = new SegmentColumns();
  fill(onlyFailures, 7, 500, 50, 0);
  expectSame(onlyFailures, 64);
  const onlyLogins = new SegmentColumns();
  fill(onlyLogins, 8, 500, 50, 1);
  expectSame(onlyLogins, 64);
  expectSame(new SegmentColumns(), 64);
  const pool = new ChunkPool();
  const columns = new SegmentColumns(pool);
  for (const [seed, lines, spread] of [[9, 30_000, 9000], [10, 2000, 100], [11, 40_000, 20_000]]) {
    fill(columns, seed, lines, spread);
    expectSame(columns);
    columns.release();
  }
});
