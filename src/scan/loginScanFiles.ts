/**
 * Which files hold the server's mail logs: the first configured mail log that exists with its
 * rotations, plus Dovecot's own logs, each log once.
 */
import { findMailLogFiles, LogFile } from '../host/logFiles';
import { LogHead, readHead } from '../host/logIdentity';
import { CoreContext } from '../services/context';
import { Problems } from '../services/problems';

/**
 * Drops files that hold the same log as another one: `maillog-20261124` and `maillog-20261124.gz`
 * side by side while logrotate compresses, or a copy left next to its original. Same first line =
 * same log; the plain file is kept over the gzipped one, then the first in findLogFiles' order.
 */
const heads = new WeakMap<LogFile, LogHead>();

/** The head read for a file by withoutCopies (the index uses it too: one read per file and run). */
export function knownHead(f: LogFile): LogHead | undefined {
  return heads.get(f);
}

export function withoutCopies(ctx: CoreContext, files: LogFile[]): LogFile[] {
  const byHash = new Map<string, LogFile>();
  const keep = new Set<LogFile>(files);
  const order = [...files].sort((a, b) => (a.gz === b.gz ? 0 : a.gz ? 1 : -1));
  for (const f of order) {
    let hash: string | null;
    try {
      const head = readHead(ctx.host, f.path, f.gz, f.rotated);
      heads.set(f, head);
      hash = head.hash;
    } catch {
      continue; // unreadable here: the scan reports it
    }
    if (hash === null) continue;
    if (byHash.has(hash)) keep.delete(f);
    else byHash.set(hash, f);
  }
  return files.filter((f) => keep.has(f));
}

/** All mail log files to read: the first configured mail log that exists, plus Dovecot's own logs. */
export async function mailLogFiles(ctx: CoreContext, problems: Problems): Promise<LogFile[]> {
  const { files, found } = await findMailLogFiles(ctx.host, ctx.config.logs);
  if (!found && files.length === 0) {
    problems.add({ path: ctx.config.logs.maillog.join(' or '), problem: 'missing', message: `No mail log found (looked for ${ctx.config.logs.maillog.join(', ')})` }, true);
  }
  return withoutCopies(ctx, files);
}

/** The problem to record for a log that could not be read. */
export function unreadableLog(path: string, err: NodeJS.ErrnoException): { path: string; problem: 'missing' | 'unreadable'; message: string } {
  const gz = err.code === 'Z_DATA_ERROR' || err.code === 'Z_BUF_ERROR' || err.code === 'ESHORT';
  return { path, problem: err.code === 'ENOENT' ? 'missing' : 'unreadable', message: `${path}: ${gz ? 'corrupt or truncated gzip data' : err.message}` };
}

