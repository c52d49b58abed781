/**
 * `relaywatch backscatter` and /api/v1/backscatter on a real temporary host tree: a forwarder to an
 * outside domain, a catch-all that bounces, a catch-all that delivers, bounce volume per domain,
 * and the traffic around a blacklist's listing time.
 */
import request from 'supertest';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { createContext } from '../../src/services/context';
import { removeTree, runCliCaptured } from '../helpers/hostTree';
import { makeEvidenceHost } from '../helpers/mailEvidenceHost';

const now = new Date();
const roots: string[] = [];
afterAll(() => roots.forEach(removeTree));

function host(): { root: string; burst: Date } {
  const h = makeEvidenceHost(now);
  roots.push(h.root);
  return h;
}

async function cli(root: string, ...args: string[]): Promise<{ code: number; body: any; stderr: string }> {
  const r = await runCliCaptured(['backscatter', '--json', '--root', root, ...args]);
  return { code: r.code, body: r.stdout ? JSON.parse(r.stdout) : null, stderr: r.stderr };
}

test('forwarders, default addresses and bounces per domain', async () => {
  const { root } = host();
  const { code, body } = await cli(root);
  expect(code).toBe(1);
  expect(body.forwarders).toEqual([
    expect.objectContaining({ source: 'sales@bob.example', account: 'bob', owner: 'resellera', destinations: ['friend@mail.example'], keepsCopy: true, forwarded: 1, file: '/etc/valiases/bob.example', line: 1 }),
  ]);
  const d = Object.fromEntries(body.defaultAddresses.map((x: any) => [x.domain, x]));
  expect(d['alice.example']).toMatchObject({ kind: 'fail', risky: true, target: ':fail: No Such User Here', bounces: 1 });
  expect(d['shop.bob.example']).toMatchObject({ kind: 'deliver', risky: true, target: 'bob' });
  expect(d['bob.example']).toMatchObject({ kind: 'blackhole', risky: false });
  expect(d['carol.example']).toMatchObject({ kind: 'blackhole', risky: false });
  expect(body.bounces).toEqual({
    total: 1,
    toOutside: 1,
    byDomain: [{ domain: 'alice.example', account: 'alice', owner: 'root', bounces: 1, toOutside: 1, last: expect.any(String) }],
    unattributed: null,
  });
  expect(body.around).toBeNull();
});

test('--at shows the outgoing null-sender and autoresponder traffic around the listing time', async () => {
  const { root, burst } = host();
  const at = new Date(burst.getTime() + 90_000).toISOString();
  const { body } = await cli(root, '--at', at);
  expect(body.around.at).toBe(at);
  expect(body.around.windowMinutes).toBe(5);
  expect(body.around.counts).toEqual({ bounces: 1, nullSender: 0, autoresponderHits: 2, autoresponderReplies: 2 });
  const kinds = body.around.events.map((e: any) => e.kind);
  expect(kinds).toEqual(['autoresponder-hit', 'autoresponder-reply', 'autoresponder-hit', 'autoresponder-reply', 'bounce']);
  const reply = body.around.events[1];
  expect(reply).toMatchObject({ from: 'info@alice.example', to: ['victim@innocent.example'], domain: 'alice.example', account: 'alice', autoresponder: 'info@alice.example' });
  expect(body.around.events[4]).toMatchObject({ kind: 'bounce', from: '<>', to: ['other-victim@innocent.example'], domain: 'alice.example' });
  // carol's autoresponder traffic, hours earlier, is outside the window
  expect(JSON.stringify(body.around)).not.toMatch(/help@carol/);

  const narrow = await cli(root, '--at', new Date(burst.getTime() - 30 * 60_000).toISOString(), '--window', '2');
  expect(narrow.body.around.events).toEqual([]);
});

