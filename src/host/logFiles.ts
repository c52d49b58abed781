/**
 * Discovers a log and its rotations under the host root: `maillog`, `maillog.1`, `maillog.2.gz`,
 * `maillog-20261122`, `maillog-20261122.gz`. Newest first: the live file, then rotations by their
 * modification time (ties: lower number / later date first).
 */
import path from 'node:path';
import { Host, HostPathError } from './host';

export interface LogFile {
  /** host path */
  path: string;
  gz: boolean;
  rotated: boolean;
  size: number;
  mtime: Date;
  ino: number;
  dev: number;
}

function rotationRank(suffix: string): number {
  const num = /^\.(\d+)/.exec(suffix);
  if (num) return Number(num[1]);
  const date = /^-(\d{8})/.exec(suffix);
  if (date) return 1e9 - Number(date[1]) / 100; // later date = smaller rank
  return 1e9;
}

const ROTATION = /^(?:\.\d{1,4}|-\d{8}(?:\d{2})?)(?:\.gz)?$/;

export async function findLogFiles(host: Host, livePath: string): Promise<LogFile[]> {
  const dir = path.posix.dirname(livePath);
  const base = path.posix.basename(livePath);
  let names: string[];
  try {
    names = await host.list(dir);
  } catch (e) {
    if (e instanceof HostPathError) return [];
    throw e;
  }
  const found: LogFile[] = [];
  for (const name of names) {
    if (name !== base && !(name.startsWith(base) && ROTATION.test(name.slice(base.length)))) continue;
    const p = path.posix.join(dir, name);
    const st = await host.stat(p).catch(() => null);
    if (!st || !st.isFile()) continue;
    found.push({ path: p, gz: name.endsWith('.gz'), rotated: name !== base, size: st.size, mtime: st.mtime, ino: st.ino, dev: st.dev });
  }
  found.sort((a, b) => {
    if (a.rotated !== b.rotated) return a.rotated ? 1 : -1;
    const dt = b.mtime.getTime() - a.mtime.getTime();
    if (dt !== 0) return dt;
    return rotationRank(a.path.slice(a.path.lastIndexOf(base) + base.length)) - rotationRank(b.path.slice(b.path.lastIndexOf(base) + base.length));
  });
  return found;
}

/**
 * The files of the server's mail logs: the first of `maillog` that exists, with its rotations, and
 * Dovecot's own logs. `found` is false when none of `maillog` exists.
 */
export async function findMailLogFiles(host: Host, logs: { maillog: readonly string[]; dovecot: readonly string[] }): Promise<{ files: LogFile[]; found: boolean }> {
  const files: LogFile[] = [];
  let found = false;
  for (const live of logs.maillog) {
    const set = await findLogFiles(host, live);
    if (set.length > 0) {
      files.push(...set);
      found = true;
      break;
    }
  }
  for (const live of logs.dovecot) files.push(...(await findLogFiles(host, live)));
  return { files, found };
}
