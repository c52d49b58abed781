/**
 * A V8 code cache for this installation's own JavaScript (dist/ and node_modules/), so that a CLI
 * run does not parse and compile the same code every time. Node 20 has no compile cache of its own
 * (module.enableCompileCache() came with Node 22); this is the same idea with vm.Script's
 * cachedData. A warm `relaywatch explain` spends a good part of its life compiling otherwise.
 *
 * - One cache per user: $XDG_CACHE_HOME/relaywatch or ~/.cache/relaywatch, then one folder per
 *   Node version and installation, one per command inside (each command caches the functions it
 *   runs), one file per module.
 * - An entry is used only when the module's source is exactly the one it was made from (length and
 *   CRC-32), its own CRC-32 is intact and V8 accepts it (same V8, same flags). Anything else (a
 *   rebuilt dist/, a damaged or truncated file) is compiled as usual and the entry written again.
 * - The cache holds code that runs: its folders must belong to this user and be writable by no one
 *   else, or there is no cache. Files are written to a temporary name and renamed.
 * - Entries are written when the process exits, for the modules that had none, with every function
 *   that ran compiled in. Any failure to read or write only means compiling as usual.
 * - Off with RELAYWATCH_CODE_CACHE=0, and whenever Node runs with a debugger, source maps or a
 *   policy (those need Node's own compile path).
 */
import fs from 'node:fs';
import Module from 'node:module';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import zlib from 'node:zlib';

/** Node's CommonJS internals this relies on (stable since Node 12, used by v8-compile-cache alike). */
interface ModuleInternals {
  prototype: { _compile(this: NodeModule, content: string, filename: string): unknown };
  wrap(source: string): string;
  _cache: NodeJS.Require['cache'];
  _extensions: NodeJS.Require['extensions'];
  _resolveFilename(request: string, parent: NodeModule, isMain: boolean, options?: { paths?: string[] }): string;
  _resolveLookupPaths(request: string, parent: NodeModule): string[] | null;
}

const MAGIC = 0x31435752; // "RWC1"
const HEADER = 20; // magic, source length, source CRC-32, data length, data CRC-32

/** FNV-1a of a text, as 8 hex digits (names a folder; no security rests on it). */
function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * Where this user's cache lives for this installation (two installations of different versions
 * must not overwrite each other's entries run after run), made private if needed; null when there
 * is no safe place.
 */
function cacheDir(packageRoot: string, command: string): string | null {
  const base = process.env.XDG_CACHE_HOME || path.join(process.env.HOME || os.homedir(), '.cache');
  if (!path.isAbsolute(base)) return null;
  const dirs = [path.join(base, 'relaywatch'), path.join(base, 'relaywatch', `code-${process.version}-${process.arch}-${shortHash(packageRoot)}`)];
  dirs.push(path.join(dirs[1], command));
  const uid = process.geteuid?.();
  try {
    // The base folder may belong to root (a shared home) but no one else may write to it; it is
    // checked before anything is made in it. Ours must be this user's alone.
    fs.mkdirSync(base, { recursive: true, mode: 0o700 });
    const top = fs.statSync(base);
    if ((uid !== undefined && top.uid !== uid && top.uid !== 0) || (top.mode & 0o022) !== 0) return null;
    fs.mkdirSync(dirs[2], { recursive: true, mode: 0o700 });
    for (const d of dirs) {
      const st = fs.lstatSync(d);
      if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o077) !== 0) return null;
    }
  } catch {
    return null;
  }
  return dirs[2];
}

/** A folder name for the command of this run (one cache per command: each runs other functions). */
function commandKey(argv: readonly string[]): string {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (/^--(root|config|as)$/.test(a)) i++;
    else if (!a.startsWith('-')) return /^[a-z][a-z-]{0,30}$/.test(a) ? a : 'other';
  }
  return 'none';
}

function nodeOptionsForbid(): boolean {
  const opts = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
  return /--(inspect|debug|enable-source-maps|experimental-policy|experimental-loader|loader|import)\b/.test(opts);
}

