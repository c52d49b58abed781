/**
 * The login index on real host trees, held to one rule: whatever happens to the logs (appends,
 * rotation by rename, gzip of the rotated file, copytruncate, truncation, deletion), the index must
 * give exactly the logins a full scan of the logs gives: nothing counted twice, nothing lost. And a
 * deleted or damaged index is rebuilt, a locked one is read without writing, and two processes can
 * use it at once.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { loadConfig } from '../../src/config/config';
import { createContext } from '../../src/services/context';
import { deleteLoginIndex, indexStore, indexWritesSettled, loginsForIp, openLoginIndex, queryLoginIndex, statusOf } from '../../src/scan/loginIndex';
import { decodeManifest } from '../../src/scan/loginIndexFormat';
import { forEachRecord, mailLogFiles, scanLogFiles } from '../../src/scan/loginScan';
import { Problems } from '../../src/services/problems';
import { loginLine, makeCpanelHost } from '../helpers/cpanelHost';
import { removeTree, runCliCaptured } from '../helpers/hostTree';

const now = new Date();
const roots: string[] = [];
afterAll(() => roots.forEach(removeTree));

let clock = now.getTime() - 3 * 86400_000;
/** A login line a few seconds after the previous one. */
function login(user: string, ip: string): string {
  clock += 7000;
  return loginLine(new Date(clock), user, ip);
}
const noise = (n: number): string => `${new Date(clock).toISOString()} server dovecot[1]: imap(x): Logged out in=${n}`;

function lines(n: number, ipBase = 10): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(login(`user${i % 7}@example.com`, `203.0.113.${ipBase + (i % 5)}`));
    out.push(noise(i));
  }
  return `${out.join('\n')}\n`;
}

function host(): string {
  const root = makeCpanelHost({ generation: 'modern', relayIps: ['203.0.113.10', '203.0.113.11'], maillog: [] });
  roots.push(root);
  fs.writeFileSync(path.join(root, 'var/log/maillog'), lines(20));
  return root;
}

const real = (root: string, p: string): string => path.join(root, p);
const ctxOf = (root: string) => createContext(loadConfig({ root }));

/** What a full scan of the logs finds, ignoring any index. */
async function scanTruth(root: string): Promise<string[]> {
  const ctx = ctxOf(root);
  const problems = new Problems();
  const out: string[] = [];
  await scanLogFiles(ctx, await mailLogFiles(ctx, problems), (f, b, base) => forEachRecord(b, f.path, base, (l) => out.push(`${l.file}:${l.line}:${l.ip}:${l.user}:${l.time}`)), { problems });
  expect(problems.list).toEqual([]);
  return out.sort();
}

/** Every login as the index gives it (through queryLoginIndex, as the services ask). */
async function indexAnswer(root: string, opts: Parameters<typeof openLoginIndex>[1] = { create: true }): Promise<string[]> {
  const r = await queryLoginIndex(ctxOf(root), (view) => {
    const out: string[] = [];
    view.forEachLogin((l) => out.push(`${l.file}:${l.line}:${l.ip}:${l.user}:${l.time}`));
    return out;
  }, opts);
  expect(r).not.toBeNull();
  await indexWritesSettled(ctxOf(root)); // answers come first, the index files right after
  return r!.value.sort();
}

async function expectIndexMatchesScan(root: string): Promise<string[]> {
  const truth = await scanTruth(root);
  expect(await indexAnswer(root)).toEqual(truth);
  expect(new Set(truth).size).toBe(truth.length);
  return truth;
}

function manifest(root: string) {
  return decodeManifest(fs.readFileSync(path.join(indexStore(ctxOf(root)).dir, 'manifest.json')), null).manifest;
}

test('a new index holds exactly what a scan finds, and status says what was read', async () => {
  const root = host();
  const truth = await expectIndexMatchesScan(root);
  expect(truth).toHaveLength(20);
  const st = statusOf(ctxOf(root), await openLoginIndex(ctxOf(root)));
  expect(st).toMatchObject({ state: 'ready', dir: '/var/lib/relaywatch/login-index', logins: 20 });
  expect(st.files).toEqual([expect.objectContaining({ path: '/var/log/maillog', bytesIndexed: fs.statSync(real(root, 'var/log/maillog')).size, lines: 40, logins: 20 })]);
});

