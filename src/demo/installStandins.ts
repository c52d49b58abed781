/**
 * Copies the stand-ins of cPanel's programs (tailwatchd, whmapi1, register_appconfig, …) from
 * test/fixtures/standins/ into a demo host, at the same host paths and executable. The stand-ins live
 * with the tests and are never installed on a real server; the folder's README.md is not copied.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';

/** The same from src/demo (ts-jest) and dist/demo (after build). */
export const STANDINS_DIR = path.resolve(__dirname, '../../test/fixtures/standins');

async function filesUnder(dir: string, rel = ''): Promise<string[]> {
  let entries;
  try {
    entries = await fsp.readdir(path.join(dir, rel), { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: string[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const r = path.posix.join(rel, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(dir, r)));
    else if (e.isFile()) out.push(r);
  }
  return out;
}

/** Installs every stand-in under `root`; returns the host paths installed ("/usr/local/cpanel/…"). */
export async function installStandins(root: string, from: string = STANDINS_DIR): Promise<string[]> {
  const installed: string[] = [];
  for (const rel of await filesUnder(from)) {
    if (rel === 'README.md') continue;
    const target = path.join(path.resolve(root), rel);
    await fsp.mkdir(path.dirname(target), { recursive: true });
    await fsp.copyFile(path.join(from, rel), target);
    await fsp.chmod(target, 0o755);
    installed.push(`/${rel}`);
  }
  return installed;
}
