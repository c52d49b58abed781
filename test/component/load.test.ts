/**
 * Load, fast form: 50 clients, 150 requests (every one waited for) on loopback TCP and on the socket
 * (with the bridge headers),
 * against a small cPanel host. Asserts zero errors, zero timeouts and only 2xx answers; the timing
 * figures are printed, not asserted (they depend on the machine). The full form (200 clients for
 * 30 s, the CGI bridge, the daemon's memory) is src/bench/load.ts, run by `npm run bench`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hammer } from '../../src/bench/load';
import { loadConfig } from '../../src/config/config';
import { listenSocket, listenTcp } from '../../src/server';
import { createContext } from '../../src/services/context';
import { loginLine, makeCpanelHost } from '../helpers/cpanelHost';
import { removeTree } from '../helpers/hostTree';

jest.setTimeout(120_000);

const now = new Date();
let root: string;
beforeAll(() => {
  const maillog = Array.from({ length: 2000 }, (_, i) => loginLine(new Date(now.getTime() - (2000 - i) * 30_000), `user${i % 40}@bob.example`, i % 3 ? '203.0.113.10' : '198.51.100.7', 'pop3'));
  root = makeCpanelHost({ generation: 'modern', popbeforesmtp: true, relayIps: ['203.0.113.10', '198.51.100.7'], maillog, now });
});
afterAll(() => removeTree(root));

const PATHS = ['/', '/api/v1/relay-hosts', '/accounts', '/api/v1/accounts', '/healthz', '/ip/203.0.113.10'];

test('50 clients, 150 requests on loopback TCP: zero errors, only 2xx', async () => {
  const running = await listenTcp(createContext(loadConfig({ root })), { host: '127.0.0.1', port: 0 }, 'root');
  try {
    const { port } = running.server.address() as { port: number };
    const r = await hammer({ url: `http://127.0.0.1:${port}`, connections: 50, durationSec: 3, amount: 150, paths: PATHS });
    console.log(`load (fast) tcp: ${r.requests.total} requests, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, errors ${r.errors}, timeouts ${r.timeouts}, non-2xx ${r.non2xx}`);
    expect(r.requests.total).toBeGreaterThanOrEqual(150);
    expect([r.errors, r.timeouts, r.non2xx]).toEqual([0, 0, 0]);
  } finally {
    await running.close();
  }
});

test('50 clients, 150 requests on the Unix socket with the bridge headers: zero errors, only 2xx', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-load-'));
  const sock = path.join(dir, 'run', 'http.sock');
  const running = await listenSocket(createContext(loadConfig({ root })), sock);
  try {
    const headers = { 'x-relaywatch-whm-user': 'root', 'x-relaywatch-security-token': '/cpsess1234567890' };
    const r = await hammer({ url: 'http://localhost', socketPath: sock, headers, connections: 50, durationSec: 3, amount: 150, paths: PATHS });
    console.log(`load (fast) socket: ${r.requests.total} requests, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, errors ${r.errors}, timeouts ${r.timeouts}, non-2xx ${r.non2xx}`);
    expect(r.requests.total).toBeGreaterThanOrEqual(150);
    expect([r.errors, r.timeouts, r.non2xx]).toEqual([0, 0, 0]);
  } finally {
    await running.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
