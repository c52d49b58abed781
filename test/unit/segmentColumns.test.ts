/**
 * A build keeps each file's logins and failures in SegmentColumns (texts numbered once per file,
 * failure rows summed per (IP, name) as the jobs come in) and encodes its segment from them: the
 * bytes must be exactly those encodeSegment gives for the same logins and failures in order, however
 * the file was cut into jobs, whatever the texts (an IP that is also a name, IPv6, '' for no name),
 * past the columns' chunk size and the failure table's growth.
 */
import { kindInfo, LoginBatchBuilder, loginKind } from '../../src/scan/loginBatch';
import { encodeSegment, IndexedFailure, IndexedLogin, kindKey } from '../../src/scan/loginIndexFormat';
import { SegmentColumns } from '../../src/scan/segmentColumns';
import { ChunkPool } from '../../src/scan/chunkedColumn';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const kindOf = (k: number): string => {
  const i = kindInfo(k);
  return kindKey(i.pattern, i.protocol, i.service);
};

function ipOf(r: () => number, spread: number): string {
  const n = Math.floor(r() * spread);
  if (n % 7 === 0) return `2001:db8::${(n % 65536).toString(16)}`;
  return `${10 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}.${n % 13}`;
}

/** One file read in jobs: each job's batch and failure rows, and the same as plain lists. */
function file(seed: number, lines: number, spread: number): { jobs: Array<{ batch: ReturnType<LoginBatchBuilder['build']>; lineBase: number; failed: IndexedFailure[] }>; logins: IndexedLogin[]; failures: IndexedFailure[] } {
  const r = rng(seed);
  const users = ['bob@b.example', 'amy@a.example', 'zed', '', 'carol@c.example', '192.0.2.1', 'dave', 'jürgen@bücher.example', '\u{1F600}@x.example'];
  const kinds = [loginKind(0, 'imap'), loginKind(0, 'pop3'), loginKind(1, 'imap'), loginKind(2, 'pop3')];
  const jobs = [];
  const logins: IndexedLogin[] = [];
  const failures: IndexedFailure[] = [];
  let line = 1;
  while (line <= lines) {
    const lineBase = line - 1;
    const end = Math.min(lines, line + Math.floor(r() * lines * 0.4));
    const b = new LoginBatchBuilder(4);
    const failed: IndexedFailure[] = [];
    for (; line <= end; line++) {
      const ip = r() < 0.05 ? '192.0.2.1' : ipOf(r, spread);
      const t = r() < 0.1 ? NaN : 1_700_000_000_000 + Math.floor(r() * 1e9);
      if (r() < 0.4) {
        const user = users[Math.floor(r() * users.length)];
        const kind = kinds[Math.floor(r() * kinds.length)];
        b.push(line - lineBase, t, ip, user, kind);
        logins.push({ ip, user, line, time: t, kind: kindOf(kind) });
      } else {
        const f = { ip, user: r() < 0.3 ? `guess${Math.floor(r() * 50)}` : users[Math.floor(r() * users.length)], attempts: 1 + Math.floor(r() * 3), first: t, last: Number.isNaN(t) ? t : t + Math.floor(r() * 5000) };
        failed.push(f);
        failures.push({ ...f });
      }
    }
    jobs.push({ batch: b.build(), lineBase, failed });
  }
  return { jobs, logins, failures };
}

test.each([
  [1, 50, 10],
  [2, 400, 40],
  [3, 3000, 200],
  [4, 3000, 5],
  [5, 70_000, 30_000],
])('columns of a file read in jobs encode to encodeSegment\'s bytes (seed %d, %d lines)', (seed, lines, spread) => {
  const f = file(seed, lines, spread);
  const columns = new SegmentColumns();
  for (const job of f.jobs) {
    columns.addLogins(job.batch, job.lineBase, kindOf);
    columns.addFailed(job.failed);
  }
  expect(columns.empty).toBe(false);
  expect(columns.encode().equals(encodeSegment(f.logins, f.failures))).toBe(true);
});

test('only failures, only logins, nothing', () => {
  const f = file(9, 500, 50);
  const onlyFailures = new SegmentColumns();
  const onlyLogins = new SegmentColumns();
  for (const job of f.jobs) {
    onlyFailures.addFailed(job.failed);
    onlyLogins.addLogins(job.batch, job.lineBase, kindOf);
  }
  expect(onlyFailures.encode().equals(encodeSegment([], f.failures))).toBe(true);
  expect(onlyLogins.encode().equals(encodeSegment(f.logins, []))).toBe(true);
  expect(new SegmentColumns().empty).toBe(true);
  expect(new SegmentColumns().encode().equals(encodeSegment([], []))).toBe(true);
});

test('files one after another with one pool: chunks and the segment buffer used again, nothing carried over', () => {
  const pool = new ChunkPool();
  const columns = new SegmentColumns(pool);
  for (const [seed, lines, spread] of [[11, 60_000, 20_000], [12, 3000, 100], [13, 40_000, 9000]]) {
    const f = file(seed, lines, spread);
    // a fresh object for each file as well as the same one, released
    for (const c of [columns, new SegmentColumns(pool)]) {
      for (const job of f.jobs) {
        c.addLogins(job.batch, job.lineBase, kindOf);
        c.addFailed(job.failed);
      }
      expect(c.encode().equals(encodeSegment(f.logins, f.failures))).toBe(true);
      c.release();
      expect(c.empty).toBe(true);
    }
  }
});
