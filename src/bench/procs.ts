/**
 * Running and timing child processes for the benchmark: wall time from start to exit, and the peak
 * resident memory (GNU time's %M when /usr/bin/time exists, else the kernel's VmHWM read while the
 * process runs).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Timed {
  ms: number;
  /** peak resident set in KiB, when measured */
  rssKb: number | null;
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment for measured processes: without NODE_EXTRA_CA_CERTS (it makes every Node start
 * parse a certificate bundle, ~80 ms here, and nothing measured uses TLS) and NODE_OPTIONS.
 */
export function benchEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.NODE_OPTIONS;
  return env;
}

export const GNU_TIME = '/usr/bin/time';
export const hasGnuTime = (): boolean => fs.existsSync(GNU_TIME);

function vmHwmKb(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export async function timed(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; rss?: boolean; timeoutMs?: number } = {}): Promise<Timed> {
  const useTime = opts.rss === true && hasGnuTime();
  const rssFile = useTime ? path.join(os.tmpdir(), `relaywatch-bench-rss-${process.pid}-${Date.now()}`) : null;
  const [exe, argv] = useTime ? [GNU_TIME, ['-f', '%M', '-o', rssFile!, cmd, ...args]] : [cmd, args];
  const start = process.hrtime.bigint();
  const child = spawn(exe, argv, { env: opts.env ?? benchEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let peak: number | null = null;
  const poll = opts.rss && !useTime
    ? setInterval(() => {
      const v = child.pid ? vmHwmKb(child.pid) : null;
      if (v !== null) peak = Math.max(peak ?? 0, v);
    }, 10)
    : null;
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 600_000);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c) => resolve(c));
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  clearTimeout(timer);
  if (poll) clearInterval(poll);
  let rssKb: number | null = peak;
  if (rssFile) {
    try {
      const text = fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop() ?? '';
      rssKb = /^\d+$/.test(text) ? Number(text) : null;
    } finally {
      fs.rmSync(rssFile, { force: true });
    }
  }
  return { ms, rssKb, code, stdout, stderr };
}
