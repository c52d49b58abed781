/**
 * Makes the code cache (codeCache.ts) for the Node.js that runs this script: `npm run build` runs it
 * after compiling, and install.sh on the server, with the server's Node.js.
 *
 *   node dist/boot/buildCodeCache.js
 *
 * A training run: a small demo host is written to a temporary folder (by a child process, so that the
 * generator's modules stay out of the cache), then `explain` runs in this process, as JSON and as
 * text, with every module it loads recorded. The cache holds each module with the functions the run
 * called, so a later `explain` compiles almost nothing. Prints one line; exits 1 when it could not
 * make the cache (the program works without one, only slower to start).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { codeCacheFile, useCodeCache } from './codeCache';

const DIST = path.resolve(__dirname, '..');
const MAIN = path.join(DIST, 'cli/main.js');

async function build(): Promise<string> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'relaywatch-code-cache-'));
  try {
    const host = path.join(work, 'host');
    const env = { ...process.env, RELAYWATCH_CODE_CACHE: 'off' };
    execFileSync(process.execPath, [MAIN, 'demo', '--out', host, '--size-mb', '2'], { stdio: ['ignore', 'ignore', 'inherit'], env });
    const file = codeCacheFile(DIST);
    const recorder = useCodeCache({ packageRoot: path.resolve(DIST, '..'), file, record: true });
    if (!recorder) throw new Error(`this Node.js (${process.version}) cannot check a cache entry against its source (zlib.crc32 is missing), or RELAYWATCH_CODE_CACHE=off`);
    const { runCli } = require('../cli/main') as typeof import('../cli/main');
    let err = '';
    const io = { out: () => undefined, err: (t: string) => void (err += t), errIsTty: false, stdin: process.stdin };
    for (const args of [['explain', '--json'], ['explain']]) {
      const code = await runCli([...args, '--root', host], io);
      // explain's verdict on the demo host is CRITICAL (2) by design; anything else is a failure
      if (![0, 1, 2].includes(code)) throw new Error(`training run "${args.join(' ')}" exited ${code}: ${err.slice(0, 2000)}`);
    }
    const { modules, bytes } = recorder.save();
    return `relaywatch: code cache for Node.js ${process.version}: ${modules} modules, ${(bytes / 1024).toFixed(0)} KiB in ${path.relative(process.cwd(), file) || file}\n`;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

build().then(
  (line) => {
    process.stdout.write(line);
    // the training run may leave timers (the answer cache's); the work is done
    process.exit(0);
  },
  (e: unknown) => {
    process.stderr.write(`relaywatch: no code cache made: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