test('explain does not create an index, but uses one that exists; the answers are the same', async () => {
  const root = host();
  const scanned = await runCliCaptured(['explain', '--json', '--root', root]);
  expect(fs.existsSync(indexStore(ctxOf(root)).dir)).toBe(false);
  await openLoginIndex(ctxOf(root), { create: true });
  const indexed = await runCliCaptured(['explain', '--json', '--root', root]);
  const strip = (t: string) => ({ ...JSON.parse(t), checkedAt: null });
  expect(strip(indexed.stdout)).toEqual(strip(scanned.stdout));
  expect(JSON.parse(indexed.stdout).hosts.find((h: { ip: string }) => h.ip === '203.0.113.10').loginCount).toBe(4);
});

test('appended lines: only the new bytes are read, into a new segment', async () => {
  const root = host();
  await expectIndexMatchesScan(root);
  const before = manifest(root).logs[0];
  fs.appendFileSync(real(root, 'var/log/maillog'), lines(3));
  await expectIndexMatchesScan(root);
  const after = manifest(root).logs[0];
  expect(after.id).toBe(before.id);
  expect(after.offset).toBe(fs.statSync(real(root, 'var/log/maillog')).size);
  expect(after.segments.reduce((n, s) => n + s.records, 0)).toBe(23);
  // the first segment was kept or merged, never re-read from the log: its logins are still there
  expect(after.lines).toBe(46);
});

test('an unfinished last line waits until it is complete', async () => {
  const root = host();
  const log = real(root, 'var/log/maillog');
  const next = login('late@example.com', '203.0.113.99');
  fs.appendFileSync(log, next.slice(0, 40));
  const partial = await expectIndexMatchesScan(root);
  expect(partial.some((k) => k.includes('late@'))).toBe(false);
  fs.appendFileSync(log, `${next.slice(40)}\n`);
  const whole = await expectIndexMatchesScan(root);
  expect(whole.filter((k) => k.includes('late@'))).toHaveLength(1);
});

test('rotation by rename, a new live file, then gzip of the rotated one: nothing twice, nothing lost', async () => {
  const root = host();
  await expectIndexMatchesScan(root);
  const log = real(root, 'var/log/maillog');
  const rotated = real(root, 'var/log/maillog-20991231');
  // lines written after the last index run and before the rotation must not be lost
  fs.appendFileSync(log, lines(2));
  fs.renameSync(log, rotated);
  fs.writeFileSync(log, lines(4, 50));
  const afterRename = await expectIndexMatchesScan(root);
  expect(afterRename).toHaveLength(26);
  const ids = manifest(root).logs.map((e) => [e.path, e.id]);

  // logrotate compresses: for a moment both files exist
  fs.writeFileSync(`${rotated}.gz`, zlib.gzipSync(fs.readFileSync(rotated)));
  expect(await expectIndexMatchesScan(root)).toEqual(afterRename);
  fs.rmSync(rotated);
  const afterGzip = await expectIndexMatchesScan(root);
  expect(afterGzip.map((k) => k.replace('maillog-20991231.gz', 'maillog-20991231'))).toEqual(afterRename);
  // the .gz took over the rotated file's entry without a new segment
  const m = manifest(root);
  const gzEntry = m.logs.find((e) => e.path.endsWith('.gz'))!;
  expect(gzEntry.id).toBe(ids.find(([p]) => p === '/var/log/maillog-20991231')![1]);
  expect(gzEntry).toMatchObject({ gz: true, sealed: true });
});

test('a .gz holding more than was indexed of its log gives the rest', async () => {
  const root = host();
  await expectIndexMatchesScan(root);
  const log = real(root, 'var/log/maillog');
  fs.appendFileSync(log, lines(3)); // never indexed as a plain file
  fs.writeFileSync(real(root, 'var/log/maillog-20991231.gz'), zlib.gzipSync(fs.readFileSync(log)));
  fs.rmSync(log);
  fs.writeFileSync(log, lines(1, 60));
  const truth = await expectIndexMatchesScan(root);
  expect(truth).toHaveLength(24);
});

