/**
 * `serve --listen` against DNS rebinding, through a real loopback listener: a request whose Host is
 * not the listen address's own is refused before anything is read, and a state change needs the
 * server's own origin. Each refusal leaves an audit line.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { loadConfig } from '../../src/config/config';
import { createContext } from '../../src/services/context';
import { listenTcp, RunningServer } from '../../src/server';
import { makeCpanelHost } from '../helpers/cpanelHost';
import { removeTree } from '../helpers/hostTree';

let root: string;
let running: RunningServer;
let port: number;

beforeAll(async () => {
  root = makeCpanelHost({ generation: 'modern', popbeforesmtp: true, relayIps: ['203.0.113.10'] });
  running = await listenTcp(createContext(loadConfig({ root })), { host: '127.0.0.1', port: 0 }, 'root');
  port = (running.server.address() as { port: number }).port;
});
afterAll(async () => {
  await running.close();
  removeTree(root);
});

function send(method: string, p: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: p, headers }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function auditLines(): Array<Record<string, any>> {
  const file = path.join(root, 'var/log/relaywatch/audit.log');
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

async function waitForAudit(match: (e: Record<string, any>) => boolean): Promise<Record<string, any>> {
  for (let i = 0; i < 100; i++) {
    const hit = auditLines().find(match);
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('no such audit line');
}

async function formToken(): Promise<string> {
  const page = await send('GET', '/status/confirm?action=disable', { host: `127.0.0.1:${port}`, accept: 'text/html' });
  const m = /name="csrf" value="([^"]+)"/.exec(page.body);
  if (!m) throw new Error(`no form token on the page (status ${page.status})`);
  return m[1];
}

test('a forged Host (a rebound name) is refused with 421: no data and no form token reach the page', async () => {
  for (const host of [`rebind.attacker.example:${port}`, 'rebind.attacker.example', `127.0.0.1.nip.io:${port}`, `127.0.0.1:${port + 1}`]) {
    const page = await send('GET', '/status/confirm?action=disable', { host, accept: 'text/html' });
    expect(page.status).toBe(421);
    expect(page.body).not.toMatch(/name="csrf"/);
    const api = await send('GET', '/api/v1/relay-hosts', { host, accept: 'application/json' });
    expect(api.status).toBe(421);
    expect(api.body).not.toContain('203.0.113.10');
    expect(JSON.parse(api.body).error.code).toBe('wrong_host');
  }
  const line = await waitForAudit((e) => e.details?.host === `rebind.attacker.example:${port}`);
  expect(line).toMatchObject({ action: 'http.refused', outcome: 'refused', target: 'GET /status/confirm' });
});

test('the listen address and localhost, with its port, are answered', async () => {
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) {
    const api = await send('GET', '/api/v1/relay-hosts', { host, accept: 'application/json' });
    expect(api.status).toBe(200);
    expect(api.body).toContain('203.0.113.10');
  }
});

test('a change from another origin, or with neither Origin nor Referer, is refused even with a valid form token', async () => {
  const csrf = await formToken();
  const body = JSON.stringify({ action: 'bogus', csrf });
  const base = { host: `127.0.0.1:${port}`, 'content-type': 'application/json', accept: 'application/json' };
  for (const extra of [
    { origin: `http://rebind.attacker.example:${port}` },
    { origin: 'null' },
    { referer: `http://rebind.attacker.example:${port}/x` },
    {},
  ] as Array<Record<string, string>>) {
    const r = await send('POST', '/api/v1/pop-before-smtp', { ...base, ...extra }, body);
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body).error.code).toBe('cross_origin');
  }
  await waitForAudit((e) => e.details?.origin === `http://rebind.attacker.example:${port}` && e.target === 'POST /api/v1/pop-before-smtp');
  // The same request from the server's own page reaches the route (which refuses the made-up action itself).
  for (const extra of [{ origin: `http://127.0.0.1:${port}` }, { referer: `http://localhost:${port}/status/confirm` }] as Array<Record<string, string>>) {
    const ok = await send('POST', '/api/v1/pop-before-smtp', { ...base, ...extra }, body);
    expect(ok.status).toBe(400);
    expect(JSON.parse(ok.body).error.message).toMatch(/must be "enable" or "disable"/);
  }
});
