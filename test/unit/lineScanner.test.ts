/**
 * The streaming scanner against a naive reference (split into lines, keep those with a needle), on
 * real files: tiny reads that cut lines anywhere, CRLF, over-long lines, unterminated last lines,
 * start and end offsets, gzip, standard input, and the SIMD and JS kernels.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { Host } from '../../src/host/host';
import { CandidateLine, scanLines, ScanOptions, scanStream } from '../../src/scan/lineScanner';
import { LOGIN_NEEDLES } from '../../src/parsers/loginLine';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'relaywatch-scan-'));
const host = new Host(root);
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function write(name: string, data: string | Buffer): string {
  fs.writeFileSync(path.join(root, name), data);
  return `/${name}`;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** What a scanner must report: lines with a needle (CR stripped), their numbers and offsets. */
function reference(text: string, needles: readonly string[], opts: { maxLine?: number; partial?: boolean; start?: number; startLine?: number } = {}): CandidateLine[] {
  const buf = Buffer.from(text, 'utf8');
  const out: CandidateLine[] = [];
  let offset = opts.start ?? 0;
  let line = (opts.startLine ?? 1) - 1;
  while (offset < buf.length) {
    const nl = buf.indexOf(0x0a, offset);
    if (nl === -1 && !opts.partial) break;
    const end = nl === -1 ? buf.length : nl;
    line++;
    const raw = buf.subarray(offset, end);
    if (raw.length <= (opts.maxLine ?? Infinity) && needles.some((n) => raw.includes(Buffer.from(n, 'latin1')))) {
      out.push({ text: raw.toString('utf8').replace(/\r$/, ''), line, offset });
    }
    offset = end + 1;
  }
  return out;
}

async function scan(hostPath: string, opts: Partial<ScanOptions> = {}): Promise<{ lines: CandidateLine[]; result: Awaited<ReturnType<typeof scanLines>> }> {
  const lines: CandidateLine[] = [];
  const result = await scanLines(host, hostPath, { needles: LOGIN_NEEDLES, ...opts, onLine: (c) => lines.push(c) });
  return { lines, result };
}

function logText(r: () => number, lines: number): string {
  const kinds = [
    (i: number) => `Nov 27 10:00:${String(i % 60).padStart(2, '0')} host dovecot: imap-login: Login: user=<u${i}@example.com>, method=PLAIN, rip=203.0.113.${i % 250}, lip=192.0.2.1`,
    (i: number) => `Nov 27 10:00:00 host dovecot: imap(u${i}): Logged out in=1, out=2`,
    (i: number) => `Nov 27 10:00:00 host pop3d: LOGIN, user=u${i}, ip=[::ffff:198.51.100.${i % 250}], port=[1]`,
    () => 'Nov 27 10:00:00 host spamd[1]: spamd: clean message (1.0/5.0) for x:1 in 0.1 seconds',
    () => '',
    (i: number) => `Nov 27 10:00:00 host dovecot: pop3-login: Disconnected (auth failed, 1 attempts): user=<x${i}>, rip=192.0.2.9\r`,
    () => 'caf\u00e9 \u2603 Login: user=<\u00fcber@example.com>, rip=192.0.2.7',
  ];
  const out: string[] = [];
  for (let i = 0; i < lines; i++) out.push(kinds[Math.floor(r() * kinds.length)](i));
  return `${out.join('\n')}\n`;
}

