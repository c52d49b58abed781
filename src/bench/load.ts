/**
 * Load: many concurrent clients against the daemon on its Unix socket (as the CGI bridge talks to it),
 * on loopback TCP (development), and through the CGI bridge itself for a sample. Reports requests,
 * errors, p50/p99 latency and the daemon's resident memory before and after (growth in percent).
 *
 * The daemon runs as its own process (`relaywatch serve` from dist/), so its memory is measured alone
 * (VmRSS from /proc). Full form: `npm run bench` (200 clients for 30 s); the fast form runs in
 * test/component/load.test.ts (50 clients for 3 s).
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './serving';

// autocannon has no bundled types; only the parts used here are described.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => Promise<AutocannonResult>;

interface AutocannonResult {
  requests: { total: number; average: number };
  latency: { p50: number; p99: number; max: number; average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
}

export interface LoadFigures {
  target: 'socket' | 'tcp' | 'cgi';
  connections: number;
  durationSec: number;
  requests: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** daemon resident memory after warm-up and at the end, MiB (null: not measured) */
  rssStartMiB: number | null;
  rssEndMiB: number | null;
  rssGrowthPct: number | null;
}

/** The mix of requests: pages and JSON a WHM user opens most. */
export const LOAD_PATHS = ['/', '/api/v1/relay-hosts', '/api/v1/dashboard', '/accounts', '/api/v1/accounts', '/guide', '/healthz'];

const SESSION = '/cpsess1234567890';

export interface AutocannonTarget {
  url: string;
  socketPath?: string;
  headers?: Record<string, string>;
  connections: number;
  durationSec: number;
  /** a fixed number of requests instead of a duration (every one is waited for) */
  amount?: number;
  paths?: string[];
}

/** One autocannon run over the request mix. */
export async function hammer(t: AutocannonTarget): Promise<AutocannonResult> {
  return autocannon({
    url: t.url,
    socketPath: t.socketPath,
    connections: t.connections,
    ...(t.amount ? { amount: t.amount } : { duration: t.durationSec }),
    timeout: 60,
    headers: { accept: 'text/html,application/json', ...(t.headers ?? {}) },
    requests: (t.paths ?? LOAD_PATHS).map((p) => ({ method: 'GET', path: p })),
  });
}

/** Resident memory of a process in MiB, from /proc (null where there is no /proc). */
export function rssMiB(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}


