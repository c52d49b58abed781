/**
 * src/ compiled to JavaScript in a temporary folder, for what only runs compiled: the scan worker
 * threads load `loginScanWorker.js`, which ts-jest's TypeScript sources do not have.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const REPO = path.resolve(__dirname, '../..');

/**
 * Compiles src/ into `dist/` of a new folder, beside a link to the repository's node_modules, and
 * returns the folder (about ten seconds). Remove it when done.
 */
export function compileDist(): { root: string; dist: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-dist-'));
  const dist = path.join(root, 'dist');
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'));
  const r = spawnSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', path.join(REPO, 'tsconfig.json'), '--outDir', dist], { encoding: 'utf8' });
  if (!fs.existsSync(path.join(dist, 'scan/loginScanWorker.js'))) throw new Error(`compiling src/ failed: ${r.stdout}${r.stderr}`);
  fs.cpSync(path.join(REPO, 'src/data'), path.join(dist, 'data'), { recursive: true });
  return { root, dist };
}
