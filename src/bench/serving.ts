/**
 * The serving figure: relaywatch's daemon as a child process on 127.0.0.1, loaded with 50 concurrent
 * clients for a bounded time; the 95th percentile of every response's latency and the number of
 * errors. The load tool is Debian's wrk when it is installed (written in C, pinned to the last core
 * so that it does not take the daemon's), else autocannon (JavaScript, in this process, on the
 * same cores: its own HTTP parsing takes most of a core and shows in the daemon's latency).
 */
import { ChildProcess } from 'node:child_process';
import os from 'node:os';
import http from 'node:http';
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { spawnDaemon, waitUntilReady } from './daemonProcess';
import { timed } from './procs';

// autocannon has no type declarations: the small part used here.
interface AutocannonInstance {
  on(event: 'response', cb: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): void;
}
interface AutocannonResult {
  errors: number;
  timeouts: number;
  non2xx: number;
  requests: { total: number };
  throughput: { average: number };
}
type Autocannon = (opts: Record<string, unknown>, cb: (err: Error | null, res: AutocannonResult) => void) => AutocannonInstance;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as Autocannon;

export interface LoadResult {
  tool: 'wrk' | 'autocannon';
  path: string;
  requests: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  /** bytes per response */
  bytes: number;
  rps: number;
  /** CPU used during the run, in % of one core: the load tool (this process) and the daemon */
  clientCpu: number;
  daemonCpu: number;
}

function cpuMsOf(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * (1000 / 100); // utime + stime, in clock ticks of 10 ms
  } catch {
    return NaN;
  }
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

export interface RunningDaemon {
  base: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `relaywatch serve` and waits until it answers and its login index is ready. */
export async function startDaemon(distDir: string, root: string): Promise<RunningDaemon> {
  const port = await freePort();
  const daemon = spawnDaemon(path.join(distDir, 'cli/main.js'), ['--listen', `127.0.0.1:${port}`, '--dev-user', 'root', '--root', root]);
  const base = `http://127.0.0.1:${port}`;
  await waitUntilReady(daemon, async () => {
    try {
      const p = await get(`${base}/api/v1/index/progress`);
      return p.status === 200 && JSON.parse(p.body).state === 'idle' && Boolean(JSON.parse(p.body).finishedAt);
    } catch {
      return false; // not listening yet
    }
  });
  return { base, child: daemon.child, stop: daemon.stop };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Loads one path with `connections` clients for `seconds`; every response's latency is kept. */
/** What a browser sends: the daemon answers compressed when the client accepts it. */
const BROWSER_HEADERS = { 'accept-encoding': 'gzip, deflate', accept: 'text/html,application/json' };

export async function load(base: string, urlPath: string, connections: number, seconds: number, daemonPid?: number): Promise<LoadResult> {
  // warm-up: the first answers compute and cache what later ones reuse
  for (let i = 0; i < 5; i++) await get(`${base}${urlPath}`);
  const latencies: number[] = [];
  let bytes = 0;
  const cpu0 = process.cpuUsage();
  const daemon0 = daemonPid ? cpuMsOf(daemonPid) : NaN;
  const wall0 = Date.now();
  const result = await new Promise<AutocannonResult>((resolve, reject) => {
    const inst = autocannon({ url: `${base}${urlPath}`, connections, duration: seconds, timeout: 10, headers: BROWSER_HEADERS }, (err, res) => (err ? reject(err) : resolve(res)));
    inst.on('response', (_c, _status, resBytes, responseTime) => {
      latencies.push(responseTime);
      bytes = resBytes;
    });
  });
  const wall = Date.now() - wall0;
  const cpu = process.cpuUsage(cpu0);
  latencies.sort((a, b) => a - b);
  return {
    tool: 'autocannon',
    clientCpu: (100 * (cpu.user + cpu.system)) / 1000 / wall,
    daemonCpu: daemonPid ? (100 * (cpuMsOf(daemonPid) - daemon0)) / wall : NaN,
    path: urlPath,
    requests: latencies.length,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    errors: result.errors + result.timeouts + result.non2xx,
    bytes,
    rps: latencies.length / seconds,
  };
}

/** wrk's path, or null when it is not installed. */
export function findWrk(): string | null {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    const p = path.join(dir || '.', 'wrk');
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

/** Prints wrk's figures as one line of JSON (latencies in microseconds). */
const WRK_REPORT = `done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"p50":%d,"p95":%d,"p99":%d,"requests":%d,"errors":%d,"status":%d,"bytes":%d}\\n',
    latency:percentile(50), latency:percentile(95), latency:percentile(99), summary.requests,
    e.connect + e.read + e.write + e.timeout, e.status, summary.bytes))
end
`;

/**
 * The same figures from wrk: a warm-up of `warmSeconds` (answers whose age limit passed while
 * nobody asked are brought up to date then, as in a daemon in use), then `seconds` measured.
 */
export async function loadWithWrk(wrk: string, base: string, urlPath: string, connections: number, seconds: number, daemonPid?: number, warmSeconds = 5): Promise<LoadResult> {
  const script = path.join(os.tmpdir(), `relaywatch-wrk-${process.pid}.lua`);
  fs.writeFileSync(script, WRK_REPORT);
  const cores = os.cpus().length;
  const pin = cores > 1 && fs.existsSync('/usr/bin/taskset') ? ['/usr/bin/taskset', ['-c', String(cores - 1)]] as const : null;
  const wrkArgs = (secs: number): string[] => ['-t1', `-c${connections}`, `-d${secs}s`, '--timeout', '10s', '-H', `Accept-Encoding: ${BROWSER_HEADERS['accept-encoding']}`, '-H', `Accept: ${BROWSER_HEADERS.accept}`, '-s', script, `${base}${urlPath}`];
  const go = async (secs: number): Promise<string> => {
    const r = pin ? await timed(pin[0], [...pin[1], wrk, ...wrkArgs(secs)]) : await timed(wrk, wrkArgs(secs));
    if (r.code !== 0) throw new Error(`wrk exited with ${r.code}: ${r.stderr.trim()}`);
    return r.stdout;
  };
  try {
    // The first answer computes what later ones reuse (10,000 accounts' autoresponders take seconds).
    await get(`${base}${urlPath}`);
    if (warmSeconds > 0) await go(warmSeconds);
    const daemon0 = daemonPid ? cpuMsOf(daemonPid) : NaN;
    const wall0 = Date.now();
    const out = await go(seconds);
    const wall = Date.now() - wall0;
    const line = out.split('\n').find((l) => l.startsWith('{"p50"'));
    if (!line) throw new Error(`wrk printed no figures: ${out.slice(0, 500)}`);
    const r = JSON.parse(line) as { p50: number; p95: number; p99: number; requests: number; errors: number; status: number; bytes: number };
    return {
      tool: 'wrk',
      path: urlPath,
      requests: r.requests,
      p50: r.p50 / 1000,
      p95: r.p95 / 1000,
      p99: r.p99 / 1000,
      errors: r.errors + r.status,
      bytes: r.requests ? r.bytes / r.requests : 0,
      rps: r.requests / seconds,
      clientCpu: NaN,
      daemonCpu: daemonPid ? (100 * (cpuMsOf(daemonPid) - daemon0)) / wall : NaN,
    };
  } finally {
    fs.rmSync(script, { force: true });
  }
}
