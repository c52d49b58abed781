/**
 * The blacklist page and JSON routes over HTTP: they show the cached result and the progress of a
 * running check without waiting on DNS; refresh is root-only and needs the form token; resellers
 * see nothing of it.
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { blacklistMonitor } from '../../src/services/blacklistService';
import { createContext, CoreContext } from '../../src/services/context';
import { DEFAULT_QUERIED_ZONES, RunningDnsblServer, startDnsblServer } from '../helpers/dnsServer';
import { makeBlacklistHost, startScenarioServer } from '../helpers/blacklistHost';
import { removeTree, runCliCaptured } from '../helpers/hostTree';

const roots: string[] = [];
const servers: RunningDnsblServer[] = [];
const contexts: CoreContext[] = [];
afterEach(async () => {
  for (const ctx of contexts.splice(0)) {
    blacklistMonitor(ctx).stop();
    await blacklistMonitor(ctx).idle();
  }
});
afterAll(async () => {
  roots.forEach(removeTree);
  await Promise.all(servers.map((s) => s.close()));
});

/** `silent`: every list is dead, and the host has its main IP only (a short check of 21 unanswered queries). */
async function setup(o: { silent?: boolean; timeoutMs?: number } = {}) {
  const dns = o.silent
    ? await startDnsblServer({ zones: Object.fromEntries(DEFAULT_QUERIED_ZONES.map((z) => [z, 'silent'])) })
    : await startScenarioServer();
  servers.push(dns);
  const mainIpOnly = { '/etc/ips': '', '/etc/mailips': '', '/etc/relaywatch/interfaces': '' };
  const root = makeBlacklistHost({ resolver: dns.address, timeoutMs: o.timeoutMs, files: o.silent ? mainIpOnly : {} });
  roots.push(root);
  const ctx = createContext(loadConfig({ root }));
  contexts.push(ctx);
  const app = (user: string) => createApp(ctx, { identity: { kind: 'dev', user } });
  return { dns, root, ctx, app, monitor: blacklistMonitor(ctx) };
}

function csrfOf(html: string): string {
  const m = /name="csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no csrf field on the page');
  return m[1];
}

test('the first look starts a check in the background and answers at once; the result shows when it is done', async () => {
  const { app, monitor, dns } = await setup();
  const root = app('root');
  const first = await request(root).get('/api/v1/blacklist').expect(200);
  expect(first.body).toMatchObject({ checkedAt: null, ips: [], stale: true });
  expect(first.body.progress.running).toBe(true);
  await monitor.idle();
  const second = await request(root).get('/api/v1/blacklist').expect(200);
  expect(second.body.verdict).toBe('listed');
  expect(second.body.progress).toMatchObject({ running: false, lastError: null });
  expect(second.body.progress.done).toBe(second.body.progress.total);
  expect(second.body.stale).toBe(false);
  expect(second.body.ips.find((i: any) => i.ip === '203.0.113.10').results.find((x: any) => x.zone === 'ips.backscatterer.org').status).toBe('listed');
  // a fresh result is not checked again on the next look
  const asked = dns.queries.length;
  await request(root).get('/api/v1/blacklist').expect(200);
  await monitor.idle();
  expect(dns.queries.length).toBe(asked);
});

test('the page never waits on DNS: with every list silent it renders at once with a progress bar', async () => {
  const { app, monitor } = await setup({ silent: true, timeoutMs: 250 });
  const t0 = Date.now();
  const res = await request(app('root')).get('/blacklist').expect(200);
  expect(Date.now() - t0).toBeLessThan(1000);
  expect(monitor.progress().running).toBe(true);
  expect(res.text).toMatch(/No blacklist check has finished yet\./);
  expect(res.text).toMatch(/<div class="rw-job" data-progress-url="\/api\/v1\/blacklist">/);
  expect(res.text).toMatch(/<progress class="rw-progressbar" max="100" value="\d+">/);
  expect(res.text).toMatch(/<button type="submit" id="rw-main-action" disabled>A check is running<\/button>/);
});