test('copytruncate: the copy continues the entry, the truncated live file starts again', async () => {
  const root = host();
  await expectIndexMatchesScan(root);
  const log = real(root, 'var/log/maillog');
  fs.appendFileSync(log, lines(2));
  fs.copyFileSync(log, real(root, 'var/log/maillog.1'));
  fs.truncateSync(log, 0);
  fs.appendFileSync(log, lines(3, 70));
  const truth = await expectIndexMatchesScan(root);
  expect(truth).toHaveLength(25);
});

test('truncation in place drops what the file no longer holds', async () => {
  const root = host();
  await expectIndexMatchesScan(root);
  const log = real(root, 'var/log/maillog');
  fs.truncateSync(log, 0);
  fs.appendFileSync(log, lines(2, 80));
  const truth = await expectIndexMatchesScan(root);
  expect(truth).toHaveLength(2);
  expect(truth.every((k) => k.includes('203.0.113.8'))).toBe(true);
});

test('a rotated file deleted by retention takes its logins with it', async () => {
  const root = host();
  const log = real(root, 'var/log/maillog');
  fs.renameSync(log, real(root, 'var/log/maillog-20991230'));
  fs.writeFileSync(log, lines(2, 90));
  expect(await expectIndexMatchesScan(root)).toHaveLength(22);
  fs.rmSync(real(root, 'var/log/maillog-20991230'));
  expect(await expectIndexMatchesScan(root)).toHaveLength(2);
});

test('a deleted index is rebuilt', async () => {
  const root = host();
  const truth = await expectIndexMatchesScan(root);
  deleteLoginIndex(ctxOf(root));
  expect(await openLoginIndex(ctxOf(root))).toBeNull(); // explain then scans
  expect(await indexAnswer(root)).toEqual(truth);
  const r = await runCliCaptured(['index', '--json', '--root', root]);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ state: 'ready', logins: 20 });
});

describe('a damaged index is rebuilt, not trusted', () => {
  const damage: Array<[string, (dir: string) => void]> = [
    ['a manifest that is not JSON', (dir) => fs.writeFileSync(path.join(dir, 'manifest.json'), '{"checksum": "x", "manifest": {')],
    ['a manifest edited without its checksum', (dir) => {
      const p = path.join(dir, 'manifest.json');
      fs.writeFileSync(p, fs.readFileSync(p, 'utf8').replace(/"lines": \d+/, '"lines": 1'));
    }],
    ['a flipped byte in a segment', (dir) => {
      const seg = fs.readdirSync(dir).find((n) => n.endsWith('.rwx'))!;
      const b = fs.readFileSync(path.join(dir, seg));
      b[b.length - 30] ^= 0xff;
      fs.writeFileSync(path.join(dir, seg), b);
    }],
    ['a truncated segment', (dir) => {
      const seg = fs.readdirSync(dir).find((n) => n.endsWith('.rwx'))!;
      fs.truncateSync(path.join(dir, seg), 100);
    }],
    ['a missing segment', (dir) => {
      for (const n of fs.readdirSync(dir)) if (n.endsWith('.rwx')) fs.rmSync(path.join(dir, n));
    }],
  ];
  test.each(damage)('%s', async (_what, harm) => {
    const root = host();
    const truth = await expectIndexMatchesScan(root);
    const first = manifest(root).createdAt;
    harm(indexStore(ctxOf(root)).dir);
    // explain's way in (no create): a damaged index is rebuilt from the logs
    expect(await indexAnswer(root, {})).toEqual(truth);
    expect(manifest(root).generation).toBe(1);
    expect(manifest(root).createdAt >= first).toBe(true);
    const ip = await loginsForIp(ctxOf(root), '203.0.113.10');
    expect(ip).toHaveLength(4);
  });

  test('read-only, a damaged index is not used', async () => {
    const root = host();
    await expectIndexMatchesScan(root);
    fs.writeFileSync(path.join(indexStore(ctxOf(root)).dir, 'manifest.json'), 'garbage');
    expect(await openLoginIndex(ctxOf(root), { write: false })).toBeNull();
  });
});

