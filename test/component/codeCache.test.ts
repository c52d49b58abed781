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
  return { home, pkg };
}

/** The cache folders of this Node version (one per installation) under a home. */
function folders(home: string): string[] {
  const top = path.join(home, '.cache/relaywatch');
  return fs.existsSync(top) ? fs.readdirSync(top).filter((n) => n.startsWith(`code-${process.version}-${process.arch}-`)).map((n) => path.join(top, n)) : [];
}

/** The entry of `dist/<name>` in a home with one installation's folder. */
function entryOf(s: Setup, name = 'mod.js'): string {
  const [folder] = folders(s.home);
  return path.join(folder ?? path.join(s.home, 'none'), 'demo', `dist%${name}.v8`);
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
  const childEnv: NodeJS.ProcessEnv = { ...process.env, HOME: s.home };
  delete childEnv.XDG_CACHE_HOME;
  Object.assign(childEnv, env);
  delete childEnv.NODE_OPTIONS;
  const r = spawnSync(process.execPath, ['-r', path.join(REPO, 'test/helpers/registerTs.js'), '-e', script], { env: childEnv, encoding: 'utf8', cwd: REPO });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const ONE = { word: 'one', dir: 'dist', file: 'mod.js', resolved: 'dep.js' };

test('the first run writes an entry per module, in a folder of its own; the next run uses it as it is', () => {
  const s = setup();
  expect(run(s)).toEqual(ONE);
  expect(fs.existsSync(entryOf(s))).toBe(true);
  expect(fs.existsSync(entryOf(s, 'dep.js'))).toBe(true);
  expect(fs.statSync(path.dirname(entryOf(s))).mode & 0o777).toBe(0o700);
  expect(fs.statSync(entryOf(s)).mode & 0o777).toBe(0o600);
  const written = fs.readFileSync(entryOf(s));
  const mtime = fs.statSync(entryOf(s)).mtimeMs;
  expect(run(s)).toEqual(ONE);
  expect(fs.readFileSync(entryOf(s)).equals(written)).toBe(true);
  expect(fs.statSync(entryOf(s)).mtimeMs).toBe(mtime);
});

test('a changed source of the same length is compiled anew, never taken from the old entry', () => {
  const s = setup();
  run(s);
  const before = fs.readFileSync(entryOf(s, 'dep.js'));
  writeModules(s.pkg, 'two'); // same length as "one": V8's own check (the length) would pass
  expect(run(s)).toEqual({ ...ONE, word: 'two' });
  expect(fs.readFileSync(entryOf(s, 'dep.js')).equals(before)).toBe(false);
});

test('a damaged or truncated entry is ignored and written again', () => {
  const s = setup();
  run(s);
  const good = fs.readFileSync(entryOf(s));
  const damaged = Buffer.from(good);
  for (let i = 40; i < damaged.length; i += 7) damaged[i] ^= 0x5a;
  fs.writeFileSync(entryOf(s), damaged);
  fs.writeFileSync(entryOf(s, 'dep.js'), good.subarray(0, 30));
  expect(run(s)).toEqual(ONE);
  expect(fs.readFileSync(entryOf(s)).equals(damaged)).toBe(false);
  expect(fs.statSync(entryOf(s, 'dep.js')).size).toBeGreaterThan(30);
});

test('a cache folder others may write to is not used, and RELAYWATCH_CODE_CACHE=0 turns the cache off', () => {
  const s = setup();
  fs.mkdirSync(path.join(s.home, '.cache/relaywatch'), { recursive: true, mode: 0o700 });
  fs.chmodSync(path.join(s.home, '.cache/relaywatch'), 0o777);
  expect(run(s)).toEqual(ONE);
  expect(fs.existsSync(entryOf(s))).toBe(false);

  const open = setup();
  fs.mkdirSync(path.join(open.home, 'shared'), { mode: 0o777 });
  fs.chmodSync(path.join(open.home, 'shared'), 0o1777);
  expect(run(open, { XDG_CACHE_HOME: path.join(open.home, 'shared') })).toEqual(ONE);
  expect(fs.readdirSync(path.join(open.home, 'shared'))).toEqual([]); // nothing made in a folder anyone may write to

  const t = setup();
  expect(run(t, { RELAYWATCH_CODE_CACHE: '0' })).toEqual(ONE);
  expect(fs.existsSync(path.join(t.home, '.cache/relaywatch'))).toBe(false);
});

test('two installations of different versions keep their own entries', () => {
  const s = setup();
  run(s);
  const other: Setup = { home: s.home, pkg: path.join(path.dirname(s.pkg), 'pkg2') };
  fs.mkdirSync(path.join(other.pkg, 'dist'), { recursive: true });
  writeModules(other.pkg, 'two');
  expect(run(other)).toEqual({ ...ONE, word: 'two' });
  expect(folders(s.home)).toHaveLength(2);
  const entries = folders(s.home).map((f) => path.join(f, 'demo', 'dist%dep.js.v8'));
  const written = entries.map((e) => fs.readFileSync(e));
  expect(run(s)).toEqual(ONE);
  expect(run(other)).toEqual({ ...ONE, word: 'two' });
  entries.forEach((e, i) => expect(fs.readFileSync(e).equals(written[i])).toBe(true));
});
