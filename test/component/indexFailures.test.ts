/**
 * Failed logins from the login index, held to the answer of a full scan of the logs: explain's
 * failedLogins (count, names, first and last, whether mailboxes were tried) and everything that
 * follows from them (a reseller's view, what ties an IP to an account, the verdict) must be the
 * same, for root and each reseller, whether they come from the segments, from lines appended since
 * (read once, into the answer), after rotation and gzip, and past the limit of names kept per IP.
 * An index of the version before failures were kept is rebuilt, not believed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { loadConfig } from '../../src/config/config';
import { MAX_FAILED_USERS_PER_IP } from '../../src/domain/failedLogins';
import { createContext } from '../../src/services/context';
import { explain } from '../../src/services/explainService';
import { indexStore, indexWritesSettled, openLoginIndex, statusOf } from '../../src/scan/loginIndex';
import { decodeManifest, encodeManifest, FORMAT_VERSION, Manifest, PATTERNS_ID, segmentMetaMac } from '../../src/scan/loginIndexFormat';
import { failedLine, loginLine, makeCpanelHost } from '../helpers/cpanelHost';
import { removeTree, runCliCaptured, syslogStamp } from '../helpers/hostTree';

const now = new Date();
const roots: string[] = [];
afterAll(() => roots.forEach(removeTree));

let clock = Math.floor(now.getTime() / 1000) * 1000 - 2 * 86400_000;
/** A moment a few seconds after the previous one (whole seconds: syslog stamps carry none). */
const tick = (): Date => new Date((clock += 3000));

const courierFailed = (user: string | null, ip: string): string =>
  `${syslogStamp(tick())} server imapd: LOGIN FAILED, ${user ? `user=${user}, ` : ''}ip=[::ffff:${ip}], port=[4242]`;
const dovecotFailed = (user: string, ip: string, attempts: number): string =>
  `${syslogStamp(tick())} server dovecot[1234]: imap-login: Disconnected (auth failed, ${attempts} attempts in 9 secs): user=<${user}>, method=PLAIN, rip=${ip}, lip=192.0.2.1, TLS`;
const noise = (): string => `${syslogStamp(tick())} server dovecot[1234]: imap(x@example.com): Logged out in=10 out=20`;
const text = (lines: string[]): string => `${lines.join('\n')}\n`;

const GUESSER = '192.0.2.99';
const RELAY = ['203.0.113.10', GUESSER, '198.51.100.9'];
const VIEWERS = [[], ['--as', 'resellera'], ['--as', 'resellerb']];

/** Names tried from the guesser: `n` made-up ones, with real mailboxes and unnamed failures among them. */
function guessing(n: number, from: number, mailboxes: Record<number, string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    if (mailboxes[i]) out.push(dovecotFailed(mailboxes[i], GUESSER, 1 + (i % 3)));
    out.push(i % 2 ? courierFailed(`guess${from + i}`, GUESSER) : dovecotFailed(`guess${from + i}`, GUESSER, 2));
    if (i % 40 === 7) out.push(courierFailed(null, GUESSER));
    if (i % 5 === 0) out.push(noise());
  }
  return out;
}

function host(): string {
  const root = makeCpanelHost({
    generation: 'modern',
    relayIps: RELAY,
    maillog: [
      failedLine(tick(), 'bob@bob.example', '203.0.113.10'),
      loginLine(tick(), 'bob@bob.example', '203.0.113.10'),
      courierFailed('zed@nowhere.example', GUESSER),
      courierFailed(null, GUESSER),
      dovecotFailed('alice@alice.example', GUESSER, 3),
      noise(),
    ],
  });
  roots.push(root);
  return root;
}

const ctxOf = (root: string) => createContext(loadConfig({ root }));
const log = (root: string, name = 'maillog'): string => path.join(root, 'var/log', name);
const append = (root: string, lines: string[]): void => fs.appendFileSync(log(root), text(lines));

function manifest(root: string): Manifest {
  return decodeManifest(fs.readFileSync(path.join(indexStore(ctxOf(root)).dir, 'manifest.json')), null).manifest;
}

/** explain --json as a viewer, without the time it was made. */
async function explainJson(root: string, viewer: string[]): Promise<{ code: number; body: Record<string, unknown> }> {
  const r = await runCliCaptured(['explain', '--json', '--root', root, ...viewer]);
  await indexWritesSettled(ctxOf(root));
  return { code: r.code, body: { ...JSON.parse(r.stdout), checkedAt: null } };
}

/** The answers a scan gives: the same tree, times kept, without the state folder (so no index). */
async function scannedAnswers(root: string): Promise<Array<{ code: number; body: Record<string, unknown> }>> {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'relaywatch-scan-'));
  roots.push(copy);
  const state = path.join(root, 'var/lib/relaywatch');
  fs.cpSync(root, copy, { recursive: true, preserveTimestamps: true, filter: (src) => src !== state && !src.startsWith(`${state}/`) });
  const out = [];
  for (const v of VIEWERS) out.push(await explainJson(copy, v));
  expect(fs.existsSync(path.join(copy, 'var/lib/relaywatch/login-index'))).toBe(false);
  return out;
}

