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
import { CoreContext } from './context';
import { readFrom } from './readFrom';

export interface AuditEntry {
  /** a random id (16 hex digits): a change's result page is found by it (absent in older lines) */
  id?: string;
  /** ISO time the entry was written */
  time: string;
  /** WHM user (or `root` on the command line) the change was made for */
  user: string;
  /** where the request came from: `web` (the WHM page or JSON route), `cli`, or `daemon` (its own notices) */
  via: 'web' | 'cli' | 'daemon';
  /** what was attempted, dotted: `pop-before-smtp.disable` */
  action: string;
  /** what it acts on: a driver, a Tweak Setting, a file */
  target: string;
  /** `changed`, `unchanged`, `failed`, `refused` (or an area's own word) */
  outcome: string;
  /** one sentence for people */
  summary: string;
  /** the lines that prove the outcome (command output, log lines, file states) */
  evidence: string[];
  /** anything else worth keeping (commands run, exit codes, the remote address, the OS user) */
  details?: Record<string, unknown>;
}

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
  const file = ctx.config.auditLog;
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
  const line = JSON.stringify(entry);
  const key = ctx.host.direct(file);
  const previous = writers.get(key) ?? Promise.resolve();
  const job = previous.then(() => writeLine(ctx, file, line));
  writers.set(key, job.catch(() => undefined));
  await job;
  return entry;
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
  /** newest first */
  entries: AuditEntry[];
  /** lines that are not audit entries (shown as a count; they should never exist) */
  badLines: number;
  /** true when only the end of a long log was read */
  truncated: boolean;
}

const READ_TAIL = 2 * 1024 * 1024;

/** The newest `limit` entries (default 100). A log that does not exist yet is empty, not an error. */
export async function readAudit(ctx: CoreContext, opts: { limit?: number } = {}): Promise<AuditLog> {
  const file = ctx.config.auditLog;
  const limit = Math.max(1, Math.min(opts.limit ?? 100, 10_000));
  let text: string | null;
  let truncated = false;
  try {
    const st = await ctx.host.stat(file);
    if (!st) return { path: file, exists: false, entries: [], badLines: 0, truncated: false };
    const part = await readFrom(ctx, file, { max: READ_TAIL });
    text = part?.text ?? '';
    truncated = part?.cut ?? false;
  } catch (e) {
    throw new AppError(500, 'audit_unreadable', `The audit log ${file} cannot be read (${e instanceof HostPathError ? e.message : String(e)}).`);
  }
  const entries: AuditEntry[] = [];
  let badLines = 0;
  const lines = (text ?? '').split('\n').filter((l) => l.trim() !== '');
  for (let i = lines.length - 1; i >= 0; i--) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(lines[i]);
    } catch {
      badLines++;
      continue;
    }
    const e = parsed as Partial<AuditEntry>;
    if (!e || typeof e !== 'object' || typeof e.time !== 'string' || typeof e.action !== 'string' || typeof e.user !== 'string') {
      badLines++;
      continue;
    }
    if (entries.length < limit) entries.push({ ...e, evidence: Array.isArray(e.evidence) ? e.evidence.map(String) : [] } as AuditEntry);
  }
  return { path: file, exists: true, entries, badLines, truncated };
}

/** The entry with this id among the newest 10,000, or null. */
export async function findAuditEntry(ctx: CoreContext, id: string): Promise<AuditEntry | null> {
  if (!AUDIT_ID.test(id)) return null;
  const log = await readAudit(ctx, { limit: 10_000 });
  return log.entries.find((e) => e.id === id) ?? null;
}
