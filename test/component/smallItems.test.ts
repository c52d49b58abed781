/**
 * The smaller doors: what a reseller learns from the relay report about the POP-before-SMTP switch,
 * a CGI request whose body never comes, a missing static file, and request bodies refused before any
 * route reads them.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { BRIDGE_HEADERS } from '../../src/http/identity';
import { createContext } from '../../src/services/context';
import { CGI_SCRIPT, TOKEN } from '../helpers/cgi';
import { makeCpanelHost } from '../helpers/cpanelHost';
import { removeTree, runCliCaptured } from '../helpers/hostTree';

let root: string;
beforeAll(() => {
  root = makeCpanelHost({ generation: 'modern', popbeforesmtp: true, relayIps: ['203.0.113.10'] });
});
afterAll(() => removeTree(root));

const bridged = (user: string): Record<string, string> => ({
  [BRIDGE_HEADERS.user]: user,
  [BRIDGE_HEADERS.token]: TOKEN,
  [BRIDGE_HEADERS.base]: `${TOKEN}/cgi/relaywatch/index.cgi`,
});
const socketApp = () => createApp(createContext(loadConfig({ root })), { identity: { kind: 'socket' }, secret: Buffer.alloc(32, 7) });

function auditLines(): Array<Record<string, any>> {
  const file = path.join(root, 'var/log/relaywatch/audit.log');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
}
async function auditAdded(before: number, match: (e: Record<string, any>) => boolean): Promise<Record<string, any> | undefined> {
  for (let i = 0; i < 50; i++) {
    const hit = auditLines().slice(before).find(match);
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 20));
  }
  return undefined;
}

describe('the POP-before-SMTP switch in the relay report is root\'s, as SECURITY.md says', () => {
  test('JSON route: root sees it, a reseller does not', async () => {
    const app = socketApp();
    const asRoot = await request(app).get('/api/v1/relay-hosts').set(bridged('root')).expect(200);
    expect(asRoot.body.relaying).toMatchObject({ allowed: true });
    const asReseller = await request(app).get('/api/v1/relay-hosts').set(bridged('resellera')).expect(200);
    expect(asReseller.body.relaying).toBeNull();
    expect(JSON.stringify(asReseller.body)).not.toMatch(/popbeforesmtp|relaying allowed/i);
  });

  test('CLI: the reseller\'s explain says nothing of it either', async () => {
    const asReseller = await runCliCaptured(['explain', '--root', root, '--as', 'resellera']);
    expect(asReseller.stdout).not.toMatch(/relaying/);
    const asRoot = await runCliCaptured(['explain', '--root', root]);
    expect(asRoot.stdout).toMatch(/relaying allowed/);
  });
});

test('the CGI gives up on a request body that does not come, with 408, instead of waiting for ever', async () => {
  const child = spawn(CGI_SCRIPT, [], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      REQUEST_METHOD: 'POST',
      QUERY_STRING: 'route=/api/v1/pop-before-smtp',
      CONTENT_LENGTH: '100',
      CONTENT_TYPE: 'application/json',
      REMOTE_USER: 'root',
      cp_security_token: TOKEN,
      RELAYWATCH_SOCKET: path.join(root, 'no-daemon.sock'),
      RELAYWATCH_HOST_ROOT: root,
      RELAYWATCH_CGI_BODY_TIMEOUT_MS: '300', // whole seconds: one
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.write('{"action":'); // ten bytes of the hundred announced, then nothing
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  const guard = setTimeout(() => child.kill('SIGKILL'), 5000);
  const code = await new Promise((resolve) => child.on('close', resolve));
  clearTimeout(guard);
  child.stdin.destroy();
  expect(out).toMatch(/^Status: 408 /);
  expect(out).toMatch(/the request body did not arrive within 1 seconds/);
  expect(code).toBe(0);
});

test('a missing /assets/ file is a clean 404: no stack trace in the log or the answer', async () => {
  const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    const app = socketApp();
    for (const p of ['/assets/nope.css', '/assets/../../package.json', '/assets/sub/dir/x.js']) {
      const res = await request(app).get(p).set('Accept', 'text/html');
      expect([p, res.status]).toEqual([p, 404]);
      expect(res.text).not.toMatch(/\n\s+at |NotFoundError|ENOENT/);
    }
    const json = await request(app).get('/assets/nope.js').set('Accept', 'application/json');
    expect(json.status).toBe(404);
    expect(json.body.error.code).toBe('not_found');
    expect(logged).not.toHaveBeenCalled();
  } finally {
    logged.mockRestore();
  }
});

describe('request bodies refused before any route reads them are audited', () => {
  test('400: a body that is not valid JSON', async () => {
    const before = auditLines().length;
    const res = await request(socketApp()).post('/api/v1/pop-before-smtp').set(bridged('resellera')).set('Content-Type', 'application/json').set('Accept', 'application/json').send('{"action": "disable", ');
    expect(res.status).toBe(400);
    const line = await auditAdded(before, (e) => e.action === 'http.refused' && e.target === 'POST /api/v1/pop-before-smtp');
    expect(line).toMatchObject({ user: 'resellera', outcome: 'refused', details: { bodyError: 'entity.parse.failed' } });
    expect(line!.summary).toBe("The request body is not valid. (400)");
  });

  test('413: a body over the limit', async () => {
    const before = auditLines().length;
    const res = await request(socketApp()).post('/status/change').set(bridged('resellerb')).type('form').set('Accept', 'application/json').send(`action=${'x'.repeat(100 * 1024)}`);
    expect(res.status).toBe(413);
    const line = await auditAdded(before, (e) => e.action === 'http.refused' && e.target === 'POST /status/change');
    expect(line).toMatchObject({ user: 'resellerb', outcome: 'refused', details: { bodyError: 'entity.too.large' } });
  });
});
