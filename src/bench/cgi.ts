/**
 * The CGI bridge's own cost (`npm run bench`, and `node dist/bench/cgi.js` alone): what a page view
 * through WHM costs besides Node's start.
 *
 * - 20 at a time: GET / (the dashboard, a whole page) through plugin/cgi/index.cgi as cpsrvd runs
 *   it, against bare `node -e 0` runs 20 at a time, in rounds that take turns, so both see the same
 *   machine; p50 and p99 over every run.
 * - One at a time: the median of single requests against the median of single `node -e 0` runs.
 * - Runs per page view: the page's style sheets and scripts must not come through the CGI.
 * - For comparison, the start of Perl (cPanel's own language), which a bridge in Perl would pay instead.
 *
 * Every process runs without NODE_EXTRA_CA_CERTS and NODE_OPTIONS (procs.ts). `--cgi FILE` measures
 * another bridge the same way (the README's comparison of the Node.js bridge with the Perl one).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnDaemon } from './daemonProcess';
import { benchEnv } from './procs';

const MAIN = path.resolve(__dirname, '../cli/main.js');
const CGI = path.resolve(__dirname, '../../plugin/cgi/index.cgi');
const SESSION = '/cpsess1234567890';

/** One row of the benchmark's table. */
export interface BenchRow {
  figure: string;
  value: string;
  baseline: string;
  ratio: string;
  target: string;
  pass: boolean | null;
}

export interface CgiBenchOptions {
  /** runs per round and kind (default 100) */
  perRound?: number;
  rounds?: number;
  concurrency?: number;
  singles?: number;
  /** another CGI program to measure instead of plugin/cgi/index.cgi (e.g. an earlier bridge) */
  cgi?: string;
  log?: (line: string) => void;
}

interface Run {
  ms: number;
  code: number | null;
  out: string;
}

function runOnce(cmd: string, args: string[], env: NodeJS.ProcessEnv, keepOut = false): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      if (keepOut || out.length < 200) out += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, code, out }));
  });
}

async function runMany(count: number, concurrency: number, one: () => Promise<Run>): Promise<Run[]> {
  const runs: Run[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        runs.push(await one());
      }
    }),
  );
  return runs;
}

const quantile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
const sortNum = (a: number[]): number[] => [...a].sort((x, y) => x - y);
const ms = (v: number): string => `${v.toFixed(v < 10 ? 1 : 0)} ms`;

/** The environment cpsrvd gives the plugin's CGI for a GET of `route` by root, with the daemon at `socket`. */
export function cgiEnv(socket: string, route = '/'): NodeJS.ProcessEnv {
  return benchEnv({
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: 'HTTP/1.1',
    REQUEST_METHOD: 'GET',
    QUERY_STRING: `route=${encodeURIComponent(route)}`,
    SCRIPT_NAME: '/cgi/relaywatch/index.cgi',
    REMOTE_USER: 'root',
    REMOTE_ADDR: '127.0.0.1',
    HTTP_ACCEPT: 'text/html',
    cp_security_token: SESSION,
    RELAYWATCH_SOCKET: socket,
  });
}

