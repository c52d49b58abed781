/**
 * `npm run bench`: relaywatch against the admin's own method (`grep` over the mail logs) and against
 * Node's own start, at real log sizes, on this machine. Generates demo hosts of three mail-log mixes
 * (src/demo/logs/mailLogMix.ts: the demo mix, many-IPs, dense) in a temporary folder, measures every
 * target of the README's Performance section, prints one table (figure, value, baseline, ratio,
 * target, result) and removes the folder.
 *
 *   node dist/bench/run.js [--size-mb 1024] [--runs 3] [--seconds 10] [--mixes demo,many-ips,dense]
 *                          [--no-serving] [--no-load] [--keep] [--json FILE] [--only warm|index]
 *
 * `--only warm`: the cold and warm explain figures alone (no IP lookups, rotation, serving, load).
 * `--only index`: the first index build's figures alone (its peak RSS at the smallest and largest size).
 * The cold and the warm CLI `explain` runs are the command as installed (installedCommand.ts: the
 * launcher, its Perl quick path, then Node.js). Child processes run without NODE_EXTRA_CA_CERTS and
 * NODE_OPTIONS (see procs.ts). Time is wall time from start to exit, the best of --runs runs, the two
 * sides of a ratio alternating.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { loadConfig } from '../config/config';
import { DEFAULT_SEED, generateDemoHost } from '../demo/generateDemoHost';
import { MAIL_LOG_MIXES, MailLogMix } from '../demo/logs/mailLogMix';
import { scaleHost } from '../demo/scaleHost';
import { createContext } from '../services/context';
import { openLoginIndex, statusOf } from '../scan/loginIndex';
import { loadSegmentMeta } from '../scan/loginIndexView';
import { mailLogFiles, scanLogFiles } from '../scan/loginScan';
import { Problems } from '../services/problems';
import { IndexStore } from '../host/indexStore';
import { Host } from '../host/host';
import { appendLines, logBytes, logFiles, tailLines } from './logs';
import { benchEnv, hasGnuTime, timed, Timed } from './procs';
import { findWrk, load, loadWithWrk, startDaemon } from './serving';
import { startSocketDaemon } from './socketDaemon';
import { installedCommand, InstalledCommand } from './installedCommand';

const DIST = path.resolve(__dirname, '..');
const MAIN = path.join(DIST, 'cli/main.js');
const MIB = 1024 * 1024;
const GREP_PATTERN = 'Login: |Logged in: |LOGIN, ';

type Row = import('./cgi').BenchRow;

const rows: Row[] = [];
const notes: string[] = [];
const raw: Record<string, unknown> = {};

function row(r: Row): void {
  rows.push(r);
  const mark = r.pass === null ? 'info' : r.pass ? 'PASS' : 'FAIL';
  process.stderr.write(`  ${mark.padEnd(4)}  ${r.figure}: ${r.value}${r.baseline ? ` (baseline ${r.baseline})` : ''}\n`);
}

const sec = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);
const mib = (kb: number): string => `${(kb / 1024).toFixed(0)} MiB`;
const step = (text: string): void => void process.stderr.write(`\n${text}\n`);



const explainArgs = (root: string): string[] => [MAIN, 'explain', '--json', '--root', root];
/** The installed command (bin/relaywatch), set up by main() in the work folder. */
let command: InstalledCommand;
/** `relaywatch explain --json --root ROOT` as installed */
const installedExplain = (root: string): Promise<Timed> => timed(command.path, explainArgs(root).slice(1), { env: command.env });
const grepArgs = (root: string): string[] => ['-cE', GREP_PATTERN, ...logFiles(root)];

function checkExplain(t: Timed, what: string): void {
  if (t.code === null || ![0, 2, 3].includes(t.code)) throw new Error(`${what}: explain exited ${t.code}: ${t.stderr.slice(0, 2000)}`);
  JSON.parse(t.stdout);
}

async function grep(root: string): Promise<Timed> {
  const t = await timed('grep', grepArgs(root), { env: benchEnv({ LC_ALL: 'C' }) });
  if (t.code !== 0) throw new Error(`grep exited ${t.code}: ${t.stderr}`);
  return t;
}