/** explain from the index (as the CLI asks: the index brought up to date first) equals the scan's, for every viewer. */
async function expectIndexAnswersAsScan(root: string): Promise<Array<{ code: number; body: Record<string, unknown> }>> {
  const scanned = await scannedAnswers(root);
  const indexed = [];
  for (const v of VIEWERS) indexed.push(await explainJson(root, v));
  expect(indexed).toEqual(scanned);
  // the index read the logs to their end: the answer came from it
  for (const e of manifest(root).logs) if (!e.gz) expect(e.offset).toBe(fs.statSync(path.join(root, e.path)).size);
  return indexed;
}

const failedOf = (answer: { body: Record<string, unknown> }, ip: string): { count: number; users: string[] } =>
  (answer.body.hosts as Array<{ ip: string; failedLogins: { count: number; users: string[] } }>).find((h) => h.ip === ip)!.failedLogins;

test('failures in the segments and in the lines appended since, through rotation and gzip, as a scan finds them', async () => {
  const root = host();
  await openLoginIndex(ctxOf(root), { create: true });
  const [first] = await expectIndexAnswersAsScan(root);
  expect(failedOf(first, GUESSER)).toMatchObject({ count: 5, users: ['alice@alice.example', 'zed@nowhere.example'] });

  // appended lines, not in the index yet: explain reads them once, into its answer and the index
  append(root, [courierFailed('carol@carol.example', GUESSER), dovecotFailed('bob@bob.example', '198.51.100.9', 4), noise()]);
  const [appended] = await expectIndexAnswersAsScan(root);
  expect(failedOf(appended, '198.51.100.9')).toMatchObject({ count: 4, users: ['bob@bob.example'] });
  expect(manifest(root).logs[0].segments.length).toBeGreaterThanOrEqual(1);

  // rotation by rename; the lines written just before it are not lost; a new live file
  append(root, [dovecotFailed('alice@alice.example', '203.0.113.10', 2)]);
  fs.renameSync(log(root), log(root, 'maillog-20991231'));
  fs.writeFileSync(log(root), text([courierFailed(null, '198.51.100.9'), loginLine(tick(), 'carol@carol.example', GUESSER)]));
  const [rotated] = await expectIndexAnswersAsScan(root);
  expect(failedOf(rotated, '198.51.100.9').count).toBe(5);

  // logrotate compresses the rotated file: for a moment both are there, then only the .gz
  fs.writeFileSync(log(root, 'maillog-20991231.gz'), zlib.gzipSync(fs.readFileSync(log(root, 'maillog-20991231'))));
  await expectIndexAnswersAsScan(root);
  fs.rmSync(log(root, 'maillog-20991231'));
  const [gzipped] = await expectIndexAnswersAsScan(root);
  expect(gzipped).toEqual({ ...rotated, body: { ...rotated.body, problems: gzipped.body.problems } });

  // the live file truncated and written anew: its failures are those of its new lines only
  fs.writeFileSync(log(root), text([courierFailed('x@y.example', '198.51.100.9')]));
  await expectIndexAnswersAsScan(root);
});

test('past the names kept per IP: the same names kept, and the same counted as unnamed, for root and each reseller', async () => {
  const root = host();
  // More names than are kept, spread over two segments of the live file (the second, less than half
  // the first, is not merged into it), with mailboxes of two resellers' accounts before and after
  // the limit.
  append(root, guessing(190, 0, { 20: 'bob@bob.example', 185: 'carol@carol.example' }));
  await openLoginIndex(ctxOf(root), { create: true });
  append(root, guessing(40, 190, { 5: 'alice@alice.example', 30: 'carol@carol.example', 35: 'bob@bob.example' }));
  const [before] = await expectIndexAnswersAsScan(root);
  expect(failedOf(before, GUESSER).users.length).toBe(MAX_FAILED_USERS_PER_IP - 1); // '' holds the rest
  expect(manifest(root).logs[0].segments).toHaveLength(2);

  // rotated: the new live file comes first, so other names come first; then more in its tail
  fs.renameSync(log(root), log(root, 'maillog-20991231'));
  fs.writeFileSync(log(root), text(guessing(60, 1000, { 3: 'carol@carol.example', 50: 'bob@bob.example' })));
  await openLoginIndex(ctxOf(root), { create: true });
  append(root, guessing(20, 2000, { 10: 'alice@alice.example' }));
  const answers = await expectIndexAnswersAsScan(root);
  expect(manifest(root).logs.map((e) => e.segments.length)).toEqual([2, 2]);
  // the readers see different things (the limit is not the same for each), and each sees the scan's
  expect(new Set(answers.map((a) => JSON.stringify(failedOf(a, GUESSER)))).size).toBe(3);
});

