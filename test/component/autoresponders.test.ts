/**
 * `relaywatch autoresponders` and /api/v1/autoresponders on a real temporary host tree with
 * autoresponders in .json and legacy .conf form, a routed and an orphaned one, and their traffic.
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

function host(o: Parameters<typeof makeEvidenceHost>[1] = {}): string {
  const h = makeEvidenceHost(now, o);
  roots.push(h.root);
  return h.root;
}

async function cli(root: string, ...args: string[]): Promise<{ code: number; body: any; stderr: string }> {
  const r = await runCliCaptured(['autoresponders', '--json', '--root', root, ...args]);
  return { code: r.code, body: JSON.parse(r.stdout), stderr: r.stderr };
}

test('inventory: settings from .json and .conf, activity, traffic and risks', async () => {
  const root = host();
  const { code, body } = await cli(root);
  expect(code).toBe(1); // risky autoresponders: a warning
  const by = Object.fromEntries(body.autoresponders.map((a: any) => [a.address, a]));
  expect(Object.keys(by).sort()).toEqual(['evil@bob.example', 'help@carol.example', 'info@alice.example', 'old@bob.example']);

  expect(by['info@alice.example']).toMatchObject({
    account: 'alice', owner: 'root', subject: 'Away until Monday', interval: 0, stop: null, active: true,
    received: 2, spamReceived: 1, replies: 2, bounces: 0, routed: true, settingsFile: 'json', dir: '/home/alice/.autorespond',
  });
  expect(by['info@alice.example'].start).toBe(new Date((Math.floor(now.getTime() / 1000) - 86400) * 1000).toISOString());
  expect(by['info@alice.example'].risks.map((r: any) => r.code).sort()).toEqual(['always-on', 'interval-zero', 'spam-tagged']);
  expect(by['info@alice.example'].risks.find((r: any) => r.code === 'spam-tagged').reason).toMatch(/1 of the 2 messages/);

  // Legacy .conf in a home directory named by HOMEDIR= (/home2/carol).
  expect(by['help@carol.example']).toMatchObject({
    account: 'carol', owner: 'resellerb', subject: 'We got your message', interval: 24, settingsFile: 'conf', dir: '/home2/carol/.autorespond',
    active: true, received: 1, spamReceived: 1, replies: 0,
  });
  expect(by['help@carol.example'].risks.map((r: any) => r.code).sort()).toEqual(['always-on', 'spam-tagged']);

  // Files without a route: not answering, and its stop date passed anyway.
  expect(by['old@bob.example']).toMatchObject({ account: 'bob', owner: 'resellera', routed: false, active: false, interval: 8, received: 0, risks: [] });
  expect(by['old@bob.example'].activeWhy).toMatch(/no \/etc\/valiases line/);

  expect(body.counts).toEqual({ total: 4, active: 2, risky: 2 });
  expect(body.repliesNote).toBeNull();
});

test('a symlink planted in ~/.autorespond is not followed', async () => {
  const root = host();
  const { body } = await cli(root);
  expect(JSON.stringify(body)).not.toMatch(/leaked|secret/);
  const evil = body.autoresponders.find((a: any) => a.address === 'evil@bob.example');
  expect(evil).toMatchObject({ subject: null, routed: false, active: false, problems: ['/home/bob/.autorespond/evil@bob.example is a symbolic link; not followed'] });
  const all = await runCliCaptured(['autoresponders', '--root', root]);
  expect(all.stdout).not.toMatch(/leaked/);
});

test('when no reply can be recognised the reply counts are unknown, not zero', async () => {
  const root = host({ withReplies: false });
  const { body } = await cli(root);
  const info = body.autoresponders.find((a: any) => a.address === 'info@alice.example');
  expect(info.received).toBe(2);
  expect(info.replies).toBeNull();
  expect(body.repliesNote).toMatch(/not confirmed/);
});

test('a reseller sees only the autoresponders of their own accounts', async () => {
  const root = host();
  const a = await cli(root, '--as', 'resellera');
  expect(a.body.autoresponders.map((x: any) => x.address).sort()).toEqual(['evil@bob.example', 'old@bob.example']);
  const b = await cli(root, '--as', 'resellerb');
  expect(b.body.autoresponders.map((x: any) => x.address)).toEqual(['help@carol.example']);
  expect(JSON.stringify(b.body)).not.toMatch(/alice|bob\.example/);
});

test('--days limits the traffic counted', async () => {
  const root = host();
  const { body } = await cli(root, '--days', '1');
  expect(body.days).toBe(1);
  const bad = await runCliCaptured(['autoresponders', '--root', root, '--days', 'many']);
  expect(bad.code).toBe(64);
  expect(bad.stderr).toMatch(/days must be a whole number/);
});

test('GET /api/v1/autoresponders and the page, escaped', async () => {
  const root = host();
  const app = createApp(createContext(loadConfig({ root }), { now: () => now }), { identity: { kind: 'dev', user: 'root' } });
  const api = await request(app).get('/api/v1/autoresponders?days=7').expect(200);
  expect(api.body.autoresponders).toHaveLength(4);
  const page = await request(app).get('/autoresponders').expect(200);
  expect(page.text).toContain('info@alice.example');
  expect(page.text).toContain('interval-zero');
  expect(page.text).not.toContain('<script>alert(1)</script>');
  expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  await request(app).get('/api/v1/autoresponders?days=0').expect(400);
});
