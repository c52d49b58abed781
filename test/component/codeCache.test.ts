/**
 * The V8 code cache (src/boot/codeCache.ts): made by the build's training run, used by a later
 * `explain` for every module it loads, and never the reason an answer differs. A module changed after
 * the cache was made (even to the same length, which V8's own check would let through) is compiled
 * from its source; a damaged cache file is no cache.
 *
 * Runs compiled JavaScript in child processes: the cache hooks Node.js's own module loader, which
 * ts-jest's modules do not go through. An observer preloaded with `-r` counts what V8 did with each
 * module's cached data.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { compileDist } from '../helpers/compiledDist';
import { removeTree } from '../helpers/hostTree';

jest.setTimeout(120_000);

// Counts, in the process it is preloaded into, the modules compiled with cached data V8 accepted or
// refused, and those compiled through vm.Script without any.
const OBSERVER = `
const vm = require('vm');
const Script = vm.Script;
const seen = { used: 0, rejected: 0, none: 0, loaded: 0 };
vm.Script = function (source, options) {
  const s = new Script(source, options);
  if (options && options.cachedData) seen[s.cachedDataRejected ? 'rejected' : 'used']++;
  else seen.none++;
  return s;
};
process.on('exit', () => {
  // the program's modules loaded after the cache's own (the entry, codeCacheHook.js, codeCache.js)
  seen.loaded = Object.keys(require.cache).filter((f) => f.startsWith(process.env.DIST + '/')).length - 3;
  require('fs').writeFileSync(process.env.OBSERVED, JSON.stringify(seen));
});
`;

interface Run {
  code: number | null;
  json: Record<string, unknown>;
  stderr: string;
  seen: { used: number; rejected: number; none: number; loaded: number };
}

let root: string;
let dist: string;
let host: string;
let built: string;
const cacheFile = (): string => path.join(dist, 'v8-code-cache', `${process.version}-${process.arch}.bin`);

function explain(env: Record<string, string> = {}): Run {
  const observed = path.join(root, 'observed.json');
  fs.rmSync(observed, { force: true });
  const r = spawnSync(process.execPath, ['-r', path.join(root, 'observer.js'), path.join(dist, 'cli/main.js'), 'explain', '--json', '--root', host], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', OBSERVED: observed, DIST: dist, ...env },
  });
  const json = JSON.parse(r.stdout) as Record<string, unknown>;
  delete json.checkedAt;
  return { code: r.status, json, stderr: r.stderr, seen: JSON.parse(fs.readFileSync(observed, 'utf8')) as Run['seen'] };
}

beforeAll(() => {
  ({ root, dist } = compileDist());
  fs.writeFileSync(path.join(root, 'observer.js'), OBSERVER);
  host = path.join(root, 'host');
  const demo = spawnSync(process.execPath, [path.join(dist, 'cli/main.js'), 'demo', '--out', host, '--size-mb', '1'], { encoding: 'utf8' });
  if (demo.status !== 0) throw new Error(demo.stderr);
  const build = spawnSync(process.execPath, [path.join(dist, 'boot/buildCodeCache.js')], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(build.stderr);
  built = build.stdout;
});

afterAll(() => removeTree(root));

describe('the code cache', () => {
  test('the build makes one for this Node.js, and explain compiles every module it loads from it', () => {
    const modules = Number(/(\d+) modules/.exec(built)?.[1]);
    expect(built).toContain(`code cache for Node.js ${process.version}`);
    expect(modules).toBeGreaterThan(40);
    expect(fs.statSync(cacheFile()).size).toBeGreaterThan(0);
    const run = explain();
    expect(run.seen.loaded).toBeGreaterThan(40);
    expect(run.seen).toEqual({ used: run.seen.loaded, rejected: 0, none: 0, loaded: run.seen.loaded });
  });

  test('the answer, its problems and its exit status are those of a run without it', () => {
    const cached = explain();
    const plain = explain({ RELAYWATCH_CODE_CACHE: 'off' });
    expect(plain.seen).toMatchObject({ used: 0, rejected: 0, none: 0 });
    expect(cached.code).toBe(2);
    expect(cached.code).toBe(plain.code);
    expect(cached.stderr).toBe(plain.stderr);
    expect(cached.json).toEqual(plain.json);
  });

  test('a module changed since, even to the same length, is compiled from its new source', () => {
    const file = path.join(dist, 'domain/explain.js');
    const before = fs.readFileSync(file, 'utf8');
    const changed = before.replace('a look: no successful', 'a lock: no successful');
    expect(changed).not.toBe(before);
    expect(changed.length).toBe(before.length);
    fs.writeFileSync(file, changed);
    try {
      const run = explain();
      expect(String(run.json.summary)).toContain('need a lock');
      // every module but the changed one, which Node.js compiled itself
      expect(run.seen).toEqual({ used: run.seen.loaded - 1, rejected: 0, none: 0, loaded: run.seen.loaded });
    } finally {
      fs.writeFileSync(file, before);
    }
  });

  test('a damaged cache file is no cache: the same answer, every module compiled as usual', () => {
    const good = fs.readFileSync(cacheFile());
    try {
      for (const damaged of [good.subarray(0, 100), Buffer.from('not a cache'), Buffer.alloc(0)]) {
        fs.writeFileSync(cacheFile(), damaged);
        const run = explain();
        expect(run.seen).toMatchObject({ used: 0, rejected: 0, none: 0 });
        expect(run.json.verdict).toBe('unexplained');
      }
      // cached data cut short at the end: V8 refuses what does not check out, and the answer stands
      fs.writeFileSync(cacheFile(), good.subarray(0, good.length - 1000));
      const cut = explain();
      expect(cut.json).toEqual(explain({ RELAYWATCH_CODE_CACHE: 'off' }).json);
    } finally {
      fs.writeFileSync(cacheFile(), good);
    }
  });
});
