/**
 * Which indexed log each log file on disk is, and what is left to read of it. Pure: it takes what
 * the files look like now (identity, size, first line) and the index's entries, and returns a plan.
 *
 * - Same device and inode, same first line: the same log, perhaps renamed by rotation. Read on from
 *   where the index stopped; if it shrank below that point it was truncated: read it again.
 * - A file whose first line is that of an indexed log no longer found at its inode: a copy of that
 *   log (the .gz of a rotated file, the copy of `copytruncate`). It takes over the entry and only the
 *   bytes beyond what was indexed are read; for gzip, the uncompressed size in its trailer tells
 *   whether there are any.
 * - Anything else is a new log, read from the start; an entry no file matches is a log that is gone
 *   (rotated out of retention), and its logins go with it, as they would from a scan.
 */
import { LogFile } from '../host/logFiles';
import { LogHead } from '../host/logIdentity';
import { LogEntry } from './loginIndexFormat';

export interface FileFacts {
  file: LogFile;
  head: LogHead;
  /** uncompressed size modulo 2^32 from the gzip trailer (gzip files only) */
  gzipSize: number | null;
}

export type ReadPlan =
  /** nothing new in this file */
  | { kind: 'unchanged' }
  /** read from `start` (a line start), numbering from line `startLine` */
  | { kind: 'read'; start: number; startLine: number }
  /** the same content was indexed from another file (its .gz): take over the entry without reading */
  | { kind: 'adopt' };

export interface FilePlan {
  facts: FileFacts;
  /** the entry this file continues, or null for a new log */
  entry: LogEntry | null;
  /** the entry's segments no longer hold this file's content: drop them */
  reset: boolean;
  plan: ReadPlan;
}

export interface MatchResult {
  files: FilePlan[];
  /** entries of logs that are gone */
  dropped: LogEntry[];
}

const TWO_32 = 2 ** 32;

function sameHead(e: LogEntry, head: LogHead): boolean {
  if (e.head === null) return e.offset === 0;
  return head.hash === e.head && head.bytes === e.headBytes;
}

function planFor(facts: FileFacts, e: LogEntry, sameInode: boolean): { plan: ReadPlan; reset: boolean } {
  const f = facts.file;
  const unchanged = { plan: { kind: 'unchanged' } as ReadPlan, reset: false };
  const fromStart = { plan: { kind: 'read', start: 0, startLine: 1 } as ReadPlan, reset: true };
  const onward = { plan: { kind: 'read', start: e.offset, startLine: e.lines + 1 } as ReadPlan, reset: false };
  if (f.gz) {
    // A gzip file's size on disk says nothing about its content's size.
    if (sameInode && e.gz) return e.sealed && f.size === e.size ? unchanged : fromStart;
    if (e.sealed && facts.gzipSize !== null && facts.gzipSize === e.offset % TWO_32) return { plan: { kind: 'adopt' }, reset: false };
    return onward;
  }
  if (f.size < e.offset) return fromStart; // truncated, or replaced by a shorter copy
  if (e.sealed) return f.size === e.offset ? unchanged : fromStart; // a finished file that changed
  if (f.size === e.offset && !f.rotated) return unchanged;
  return onward; // new bytes, or a file just rotated whose end is to be taken as final
}

export function matchLogs(entries: readonly LogEntry[], files: readonly FileFacts[]): MatchResult {
  const byInode = new Map<string, LogEntry>();
  for (const e of entries) byInode.set(`${e.dev}:${e.ino}`, e);
  const taken = new Set<LogEntry>();
  const out: Array<FilePlan | null> = files.map(() => null);

  // 1. the same inode with the same first line
  files.forEach((facts, i) => {
    const e = byInode.get(`${facts.file.dev}:${facts.file.ino}`);
    if (!e || taken.has(e) || e.gz !== facts.file.gz || !sameHead(e, facts.head)) return;
    taken.add(e);
    out[i] = { facts, entry: e, ...planFor(facts, e, true) };
  });

  // 2. copies: the first line of an entry whose inode no longer holds it
  files.forEach((facts, i) => {
    if (out[i] || facts.head.hash === null) return;
    let best: LogEntry | null = null;
    for (const e of entries) {
      if (taken.has(e) || e.head !== facts.head.hash || e.headBytes !== facts.head.bytes) continue;
      if (!best || e.offset > best.offset) best = e;
    }
    if (!best) return;
    taken.add(best);
    out[i] = { facts, entry: best, ...planFor(facts, best, false) };
  });

  // 3. new logs
  const plans = out.map((p, i) => p ?? { facts: files[i], entry: null, reset: false, plan: { kind: 'read', start: 0, startLine: 1 } as ReadPlan });
  return { files: plans, dropped: entries.filter((e) => !taken.has(e)) };
}
