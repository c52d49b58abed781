/**
 * Writes the demo host's files under its root folder. The demo generator builds a fake server, so
 * unlike the rest of relaywatch it writes freely (symlinks, modification times), but only under the
 * root it was given, and only into a folder that is empty or holds an earlier demo host.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

export const DEMO_MARKER = '/etc/relaywatch/demo-host.json';

export class DemoTree {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /** The real path of a host path under the root. */
  real(hostPath: string): string {
    if (!hostPath.startsWith('/') || hostPath.split('/').includes('..')) throw new Error(`bad host path "${hostPath}"`);
    return path.join(this.root, hostPath);
  }

  async write(hostPath: string, content: string | Buffer, mode = 0o644): Promise<void> {
    const p = this.real(hostPath);
    await fsp.mkdir(path.dirname(p), { recursive: true });
    await fsp.writeFile(p, content, { mode });
    await fsp.chmod(p, mode); // the umask must not change what a real server would have
  }

  /** A symlink whose target is written as given (absolute targets mean host paths, as on a server). */
  async symlink(hostPath: string, target: string): Promise<void> {
    const p = this.real(hostPath);
    await fsp.mkdir(path.dirname(p), { recursive: true });
    await fsp.rm(p, { force: true });
    await fsp.symlink(target, p);
  }

  async mkdir(hostPath: string): Promise<void> {
    await fsp.mkdir(this.real(hostPath), { recursive: true });
  }

  async setMtime(hostPath: string, ms: number): Promise<void> {
    const t = new Date(ms);
    await fsp.utimes(this.real(hostPath), t, t);
  }
}

/**
 * Makes `out` ready for a new demo host: creates it when missing, empties it when it holds an
 * earlier demo host (its marker file), and refuses any other non-empty folder, which could be a
 * real server's root or someone's work.
 */
export async function prepareDemoRoot(out: string): Promise<void> {
  const root = path.resolve(out);
  let st: fs.Stats | null = null;
  try {
    st = await fsp.lstat(root);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (st === null) {
    await fsp.mkdir(root, { recursive: true });
    return;
  }
  if (!st.isDirectory()) throw new Error(`Cannot write a demo host to ${root}: it exists and is not a directory`);
  const entries = await fsp.readdir(root);
  if (entries.length === 0) return;
  const marker = path.join(root, DEMO_MARKER);
  const markerStat = await fsp.lstat(marker).catch(() => null);
  if (!markerStat || !markerStat.isFile()) {
    throw new Error(
      `Refusing to write a demo host into ${root}: the folder is not empty and holds no earlier demo host (${DEMO_MARKER}). Choose an empty or new folder.`,
    );
  }
  // An earlier demo host: remove its tree, keep the folder itself.
  for (const name of entries) await fsp.rm(path.join(root, name), { recursive: true, force: true });
}