/** A demo host with `mb` MiB of mail logs of the given mix (plain rotations, read without gunzip). */
async function generateHost(work: string, mix: MailLogMix, mb: number, now: Date): Promise<string> {
  const root = path.join(work, `${mix}-${mb}`);
  const t = Date.now();
  await generateDemoHost({ out: root, generation: 'modern', sizeMb: mb, now, seed: DEFAULT_SEED, mix, gzipRotations: false });
  notes.push(`${MIX_LABEL[mix]}, ${mb} MiB: ${(logBytes(root) / MIB).toFixed(0)} MiB of mail logs in ${logFiles(root).length} files (generated in ${sec(Date.now() - t)}).`);
  return root;
}

const MIX_LABEL: Record<MailLogMix, string> = { demo: 'demo mix', 'many-ips': 'many-IPs', dense: 'dense' };

async function best(n: number, run: () => Promise<Timed>): Promise<Timed[]> {
  const out: Timed[] = [];
  for (let i = 0; i < n; i++) out.push(await run());
  return out;
}

const minMs = (ts: Timed[]): number => Math.min(...ts.map((t) => t.ms));

async function countLogins(root: string): Promise<{ index: number; scan: number }> {
  const ctx = createContext(loadConfig({ root }));
  const view = await openLoginIndex(ctx);
  const index = statusOf(ctx, view).logins;
  let scan = 0;
  const problems = new Problems();
  await scanLogFiles(ctx, await mailLogFiles(ctx, problems), (_f, b) => (scan += b.n), { problems });
  return { index, scan };
}

/** The IPs with logins in the index, most logins first. */
async function ipsByLogins(root: string): Promise<Array<[string, number]>> {
  const ctx = createContext(loadConfig({ root }));
  const view = await openLoginIndex(ctx);
  const store = new IndexStore(new Host(root), ctx.config.stateDir);
  const counts = new Map<string, number>();
  for (const e of view!.manifest.logs) {
    for (const ref of e.segments) {
      // the directory also has the IPs of failed logins only
      for (const [ip, slot] of loadSegmentMeta(store, ref).entries()) if (slot.recCount > 0) counts.set(ip, (counts.get(ip) ?? 0) + slot.recCount);
    }
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]);
}

function machine(): string {
  const cpus = os.cpus();
  const o = os as typeof os & { availableParallelism?: () => number };
  const cores = o.availableParallelism ? o.availableParallelism() : cpus.length;
  return `${cores} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, Node ${process.version}, ${os.type()} ${os.release()}`;
}

