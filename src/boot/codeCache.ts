/**
 * A V8 code cache for the program's own modules, made at build (and install) time by a training run
 * (buildCodeCache.ts) and read by every later process.
 *
 * Why: a cold `relaywatch explain` loads some 70 modules; compiling them (and the functions the run
 * calls) costs more CPU than anything else it does before the first log byte is read. Node.js has a
 * compile cache of its own only from 22.1 (`module.enableCompileCache`), and it writes at run time;
 * this one works on Node.js 20 too, and is only ever read at run time: the file sits in the
 * program's own folder, written by whoever builds or installs it.
 *
 * Safety: an entry is used only for the file it was made from: same path under the program's folder,
 * same source length and CRC-32. V8 checks on its side that the cache comes from the same V8 and
 * flags (a mismatch is refused and the module compiled as usual). A missing, unreadable or foreign
 * file simply means no cache.
 */
import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import zlib from 'node:zlib';

const MAGIC = 'relaywatch-v8-code-cache-1\n';

export interface CodeCacheEntry {
  /** the module's path, relative to the program's folder, with `/` */
  file: string;
  /** the length and CRC-32 of the module's source, as Node.js hands it to the compiler */
  length: number;
  crc: number;
  /** where the cached data sits in the file, after the header */
  offset: number;
  size: number;
}

interface Header {
  node: string;
  arch: string;
  entries: CodeCacheEntry[];
}

/** The cache file for this Node.js and CPU architecture, in the compiled program's folder (dist/). */
export function codeCacheFile(distDir: string): string {
  return path.join(distDir, 'v8-code-cache', `${process.version}-${process.arch}.bin`);
}

type Crc32 = (data: string) => number;

/** zlib.crc32 exists from Node.js 20.15 and 22.2; without it there is no cache. */
function crc32(): Crc32 | null {
  const f = (zlib as unknown as { crc32?: Crc32 }).crc32;
  return typeof f === 'function' ? f : null;
}

/** Reads a cache file; null when it is missing, damaged or made for another Node.js. */
export function readCodeCache(file: string): { header: Header; data: Buffer } | null {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch {
    return null;
  }
  if (buf.length < MAGIC.length + 4 || buf.toString('latin1', 0, MAGIC.length) !== MAGIC) return null;
  const headerLength = buf.readUInt32LE(MAGIC.length);
  const dataStart = MAGIC.length + 4 + headerLength;
  if (dataStart > buf.length) return null;
  let header: Header;
  try {
    header = JSON.parse(buf.toString('utf8', MAGIC.length + 4, dataStart)) as Header;
  } catch {
    return null;
  }
  if (header.node !== process.version || header.arch !== process.arch || !Array.isArray(header.entries)) return null;
  return { header, data: buf.subarray(dataStart) };
}

function writeCodeCache(file: string, entries: Array<{ file: string; length: number; crc: number; data: Buffer }>): void {
  const list: CodeCacheEntry[] = [];
  let offset = 0;
  for (const e of entries) {
    list.push({ file: e.file, length: e.length, crc: e.crc, offset, size: e.data.length });
    offset += e.data.length;
  }
  const header = Buffer.from(JSON.stringify({ node: process.version, arch: process.arch, entries: list } satisfies Header), 'utf8');
  const size = Buffer.alloc(4);
  size.writeUInt32LE(header.length);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Written whole, then renamed: a process starting meanwhile reads the old file or the new one.
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, Buffer.concat([Buffer.from(MAGIC, 'latin1'), size, header, ...entries.map((e) => e.data)]));
  fs.renameSync(tmp, file);
}

type CompileFn = (this: Module, content: string, filename: string) => unknown;
interface ModuleInternals {
  prototype: { _compile: CompileFn };
  wrap(source: string): string;
  _resolveFilename(request: string, parent: Module, isMain: boolean, options?: { paths?: string[] }): string;
  _resolveLookupPaths(request: string, parent: Module): string[] | null;
  _extensions: unknown;
  _cache: unknown;
}

/** What a training run (record mode) collects: each module it compiled, to be saved once it is done. */
export interface CodeCacheRecorder {
  /** writes the cache file: every module compiled so far, with the functions it has run */
  save(): { modules: number; bytes: number };
}

export interface CodeCacheOptions {
  /** the program's folder (holding dist/ and node_modules/): only modules under it are cached */
  packageRoot: string;
  file: string;
  /** compile without the file and collect what is compiled, for save() */
  record?: boolean;
}

let installed = false;

/**
 * Makes Node.js compile the program's modules with the cache file's entries (or, recording, collect
 * them). Without a usable file it changes nothing and returns null: modules load as usual.
 */
export function useCodeCache(opts: CodeCacheOptions): CodeCacheRecorder | null {
  if (installed || process.env.RELAYWATCH_CODE_CACHE === 'off') return null;
  const crc = crc32();
  if (!crc) return null;
  const cache = opts.record ? null : readCodeCache(opts.file);
  if (!opts.record && !cache) return null;
  const byFile = new Map<string, CodeCacheEntry>(cache ? cache.header.entries.map((e) => [e.file, e]) : []);
  const recorded: Array<{ file: string; length: number; crc: number; script: vm.Script }> = [];
  const root = path.resolve(opts.packageRoot);
  const M = Module as unknown as ModuleInternals;
  const original = M.prototype._compile;
  installed = true;

  M.prototype._compile = function compileWithCache(this: Module, content: string, filename: string): unknown {
    const rel = path.relative(root, filename);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return original.call(this, content, filename);
    const key = rel.split(path.sep).join('/');
    const entry = byFile.get(key);
    // Only modules of the training run (recording: any but one that could use import(), which a
    // vm.Script made this way cannot serve).
    if (opts.record ? content.includes('import(') : !entry) return original.call(this, content, filename);
    // Node.js drops a leading `#!` line; kept as a comment, every line keeps its number.
    const source = M.wrap(content.startsWith('#!') ? `//${content}` : content);
    const sum = crc(source);
    let cachedData: Buffer | undefined;
    if (entry && entry.length === source.length && entry.crc === sum) cachedData = cache!.data.subarray(entry.offset, entry.offset + entry.size);
    else if (!opts.record) return original.call(this, content, filename);
    const script = new vm.Script(source, { filename, cachedData });
    if (opts.record) recorded.push({ file: key, length: source.length, crc: sum, script });
    const fn = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return fn.call(this.exports, this.exports, makeRequire(this, M), this, filename, path.dirname(filename));
  };

  if (!opts.record) return null;
  return {
    save() {
      const entries = recorded.map((r) => ({ file: r.file, length: r.length, crc: r.crc, data: r.script.createCachedData() }));
      writeCodeCache(opts.file, entries);
      return { modules: entries.length, bytes: entries.reduce((n, e) => n + e.data.length, 0) };
    },
  };
}

/** The `require` a module gets, as Node.js makes it (resolve, resolve.paths, main, extensions, cache). */
function makeRequire(mod: Module, M: ModuleInternals): NodeJS.Require {
  const req = ((id: string) => mod.require(id)) as NodeJS.Require;
  const resolve = ((request: string, options?: { paths?: string[] }) => M._resolveFilename(request, mod, false, options)) as NodeJS.RequireResolve;
  resolve.paths = (request: string) => M._resolveLookupPaths(request, mod);
  req.resolve = resolve;
  req.main = require.main;
  req.extensions = M._extensions as NodeJS.RequireExtensions;
  req.cache = M._cache as NodeJS.Dict<NodeJS.Module>;
  return req;
}
