/**
 * Load: many concurrent clients against the daemon on its Unix socket (as the CGI bridge talks to it),
 * on loopback TCP (development), and through the CGI bridge itself for a sample. Reports requests,
 * errors, p50/p99 latency and whether the daemon's resident memory still grows once it is warm.
 *
 * The daemon runs as its own process (`relaywatch serve` from dist/), so its memory is measured alone,
 * from /proc. How memory is measured, and why:
 * - Under this load the daemon's RSS is a sawtooth, not a level: the live heap after a full collection
 *   stays at 15-45 MiB (the answers in flight for 200 clients), but V8 lets the old space fill to a few
 *   times that before it collects, so RSS swings between about 150 and 270 MiB every few seconds, and
 *   climbs to that working size during the first ~30 s of load. Two single VmRSS readings 30 s apart
 *   differ by -35 % to +50 % with no leak at all (measured over 8 consecutive rounds on both
 *   transports); the earlier figure compared a reading after a 5 s warm-up, before the heap had
 *   reached its working size, with one at a random point of the sawtooth.
 * - So the daemon is first warmed up with the same load (60 s by default), VmRSS is sampled every
 *   250 ms, and the level is the mean of the samples: the start level is the mean over the last 30 s
 *   of the warm-up (the length of the run), the end level the mean over the run. Growth is end over
 *   start. Memory kept per request raises the whole sawtooth and so the mean (a stand-in leak of 5 KiB
 *   per request showed as +9 % to +11 % per 30 s round), while the sawtooth itself averages out.
 * - The peak (VmHWM, the highest RSS the kernel has seen) after the warm-up and at the end, and VmRSS
 *   at the start and end of the run, are printed too, but not judged: the peak is a running maximum of
 *   a noisy curve, so it creeps up without a leak and can stay flat for a round with one.
 * - `rounds` > 1 runs the load again, round after round, each compared with the same start level: the
 *   plateau (`node dist/bench/load.js --rounds 4`).
 *
 * Full form: `npm run bench` (60 s warm-up, then 200 clients for 30 s); the fast form runs in
 * test/component/load.test.ts (50 clients, no memory figure).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cgiEnv } from './cgi';
import { spawnDaemon } from './daemonProcess';
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
  /** 1 for the run after the warm-up; 2, 3, … for the rounds that follow it (the plateau) */
  round: number;
  /** seconds of the same load before the first round (its latency figures are not counted) */
  warmupSec: number;
  /** the daemon's RSS level (mean of VmRSS every 250 ms) over the warm-up's last `durationSec` and over this round, MiB (null: not measured) */
  rssLevelStartMiB: number | null;
  rssLevelEndMiB: number | null;
  /** growth of the level, %: the figure the requirement's "RSS growth" is judged on */
  rssGrowthPct: number | null;
  /** single VmRSS readings when the round started and ended, MiB (shown, not judged) */
  rssStartMiB: number | null;
  rssEndMiB: number | null;
  /** VmHWM (peak RSS) after the warm-up and at the end of this round, MiB (shown, not judged) */
  peakAfterWarmupMiB: number | null;
  peakEndMiB: number | null;
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

export interface ResidentMemory {
  /** VmRSS: resident now, MiB */
  rssMiB: number;
  /** VmHWM: the most it has been resident since it started, MiB (kept by the kernel, so no peak is missed) */
  peakMiB: number;
}

/** Resident memory of a process from /proc (null where there is no /proc or the process is gone). */
export function residentMemory(pid: number): ResidentMemory | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+) kB/.exec(status);
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    return rss && hwm ? { rssMiB: Number(rss[1]) / 1024, peakMiB: Number(hwm[1]) / 1024 } : null;
  } catch {
    return null;
  }
}

/** Resident memory of a process in MiB, from /proc (null where there is no /proc). */
export function rssMiB(pid: number): number | null {
  return residentMemory(pid)?.rssMiB ?? null;
}

/** Samples a process's VmRSS every `everyMs` until stopped; the mean of the samples taken since a moment. */
export function sampleRss(pid: number, everyMs = 250): { meanSince(fromMs: number): number | null; stop(): void } {
  const samples: Array<{ at: number; mib: number }> = [];
  const take = (): void => {
    const m = rssMiB(pid);
    if (m !== null) samples.push({ at: Date.now(), mib: m });
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    meanSince: (fromMs) => {
      const xs = samples.filter((x) => x.at >= fromMs);
      return xs.length > 0 ? xs.reduce((sum, x) => sum + x.mib, 0) / xs.length : null;
    },
    stop: () => {
      take();
      clearInterval(timer);
    },
  };
}

