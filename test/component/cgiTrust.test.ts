/**
 * Who the daemon believes: the WHM user comes from the CGI bridge's headers only on the root-only
 * Unix socket; on TCP (development) the headers change nothing. And the socket itself: private
 * folder, mode 0600, stale sockets replaced, live ones and foreign files left alone.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/config';
import { BRIDGE_HEADERS } from '../../src/http/identity';
import { listenSocket, listenTcp } from '../../src/server';
import { createContext } from '../../src/services/context';
import { loginLine, makeCpanelHost } from '../helpers/cpanelHost';
import { removeTree, runCliCaptured } from '../helpers/hostTree';

const now = new Date();
const minutesAgo = (m: number): Date => new Date(now.getTime() - m * 60_000);
let root: string;
const dirs: string[] = [];

beforeAll(() => {
  root = makeCpanelHost({
    generation: 'modern',
    relayIps: ['203.0.113.10', '203.0.113.11'],
    maillog: [loginLine(minutesAgo(5), 'bob@bob.example', '203.0.113.10'), loginLine(minutesAgo(4), 'carol@carol.example', '203.0.113.11')],
  });
});
afterAll(() => {
  removeTree(root);
  dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-trust-'));
  dirs.push(d);
  return d;
}

interface Answer {
  status: number;
  body: string;
}

function get(target: { socketPath: string } | { host: string; port: number }, urlPath: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ ...target, path: urlPath, headers: { accept: 'application/json', ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const bridge = (user: string, token = '/cpsess1234567890'): Record<string, string> => ({
  [BRIDGE_HEADERS.user]: user,
  [BRIDGE_HEADERS.token]: token,
  [BRIDGE_HEADERS.base]: `${token}/cgi/relaywatch/index.cgi`,
});

test('on TCP the bridge headers do not change the user', async () => {
  const running = await listenTcp(createContext(loadConfig({ root })), { host: '127.0.0.1', port: 0 }, 'resellera');
  try {
    const { port } = running.server.address() as { port: number };
    const asRoot = await get({ host: '127.0.0.1', port }, '/api/v1/relay-hosts', bridge('root'));
    expect(asRoot.status).toBe(200);
    expect(JSON.parse(asRoot.body).hosts.map((h: { ip: string }) => h.ip)).toEqual(['203.0.113.10']);
    expect(asRoot.body).not.toContain('carol');
    const page = await get({ host: '127.0.0.1', port }, '/', { ...bridge('root'), accept: 'text/html' });
    expect(page.body).toContain('Signed in as <strong>resellera</strong>');
    expect(page.body).not.toContain('/cpsess1234567890'); // the base header is ignored too
  } finally {
    await running.close();
  }
});

describe('the socket', () => {
  test('is 0600 in a 0700 folder it creates, answers as the bridged user, and is removed on close', async () => {
    const sock = path.join(tempDir(), 'run', 'relaywatch', 'http.sock');
    const running = await listenSocket(createContext(loadConfig({ root })), sock);
    try {
      expect(fs.statSync(sock).mode & 0o777).toBe(0o600);
      expect(fs.statSync(path.dirname(sock)).mode & 0o777).toBe(0o700);
      const a = await get({ socketPath: sock }, '/api/v1/relay-hosts', bridge('resellera'));
      expect(JSON.parse(a.body).hosts.map((h: { ip: string }) => h.ip)).toEqual(['203.0.113.10']);
      const r = await get({ socketPath: sock }, '/api/v1/relay-hosts', bridge('root'));
      expect(JSON.parse(r.body).hosts).toHaveLength(2);
      const page = await get({ socketPath: sock }, '/', { ...bridge('resellerb'), accept: 'text/html' });
      expect(page.body).toContain('Signed in as <strong>resellerb</strong>');
      expect(page.body).toContain('href="/cpsess1234567890/cgi/relaywatch/index.cgi?route=%2F');
    } finally {
      await running.close();
    }
    expect(fs.existsSync(sock)).toBe(false);
  });

  test('refuses requests without a WHM user, without a valid token, or with a foreign base URL', async () => {
    const sock = path.join(tempDir(), 'http.sock');
    const running = await listenSocket(createContext(loadConfig({ root })), sock);
    try {
      const noUser = await get({ socketPath: sock }, '/api/v1/relay-hosts', { [BRIDGE_HEADERS.token]: '/cpsess1234567890' });
      expect(noUser.status).toBe(401);
      const noToken = await get({ socketPath: sock }, '/api/v1/relay-hosts', { [BRIDGE_HEADERS.user]: 'root' });
      expect(noToken.status).toBe(401);
      expect(JSON.parse(noToken.body).error.code).toBe('no_session');
      const badToken = await get({ socketPath: sock }, '/api/v1/relay-hosts', bridge('root', '/cpsess12;x'));
      expect(badToken.status).toBe(401);
      const foreignBase = await get({ socketPath: sock }, '/api/v1/relay-hosts', { ...bridge('root'), [BRIDGE_HEADERS.base]: '//evil.example/x' });
      expect(foreignBase.status).toBe(400);
      const otherSessionBase = await get({ socketPath: sock }, '/api/v1/relay-hosts', { ...bridge('root'), [BRIDGE_HEADERS.base]: '/cpsess9999999999/cgi/relaywatch/index.cgi' });
      expect(otherSessionBase.status).toBe(400);
      const health = await get({ socketPath: sock }, '/healthz');
      expect(health.status).toBe(200);
    } finally {
      await running.close();
    }
  });

  test('replaces a stale socket, but not a live one or a file that is not a socket', async () => {
    const dir = tempDir();
    const sock = path.join(dir, 'http.sock');
    // A daemon killed with SIGKILL leaves its socket behind.
    const { spawnSync } = await import('node:child_process');
    spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(sock)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    expect(fs.lstatSync(sock).isSocket()).toBe(true);
    const ctx = createContext(loadConfig({ root }));
    const first = await listenSocket(ctx, sock);
    try {
      await expect(listenSocket(ctx, sock)).rejects.toThrow(/already serving/);
      expect((await get({ socketPath: sock }, '/healthz')).status).toBe(200);
    } finally {
      await first.close();
    }
    fs.writeFileSync(sock, 'precious');
    await expect(listenSocket(ctx, sock)).rejects.toThrow(/not a socket/);
    expect(fs.readFileSync(sock, 'utf8')).toBe('precious');
  });

  test('refuses a folder others can write to', async () => {
    const dir = tempDir();
    fs.chmodSync(dir, 0o1777);
    await expect(listenSocket(createContext(loadConfig({ root })), path.join(dir, 'http.sock'))).rejects.toThrow(/writable by other users/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('relaywatch serve --socket', () => {
  test('serves until SIGTERM, then removes its socket', async () => {
    const sock = path.join(tempDir(), 'run', 'http.sock');
    const before = new Set(process.listeners('SIGTERM'));
    const title = process.title;
    const done = runCliCaptured(['serve', '--socket', sock, '--root', root]);
    try {
      for (let i = 0; i < 100 && !fs.existsSync(sock); i++) await new Promise((r) => setTimeout(r, 50));
      const a = await get({ socketPath: sock }, '/api/v1/relay-hosts', bridge('root'));
      expect(JSON.parse(a.body).hosts).toHaveLength(2);
      expect(process.title).toBe(`relaywatch serve --socket ${sock}`);
    } finally {
      // Call only the handler serve added (the test runner may have its own).
      const mine = process.listeners('SIGTERM').filter((l) => !before.has(l));
      expect(mine).toHaveLength(1);
      process.removeListener('SIGTERM', mine[0]);
      (mine[0] as () => void)();
      process.title = title;
    }
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`for WHM on unix:${sock}`);
    expect(fs.existsSync(sock)).toBe(false);
    // the SIGINT handler is left behind by the finished command; drop it
    for (const l of process.listeners('SIGINT')) if (!before.has(l)) process.removeListener('SIGINT', l);
  });

  test('will not mix the socket with TCP development options', async () => {
    const r = await runCliCaptured(['serve', '--socket', '/tmp/x.sock', '--dev-user', 'root', '--root', root]);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/cannot be combined/);
    const none = await runCliCaptured(['serve', '--root', root]);
    expect(none.code).toBe(64);
    expect(none.stderr).toMatch(/--socket PATH/);
  });
});
