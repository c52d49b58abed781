/**
 * Scans shared with worker threads give exactly what the main thread alone gives: the same logins,
 * in the same order, with the same absolute line numbers, for whole files and for a warm update that
 * starts in the middle of a file. Both ways are checked: workers started for one large scan (the
 * CLI) and workers the daemon keeps between scans, which then also share scans of a few megabytes.
 *
 * Workers only run compiled JavaScript, so this runs against src/ compiled to a temporary folder,
 * in a child process.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compileDist } from '../helpers/compiledDist';
import { removeTree } from '../helpers/hostTree';

jest.setTimeout(120_000);

interface Digest {
  logins: number;
  records: string[];
  outcomes: Array<{ lines: number; endOffset: number; error: string | null }>;
}

interface DriverResult {
  mainOnly: Digest;
  oneOff: Digest;
  oneOffJobs: number;
  warm: Digest[];
  warmJobs: number;
  warmUpdate: Digest;
  warmUpdateMain: Digest;
  warmUpdateJobs: number;
  warmUpdateBytes: number;
  missing: { mainOnly: string | null; parallel: string | null };
  failedMain: Digest;
  failedParallel: Digest;
  fewIps: string[];
  fewMain: Digest;
  fewParallel: Digest;
  fewJobs: number;
}

// Runs in the child: every scan of the same targets, digested to comparable records.
const DRIVER = `
const [dist, root] = process.argv.slice(1);
const { loadConfig } = require(dist + '/config/config');
const { createContext } = require(dist + '/services/context');
const { mailLogFiles, wholeFileTargets } = require(dist + '/scan/loginScan');
const { scanTargets } = require(dist + '/scan/loginScanPool');
const { Problems } = require(dist + '/services/problems');
const workers = require(dist + '/scan/scanWorkers');
const fs = require('fs');

async function digest(ctx, targets, parallel) {
  const records = [];
  const outcomes = await scanTargets(ctx, targets, {
    parallel,
    onLogins: (t, b, lineBase) => {
      for (let i = 0; i < b.n; i++) records.push([t, lineBase + b.line[i], b.strings[b.ip[i]], b.strings[b.user[i]], b.time[i], b.kind[i]].join(' '));
    },
  });
  return { logins: records.length, records, outcomes: outcomes.map((o) => ({ lines: o.lines, endOffset: o.endOffset, error: o.error ? o.error.code || o.error.message : null })) };
}

// The same scan asked for failed logins too (explain without an index): logins and failures.
async function digestWithFailures(ctx, targets, parallel, onlyIps) {
  const records = [];
  const outcomes = await scanTargets(ctx, targets, {
    parallel,
    ...(onlyIps ? { onlyIps: new Set(onlyIps) } : {}),
    onLogins: (t, b, lineBase) => {
      for (let i = 0; i < b.n; i++) records.push(['ok', t, lineBase + b.line[i], b.strings[b.ip[i]], b.strings[b.user[i]], b.time[i]].join(' '));
    },
    onFailed: (t, failed) => {
      for (const f of failed) records.push(['failed', t, f.ip, f.user, f.attempts, f.time].join(' '));
    },
  });
  return { logins: records.length, records, outcomes: outcomes.map((o) => ({ lines: o.lines, endOffset: o.endOffset, error: o.error ? o.error.code || o.error.message : null })) };
}

(async () => {
  const ctx = createContext(loadConfig({ root }));
  const files = await mailLogFiles(ctx, new Problems());
  const whole = wholeFileTargets(files);
  const out = {};
  out.mainOnly = await digest(ctx, whole, false);
  let jobs = workers.scanWorkerJobs();
  out.oneOff = await digest(ctx, whole, true);
  out.oneOffJobs = workers.scanWorkerJobs() - jobs;

  // A warm update: the largest plain log from a line in its first third, as the index reads what
  // was appended (a few megabytes).
  const live = files.filter((f) => !f.gz).sort((a, b) => b.size - a.size)[0];
  const text = fs.readFileSync(root + live.path);
  const start = text.indexOf(10, Math.floor(text.length / 3)) + 1;
  let startLine = 1;
  for (let i = 0; i < start; i++) if (text[i] === 10) startLine++;
  const update = [{ file: live, start, startLine, end: live.size, includePartialLastLine: false }];
  out.warmUpdateMain = await digest(ctx, update, false);
  out.warmUpdateBytes = live.size - start;

  workers.keepScanWorkersWarm();
  jobs = workers.scanWorkerJobs();
  out.warm = [];
  for (let i = 0; i < 3; i++) out.warm.push(await digest(ctx, whole, 'auto'));
  out.warmJobs = workers.scanWorkerJobs() - jobs;
  jobs = workers.scanWorkerJobs();
  out.warmUpdate = await digest(ctx, update, 'auto');
  out.warmUpdateJobs = workers.scanWorkerJobs() - jobs;

  const gone = [{ file: { ...live, path: '/var/log/maillog-gone' }, start: 0, startLine: 1, end: 4 * 1024 * 1024, includePartialLastLine: false }];
  out.missing = {
    mainOnly: (await digest(ctx, gone, false)).outcomes[0].error,
    parallel: (await digest(ctx, [...gone, ...update], true)).outcomes[0].error,
  };
  out.failedMain = await digestWithFailures(ctx, whole, false);
  out.failedParallel = await digestWithFailures(ctx, whole, true);

  // A scan for a few IPs (explain without an index): the main thread derives the addresses' needles
  // and compiles the kernel, and hands both to the workers with their jobs.
  const seen = [...new Set(out.failedMain.records.map((r) => r.split(' ')[r.startsWith('ok ') ? 3 : 2]))];
  out.fewIps = [...seen.filter((ip) => ip.includes(':')).slice(0, 3), ...seen.filter((ip) => !ip.includes(':')).slice(0, 6)];
  out.fewMain = await digestWithFailures(ctx, whole, false, out.fewIps);
  jobs = workers.scanWorkerJobs();
  out.fewParallel = await digestWithFailures(ctx, whole, true, out.fewIps);
  out.fewJobs = workers.scanWorkerJobs() - jobs;
  await workers.endScanWorkers();
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { process.stderr.write(String(e.stack)); process.exit(1); });
`;

let compiled: { root: string; dist: string } | null = null;
let root = '';
let result: DriverResult;

beforeAll(() => {
  compiled = compileDist();
  const { dist } = compiled;
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-workers-'));
  execFileSync(process.execPath, [path.join(dist, 'cli/main.js'), 'demo', '--out', root, '--size-mb', '24'], { stdio: 'ignore' });
  const stdout = execFileSync(process.execPath, ['-e', DRIVER, dist, root], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  result = JSON.parse(stdout) as DriverResult;
});

afterAll(() => {
  if (root) removeTree(root);
  if (compiled) removeTree(compiled.root);
});

test('the demo logs hold enough logins to tell a difference', () => {
  expect(result.mainOnly.logins).toBeGreaterThan(1000);
  expect(result.mainOnly.outcomes.every((o) => o.error === null)).toBe(true);
});

test('workers started for one scan give what the main thread alone gives', () => {
  expect(result.oneOffJobs).toBeGreaterThan(0);
  expect(result.oneOff).toEqual(result.mainOnly);
});

test('workers kept between scans (the daemon) give the same, scan after scan', () => {
  expect(result.warmJobs).toBeGreaterThan(0);
  for (const d of result.warm) expect(d).toEqual(result.mainOnly);
});

test('a warm update of a few megabytes from the middle of a file is shared and gives the same', () => {
  expect(result.warmUpdateBytes).toBeGreaterThan(2 * 1024 * 1024);
  expect(result.warmUpdateBytes).toBeLessThan(16 * 1024 * 1024);
  expect(result.warmUpdateJobs).toBeGreaterThan(0);
  expect(result.warmUpdateMain.logins).toBeGreaterThan(0);
  expect(result.warmUpdate).toEqual(result.warmUpdateMain);
});

test('a file that is gone fails in a worker as it does in the main thread', () => {
  expect(result.missing.mainOnly).toBe('ENOENT');
  expect(result.missing.parallel).toBe('ENOENT');
});

test('a scan asked for failed logins too finds the same logins, and the same failures in workers as in the main thread', () => {
  const ok = result.failedMain.records.filter((r) => r.startsWith('ok '));
  expect(ok).toHaveLength(result.mainOnly.logins);
  expect(result.failedMain.records.filter((r) => r.startsWith('failed ')).length).toBeGreaterThan(100);
  expect(result.failedParallel).toEqual(result.failedMain);
});

test('a scan for a few IPs finds in workers what it finds in the main thread: every login and failure of those IPs', () => {
  expect(result.fewIps.length).toBeGreaterThan(3);
  expect(result.fewJobs).toBeGreaterThan(0);
  const few = new Set(result.fewIps);
  const ofFew = (r: string): boolean => few.has(r.split(' ')[r.startsWith('ok ') ? 3 : 2]);
  const ok = result.fewMain.records.filter((r) => r.startsWith('ok '));
  expect(ok.length).toBeGreaterThan(0);
  expect(ok).toEqual(result.failedMain.records.filter((r) => r.startsWith('ok ') && ofFew(r)));
  expect(result.fewMain.records.filter((r) => r.startsWith('failed '))).toEqual(result.failedMain.records.filter((r) => r.startsWith('failed ') && ofFew(r)));
  expect(result.fewParallel).toEqual(result.fewMain);
});