test('while another process holds the writer lock, new lines are read into memory and nothing is written', async () => {
  const root = host();
  await expectIndexMatchesScan(root);
  const dir = indexStore(ctxOf(root)).dir;
  const generation = manifest(root).generation;
  // a live process that is not us: our parent
  fs.writeFileSync(path.join(dir, 'writer.lock'), JSON.stringify({ pid: process.ppid, at: Date.now() }));
  fs.appendFileSync(real(root, 'var/log/maillog'), lines(2));
  const view = await openLoginIndex(ctxOf(root));
  expect(view!.inMemory).toBe(true);
  expect(await indexAnswer(root)).toEqual(await scanTruth(root));
  expect(manifest(root).generation).toBe(generation);
  // a lock left by a process that is gone is taken over
  fs.writeFileSync(path.join(dir, 'writer.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, at: Date.now() }));
  expect((await openLoginIndex(ctxOf(root)))!.inMemory).toBe(false);
  expect(manifest(root).generation).toBe(generation + 1);
});

test('IP lookup: every login from the IP across current, rotated and gzipped logs, newest first', async () => {
  const root = host();
  fs.renameSync(real(root, 'var/log/maillog'), real(root, 'var/log/maillog-20991229'));
  fs.writeFileSync(real(root, 'var/log/maillog-20991228.gz'), zlib.gzipSync(lines(5)));
  fs.writeFileSync(real(root, 'var/log/maillog'), lines(5));
  const scanned = await loginsForIp(ctxOf(root), '203.0.113.10');
  await openLoginIndex(ctxOf(root), { create: true });
  const indexed = await loginsForIp(ctxOf(root), '203.0.113.10');
  expect(indexed).toEqual(scanned);
  expect(indexed).toHaveLength(6);
  expect(new Set(indexed.map((r) => r.file))).toEqual(new Set(['/var/log/maillog', '/var/log/maillog-20991229', '/var/log/maillog-20991228.gz']));
  expect(indexed.map((r) => r.time)).toEqual([...indexed.map((r) => r.time)].sort().reverse());
  expect(indexed[0]).toEqual({ file: expect.any(String), line: expect.any(Number), time: expect.any(String), user: expect.stringMatching(/@example\.com$/), protocol: 'imap', service: 'dovecot' });
});

function runReader(root: string, rounds: number): Promise<Array<{ round: number; inMemory?: boolean; logins?: string[]; index?: null }>> {
  const repo = path.resolve(__dirname, '../..');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-r', path.join(repo, 'test/helpers/registerTs.js'), path.join(repo, 'test/helpers/indexReader.ts'), root, String(rounds)], { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(stdout.trim().split('\n').map((l) => JSON.parse(l)));
    });
  });
}

test('two processes use the index at once while the log grows', async () => {
  const root = host();
  await expectIndexMatchesScan(root);
  const log = real(root, 'var/log/maillog');
  const writer = setInterval(() => fs.appendFileSync(log, lines(1, 100)), 5);
  let results: Awaited<ReturnType<typeof runReader>>[];
  try {
    results = await Promise.all([runReader(root, 8), runReader(root, 8)]);
  } finally {
    clearInterval(writer);
  }
  // every answer is a consistent set of logins: no line twice, and each a superset of the first state
  for (const rounds of results) {
    expect(rounds).toHaveLength(8);
    for (const r of rounds) {
      expect(r.logins).toBeDefined();
      expect(new Set(r.logins).size).toBe(r.logins!.length);
      expect(r.logins!.length).toBeGreaterThanOrEqual(20);
    }
  }
  // afterwards the index is sound and equals a scan
  await expectIndexMatchesScan(root);
}, 120_000);

test('a segment with more logins than a function call takes arguments is read whole', async () => {
  const root = host();
  const many: string[] = [];
  for (let i = 0; i < 150_000; i++) many.push(loginLine(new Date(clock + i * 1000), `u${i % 50}@example.com`, `198.51.100.${i % 200}`));
  fs.appendFileSync(real(root, 'var/log/maillog'), `${many.join('\n')}\n`);
  const r = await queryLoginIndex(ctxOf(root), (view) => {
    let n = 0;
    view.forEachLogin(() => n++);
    return n;
  }, { create: true });
  expect(r?.value).toBe(150_020);
}, 60_000);
