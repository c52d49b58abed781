/**
 * The audit log: every change relaywatch makes or refuses, one JSON object per line, appended to
 * `config.auditLog` (default /var/log/relaywatch/audit.log) with mode 0600 in a 0700 directory.
 *
 * A line that cannot be written is an error the caller must surface, never silence: an audit log
 * that quietly stops recording is worse than none. Writes within one process are serialised so two
 * entries never interleave; every line is a complete JSON object (one write of a whole line).
 */
import crypto from 'node:crypto';
import { AppError } from '../http/appError';
import { HostPathError } from '../host/host';
import { CoreContext } from '../services/context';
import type { AuditEntry } from './auditEntry';
import { RefusalLimiter } from './refusalLimiter';

export type { AuditEntry } from './auditEntry';

export type AuditInput = Omit<AuditEntry, 'id' | 'time' | 'evidence'> & { time?: string; evidence?: string[] };

/** What an audit id looks like (checked before a page looks one up). */
export const AUDIT_ID = /^[0-9a-f]{16}$/;

/** Who asks for a change, as the audit log records it. */
export interface Actor {
  user: string;
  via: AuditEntry['via'];
  /** remote address (web) or OS user (cli), for the record */
  from?: string;
}

const MODE = 0o600;
const writers = new Map<string, Promise<unknown>>();

/** Evidence lines are attacker-influenced text (log lines); keep them bounded. */
function bounded(lines: string[]): string[] {
  return lines.slice(0, 200).map((l) => (l.length > 2000 ? `${l.slice(0, 2000)}…` : l));
}

function auditError(path: string, e: unknown): AppError {
  const why = e instanceof HostPathError ? e.message : ((e as NodeJS.ErrnoException).code ?? String(e));
  return new AppError(500, 'audit_failed', `The audit log ${path} could not be written (${why}); relaywatch makes no change it cannot record.`, { auditLog: path });
}

/**
 * Checks, before a change, that the audit log can take an entry: the file, if present, is a regular
 * file, and the nearest existing folder on its path is a folder. Throws the same error appendAudit
 * would, so a change is refused before it is made rather than made without a record.
 */
export async function checkAuditWritable(ctx: CoreContext): Promise<void> {
  const file = ctx.config.auditLog;
  try {
    const st = await ctx.host.stat(file);
    if (st && !st.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'not a regular file' });
    if (!st) {
      let dir = file.slice(0, file.lastIndexOf('/')) || '/';
      for (;;) {
        const d = await ctx.host.stat(dir);
        if (d) {
          if (!d.isDirectory()) throw Object.assign(new Error('not a folder'), { code: `${dir} is not a folder` });
          break;
        }
        if (dir === '/') break;
        dir = dir.slice(0, dir.lastIndexOf('/')) || '/';
      }
    }
  } catch (e) {
    throw auditError(file, e);
  }
}

/** Appends one entry; resolves with the entry as written. Throws AppError 500 `audit_failed` on any failure. */
export async function appendAudit(ctx: CoreContext, input: AuditInput): Promise<AuditEntry> {
  const entry: AuditEntry = {
    id: crypto.randomBytes(8).toString('hex'),
    time: input.time ?? ctx.now().toISOString(),
    user: input.user,
    via: input.via,
    action: input.action,
    target: input.target,
    outcome: input.outcome,
    summary: input.summary,
    evidence: bounded(input.evidence ?? []),
    ...(input.details ? { details: input.details } : {}),
  };
  // A refusal may be counted instead of written (refusalLimiter.ts); a change is always written.
  if (entry.outcome === 'refused' && !limiterFor(ctx).admit(entry)) return entry;
  await writeEntry(ctx, entry);
  return entry;
}

function writeEntry(ctx: CoreContext, entry: AuditEntry): Promise<void> {
  const file = ctx.config.auditLog;
  const line = JSON.stringify(entry);
  const key = ctx.host.direct(file);
  const previous = writers.get(key) ?? Promise.resolve();
  const job = previous.then(() => writeLine(ctx, file, line));
  writers.set(key, job.catch(() => undefined));
  return job;
}

const limiters = new Map<string, RefusalLimiter>();

/** One limiter per audit log file and process. */
function limiterFor(ctx: CoreContext): RefusalLimiter {
  const key = ctx.host.direct(ctx.config.auditLog);
  let l = limiters.get(key);
  if (!l) {
    l = new RefusalLimiter((entry) => writeEntry(ctx, entry));
    limiters.set(key, l);
  }
  return l;
}

/** Writes the refusals counted so far in this process (before the log is read, and at exit). */
export async function flushCountedRefusals(ctx: CoreContext): Promise<void> {
  await limiters.get(ctx.host.direct(ctx.config.auditLog))?.flush();
}

