/**
 * The serving figure: relaywatch's daemon as a child process on 127.0.0.1, loaded by autocannon with
 * 50 concurrent clients for a bounded time; the 95th percentile of every response's latency and the
 * number of errors.
 */
import { ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { benchEnv } from './procs';

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
  const child = spawn(process.execPath, [path.join(distDir, 'cli/main.js'), 'serve', '--listen', `127.0.0.1:${port}`, '--dev-user', 'root', '--root', root], {
    env: benchEnv(),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const base = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, 5000);
      child.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
    });
  };
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`relaywatch serve exited: ${stderr}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error('relaywatch serve did not get ready in time');
    }
    try {
      const p = await get(`${base}/api/v1/index/progress`);
      if (p.status === 200 && JSON.parse(p.body).state === 'idle' && JSON.parse(p.body).finishedAt) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { base, child, stop };
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