/** The cached code of a module, or undefined when there is none that fits `source`. */
function readEntry(file: string, source: string, sourceCrc: number, crc32: (d: Uint8Array) => number): Buffer | undefined {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  if (buf.length < HEADER || buf.readUInt32LE(0) !== MAGIC) return undefined;
  if (buf.readUInt32LE(4) !== source.length || buf.readUInt32LE(8) !== sourceCrc) return undefined;
  const data = buf.subarray(HEADER);
  if (buf.readUInt32LE(12) !== data.length || buf.readUInt32LE(16) !== crc32(data)) return undefined;
  return data;
}

function writeEntry(file: string, source: string, sourceCrc: number, data: Buffer, crc32: (d: Uint8Array) => number): void {
  const head = Buffer.alloc(HEADER);
  head.writeUInt32LE(MAGIC, 0);
  head.writeUInt32LE(source.length, 4);
  head.writeUInt32LE(sourceCrc, 8);
  head.writeUInt32LE(data.length, 12);
  head.writeUInt32LE(crc32(data), 16);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, Buffer.concat([head, data]), { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch {
    fs.rmSync(tmp, { force: true });
  }
}

/** The `require` a module gets, as Node builds it (internal/modules/helpers makeRequireFunction). */
function requireFor(M: ModuleInternals, mod: NodeModule, main: NodeModule | undefined): NodeJS.Require {
  const req = ((id: string) => mod.require(id)) as NodeJS.Require;
  const resolve = ((request: string, options?: { paths?: string[] }) => M._resolveFilename(request, mod, false, options)) as NodeJS.RequireResolve;
  resolve.paths = (request: string) => M._resolveLookupPaths(request, mod);
  req.resolve = resolve;
  req.main = main;
  req.cache = M._cache;
  req.extensions = M._extensions;
  return req;
}

/**
 * Compiles every module loaded from now on under `packageRoot` through the cache. Call it first
 * thing in the program's entry, before anything else of the package is loaded.
 */
export function startCodeCache(packageRoot: string, argv: readonly string[]): void {
  const crc32 = (zlib as unknown as { crc32?: (d: Uint8Array) => number }).crc32;
  if (!crc32 || process.env.RELAYWATCH_CODE_CACHE === '0' || nodeOptionsForbid()) return;
  const dir = cacheDir(packageRoot, commandKey(argv));
  if (!dir) return;
  const M = Module as unknown as ModuleInternals;
  const original = M.prototype._compile;
  const prefix = packageRoot.endsWith(path.sep) ? packageRoot : packageRoot + path.sep;
  const main = require.main;
  const toWrite: Array<{ file: string; source: string; sourceCrc: number; script: vm.Script }> = [];

  M.prototype._compile = function compile(this: NodeModule, content: string, filename: string): unknown {
    if (!filename.startsWith(prefix) || !filename.endsWith('.js')) return original.call(this, content, filename);
    // "#!" is valid only at the very start of a script: in the function wrapper it becomes a
    // comment of the same length (line and column numbers stay right).
    const source = M.wrap(content.startsWith('#!') ? `//${content.slice(2)}` : content);
    const file = path.join(dir, `${path.relative(packageRoot, filename).replace(/[\\/]/g, '%')}.v8`);
    const sourceCrc = crc32(Buffer.from(source, 'utf8'));
    const cachedData = readEntry(file, source, sourceCrc, crc32);
    // No importModuleDynamically: the package is CommonJS, and TypeScript compiles import() to require().
    const script = new vm.Script(source, { filename, cachedData });
    if (cachedData === undefined || script.cachedDataRejected === true) toWrite.push({ file, source, sourceCrc, script });
    const fn = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return fn.call(this.exports, this.exports, requireFor(M, this, main), this, filename, path.dirname(filename));
  };

  process.once('exit', () => {
    for (const e of toWrite) {
      try {
        writeEntry(e.file, e.source, e.sourceCrc, e.script.createCachedData(), crc32);
      } catch {
        // no entry: the next run compiles this module as usual and tries again
      }
    }
  });
}