test('the page shows listings with meaning, escaped TXT and evidence links, the unknowns with reasons, SORBS as defunct', async () => {
  const { root, app } = await setup();
  expect((await runCliCaptured(['blacklist', '--root', root])).code).toBe(2); // the CLI fills the cache
  const res = await request(app('root')).get('/blacklist').expect(200);
  const html = res.text;
  expect(html).toMatch(/class="rw-verdict rw-verdict-red"/);
  expect(html).toMatch(/203\.0\.113\.10 on Backscatterer/);
  expect(html).not.toMatch(/<script>alert/);
  expect(html).toMatch(/&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  expect(html).toMatch(/href="\/autoresponders"/);
  expect(html).toMatch(/href="\/backscatter\?at=2026-11-20\+08%3A15%3A00"/);
  expect(html).toMatch(/Your provider&#39;s network/);
  expect(html).toMatch(/Spamhaus error 127\.255\.255\.254/);
  expect(html).toMatch(/no: defunct/);
  expect(html).not.toMatch(/data-progress-url/);
  expect(html).toMatch(/<button type="submit" id="rw-main-action">Check now<\/button>/);
  expect(html).toMatch(/<tr data-status="skipped">\s*<td data-value="127\.0\.0\.1">127\.0\.0\.1<br>/);
  expect(html).toMatch(/<h3>203\.0\.113\.10 on UCEPROTECT Level 3<\/h3>\s*<p class="rw-card-state"><span class="rw-severity rw-grey">Your provider’s network, not this server<\/span>/);
});

test('refresh: root with the form token starts one check (202), a second while it runs starts none; without the token 403', async () => {
  const { app, monitor } = await setup({ silent: true, timeoutMs: 250 });
  const a = app('root');
  const page = await request(a).get('/blacklist').expect(200); // starts the first check
  await monitor.idle();
  await request(a).post('/api/v1/blacklist/refresh').expect(403);
  const token = csrfOf(page.text);
  const started = await request(a).post('/api/v1/blacklist/refresh').set('x-csrf-token', token).expect(202);
  expect(started.body).toMatchObject({ started: true, progress: { running: true } });
  const again = await request(a).post('/api/v1/blacklist/refresh').set('x-csrf-token', token).expect(202);
  expect(again.body.started).toBe(false);
  await monitor.idle();
  const after = await request(a).get('/api/v1/blacklist').expect(200);
  expect(after.body.verdict).toBe('unknown');
  expect(after.body.selfTest.every((t: any) => t.ok === false)).toBe(true);
});

test('the page form refresh redirects back to the page (303)', async () => {
  const { app, monitor } = await setup();
  const a = app('root');
  const page = await request(a).get('/blacklist').expect(200);
  await monitor.idle();
  const res = await request(a).post('/blacklist/refresh').type('form').send({ csrf: csrfOf(page.text) }).expect(303);
  expect(res.headers.location).toBe('/blacklist');
  await monitor.idle();
});

test('a reseller sees none of it: 403 on the page, the JSON route and refresh; no check starts; no nav entry', async () => {
  const { app, monitor, dns } = await setup();
  const r = app('resellera');
  await request(r).get('/api/v1/blacklist').expect(403);
  await request(r).get('/blacklist').expect(403);
  const dash = await request(r).get('/accounts');
  expect(dash.text).not.toMatch(/href="\/blacklist"/);
  expect(monitor.progress().running).toBe(false);
  expect(dns.queries).toEqual([]);
});

test('a bad zones file shows as a problem on the page and as the error of the background check', async () => {
  const { root, app, monitor } = await setup();
  fs.writeFileSync(path.join(root, 'etc/relaywatch/zones.yaml'), 'zones:\n  - zone: zen.spamhaus.org\n    impakt: high\n');
  await request(app('root')).get('/blacklist').expect(200);
  await monitor.idle();
  const res = await request(app('root')).get('/blacklist').expect(200);
  expect(res.text).toMatch(/Blacklist zones \/etc\/relaywatch\/zones\.yaml: unknown key &#34;zones\[0\]\.impakt&#34;/);
  const api = await request(app('root')).get('/api/v1/blacklist').expect(200);
  expect(api.body.progress.lastError).toMatch(/unknown key "zones\[0\]\.impakt"/);
});

test('a damaged cache file is reported and replaced by the next check', async () => {
  const { root, app, monitor } = await setup();
  fs.mkdirSync(path.join(root, 'var/lib/relaywatch'), { recursive: true });
  fs.writeFileSync(path.join(root, 'var/lib/relaywatch/blacklist.json'), '{"checkedAt": 1');
  const res = await request(app('root')).get('/api/v1/blacklist').expect(200);
  expect(res.body.problem).toMatch(/is damaged/);
  await monitor.idle();
  const after = await request(app('root')).get('/api/v1/blacklist').expect(200);
  expect(after.body.problem).toBeNull();
  expect(after.body.verdict).toBe('listed');
});