async function waitFor(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not come up within ${ms} ms`);
}

const canConnect = (o: net.NetConnectOpts): Promise<boolean> =>
  new Promise((resolve) => {
    const c = net.connect(o);
    c.once('connect', () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
  });

interface Daemon {
  child: ChildProcess;
  stop(): Promise<void>;
}

function startDaemon(cli: string, args: string[]): Daemon {
  const child = spawn(process.execPath, [cli, 'serve', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c) => (err = (err + String(c)).slice(-2000)));
  return {
    child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

/** Each path once, one after the other, until every one answers (the daemon builds its login index first). */
async function settle(t: AutocannonTarget, maxMs = 300_000): Promise<void> {
  const end = Date.now() + maxMs;
  for (const p of t.paths ?? LOAD_PATHS) {
    for (;;) {
      const r = await hammer({ ...t, connections: 1, amount: 1, paths: [p] });
      if (r['2xx'] === 1 || Date.now() > end) break;
    }
  }
}

/** Runs the load on one daemon; memory is read after a warm-up and at the end. */
async function measured(target: LoadFigures['target'], daemon: Daemon, t: AutocannonTarget, warmupSec: number): Promise<LoadFigures> {
  await settle(t);
  if (warmupSec > 0) await hammer({ ...t, durationSec: warmupSec });
  const pid = daemon.child.pid!;
  const rssStart = rssMiB(pid);
  const r = await hammer(t);
  const rssEnd = rssMiB(pid);
  return {
    target,
    connections: t.connections,
    durationSec: t.durationSec,
    requests: r.requests.total,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    maxMs: r.latency.max,
    rssStartMiB: rssStart,
    rssEndMiB: rssEnd,
    rssGrowthPct: rssStart && rssEnd ? ((rssEnd - rssStart) / rssStart) * 100 : null,
  };
}

/** Through the CGI bridge: `count` requests, `concurrency` CGI processes at a time, as cpsrvd would run them. */
async function throughCgi(cgi: string, socket: string, count: number, concurrency: number): Promise<LoadFigures> {
  const times: number[] = [];
  let errors = 0;
  let non2xx = 0;
  let next = 0;
  const one = (route: string): Promise<void> =>
    new Promise((resolve) => {
      const t0 = process.hrtime.bigint();
      const child = spawn(process.execPath, [cgi], {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          GATEWAY_INTERFACE: 'CGI/1.1',
          REQUEST_METHOD: 'GET',
          QUERY_STRING: `route=${encodeURIComponent(route)}`,
          SCRIPT_NAME: '/cgi/relaywatch/index.cgi',
          REMOTE_USER: 'root',
          REMOTE_ADDR: '127.0.0.1',
          HTTP_ACCEPT: 'text/html',
          cp_security_token: SESSION,
          RELAYWATCH_SOCKET: socket,
        },
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      let head = '';
      child.stdout!.on('data', (c) => {
        if (head.length < 200) head += String(c);
      });
      child.on('close', (code) => {
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
        const status = Number(/^Status: (\d{3})/m.exec(head)?.[1] ?? 200);
        if (code !== 0) errors++;
        else if (status < 200 || status >= 300) non2xx++;
        resolve();
      });
    });
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        await one(LOAD_PATHS[i % LOAD_PATHS.length]);
      }
    }),
  );
  times.sort((a, b) => a - b);
  const q = (p: number): number => Math.round(times[Math.min(times.length - 1, Math.floor(p * times.length))]);
  return {
    target: 'cgi',
    connections: concurrency,
    durationSec: Math.round((Date.now() - t0) / 100) / 10,
    requests: times.length,
    errors,
    timeouts: 0,
    non2xx,
    p50Ms: q(0.5),
    p99Ms: q(0.99),
    maxMs: Math.round(times[times.length - 1] ?? 0),
    rssStartMiB: null,
    rssEndMiB: null,
    rssGrowthPct: null,
  };
}

export interface LoadBenchOptions {
  /** host root to serve; a demo host is generated when not given */
  root?: string;
  connections?: number;
  durationSec?: number;
  warmupSec?: number;
  /** requests through the CGI bridge (0: none) and how many CGI processes at once */
  cgiRequests?: number;
  cgiConcurrency?: number;
  log?: (line: string) => void;
}

/** The full load benchmark (needs `npm run build`: it runs dist/cli/main.js and plugin/cgi/index.cgi). */
export async function runLoadBench(o: LoadBenchOptions = {}): Promise<LoadFigures[]> {
  const log = o.log ?? ((l: string) => console.log(l));
  const cli = path.resolve(__dirname, '../cli/main.js');
  const cgi = path.resolve(__dirname, '../../plugin/cgi/index.cgi');
  const connections = o.connections ?? 200;
  const durationSec = o.durationSec ?? 30;
  const warmupSec = o.warmupSec ?? 5;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'relaywatch-load-'));
  const out: LoadFigures[] = [];
  try {
    let root = o.root;
    if (!root) {
      root = path.join(work, 'host');
      log(`load: generating a demo host in ${root}`);
      await new Promise<void>((resolve, reject) => {
        const c = spawn(process.execPath, [cli, 'demo', '--out', root!, '--seed', '7'], { stdio: 'ignore' });
        c.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`relaywatch demo exited ${code}`))));
      });
    }

    // The socket, as the CGI bridge reaches it.
    const socket = path.join(work, 'run', 'http.sock');
    const onSocket = startDaemon(cli, ['--socket', socket, '--root', root]);
    try {
      await waitFor(() => canConnect({ path: socket }), 30_000, 'relaywatch serve --socket');
      const headers = { 'x-relaywatch-whm-user': 'root', 'x-relaywatch-security-token': SESSION };
      log(`load: ${connections} clients for ${durationSec} s on the Unix socket…`);
      out.push(await measured('socket', onSocket, { url: 'http://localhost', socketPath: socket, headers, connections, durationSec }, warmupSec));
      if ((o.cgiRequests ?? 200) > 0) {
        log(`load: ${o.cgiRequests ?? 200} requests through the CGI bridge, ${o.cgiConcurrency ?? 20} at a time…`);
        out.push(await throughCgi(cgi, socket, o.cgiRequests ?? 200, o.cgiConcurrency ?? 20));
      }
    } finally {
      await onSocket.stop();
    }

    // Loopback TCP, as in development.
    const port = await freePort();
    const onTcp = startDaemon(cli, ['--listen', `127.0.0.1:${port}`, '--dev-user', 'root', '--root', root]);
    try {
      await waitFor(() => canConnect({ host: '127.0.0.1', port }), 30_000, 'relaywatch serve --listen');
      log(`load: ${connections} clients for ${durationSec} s on loopback TCP…`);
      out.push(await measured('tcp', onTcp, { url: `http://127.0.0.1:${port}`, connections, durationSec }, warmupSec));
    } finally {
      await onTcp.stop();
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  for (const f of out) log(formatFigures(f));
  return out;
}