test('the index answers from what it read: bytes it has read are not read again', async () => {
  const root = host();
  await openLoginIndex(ctxOf(root), { create: true });
  // Changed in place, same size and first line: a scan sees 7 attempts, the index still its 3.
  fs.writeFileSync(log(root), fs.readFileSync(log(root), 'utf8').replace('(auth failed, 3 attempts', '(auth failed, 7 attempts'));
  const indexed = await explainJson(root, []);
  const [scanned] = await scannedAnswers(root);
  expect([failedOf(indexed, GUESSER).count, failedOf(scanned, GUESSER).count]).toEqual([5, 9]);
});

test('in a running process (the daemon\'s warm explain): appended failures show at once, from the index and the new lines', async () => {
  const root = host();
  const ctx = ctxOf(root);
  await openLoginIndex(ctx, { create: true });
  const viewer = { user: 'root', isRoot: true, accounts: new Set<string>() };
  const count = async (): Promise<number> => (await explain(ctx, viewer)).hosts.find((h) => h.ip === '198.51.100.9')!.failedLogins.count;
  expect(await count()).toBe(0);
  for (let i = 1; i <= 3; i++) {
    append(root, [dovecotFailed('carol@carol.example', '198.51.100.9', i), noise()]);
    expect(await count()).toBe((i * (i + 1)) / 2);
    await indexWritesSettled(ctx);
  }
  const segments = manifest(root).logs[0].segments;
  expect(segments.length).toBeGreaterThanOrEqual(1);
  const [scanned] = await scannedAnswers(root);
  const mine = { ...(await explain(ctx, viewer)), checkedAt: null };
  expect(JSON.parse(JSON.stringify(mine))).toEqual(scanned.body);
});

describe('an index of version 1 (logins only)', () => {
  const fixture = path.join(__dirname, '../fixtures/login-index-v1');

  /**
   * The index the version-1 code wrote for fixture/maillog (manifest and segment as it wrote them),
   * in place on a host with that log: its entry names the log's own inode, and it is signed with the
   * host's key, as it would be on a server after an upgrade.
   */
  function hostWithV1Index(opts: { v2Manifest?: boolean } = {}): string {
    const root = makeCpanelHost({ generation: 'modern', relayIps: RELAY, maillog: [] });
    roots.push(root);
    fs.copyFileSync(path.join(fixture, 'maillog'), log(root));
    const t = new Date('2026-11-27T22:11:50');
    fs.utimesSync(log(root), t, t);
    const ctx = ctxOf(root);
    const store = indexStore(ctx);
    expect(store.trustProblem(true)).toBeNull();
    fs.mkdirSync(store.dir, { recursive: true, mode: 0o700 });
    const m = JSON.parse(fs.readFileSync(path.join(fixture, 'manifest.json'), 'utf8')) as Manifest;
    expect(m.version).toBe(1);
    const st = fs.statSync(log(root));
    const key = store.macKey();
    for (const e of m.logs) {
      Object.assign(e, { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs });
      for (const s of e.segments) {
        const seg = fs.readFileSync(path.join(fixture, s.name));
        expect(seg.readUInt32LE(4)).toBe(1); // the segment's own version
        fs.writeFileSync(path.join(store.dir, s.name), seg, { mode: 0o600 });
        s.mac = segmentMetaMac(key, seg.subarray(0, seg.readUInt32LE(40)));
      }
    }
    if (opts.v2Manifest) Object.assign(m, { version: FORMAT_VERSION, patterns: PATTERNS_ID });
    fs.writeFileSync(path.join(store.dir, 'manifest.json'), encodeManifest(m, key), { mode: 0o600 });
    return root;
  }

  test('is outdated, and rebuilt by the first answer: failures and all, as a scan finds them', async () => {
    const root = hostWithV1Index();
    expect(statusOf(ctxOf(root), await openLoginIndex(ctxOf(root), { write: false })).state).toBe('outdated');
    const [answer] = await expectIndexAnswersAsScan(root);
    expect(failedOf(answer, GUESSER)).toMatchObject({ count: 7, users: ['alice@alice.example', 'bob@bob.example', 'zed@nowhere.example'] });
    const m = manifest(root);
    expect(m.version).toBe(FORMAT_VERSION);
    for (const s of m.logs[0].segments) expect(fs.readFileSync(path.join(indexStore(ctxOf(root)).dir, s.name)).readUInt32LE(4)).toBe(FORMAT_VERSION);
    expect(statusOf(ctxOf(root), await openLoginIndex(ctxOf(root))).state).toBe('ready');
  });

  test('a version-1 segment named by a current manifest is damage: rebuilt, never read as if it held no failures', async () => {
    const root = hostWithV1Index({ v2Manifest: true });
    const [answer] = await expectIndexAnswersAsScan(root);
    expect(failedOf(answer, GUESSER).count).toBe(7);
    expect(manifest(root).logs[0].segments.map((s) => s.name)).not.toContain('seg-1-1-ff00dba2.rwx');
  });
});