test('listing times in other forms; bad ones are refused', async () => {
  const { root, burst } = host();
  const local = (d: Date): string => {
    const p = (n: number): string => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  };
  const a = await cli(root, '--at', local(burst));
  expect(a.body.around.counts.autoresponderHits).toBe(2);
  const b = await cli(root, '--at', String(Math.floor(burst.getTime() / 1000)));
  expect(b.body.around.counts.autoresponderHits).toBe(2);
  const bad = await runCliCaptured(['backscatter', '--root', root, '--at', 'yesterday']);
  expect(bad.code).toBe(64);
  expect(bad.stderr).toMatch(/is not a time/);
  const future = await runCliCaptured(['backscatter', '--root', root, '--at', new Date(now.getTime() + 86400_000).toISOString()]);
  expect(future.code).toBe(64);
});

test('a listing time older than --days widens the scan instead of missing it', async () => {
  const { root, burst } = host();
  const { body } = await cli(root, '--days', '1', '--at', burst.toISOString());
  expect(body.around.counts.autoresponderHits).toBe(2);
});

test('a reseller sees only their accounts\' forwarders, default addresses, bounces and traffic', async () => {
  const { root, burst } = host();
  const a = await cli(root, '--as', 'resellera', '--at', burst.toISOString());
  expect(a.body.forwarders.map((f: any) => f.source)).toEqual(['sales@bob.example']);
  expect(a.body.defaultAddresses.map((x: any) => x.domain).sort()).toEqual(['bob.example', 'shop.bob.example']);
  expect(a.body.bounces).toEqual({ total: 0, toOutside: 0, byDomain: [], unattributed: null });
  expect(a.body.around.events).toEqual([]);
  expect(JSON.stringify(a.body)).not.toMatch(/alice|carol|innocent/);
  const b = await cli(root, '--as', 'resellerb');
  expect(b.body.forwarders).toEqual([]);
  expect(b.body.defaultAddresses.map((x: any) => x.domain)).toEqual(['carol.example']);
});

test('GET /api/v1/backscatter and the page', async () => {
  const { root, burst } = host();
  const app = createApp(createContext(loadConfig({ root }), { now: () => now }), { identity: { kind: 'dev', user: 'root' } });
  const api = await request(app).get('/api/v1/backscatter').query({ at: burst.toISOString(), window: '3' }).expect(200);
  expect(api.body.around.windowMinutes).toBe(3);
  expect(api.body.forwarders).toHaveLength(1);
  await request(app).get('/api/v1/backscatter?at=nonsense').expect(400);
  await request(app).get('/api/v1/backscatter?window=x').expect(400);
  const page = await request(app).get('/backscatter').query({ at: burst.toISOString() }).expect(200);
  expect(page.text).toContain('sales@bob.example');
  expect(page.text).toContain('victim@innocent.example');
  expect(page.text).toContain(':fail: No Such User Here');
});

test('a bad ?at=, ?window= or ?days= on a page: the page is still shown, with the message beside the field that caused it', async () => {
  const { root } = host();
  const app = createApp(createContext(loadConfig({ root }), { now: () => now }), { identity: { kind: 'dev', user: 'root' } });
  const page = await request(app).get('/backscatter').query({ at: 'yesterday', days: 'lots' }).expect(400);
  expect(page.text).toContain('<h1 class="rw-title">Backscatter sources');
  expect(page.text).toContain('sales@bob.example'); // the report, with the defaults
  expect(page.text).toMatch(/<span class="rw-field-error" id="rw-err-at"><strong>Not used:<\/strong> [^<]*is not a time/);
  expect(page.text).toMatch(/id="rw-err-days"><strong>Not used:<\/strong> days must be a whole number/);
  expect(page.text).toContain('value="lots" aria-invalid="true" aria-describedby="rw-err-days"');
  expect(page.text).not.toContain('id="rw-err-window"');
  for (const route of ['/reliance', '/autoresponders']) {
    const p = await request(app).get(route).query({ days: '0' }).expect(400);
    expect(p.text).toMatch(/id="rw-err-days"><strong>Not used:<\/strong> days must be a whole number from 1 to/);
    expect(p.text).toContain('<main class="rw-main"');
  }
});
