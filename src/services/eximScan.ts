/**
 * Streams exim_mainlog and its rotations (`exim_mainlog-YYYYMMDD[.gz]`, `exim_mainlog.1`), oldest
 * file first so events come in time order (a bounce after the message it returns, a reply after
 * the message that triggered it), and hands each parsed event of the wanted kinds to the caller.
 * Only candidate lines (holding a needle) are decoded; nothing is kept here, callers aggregate.
 */
import { findLogFiles, LogFile } from '../host/logFiles';
import { scanLines } from '../scan/lineScanner';
import { eximNeedles, EximEvent, parseEximLine, splitEximLine } from '../parsers/eximLine';
import { readStart } from '../host/logIdentity';
import { EximEventKind } from '../parsers/patterns/eximPatterns';
import { makeStampResolver, Stamp } from '../parsers/syslogLine';
import { CoreContext } from './context';
import { ScanProgress } from '../scan/loginScan';
import { Problems } from './problems';

export type EximRecord = EximEvent & {
  /** milliseconds since the epoch */
  time: number;
  file: string;
  line: number;
};

export interface EximScanOptions {
  kinds: readonly EximEventKind[];
  /** events before this instant are skipped (and rotated files last written before it are not read) */
  since: Date;
  onEvent: (e: EximRecord) => void;
  problems: Problems;
  onProgress?: (p: ScanProgress) => void;
}

export interface EximScanResult {
  files: string[];
  /** false when no exim_mainlog (live or rotated) exists: nothing could be counted */
  found: boolean;
  /**
   * when the exim log begins, if that is after `since` (the logs do not reach back as far as
   * asked: a new server, or rotations deleted); null when they reach back far enough, or when
   * the first line has no time
   */
  startsAfterSince: number | null;
}

/** The time of the first stamped line among the first 64 KiB of a log, or null. */
function firstLineTime(ctx: CoreContext, f: LogFile): number | null {
  let text: string;
  try {
    text = readStart(ctx.host, f.path, f.gz, 64 * 1024).toString('latin1');
  } catch {
    return null;
  }
  const resolve = minuteCachedResolver(f.mtime);
  for (const line of text.split('\n', 50)) {
    const split = splitEximLine(line);
    const t = split ? resolve(split.stamp) : null;
    if (t !== null) return t;
  }
  return null;
}

/**
 * Stamp to milliseconds, computing the local-time conversion once per minute (most lines of a busy
 * log share their minute with the line before; time zone changes fall on whole minutes).
 */
export function minuteCachedResolver(fileMtime: Date): (s: Stamp) => number | null {
  const resolve = makeStampResolver(fileMtime);
  let lastKey = Number.NaN;
  let lastOffset: number | null = null;
  let base: number | null = null;
  return (s) => {
    if (s.second > 60 || s.millis > 999) return null;
    const key = ((((s.year ?? 0) * 13 + s.month) * 32 + s.day) * 24 + s.hour) * 60 + s.minute;
    if (key !== lastKey || s.offsetMinutes !== lastOffset) {
      lastKey = key;
      lastOffset = s.offsetMinutes;
      const d = resolve({ ...s, second: 0, millis: 0 });
      base = d ? d.getTime() : null;
    }
    return base === null ? null : base + s.second * 1000 + s.millis;
  };
}

export async function eximLogFiles(ctx: CoreContext): Promise<LogFile[]> {
  return findLogFiles(ctx.host, ctx.config.logs.eximMainlog);
}

export async function scanExim(ctx: CoreContext, opts: EximScanOptions): Promise<EximScanResult> {
  const all = await eximLogFiles(ctx);
  if (all.length === 0) {
    opts.problems.add({ path: ctx.config.logs.eximMainlog, problem: 'missing', message: `No exim log found (looked for ${ctx.config.logs.eximMainlog} and its rotations)` }, true);
    return { files: [], found: false, startsAfterSince: null };
  }
  const sinceMs = opts.since.getTime();
  // A rotated file cannot hold lines newer than its last write.
  const files = all.filter((f) => !f.rotated || f.mtime.getTime() >= sinceMs).reverse();
  // A rotation left out above was last written before `since`: the logs reach back far enough.
  const begins = files.length === all.length && files.length > 0 ? firstLineTime(ctx, files[0]) : null;
  const kinds = new Set<EximEventKind>(opts.kinds);
  const needles = eximNeedles(kinds);
  const bytesTotal = files.reduce((n, f) => n + f.size, 0);
  let done = 0;
  for (let i = 0; i < files.length; i++) {
    const f = files[i];
    const resolve = minuteCachedResolver(f.mtime);
    try {
      await scanLines(ctx.host, f.path, {
        needles,
        gz: f.gz,
        includePartialLastLine: f.rotated,
        onProgress: (n) => opts.onProgress?.({ file: f.path, fileIndex: i, files: files.length, bytesDone: done + n, bytesTotal }),
        onLine: (c) => {
          const ev = parseEximLine(c.text, kinds);
          if (!ev || !ev.stamp) return;
          const t = resolve(ev.stamp);
          if (t === null || t < sinceMs) return;
          const rec = ev as EximRecord;
          rec.time = t;
          rec.file = f.path;
          rec.line = c.line;
          opts.onEvent(rec);
        },
      });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      opts.problems.add({
        path: f.path,
        problem: err.code === 'ENOENT' ? 'missing' : 'unreadable',
        message: `${f.path}: ${err.code === 'Z_DATA_ERROR' || err.code === 'Z_BUF_ERROR' ? 'corrupt or truncated gzip data' : err.message}`,
      }, true);
    }
    done += f.size;
  }
  return { files: files.map((f) => f.path), found: true, startsAfterSince: begins !== null && begins > sinceMs ? begins : null };
}