/** The figures as rows of the benchmark table of src/bench/run.ts (figure, value, baseline, ratio, target, pass). */
export async function loadBenchRows(o: LoadBenchOptions = {}): Promise<Array<{ figure: string; value: string; baseline: string; ratio: string; target: string; pass: boolean | null }>> {
  const figures = await runLoadBench(o);
  return figures.map((f) => ({
    figure: `load via ${f.target}: ${f.connections} clients${f.target === 'cgi' ? `, ${f.requests} requests` : `, ${f.durationSec} s`}`,
    value: `p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms`,
    baseline: `${f.requests} requests, ${f.errors + f.timeouts} errors, ${f.non2xx} non-2xx${f.rssGrowthPct === null ? '' : `, RSS ${f.rssStartMiB!.toFixed(0)} → ${f.rssEndMiB!.toFixed(0)} MiB`}`,
    ratio: f.rssGrowthPct === null ? '' : `RSS ${f.rssGrowthPct >= 0 ? '+' : ''}${f.rssGrowthPct.toFixed(1)} %`,
    target: '0 errors, RSS growth < 10 %',
    pass: f.requests > 0 && f.errors + f.timeouts + f.non2xx === 0 && (f.rssGrowthPct === null || f.rssGrowthPct < 10),
  }));
}

export function formatFigures(f: LoadFigures): string {
  const rss = f.rssGrowthPct === null ? 'RSS not measured' : `RSS ${f.rssStartMiB!.toFixed(1)} → ${f.rssEndMiB!.toFixed(1)} MiB (${f.rssGrowthPct >= 0 ? '+' : ''}${f.rssGrowthPct.toFixed(1)} %)`;
  if (f.requests === 0) return `load ${f.target}: ${f.connections} clients, ${f.durationSec} s: no answer completed within the run (every answer took longer); ${rss}`;
  return `load ${f.target}: ${f.connections} clients, ${f.durationSec} s, ${f.requests} requests, ${f.errors} errors, ${f.timeouts} timeouts, ${f.non2xx} non-2xx; p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms, max ${f.maxMs} ms; ${rss}`;
}

if (require.main === module) {
  runLoadBench().then(
    (figures) => {
      const bad = figures.filter((f) => f.requests === 0 || f.errors + f.timeouts + f.non2xx > 0 || (f.rssGrowthPct ?? 0) >= 10);
      process.exitCode = bad.length ? 1 : 0;
    },
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
