/**
 * The daemon's side of the login index: it builds the index at start (answers say "wait" meanwhile
 * and the dashboard shows the progress), follows the logs as they grow, and the cached reports of
 * the JSON API change as soon as a file they came from changes.
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { createContext } from '../../src/services/context';
import { explain } from '../../src/services/explainService';
import { indexStore } from '../../src/scan/loginIndex';
import { indexProgress, REVALIDATE_MS, startBackgroundWork } from '../../src/scan/loginIndexDaemon';
import { loginLine, makeCpanelHost } from '../helpers/cpanelHost';
import { removeTree } from '../helpers/hostTree';

const now = new Date();
const minutesAgo = (m: number): Date => new Date(now.getTime() - m * 60_000);
const roots: string[] = [];
const stops: Array<() => void> = [];
afterAll(() => {
  stops.forEach((s) => s());
  roots.forEach(removeTree);
});

const ROOT_VIEWER = { user: 'root', isRoot: true, accounts: new Set<string>() };

function host(): string {
  const root = makeCpanelHost({
    generation: 'modern',
    relayIps: ['203.0.113.10', '203.0.113.20'],
    maillog: [loginLine(minutesAgo(5), 'bob@bob.example', '203.0.113.10')],
  });
  roots.push(root);
  return root;
}

async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('the index is built at start; until then answers say to wait instead of guessing', async () => {
  const root = host();
  const ctx = createContext(loadConfig({ root }));
  expect(indexProgress(ctx).state).toBe('idle');
  // Another process is building the index (it holds the writer lock): our daemon must wait for it.
  const dir = indexStore(ctx).dir;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'writer.lock'), JSON.stringify({ pid: process.ppid, at: Date.now() }));
  const work = startBackgroundWork(ctx);
  stops.push(work.stop);
  await work.idle();
  const early = await explain(ctx, ROOT_VIEWER);
  expect(early.verdict).toBe('unknown');
  expect(early.problems.map((p) => p.message).join(' ')).toMatch(/reading the mail logs for the first time/);
  expect(indexProgress(ctx).message).toMatch(/another process/);

  // That process is gone; the next change to the logs gets the daemon going.
  fs.rmSync(path.join(dir, 'writer.lock'));
  fs.appendFileSync(path.join(root, 'var/log/maillog'), `${loginLine(minutesAgo(4), 'bob@bob.example', '203.0.113.10')}\n`);
  await until(() => fs.existsSync(path.join(dir, 'manifest.json')));
  await work.idle();
  expect(indexProgress(ctx)).toMatchObject({ state: 'idle', percent: 100 });
  const ready = await explain(ctx, ROOT_VIEWER);
  expect(ready.verdict).toBe('unexplained');
  expect(ready.hosts.find((h) => h.ip === '203.0.113.10')).toMatchObject({ status: 'explained', loginCount: 2 });
});

test('new log lines reach the index without a request, and the API answer follows every change', async () => {
  const root = host();
  const ctx = createContext(loadConfig({ root }));
  const work = startBackgroundWork(ctx);
  stops.push(work.stop);
  await work.idle();
  const app = createApp(ctx, { identity: { kind: 'dev', user: 'root' } });
  const manifest = path.join(indexStore(ctx).dir, 'manifest.json');
  const before = fs.readFileSync(manifest, 'utf8');

  const first = await request(app).get('/api/v1/relay-hosts').expect(200);
  expect(first.body.counts).toMatchObject({ hosts: 2, explained: 1, unexplained: 1 });
  const again = await request(app).get('/api/v1/relay-hosts').expect(200);
  expect(again.body.checkedAt).toBe(first.body.checkedAt); // the same report, not recomputed

  fs.appendFileSync(path.join(root, 'var/log/maillog'), `${loginLine(minutesAgo(1), 'bob@bob.example', '203.0.113.20')}\n`);
  await until(() => fs.readFileSync(manifest, 'utf8') !== before);
  const after = await request(app).get('/api/v1/relay-hosts').expect(200);
  expect(after.body.counts).toMatchObject({ hosts: 2, explained: 2, unexplained: 0 });

  fs.appendFileSync(path.join(root, 'etc/recent_authed_mail_ips'), '198.51.100.5\n');
  await new Promise((r) => setTimeout(r, REVALIDATE_MS + 20)); // the daemon looks at the files again after this
  const listed = await request(app).get('/api/v1/relay-hosts').expect(200);
  expect(listed.body.counts).toMatchObject({ hosts: 3, unexplained: 1 });
});

test('GET /api/v1/index/progress says how far the build is, and the dashboard carries the bar', async () => {
  const root = host();
  const ctx = createContext(loadConfig({ root }));
  const app = createApp(ctx, { identity: { kind: 'dev', user: 'root' } });
  const idle = await request(app).get('/api/v1/index/progress').expect(200);
  expect(idle.body).toEqual({ state: 'idle', percent: 100, startedAt: null, finishedAt: null });
  const work = startBackgroundWork(ctx);
  stops.push(work.stop);
  const during = await request(app).get('/api/v1/index/progress').expect(200);
  expect(['building', 'idle']).toContain(during.body.state);
  await work.idle();
  const done = await request(app).get('/api/v1/index/progress').expect(200);
  expect(done.body).toMatchObject({ state: 'idle', percent: 100, finishedAt: expect.any(String) });
  const page = await request(app).get('/').expect(200);
  expect(page.text).toContain('data-index-progress="/api/v1/index/progress"');
  expect(page.text).toMatch(/<script nonce="[^"]+" src="\/assets\/progress\.[0-9a-f]{12}\.js">/);
  await request(app).get('/assets/progress.js').expect(200).expect('content-type', /javascript/);
});

test('a reseller may ask for the progress; it names no file and counts no mail', async () => {
  const root = host();
  const ctx = createContext(loadConfig({ root }));
  const app = createApp(ctx, { identity: { kind: 'dev', user: 'resellera' } });
  const r = await request(app).get('/api/v1/index/progress').expect(200);
  expect(Object.keys(r.body).sort()).toEqual(['finishedAt', 'percent', 'startedAt', 'state']);
});