async function writeLine(ctx: CoreContext, file: string, line: string): Promise<void> {
  try {
    const st = await ctx.host.stat(file);
    if (st && !st.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'not a regular file' });
    if (st && (st.mode & 0o777) !== MODE) {
      // Someone widened the file's mode: rewrite it whole with 0600 (temporary file + rename).
      const old = (await ctx.host.readOptional(file)) ?? '';
      await ctx.host.writeAtomic(file, `${old}${old === '' || old.endsWith('\n') ? '' : '\n'}${line}\n`, MODE);
      return;
    }
    await ctx.host.appendLine(file, line, MODE);
  } catch (e) {
    throw auditError(file, e);
  }
}

export interface AuditLog {
  path: string;
  exists: boolean;
  /** newest first, changes and refusals together */
  entries: AuditEntry[];
  /**
   * Changes made, tried or failed (every outcome but `refused`), newest first: looked for further
   * back than `entries`, so that a flood of refusals cannot push them out of the view.
   */
  changes: AuditEntry[];
  /** refusals, newest first (repeated ones are summed up in one line: refusalLimiter.ts) */
  refusals: AuditEntry[];
  /** lines that are not audit entries (shown as a count; they should never exist) */
  badLines: number;
  /** true when the log was not read to its start */
  truncated: boolean;
}

/** The log is read backwards in pieces of this size, until enough changes are found or this much was read. */
const READ_PIECE = 2 * 1024 * 1024;
const READ_MAX = 64 * 1024 * 1024;

function entryOf(line: Buffer): AuditEntry | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line.toString('utf8'));
  } catch {
    return null;
  }
  const e = parsed as Partial<AuditEntry>;
  if (!e || typeof e !== 'object' || typeof e.time !== 'string' || typeof e.action !== 'string' || typeof e.user !== 'string') return null;
  return { ...e, evidence: Array.isArray(e.evidence) ? e.evidence.map(String) : [] } as AuditEntry;
}

/**
 * The newest `limit` entries (default 100), and the newest `limit` changes and refusals apart.
 * A log that does not exist yet is empty, not an error.
 */
export async function readAudit(ctx: CoreContext, opts: { limit?: number } = {}): Promise<AuditLog> {
  const file = ctx.config.auditLog;
  const limit = Math.max(1, Math.min(opts.limit ?? 100, 10_000));
  await flushCountedRefusals(ctx);
  const log: AuditLog = { path: file, exists: false, entries: [], changes: [], refusals: [], badLines: 0, truncated: false };
  try {
    const st = await ctx.host.stat(file);
    if (!st) return log;
    log.exists = true;
    let end = st.size;
    let carry: Buffer = Buffer.alloc(0); // the start of a line whose beginning lies in the piece before
    while (end > 0 && log.changes.length < limit && st.size - end < READ_MAX) {
      const start = Math.max(0, end - READ_PIECE);
      const piece = Buffer.concat([await readRange(ctx, file, start, end), carry]);
      const firstBreak = start > 0 ? piece.indexOf(0x0a) : -1;
      carry = firstBreak >= 0 ? piece.subarray(0, firstBreak) : start > 0 ? piece : Buffer.alloc(0);
      const body = start > 0 ? (firstBreak >= 0 ? piece.subarray(firstBreak + 1) : Buffer.alloc(0)) : piece;
      let lineEnd = body.length;
      while (lineEnd > 0) {
        const lineStart = body.lastIndexOf(0x0a, lineEnd - 1) + 1;
        const line = body.subarray(lineStart, lineEnd);
        lineEnd = lineStart - 1;
        if (line.toString('utf8').trim() === '') continue;
        const e = entryOf(line);
        if (!e) {
          log.badLines++;
          continue;
        }
        if (log.entries.length < limit) log.entries.push(e);
        if (e.outcome === 'refused') {
          if (log.refusals.length < limit) log.refusals.push(e);
        } else if (log.changes.length < limit) log.changes.push(e);
      }
      end = start;
    }
    log.truncated = end > 0;
  } catch (e) {
    throw new AppError(500, 'audit_unreadable', `The audit log ${file} cannot be read (${e instanceof HostPathError ? e.message : String(e)}).`);
  }
  return log;
}

function readRange(ctx: CoreContext, file: string, start: number, end: number): Promise<Buffer> {
  if (end <= start) return Promise.resolve(Buffer.alloc(0));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = ctx.host.openReadStream(file, { start, end: end - 1 });
    s.on('data', (c) => chunks.push(c as Buffer));
    s.on('error', reject);
    s.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

/** The entry with this id among the newest 10,000, or null. */
export async function findAuditEntry(ctx: CoreContext, id: string): Promise<AuditEntry | null> {
  if (!AUDIT_ID.test(id)) return null;
  const log = await readAudit(ctx, { limit: 10_000 });
  return log.entries.find((e) => e.id === id) ?? null;
}