describe.each([true, false])('simd=%s', (simd) => {
  test('finds the same lines as the reference with reads of any size', async () => {
    const text = logText(rng(7), 3000);
    const p = write(`log-${simd}`, text);
    const expected = reference(text, LOGIN_NEEDLES);
    expect(expected.length).toBeGreaterThan(500);
    for (const chunkSize of [7, 64, 333, 4096, 128 * 1024]) {
      const { lines, result } = await scan(p, { chunkSize, simd });
      expect(lines).toEqual(expected);
      expect(result.lines).toBe(3000);
      expect(result.endOffset).toBe(Buffer.byteLength(text));
      expect(result.partialBytes).toBe(0);
    }
  });

  test('a line filter drops candidates without changing the numbers of the lines it keeps', async () => {
    const text = logText(rng(11), 3000);
    const p = write(`filtered-${simd}`, text);
    // keep the candidates whose address ends in 7 (bytes, as the IP prefilter sees them)
    const keep = (buf: Buffer, s: number, e: number): boolean => /\.\d*7\b/.test(buf.toString('latin1', s, e));
    const expected = reference(text, LOGIN_NEEDLES).filter((c) => /\.\d*7\b/.test(c.text));
    expect(expected.length).toBeGreaterThan(20);
    for (const chunkSize of [64, 4096, 128 * 1024]) {
      const { lines, result } = await scan(p, { chunkSize, simd, lineFilter: keep });
      expect(lines).toEqual(expected);
      expect(result.lines).toBe(3000);
    }
  });

  test('an unterminated last line is left for later, or taken when the file is rotated', async () => {
    const text = 'a\nLogin: one\nb Login: two';
    const p = write(`partial-${simd}`, text);
    const live = await scan(p, { simd, chunkSize: 5 });
    expect(live.lines.map((l) => l.text)).toEqual(['Login: one']);
    expect(live.result).toMatchObject({ lines: 2, endOffset: 13, partialBytes: 12 });
    const rotated = await scan(p, { simd, chunkSize: 5, includePartialLastLine: true });
    expect(rotated.lines).toEqual([{ text: 'Login: one', line: 2, offset: 2 }, { text: 'b Login: two', line: 3, offset: 13 }]);
    expect(rotated.result).toMatchObject({ lines: 3, endOffset: 25, partialBytes: 0 });
  });

  test('lines longer than maxLineBytes are counted but never matched, whatever the read size', async () => {
    const long = `${'x'.repeat(5000)} Login: hidden`;
    const text = `Login: a\n${long}\nLogin: b\n${long}`;
    const p = write(`long-${simd}`, text);
    for (const chunkSize of [100, 1000, 64 * 1024]) {
      const { lines, result } = await scan(p, { simd, chunkSize, maxLineBytes: 1000, includePartialLastLine: true });
      expect(lines.map((l) => [l.text, l.line])).toEqual([['Login: a', 1], ['Login: b', 3]]);
      expect(result.lines).toBe(4);
      expect(result.longLinesSkipped).toBeGreaterThanOrEqual(chunkSize < 5000 ? 1 : 0);
    }
  });

  test('starts at an offset with a given line number and stops at an end offset', async () => {
    const text = logText(rng(8), 500);
    const p = write(`range-${simd}`, text);
    const buf = Buffer.from(text);
    let start = 0;
    for (let i = 0; i < 200; i++) start = buf.indexOf(0x0a, start) + 1;
    let end = start;
    for (let i = 0; i < 100; i++) end = buf.indexOf(0x0a, end) + 1;
    const { lines, result } = await scan(p, { simd, chunkSize: 1000, startOffset: start, startLine: 201, endOffset: end });
    const expected = reference(text, LOGIN_NEEDLES, { start, startLine: 201 }).filter((l) => l.offset < end);
    expect(lines).toEqual(expected);
    expect(result).toMatchObject({ lines: 300, endOffset: end, bytesRead: end - start });
  });

  test('reads gzip files, from the start or from a decompressed offset', async () => {
    const text = logText(rng(9), 2000);
    const p = write(`log-${simd}.gz`, zlib.gzipSync(text));
    expect((await scan(p, { simd, gz: true, includePartialLastLine: true })).lines).toEqual(reference(text, LOGIN_NEEDLES));
    const start = Buffer.from(text).indexOf(0x0a, 50_000) + 1;
    const from = await scan(p, { simd, gz: true, startOffset: start, startLine: 7 });
    expect(from.lines).toEqual(reference(text, LOGIN_NEEDLES, { start, startLine: 7 }));
    expect(from.result.endOffset).toBe(Buffer.byteLength(text));
  });

  test('a gzip file shorter than the offset to start at is an error', async () => {
    const p = write(`short-${simd}.gz`, zlib.gzipSync('Login: a\n'));
    await expect(scan(p, { simd, gz: true, startOffset: 100 })).rejects.toMatchObject({ code: 'ESHORT' });
  });

  test('corrupt gzip data is an error, not an empty result', async () => {
    const good = zlib.gzipSync(logText(rng(10), 500));
    const p = write(`bad-${simd}.gz`, Buffer.concat([good.subarray(0, 200), Buffer.alloc(200, 7)]));
    await expect(scan(p, { simd, gz: true })).rejects.toBeTruthy();
  });

  test('scans a stream (standard input), plain and gzipped', async () => {
    const text = logText(rng(11), 800);
    for (const gz of [false, true]) {
      const data = gz ? zlib.gzipSync(text) : Buffer.from(text);
      const chunks = [data.subarray(0, 1000), data.subarray(1000, 1001), data.subarray(1001)];
      const lines: CandidateLine[] = [];
      const result = await scanStream(Readable.from(chunks), { needles: LOGIN_NEEDLES, gz, simd, includePartialLastLine: true, onLine: (c) => lines.push(c) });
      expect(lines).toEqual(reference(text, LOGIN_NEEDLES));
      expect(result.bytesRead).toBe(data.length);
    }
  });
});

test('a missing file is an error', async () => {
  await expect(scan('/nope')).rejects.toMatchObject({ code: 'ENOENT' });
});

test('progress is reported in raw bytes up to the file size', async () => {
  const text = logText(rng(12), 4000);
  const p = write('progress', text);
  const seen: number[] = [];
  await scanLines(host, p, { needles: LOGIN_NEEDLES, chunkSize: 4096, onLine: () => undefined, onProgress: (n) => seen.push(n) });
  expect(seen.length).toBeGreaterThan(10);
  expect(seen[seen.length - 1]).toBe(Buffer.byteLength(text));
  expect([...seen].sort((a, b) => a - b)).toEqual(seen);
});
