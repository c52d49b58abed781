/**
 * The CLI's code cache (src/cli/codeCache.ts), in real child processes: a module of a package is
 * compiled through it, its entry is written once and reused, and a changed source, a damaged entry
 * or a cache folder others may write to never changes what the module does.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const REPO = path.resolve(__dirname, '../..');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

interface Setup {
  home: string;
  pkg: string;
  entry: string;
}

/** A package with two modules under dist/ (one requires the other), and an empty home. */
function setup(): Setup {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-codecache-'));
  dirs.push(base);
  const home = path.join(base, 'home');
  const pkg = path.join(base, 'pkg');
  fs.mkdirSync(home, { mode: 0o700 });
  fs.mkdirSync(path.join(pkg, 'dist'), { recursive: true });
  writeModules(pkg, 'one');
  return { home, pkg, entry: path.join(home, '.cache/relaywatch', `code-${process.version}-${process.arch}`, 'demo', 'dist%mod.js.v8') };
}

function writeModules(pkg: string, word: string): void {
  fs.writeFileSync(path.join(pkg, 'dist/dep.js'), `"use strict";\nexports.word = () => ${JSON.stringify(word)};\n`);
  fs.writeFileSync(
    path.join(pkg, 'dist/mod.js'),
    '#!/usr/bin/env node\n"use strict";\nconst path = require("node:path");\nconst dep = require("./dep");\n' +
      'exports.answer = () => ({ word: dep.word(), dir: path.basename(__dirname), file: path.basename(__filename), resolved: path.basename(require.resolve("./dep")) });\n',
  );
}

/** Runs `startCodeCache(pkg, ['demo'])`, then loads the package's module; returns what it answers. */
function run(s: Setup, env: NodeJS.ProcessEnv = {}): { word: string; dir: string; file: string; resolved: string } {
  const script = `
    const { startCodeCache } = require(${JSON.stringify(path.join(REPO, 'src/cli/codeCache.ts'))});
    startCodeCache(${JSON.stringify(s.pkg)}, ['--root', '/x', 'demo']);
    process.stdout.write(JSON.stringify(require(${JSON.stringify(path.join(s.pkg, 'dist/mod.js'))}).answer()));
  `;
  const childEnv: NodeJS.ProcessEnv = { ...process.env, HOME: s.home, ...env };
  delete childEnv.XDG_CACHE_HOME;
  delete childEnv.NODE_OPTIONS;
  const r = spawnSync(process.execPath, ['-r', path.join(REPO, 'test/helpers/registerTs.js'), '-e', script], { env: childEnv, encoding: 'utf8', cwd: REPO });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const ONE = { word: 'one', dir: 'dist', file: 'mod.js', resolved: 'dep.js' };

test('the first run writes an entry per module, in a folder of its own; the next run uses it as it is', () => {
  const s = setup();
  expect(run(s)).toEqual(ONE);
  expect(fs.existsSync(s.entry)).toBe(true);
  expect(fs.existsSync(s.entry.replace('mod.js', 'dep.js'))).toBe(true);
  expect(fs.statSync(path.dirname(s.entry)).mode & 0o777).toBe(0o700);
  expect(fs.statSync(s.entry).mode & 0o777).toBe(0o600);
  const written = fs.readFileSync(s.entry);
  const mtime = fs.statSync(s.entry).mtimeMs;
  expect(run(s)).toEqual(ONE);
  expect(fs.readFileSync(s.entry).equals(written)).toBe(true);
  expect(fs.statSync(s.entry).mtimeMs).toBe(mtime);
});

test('a changed source of the same length is compiled anew, never taken from the old entry', () => {
  const s = setup();
  run(s);
  const before = fs.readFileSync(s.entry.replace('mod.js', 'dep.js'));
  writeModules(s.pkg, 'two'); // same length as "one": V8's own check (the length) would pass
  expect(run(s)).toEqual({ ...ONE, word: 'two' });
  expect(fs.readFileSync(s.entry.replace('mod.js', 'dep.js')).equals(before)).toBe(false);
});

test('a damaged or truncated entry is ignored and written again', () => {
  const s = setup();
  run(s);
  const good = fs.readFileSync(s.entry);
  const damaged = Buffer.from(good);
  for (let i = 40; i < damaged.length; i += 7) damaged[i] ^= 0x5a;
  fs.writeFileSync(s.entry, damaged);
  fs.writeFileSync(s.entry.replace('mod.js', 'dep.js'), good.subarray(0, 30));
  expect(run(s)).toEqual(ONE);
  expect(fs.readFileSync(s.entry).equals(damaged)).toBe(false);
  expect(fs.statSync(s.entry.replace('mod.js', 'dep.js')).size).toBeGreaterThan(30);
});

test('a cache folder others may write to is not used, and RELAYWATCH_CODE_CACHE=0 turns the cache off', () => {
  const s = setup();
  fs.mkdirSync(path.join(s.home, '.cache/relaywatch'), { recursive: true, mode: 0o700 });
  fs.chmodSync(path.join(s.home, '.cache/relaywatch'), 0o777);
  expect(run(s)).toEqual(ONE);
  expect(fs.existsSync(s.entry)).toBe(false);

  const t = setup();
  expect(run(t, { RELAYWATCH_CODE_CACHE: '0' })).toEqual(ONE);
  expect(fs.existsSync(path.join(t.home, '.cache/relaywatch'))).toBe(false);
});