export async function cgiBenchRows(o: CgiBenchOptions = {}): Promise<BenchRow[]> {
  const log = o.log ?? ((l: string) => console.log(l));
  const perRound = o.perRound ?? 100;
  const rounds = o.rounds ?? 4;
  const concurrency = o.concurrency ?? 20;
  const singles = o.singles ?? 40;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'relaywatch-cgibench-'));
  const rows: BenchRow[] = [];
  try {
    const root = path.join(work, 'host');
    log(`cgi: generating a demo host in ${root}`);
    const demo = await runOnce(process.execPath, [MAIN, 'demo', '--out', root, '--seed', '7', '--size-mb', '16'], benchEnv());
    if (demo.code !== 0) throw new Error(`relaywatch demo exited ${demo.code}`);
    const socket = path.join(work, 'run', 'http.sock');
    const daemon = spawnDaemon(MAIN, ['--socket', socket, '--root', root]);
    try {
      for (let i = 0; i < 400 && !fs.existsSync(socket); i++) await new Promise((r) => setTimeout(r, 50));
      if (!fs.existsSync(socket)) throw new Error(`the daemon did not open its socket: ${daemon.stderr()}`);
      const env = cgiEnv(socket);
      const node = benchEnv();
      const cgi = o.cgi ?? CGI;
      const cgiRun = (keep = false): Promise<Run> => runOnce(cgi, [], env, keep);
      const nodeRun = (): Promise<Run> => runOnce(process.execPath, ['-e', '0'], node);

      // The page, once: it must be a whole page, and its static files must not come through the CGI.
      let page = await cgiRun(true);
      for (let i = 0; i < 100 && !/^Status: 200/.test(page.out); i++) {
        await new Promise((r) => setTimeout(r, 200)); // the daemon reads the logs first
        page = await cgiRun(true);
      }
      if (!/^Status: 200/.test(page.out)) throw new Error(`the CGI did not answer 200:\n${page.out.slice(0, 500)}`);
      const subresources = [...page.out.matchAll(/<(?:link[^>]*\bhref|script[^>]*\bsrc|img[^>]*\bsrc)="([^"]+)"/g)].map((m) => m[1]);
      const viaCgi = subresources.filter((u) => u.includes('index.cgi'));
      const fromDocroot = subresources.filter((u) => u.startsWith(`${SESSION}/cgi/relaywatch/assets/`));
      rows.push({
        figure: 'CGI runs per page view (GET / through WHM)',
        value: String(1 + viaCgi.length),
        baseline: `${fromDocroot.length} static files from the plugin's docroot folder (cpsrvd)`,
        ratio: '',
        target: '1',
        pass: viaCgi.length === 0,
      });

      log(`cgi: warm-up, then ${rounds} rounds of ${perRound} runs each at ${concurrency} at a time`);
      await runMany(40, concurrency, () => cgiRun());
      const cgiTimes: number[] = [];
      const nodeTimes: number[] = [];
      let failures = 0;
      for (let r = 0; r < rounds; r++) {
        const order = r % 2 === 0 ? ['node', 'cgi'] : ['cgi', 'node'];
        for (const kind of order) {
          const runs = await runMany(perRound, concurrency, kind === 'cgi' ? () => cgiRun() : nodeRun);
          for (const run of runs) {
            (kind === 'cgi' ? cgiTimes : nodeTimes).push(run.ms);
            if (run.code !== 0 || (kind === 'cgi' && !/^Status: 200/.test(run.out))) failures++;
          }
        }
      }
      const c = sortNum(cgiTimes);
      const n = sortNum(nodeTimes);
      const [c50, c99, n50, n99] = [quantile(c, 0.5), quantile(c, 0.99), quantile(n, 0.5), quantile(n, 0.99)];
      rows.push({
        figure: `CGI page view, ${concurrency} at a time (GET /, ${c.length} runs)`,
        value: `p50 ${ms(c50)}, p99 ${ms(c99)}`,
        baseline: `node -e 0 ${concurrency} at a time: p50 ${ms(n50)}, p99 ${ms(n99)}${failures ? `; ${failures} failed runs` : ''}`,
        ratio: `p50 ${(c50 / n50).toFixed(2)}×, p99 ${(c99 / n99).toFixed(2)}×`,
        target: 'p50 ≤ 1.2×, p99 ≤ 1.3× node -e 0',
        pass: failures === 0 && c50 <= 1.2 * n50 && c99 <= 1.3 * n99,
      });

      log(`cgi: ${singles} single requests, taking turns with node -e 0 and perl -e 0`);
      const one: number[] = [];
      const bare: number[] = [];
      const perl: number[] = [];
      const hasPerl = fs.existsSync('/usr/bin/perl');
      for (let i = 0; i < singles; i++) {
        one.push((await cgiRun()).ms);
        bare.push((await nodeRun()).ms);
        if (hasPerl) perl.push((await runOnce('/usr/bin/perl', ['-e', '0'], node)).ms);
      }
      const [s1, s0] = [quantile(sortNum(one), 0.5), quantile(sortNum(bare), 0.5)];
      rows.push({
        figure: 'CGI single request (GET /), median',
        value: ms(s1),
        baseline: `node -e 0 ${ms(s0)}`,
        ratio: `${s1 >= s0 ? "+" : "−"}${ms(Math.abs(s1 - s0))}`,
        target: '≤ Node\'s start + 40 ms',
        pass: s1 <= s0 + 40,
      });
      if (hasPerl) {
        rows.push({
          figure: 'Perl start (perl -e 0), median, for comparison',
          value: ms(quantile(sortNum(perl), 0.5)),
          baseline: `node -e 0 ${ms(s0)}`,
          ratio: `${(quantile(sortNum(perl), 0.5) / s0).toFixed(2)}×`,
          target: '—',
          pass: null,
        });
      }
    } finally {
      await daemon.stop();
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return rows;
}

/** `node dist/bench/cgi.js [--rounds N] [--per-round N] [--cgi FILE]`: the CGI rows alone. */
if (require.main === module) {
  const arg = (name: string): number | undefined => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const cgiAt = process.argv.indexOf('--cgi');
  const cgi = cgiAt > 0 ? path.resolve(process.argv[cgiAt + 1]) : undefined;
  cgiBenchRows({ rounds: arg('--rounds'), perRound: arg('--per-round'), cgi, log: (l) => process.stderr.write(`${l}\n`) }).then(
    (rows) => {
      for (const r of rows) console.log(`${r.pass === null ? 'info' : r.pass ? 'PASS' : 'FAIL'}  ${r.figure}: ${r.value} | ${r.baseline} | ${r.ratio} | ${r.target}`);
    },
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
