/**
 * A reseller floods the daemon's socket with refused requests (thousands of them, repeated and
 * varied). The audit log stays small, every refusal is still counted (written, or summed up per user,
 * route and reason), and root's change made before the flood is still shown by default: in the JSON
 * route's `changes`, on the page and in the CLI.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { csrfToken } from '../../src/http/csrf';
import { BRIDGE_HEADERS } from '../../src/http/identity';
import { REFUSAL_LIMITS } from '../../src/audit/refusalLimiter';
import { startSocketDaemon, SocketDaemon } from '../helpers/cgi';
import { makeCpanelHost } from '../helpers/cpanelHost';
import { removeTree, runCliCaptured } from '../helpers/hostTree';
import { installStandins } from '../helpers/standins';

jest.setTimeout(120_000);

const SESSION = '/cpsess1234567890';
let root: string;
let daemon: SocketDaemon;

beforeAll(async () => {
  root = makeCpanelHost({ generation: 'modern', popbeforesmtp: true, relayIps: ['203.0.113.10'] });
  installStandins(root, 'modern');
  daemon = await startSocketDaemon(root);
});
afterAll(async () => {
  await daemon.close();
  removeTree(root);
});

function send(method: string, route: string, user: string, body?: Record<string, string>): Promise<{ status: number; body: string }> {
  const data = body ? JSON.stringify(body) : undefined;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        socketPath: daemon.socket,
        method,
        path: route,
        headers: {
          [BRIDGE_HEADERS.user]: user,
          [BRIDGE_HEADERS.token]: SESSION,
          [BRIDGE_HEADERS.base]: `${SESSION}/cgi/relaywatch/index.cgi`,
          accept: route.startsWith('/api/') ? 'application/json' : 'text/html',
          ...(data ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(data)) } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

function auditEntries(): Array<Record<string, any>> {
  return fs.readFileSync(path.join(root, 'var/log/relaywatch/audit.log'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

test('a flood of refusals by a reseller neither grows the log without bound nor hides root\'s change', async () => {
  // Root turns POP-before-SMTP off through the socket, as WHM's CGI would pass it on.
  const change = await send('POST', '/api/v1/pop-before-smtp', 'root', { action: 'disable', csrf: csrfToken(daemon.secret, 'root', SESSION) });
  expect(change.status).toBe(200);
  expect(JSON.parse(change.body).outcome).toBe('changed');

  // Then resellera: the same refused change again and again (a valid form token of its own), posts
  // without a token, and posts to ever new addresses, 10 at a time.
  const resellerToken = csrfToken(daemon.secret, 'resellera', SESSION);
  const requests: Array<() => Promise<{ status: number }>> = [];
  for (let i = 0; i < 1000; i++) requests.push(() => send('POST', '/api/v1/pop-before-smtp', 'resellera', { action: 'disable', csrf: resellerToken }));
  for (let i = 0; i < 500; i++) requests.push(() => send('POST', '/status/change', 'resellera', { action: 'enable' }));
  for (let i = 0; i < 500; i++) requests.push(() => send('POST', `/api/v1/x${i}`, 'resellera', {}));
  const statuses: number[] = [];
  for (let i = 0; i < requests.length; i += 10) statuses.push(...(await Promise.all(requests.slice(i, i + 10).map((r) => r()))).map((r) => r.status));
  expect(statuses.every((s) => s === 403)).toBe(true);

  // Root's default view: the change is there, apart from the refusals.
  const api = await send('GET', '/api/v1/audit', 'root');
  expect(api.status).toBe(200);
  const log = JSON.parse(api.body);
  expect(log.changes.map((e: any) => [e.user, e.action, e.outcome])).toEqual([['root', 'pop-before-smtp.disable', 'changed']]);
  const page = await send('GET', '/audit', 'root');
  const changesTable = page.body.slice(page.body.indexOf('id="rw-audit-changes"'), page.body.indexOf('id="rw-audit-refusals"'));
  expect(changesTable).toContain('pop-before-smtp.disable');
  expect(changesTable).toContain('>changed<');
  const cli = await runCliCaptured(['audit', '--root', root]);
  expect(cli.stdout.slice(0, cli.stdout.indexOf('Refusals'))).toMatch(/root .*pop-before-smtp\.disable\s+changed/);

  // The log stays small, and still accounts for every refusal: written, or counted in a summing-up line.
  const entries = auditEntries();
  const refusals = entries.filter((e) => e.outcome === 'refused');
  expect(refusals.length).toBeLessThanOrEqual(2 * REFUSAL_LIMITS.PER_USER + 2);
  expect(fs.statSync(path.join(root, 'var/log/relaywatch/audit.log')).size).toBeLessThan(200 * 1024);
  const counted = refusals.reduce((n, e) => n + (typeof e.details?.aggregated === 'number' ? e.details.aggregated : 1), 0);
  expect(counted).toBe(2000);
  // Repeats are summed up per user, route and reason.
  const repeated = refusals.find((e) => e.action === 'pop-before-smtp.disable' && typeof e.details?.aggregated === 'number');
  expect(repeated).toMatchObject({ user: 'resellera', outcome: 'refused' });
  expect(refusals.find((e) => e.target === 'POST /status/change' && typeof e.details?.aggregated === 'number')).toMatchObject({ user: 'resellera', action: 'http.refused' });
  expect(repeated!.summary).toMatch(/more refusal\(s\) like this one in the minute from/);
  expect(refusals.some((e) => e.action === 'audit.refusals-limited' && e.user === 'resellera')).toBe(true);
  // Every line is an entry of its own, with its own id.
  expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
});