export const growthPct = (from: number | null, to: number | null): number | null => (from && to !== null ? ((to - from) / from) * 100 : null);

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

/**
 * Runs the load on the daemon `pid`: every path once, the warm-up (the same load; its latencies are not
 * counted), then `rounds` runs of the load, each with its latency figures and the daemon's memory
 * level compared with the level over the last `durationSec` of the warm-up (see the top).
 */
export async function measureLoad(target: LoadFigures['target'], pid: number, t: AutocannonTarget, warmupSec: number, rounds: number): Promise<LoadFigures[]> {
  await settle(t);
  const sampler = sampleRss(pid);
  try {
    if (warmupSec > 0) await hammer({ ...t, durationSec: warmupSec });
    const afterWarmup = residentMemory(pid);
    // The start level: the mean over the warm-up's last stretch as long as the run (all of it when shorter).
    const levelStart = warmupSec > 0 ? sampler.meanSince(Date.now() - Math.min(warmupSec, t.durationSec) * 1000) : (afterWarmup?.rssMiB ?? null);
    const out: LoadFigures[] = [];
    for (let round = 1; round <= rounds; round++) {
      const start = residentMemory(pid);
      const startedAt = Date.now();
      const r = await hammer(t);
      const levelEnd = sampler.meanSince(startedAt);
      const end = residentMemory(pid);
      out.push({
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
        round,
        warmupSec,
        rssLevelStartMiB: levelStart,
        rssLevelEndMiB: levelEnd,
        rssGrowthPct: growthPct(levelStart, levelEnd),
        rssStartMiB: start?.rssMiB ?? null,
        rssEndMiB: end?.rssMiB ?? null,
        peakAfterWarmupMiB: afterWarmup?.peakMiB ?? null,
        peakEndMiB: end?.peakMiB ?? null,
      });
    }
    return out;
  } finally {
    sampler.stop();
  }
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
      const child = spawn(cgi, [], {
        env: cgiEnv(socket, route),
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
    round: 1,
    warmupSec: 0,
    rssLevelStartMiB: null,
    rssLevelEndMiB: null,
    rssGrowthPct: null,
    rssStartMiB: null,
    rssEndMiB: null,
    peakAfterWarmupMiB: null,
    peakEndMiB: null,
  };
}

export interface LoadBenchOptions {
  /** host root to serve; a demo host is generated when not given */
  root?: string;
  connections?: number;
  durationSec?: number;
  /** the same load before the measured run (default 60 s: RSS reaches its working size in about 30 s, the last 30 s give the start level) */
  warmupSec?: number;
  /** runs of the load after the warm-up, each reported (default 1; more show the plateau) */
  rounds?: number;
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
  const warmupSec = o.warmupSec ?? 60;
  const rounds = Math.max(1, o.rounds ?? 1);
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
    const onSocket = spawnDaemon(cli, ['--socket', socket, '--root', root]);
    try {
      await waitFor(() => canConnect({ path: socket }), 30_000, 'relaywatch serve --socket');
      const headers = { 'x-relaywatch-whm-user': 'root', 'x-relaywatch-security-token': SESSION };
      log(`load: ${connections} clients on the Unix socket: ${warmupSec} s warm-up, then ${rounds > 1 ? `${rounds} rounds of ` : ''}${durationSec} s…`);
      out.push(...(await measureLoad('socket', onSocket.child.pid!, { url: 'http://localhost', socketPath: socket, headers, connections, durationSec }, warmupSec, rounds)));
      if ((o.cgiRequests ?? 200) > 0) {
        log(`load: ${o.cgiRequests ?? 200} requests through the CGI bridge, ${o.cgiConcurrency ?? 20} at a time…`);
        out.push(await throughCgi(cgi, socket, o.cgiRequests ?? 200, o.cgiConcurrency ?? 20));
      }
    } finally {
      await onSocket.stop();
    }

    // Loopback TCP, as in development.
    const port = await freePort();
    const onTcp = spawnDaemon(cli, ['--listen', `127.0.0.1:${port}`, '--dev-user', 'root', '--root', root]);
    try {
      await waitFor(() => canConnect({ host: '127.0.0.1', port }), 30_000, 'relaywatch serve --listen');
      log(`load: ${connections} clients on loopback TCP: ${warmupSec} s warm-up, then ${rounds > 1 ? `${rounds} rounds of ` : ''}${durationSec} s…`);
      out.push(...(await measureLoad('tcp', onTcp.child.pid!, { url: `http://127.0.0.1:${port}`, connections, durationSec }, warmupSec, rounds)));
    } finally {
      await onTcp.stop();
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  for (const f of out) log(formatFigures(f));
  return out;
}

/** Whether a run meets the requirement: answers, zero errors, only 2xx, RSS level growth after the warm-up under 10 %. */
export function meetsTarget(f: LoadFigures): boolean {
  return f.requests > 0 && f.errors + f.timeouts + f.non2xx === 0 && (f.rssGrowthPct === null || f.rssGrowthPct < 10);
}

const signed = (pct: number): string => `${pct >= 0 ? '+' : ''}${pct.toFixed(1)} %`;
const roundLabel = (f: LoadFigures): string => (f.round > 1 ? ` (round ${f.round})` : '');

/** The figures as rows of the benchmark table of src/bench/run.ts (figure, value, baseline, ratio, target, pass). */
export async function loadBenchRows(o: LoadBenchOptions = {}): Promise<Array<{ figure: string; value: string; baseline: string; ratio: string; target: string; pass: boolean | null }>> {
  const figures = await runLoadBench(o);
  return figures.map((f) => ({
    figure: `load via ${f.target}: ${f.connections} clients${f.target === 'cgi' ? `, ${f.requests} requests` : `, ${f.durationSec} s after ${f.warmupSec} s warm-up${roundLabel(f)}`}`,
    value: `p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms`,
    baseline: `${f.requests} requests, ${f.errors + f.timeouts} errors, ${f.non2xx} non-2xx${f.rssGrowthPct === null ? '' : `, mean RSS ${f.rssLevelStartMiB!.toFixed(0)} → ${f.rssLevelEndMiB!.toFixed(0)} MiB (peak ${f.peakEndMiB?.toFixed(0) ?? '?'} MiB)`}`,
    ratio: f.rssGrowthPct === null ? '' : `mean RSS ${signed(f.rssGrowthPct)}`,
    target: '0 errors, mean RSS growth after warm-up < 10 %',
    pass: meetsTarget(f),
  }));
}

export function formatFigures(f: LoadFigures): string {
  const mem =
    f.rssGrowthPct === null
      ? 'RSS not measured'
      : `RSS mean ${f.rssLevelStartMiB!.toFixed(1)} MiB over the warm-up's last ${Math.min(f.warmupSec, f.durationSec)} s → ${f.rssLevelEndMiB!.toFixed(1)} MiB over the run (${signed(f.rssGrowthPct)}); ` +
        `single readings ${f.rssStartMiB?.toFixed(1) ?? '?'} → ${f.rssEndMiB?.toFixed(1) ?? '?'} MiB; peak (VmHWM) ${f.peakAfterWarmupMiB?.toFixed(1) ?? '?'} → ${f.peakEndMiB?.toFixed(1) ?? '?'} MiB`;
  const what = f.target === 'cgi' ? `${f.connections} at a time` : `${f.connections} clients, ${f.durationSec} s after ${f.warmupSec} s warm-up${roundLabel(f)}`;
  if (f.requests === 0) return `load ${f.target}: ${what}: no answer completed within the run (every answer took longer); ${mem}`;
  return `load ${f.target}: ${what}, ${f.requests} requests, ${f.errors} errors, ${f.timeouts} timeouts, ${f.non2xx} non-2xx; p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms, max ${f.maxMs} ms; ${mem}`;
}

/** `node dist/bench/load.js [--root DIR] [--connections N] [--duration S] [--warmup S] [--rounds N] [--cgi-requests N]` */
if (require.main === module) {
  const { values } = parseArgs({
    options: {
      root: { type: 'string' },
      connections: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      'cgi-requests': { type: 'string' },
    },
  });
  const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
  runLoadBench({
    root: values.root,
    connections: num(values.connections),
    durationSec: num(values.duration),
    warmupSec: num(values.warmup),
    rounds: num(values.rounds),
    cgiRequests: num(values['cgi-requests']),
  }).then(
    (figures) => {
      process.exitCode = figures.every(meetsTarget) ? 0 : 1;
    },
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