function table(): string {
  const head = ['Figure', 'Value', 'Baseline', 'Ratio', 'Target', 'Result'];
  const body = rows.map((r) => [r.figure, r.value, r.baseline || '—', r.ratio || '—', r.target || '—', r.pass === null ? 'info' : r.pass ? 'PASS' : 'FAIL']);
  const all = [head, ...body];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

/**
 * Debian's wrk for the serving figures: installed with apt-get when missing and this is root (as
 * .ci/run installs chromium); null when that is not possible.
 */
async function ensureWrk(log: (m: string) => void): Promise<string | null> {
  const found = findWrk();
  if (found || process.getuid?.() !== 0 || !fs.existsSync('/usr/bin/apt-get')) return found;
  log('Installing Debian\'s wrk for the serving figures ...');
  const r = await timed('/usr/bin/apt-get', ['install', '-y', '--no-install-recommends', 'wrk'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeoutMs: 300_000 });
  if (r.code !== 0) log(`apt-get install wrk failed: ${r.stderr.trim().split('\n').pop() ?? ''}`);
  return findWrk();
}

interface ColdFigure {
  ms: number;
  grepMs: number;
  rssKb: number;
}

/** Cold explain (no index) against grep, alternating, page cache warm for both; peak RSS of explain. */
async function coldFigure(root: string, runs: number): Promise<ColdFigure> {
  await grep(root);
  checkExplain(await installedExplain(root), 'warm-up');
  const coldRuns: Timed[] = [];
  const grepRuns: Timed[] = [];
  // Runs of a fifth of a second (256 MiB) move with the machine's other work by more than a tenth:
  // at least 5 of each, alternating, so that the best of each side is its own and not a lucky draw.
  for (let i = 0; i < Math.max(5, runs); i++) {
    const explainRun = async (): Promise<void> => {
      const t = await timed(command.path, explainArgs(root).slice(1), { env: command.env, rss: true });
      checkExplain(t, 'cold explain');
      coldRuns.push(t);
    };
    if (i % 2 === 0) {
      grepRuns.push(await grep(root));
      await explainRun();
    } else {
      await explainRun();
      grepRuns.push(await grep(root));
    }
  }
  raw[`cold:${root}`] = { explain: coldRuns.map((t) => t.ms), grep: grepRuns.map((t) => t.ms) };
  return { ms: minMs(coldRuns), grepMs: minMs(grepRuns), rssKb: Math.max(...coldRuns.map((t) => t.rssKb ?? 0)) };
}

/** The cold-scan target at this size: 1.5 x grep at 256 MiB, 1.0 x grep from 1 GiB. */
function coldTarget(mb: number, full: number): number | null {
  if (mb >= full) return 1.0;
  if (mb <= 256) return 1.5;
  return null;
}

async function nodeStartMs(runs: number): Promise<number> {
  return minMs(await best(runs, () => timed(process.execPath, ['-e', '0'])));
}

/** `relaywatch index` on a host without an index: the first build, with its peak RSS. */
async function firstIndexBuild(root: string): Promise<Timed> {
  const build = await timed(process.execPath, [MAIN, 'index', '--root', root], { rss: true });
  if (build.code !== 0) throw new Error(`index exited ${build.code}: ${build.stderr}`);
  return build;
}

/**
 * Warm figures on one host: the index built (`build`: already, by firstIndexBuild), the daemon
 * in-process after 10 MiB appended, and the CLI process after 10 MiB appended and with nothing new,
 * with the daemon running (it answers over its socket) and without it (the CLI reads the index itself).
 */
async function warmFigures(label: string, root: string, cold: number, runs: number, built: Timed | null): Promise<void> {
  const build = built ?? await firstIndexBuild(root);
  row({ figure: `Index build (relaywatch index, first time), ${label}`, value: sec(build.ms), baseline: `peak RSS ${mib(build.rssKb ?? 0)}`, ratio: '', target: '', pass: null });

  // Runs of some 30 ms move more with the machine's other work than runs of a second: more of them.
  const many = Math.max(10, runs);
  const inProcess = await timed(process.execPath, [path.join(DIST, 'bench/warmExplain.js'), root, String(many), String(10 * MIB)]);
  if (inProcess.code !== 0) throw new Error(`warmExplain exited ${inProcess.code}: ${inProcess.stderr}`);
  const warmSorted = [...(JSON.parse(inProcess.stdout) as { ms: number[] }).ms].sort((a, b) => a - b);
  raw[`warmInProcess:${label}`] = warmSorted;
  const warmIn = warmSorted[0];
  notes.push(`Warm explain in the daemon, ${label}: best of ${warmSorted.length} runs; median ${sec(warmSorted[Math.floor(warmSorted.length / 2)])}, worst ${sec(warmSorted[warmSorted.length - 1])}.`);
  row({ figure: `Warm explain after 10 MiB appended, in the running daemon, ${label}`, value: sec(warmIn), baseline: `cold ${sec(cold)}`, ratio: `${((100 * warmIn) / cold).toFixed(1)}%`, target: '≤ 5% of cold', pass: warmIn <= 0.05 * cold });

  // The CLI: each run against `node -e 0` run just before it, `appendMsBefore` after 10 MiB were appended
  // (null: nothing appended): a daemon reads new lines within a second of their being written, so a
  // run a second later finds them read; a run right after the append waits while they are read.
  // `viaNode`: `node dist/cli/main.js` itself instead of the installed command (the Node.js quick path).
  const cliRuns = async (appendMsBefore: number | null, viaNode = false): Promise<{ ms: number; node: number }> => {
    const cli: Timed[] = [];
    const node: Timed[] = [];
    for (let i = 0; i < many; i++) {
      node.push(await timed(process.execPath, ['-e', '0']));
      // The daemon is not asked all the time: let it write the last run's logins to the index first.
      await new Promise((resolve) => setTimeout(resolve, 300));
      if (appendMsBefore !== null) {
        appendLines(root, 10 * MIB);
        if (appendMsBefore > 0) await new Promise((resolve) => setTimeout(resolve, appendMsBefore));
      }
      const t = viaNode ? await timed(process.execPath, explainArgs(root)) : await installedExplain(root);
      checkExplain(t, 'warm explain');
      cli.push(t);
    }
    return { ms: minMs(cli), node: minMs(node) };
  };
  const judge = (what: string, r: { ms: number; node: number }, target: boolean): void => {
    row({
      figure: `Warm CLI explain${what.startsWith('node ') ? '' : ' (relaywatch as installed)'}, ${what}, ${label}`,
      value: sec(r.ms),
      baseline: `node -e 0 ${sec(r.node)}; cold ${sec(cold)}`,
      ratio: `${(r.ms / r.node).toFixed(2)}× node, ${((100 * r.ms) / cold).toFixed(1)}% of cold`,
      target: target ? '≤ 3× node -e 0, ≤ 10% of cold' : '',
      pass: target ? r.ms <= 3 * r.node && r.ms <= 0.1 * cold : null,
    });
  };
  const daemon = await startSocketDaemon(DIST, root);
  try {
    judge('daemon running, 10 MiB appended 1 s before', await cliRuns(1000), true);
    judge('node dist/cli/main.js (no launcher, no Perl), daemon running, 10 MiB appended 1 s before', await cliRuns(1000, true), false);
    judge('daemon running, 10 MiB appended just before (read while the CLI waits)', await cliRuns(0), false);
  } finally {
    await daemon.stop();
  }
  judge('no daemon, 10 MiB appended just before', await cliRuns(0), false);
  judge('no daemon, nothing new', await cliRuns(null), false);
}

/** IP lookups from the index as the daemon makes them (index open), across every log. */
async function lookupFigures(label: string, root: string): Promise<void> {
  const marker = JSON.parse(fs.readFileSync(path.join(root, 'etc/relaywatch/demo-host.json'), 'utf8')) as { relayHosts: { explained: string[] } };
  const byLogins = await ipsByLogins(root);
  const relayIps = marker.relayHosts.explained.slice(0, 10);
  // the busiest mail client, and the busiest of all (webmail's loopback address: every mailbox)
  const isLoopback = (ip: string): boolean => ip === '::1' || ip.startsWith('127.');
  const busiestClient = byLogins.find(([ip]) => !isLoopback(ip))![0];
  const busiestAny = byLogins[0][0];
  const lookup = await timed(process.execPath, [path.join(DIST, 'bench/ipLookup.js'), root, ...relayIps, busiestClient, busiestAny]);
  if (lookup.code !== 0) throw new Error(`ipLookup exited ${lookup.code}: ${lookup.stderr}`);
  const looked = JSON.parse(lookup.stdout) as { openMs: number; lookups: Array<{ ip: string; ms: number; logins: number; files: number }> };
  raw[`lookups:${label}`] = looked;
  const relayWorst = looked.lookups.slice(0, relayIps.length).reduce((a, b) => (b.ms > a.ms ? b : a));
  const client = looked.lookups[looked.lookups.length - 2];
  const busiest = looked.lookups[looked.lookups.length - 1];
  const files = `${logFiles(root).length} files, ${byLogins.length.toLocaleString('en')} distinct IPs`;
  row({ figure: `IP lookup in the daemon, relay IPs (worst of ${relayIps.length}; ${files}), ${label}`, value: sec(relayWorst.ms), baseline: '', ratio: '', target: '≤ 20 ms', pass: relayWorst.ms <= 20 });
  row({ figure: `IP lookup in the daemon, busiest client IP (${client.logins.toLocaleString('en')} logins in ${client.files} files), ${label}`, value: sec(client.ms), baseline: '', ratio: '', target: '≤ 20 ms', pass: client.ms <= 20 });
  row({ figure: `IP lookup, ${busiest.ip} (webmail: ${busiest.logins.toLocaleString('en')} logins in ${busiest.files} files), ${label}`, value: sec(busiest.ms), baseline: '', ratio: '', target: '', pass: null });
  row({ figure: `IP lookup, first in a fresh process (opens the index), ${label}`, value: sec(looked.openMs), baseline: '', ratio: '', target: '', pass: null });
}

/** Rotation: rename + new file, then gzip of the old one; the index against a scan. */
async function rotationFigure(root: string, now: Date): Promise<void> {
  const logDir = path.join(root, 'var/log');
  const rotated = path.join(logDir, `maillog-${now.getFullYear()}${String(now.getMonth() + 1).padStart(2, '0')}${String(now.getDate()).padStart(2, '0')}`);
  appendLines(root, 2 * MIB); // written before the rotation, never indexed as the live file
  fs.renameSync(path.join(logDir, 'maillog'), rotated);
  fs.writeFileSync(path.join(logDir, 'maillog'), tailLines(rotated, 3 * MIB));
  checkExplain(await timed(process.execPath, explainArgs(root)), 'explain after rotation');
  await pipeline(fs.createReadStream(rotated), zlib.createGzip({ level: 1 }), fs.createWriteStream(`${rotated}.gz`));
  fs.rmSync(rotated);
  const viaIndex = await timed(process.execPath, explainArgs(root));
  checkExplain(viaIndex, 'explain after gzip');
  const indexDir = path.join(root, 'var/lib/relaywatch/login-index');
  fs.renameSync(indexDir, `${indexDir}.off`);
  const viaScan = await timed(process.execPath, explainArgs(root));
  fs.renameSync(`${indexDir}.off`, indexDir);
  checkExplain(viaScan, 'explain by scan');
  const strip = (t: Timed): string => JSON.stringify({ ...JSON.parse(t.stdout), checkedAt: null });
  const counts = await countLogins(root);
  const same = strip(viaIndex) === strip(viaScan) && counts.index === counts.scan;
  row({ figure: 'Rotation + gzip: logins in the index / by a scan, demo mix', value: counts.index.toLocaleString('en'), baseline: counts.scan.toLocaleString('en'), ratio: (counts.index / counts.scan).toFixed(3), target: 'equal, explain identical', pass: same });
}

/** Serving: the host grown to 2,000 relay IPs and 10,000 accounts, the daemon on 127.0.0.1, 50 clients. */
async function servingFigures(root: string, seconds: number): Promise<Awaited<ReturnType<typeof startDaemon>>> {
  const scaled = await scaleHost(root, { accounts: 10_000, relayHosts: 2_000, now: new Date() });
  notes.push(`Serving host: ${scaled.relayHosts} relay IPs (${scaled.explained} explained by a fresh login, ${scaled.unexplained} not), ${scaled.accounts} accounts.`);
  const daemon = await startDaemon(DIST, root);
  const wrk = await ensureWrk(step);
  notes.push(wrk
    ? `Serving load: wrk (${wrk}), 1 thread, pinned to the last core, after a 5 s warm-up at the same load; p95 over every response of the measured run.`
    : 'Serving load: autocannon in the benchmark process (wrk is not installed and could not be installed): it shares the cores with the daemon.');
  for (const [urlPath, label] of [['/api/v1/relay-hosts', 'GET /api/v1/relay-hosts'], ['/', 'GET / (dashboard)']] as const) {
    const r = wrk ? await loadWithWrk(wrk, daemon.base, urlPath, 50, seconds, daemon.child.pid) : await load(daemon.base, urlPath, 50, seconds, daemon.child.pid);
    raw[urlPath] = r;
    row({
      figure: `${label} p95, 50 clients, ${seconds} s (${r.tool})`,
      value: sec(r.p95),
      baseline: `p50 ${sec(r.p50)}, p99 ${sec(r.p99)}, ${r.rps.toFixed(0)} req/s, ${(r.bytes / 1024).toFixed(0)} KiB; CPU: ${r.tool === 'autocannon' ? `autocannon ${r.clientCpu.toFixed(0)}%, ` : ''}daemon ${r.daemonCpu.toFixed(0)}%`,
      ratio: '',
      target: '≤ 50 ms, 0 errors',
      pass: r.p95 <= 50 && r.errors === 0 && r.requests > 0,
    });
    if (r.errors > 0) notes.push(`${label}: ${r.errors} errors in ${r.requests} requests.`);
  }
  return daemon;
}

/** Peak RSS at each size: ≤ 256 MiB, and at the largest no more than 1.25× the smallest's. */
function peakRssRows(what: string, rss: ReadonlyArray<[number, number]>): void {
  if (rss.length === 0) return;
  const smallest = rss[0][1];
  for (const [mb, kb] of rss) {
    const last = mb === rss[rss.length - 1][0] && rss.length > 1;
    row({
      figure: `Peak RSS, ${what}, ${mb} MiB`,
      value: mib(kb),
      baseline: last ? `${mib(smallest)} at ${rss[0][0]} MiB` : '',
      ratio: last ? `${(kb / smallest).toFixed(2)}×` : '',
      target: last ? '≤ 256 MiB, flat (≤ 1.25× the smallest)' : '≤ 256 MiB',
      pass: kb > 0 && kb <= 256 * 1024 && (!last || kb <= 1.25 * smallest),
    });
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'size-mb': { type: 'string' }, runs: { type: 'string' }, seconds: { type: 'string' }, mixes: { type: 'string' },
      'no-serving': { type: 'boolean' }, 'no-load': { type: 'boolean' }, keep: { type: 'boolean' }, json: { type: 'string' }, only: { type: 'string' },
    },
  });
  const full = Number(values['size-mb'] ?? 1024);
  const runs = Math.max(3, Number(values.runs ?? 3));
  const seconds = Number(values.seconds ?? 10);
  const mixes = (values.mixes ?? MAIL_LOG_MIXES.join(',')).split(',') as MailLogMix[];
  for (const m of mixes) if (!MAIL_LOG_MIXES.includes(m)) throw new Error(`--mixes: unknown mix "${m}" (${MAIL_LOG_MIXES.join(', ')})`);
  const now = new Date();
  if (values.only !== undefined && values.only !== 'warm' && values.only !== 'index') throw new Error(`--only: unknown part "${values.only}" (warm, index)`);
  const onlyWarm = values.only === 'warm';
  const onlyIndex = values.only === 'index';
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'relaywatch-bench-'));
  command = installedCommand(work, DIST);
  notes.push('Cold and warm CLI explain: the command as installed (bin/relaywatch: the shell launcher, its Perl quick path for explain, then Node.js), dist/ this build; baseline `node -e 0`.');
  const started = Date.now();
  const load1 = os.loadavg()[0];
  let daemon: Awaited<ReturnType<typeof startDaemon>> | null = null;
  try {
    step(`Node's start, for the warm CLI figures ...`);
    const nodeStart = await nodeStartMs(Math.max(10, runs));
    row({ figure: 'Node.js start-up alone (node -e 0), best of 10', value: sec(nodeStart), baseline: '', ratio: '', target: '', pass: null });

    for (const mix of mixes) {
      const label = MIX_LABEL[mix];
      // 256 MiB, the many-IPs set's 512 MiB (its warm figures), and the full size
      const sizes = [...new Set([256, ...(mix === 'many-ips' ? [512] : []), full])].filter((mb) => mb <= full).sort((a, b) => a - b);
      const warmAt = mix === 'many-ips' ? Math.min(512, full) : mix === 'demo' ? full : null;
      const rss: Array<[number, number]> = [];
      const indexRss: Array<[number, number]> = [];
      for (const mb of sizes) {
        // the first build's memory at the smallest and the largest size (after the cold runs: they must find no index)
        const buildHere = mb === sizes[0] || mb === sizes[sizes.length - 1];
        if (onlyIndex) {
          if (!buildHere) continue;
          step(`${label}, ${mb} MiB: generating, then the first index build ...`);
          const root = await generateHost(work, mix, mb, now);
          indexRss.push([mb, (await firstIndexBuild(root)).rssKb ?? 0]);
          if (!values.keep) fs.rmSync(root, { recursive: true, force: true });
          continue;
        }
        step(`${label}, ${mb} MiB: generating, then cold explain against grep ...`);
        const root = await generateHost(work, mix, mb, now);
        const c = await coldFigure(root, runs);
        const ratio = c.ms / c.grepMs;
        const t = coldTarget(mb, full);
        row({
          figure: `Cold explain, ${label}, ${mb} MiB`,
          value: sec(c.ms),
          baseline: `grep ${sec(c.grepMs)}`,
          ratio: `${ratio.toFixed(2)}×`,
          target: t === null ? '' : `≤ ${t.toFixed(1)}× grep`,
          pass: t === null ? null : ratio <= t,
        });
        rss.push([mb, c.rssKb]);
        const built = buildHere ? await firstIndexBuild(root) : null;
        if (built) indexRss.push([mb, built.rssKb ?? 0]);
        if (mb === warmAt) {
          step(`${label}, ${mb} MiB: index, warm explain in the daemon and as a CLI process, IP lookups ...`);
          await warmFigures(`${label}, ${mb} MiB`, root, c.ms, runs, built);
          if (!onlyWarm) await lookupFigures(`${label}, ${mb} MiB`, root);
          if (mix === 'demo' && !onlyWarm) {
            step('Rotation (rename, new file), then gzip of the rotated file ...');
            await rotationFigure(root, now);
            if (!values['no-serving']) {
              step('Serving: 2,000 relay hosts, 10,000 accounts, 50 concurrent clients ...');
              daemon = await servingFigures(root, seconds);
              await daemon.stop();
              daemon = null;
            }
          }
        }
        if (!values.keep) fs.rmSync(root, { recursive: true, force: true });
      }
      if (!onlyWarm) peakRssRows(`cold explain, ${label}`, rss);
      peakRssRows(`first index build (relaywatch index), ${label}`, indexRss);
    }
    notes.push(`Peak RSS from ${hasGnuTime() ? 'GNU time (%M)' : 'VmHWM in /proc, read every 10 ms'}; it includes the scan worker thread.`);
  } finally {
    if (daemon) await daemon.stop();
    if (!values.keep) fs.rmSync(work, { recursive: true, force: true });
    else notes.push(`Kept ${work}.`);
  }

  // load: 200 clients × 30 s, socket, CGI, TCP (load.ts); the CGI bridge against Node's start (cgi.ts)
  if (!values['no-load'] && !onlyWarm && !onlyIndex) {
    for (const r of await (require('./load') as typeof import('./load')).loadBenchRows({ log: step })) row(r);
    for (const r of await (require('./cgi') as typeof import('./cgi')).cgiBenchRows({ log: step })) row(r);
  }
  const out = [
    '',
    `relaywatch benchmark — ${new Date().toISOString()}`,
    `Machine: ${machine()}; load average at start ${load1.toFixed(2)}; took ${sec(Date.now() - started)}.`,
    '',
    table(),
    '',
    ...notes.map((n) => `- ${n}`),
    '- Child processes run without NODE_EXTRA_CA_CERTS and NODE_OPTIONS (procs.ts); times are wall times, best of the runs.',
    '',
  ].join('\n');
  process.stdout.write(out);
  if (values.json) fs.writeFileSync(values.json, `${JSON.stringify({ machine: machine(), rows, notes, raw }, null, 2)}\n`);
  return rows.every((r) => r.pass !== false) ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`benchmark failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 2;
  },
);
