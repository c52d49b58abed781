/**
 * The failed POP3/IMAP logins in the mail logs, per IP, for explain: read with the same byte search
 * as the login scan (only lines holding a failure's wording are parsed).
 *
 * - A one-off answer (the CLI) reads every log once on every core with the scan pool, parsing only
 *   the lines that name one of the wanted IPs (ipTextFilter.ts), and keeps nothing.
 * - A daemon keeps the failures of every IP per log file, so that it reads each rotated file once and
 *   the live file only from where it stopped, whatever IPs the relay list holds next. A file is read
 *   again from its start when it is no longer the same file (inode, device) or got shorter.
 */
import { addFailedLogin, IpFailedEvidence, mergeFailedEvidence } from '../domain/failedLogins';
import { LogFile } from '../host/logFiles';
import { FAILED_LOGIN_NEEDLES, parseFailedLoginLine } from '../parsers/failedLoginLine';
import { makeStampResolver } from '../parsers/syslogLine';
import { scanLines } from '../scan/lineScanner';
import { mailLogFiles, unreadableLog } from '../scan/loginScanFiles';
import { CoreContext } from './context';
import { Problems } from './problems';

interface FileFailures {
  dev: number;
  ino: number;
  gz: boolean;
  size: number;
  mtimeMs: number;
  /** offset after the last complete line read, and the lines before it */
  offset: number;
  lines: number;
  evidence: Map<string, IpFailedEvidence>;
}

/** Per host root and log path. Bounded: a process serves one host; tests make many. */
const kept = new Map<string, FileFailures>();
const MAX_KEPT_FILES = 256;

function keep(key: string, f: FileFailures): void {
  kept.delete(key);
  kept.set(key, f);
  while (kept.size > MAX_KEPT_FILES) kept.delete(kept.keys().next().value as string);
}

/** Reads of a file under way: a second answer waits for the first rather than reading the same bytes. */
const reading = new Map<string, Promise<FileFailures>>();

async function failuresOf(ctx: CoreContext, f: LogFile): Promise<FileFailures> {
  const key = `${ctx.config.root}\0${f.path}`;
  for (let r = reading.get(key); r; r = reading.get(key)) await r.catch(() => undefined);
  const run = readFailures(ctx, f, key);
  reading.set(key, run);
  try {
    return await run;
  } catch (e) {
    kept.delete(key); // a read that failed half-way may have added to the kept counts
    throw e;
  } finally {
    reading.delete(key);
  }
}

async function readFailures(ctx: CoreContext, f: LogFile, key: string): Promise<FileFailures> {
  const had = kept.get(key);
  const same = had !== undefined && had.dev === f.dev && had.ino === f.ino && had.gz === f.gz;
  // A gzipped file is read whole or not at all; a plain one may have grown since.
  if (same && (f.gz ? had.size === f.size && had.mtimeMs === f.mtime.getTime() : f.size >= had.offset && f.size === had.size)) return had;
  const resume = same && !f.gz && f.size > had.offset;
  const evidence = resume ? had.evidence : new Map<string, IpFailedEvidence>();
  const resolve = makeStampResolver(f.mtime);
  const result = await scanLines(ctx.host, f.path, {
    needles: FAILED_LOGIN_NEEDLES,
    gz: f.gz,
    startOffset: resume ? had.offset : 0,
    startLine: resume ? had.lines + 1 : 1,
    ...(f.gz ? {} : { endOffset: f.size }),
    includePartialLastLine: f.rotated,
    onLine: (c) => {
      const hit = parseFailedLoginLine(c.text);
      if (!hit) return;
      const t = hit.stamp ? resolve(hit.stamp) : null;
      addFailedLogin(evidence, hit.ip, hit.user, hit.attempts, t ? t.getTime() : NaN);
    },
  });
  const entry: FileFailures = { dev: f.dev, ino: f.ino, gz: f.gz, size: f.size, mtimeMs: f.mtime.getTime(), offset: result.endOffset, lines: result.lines, evidence };
  keep(key, entry);
  return entry;
}

/**
 * The daemon's background work after each update of the login index: every log's failures brought
 * up to date, so that an answer finds them read instead of reading the new lines itself.
 */
export async function keepFailedLoginsCurrent(ctx: CoreContext): Promise<void> {
  for (const f of await mailLogFiles(ctx, new Problems())) {
    try {
      await failuresOf(ctx, f);
    } catch {
      // an unreadable log is reported by the answer that reads it
    }
  }
}

/**
 * The failed logins from the given IPs in every mail log. An unreadable log is a problem (not
 * blocking: failures explain nothing, they only add evidence).
 */
export async function collectFailedLogins(ctx: CoreContext, ips: ReadonlySet<string>, problems: Problems, opts: { oneOff?: boolean } = {}): Promise<Map<string, IpFailedEvidence>> {
  const out = new Map<string, IpFailedEvidence>();
  if (ips.size === 0) return out;
  if (opts.oneOff) {
    // One pass over every log on every core (the scan pool, looking for the IPs' witnesses); the
    // logins it finds on the way are the index's already and are not kept.
    const { scanTargets } = require('../scan/loginScanPool') as typeof import('../scan/loginScanPool');
    const files = await mailLogFiles(ctx, new Problems());
    const outcomes = await scanTargets(ctx, files.map((f) => ({ file: f, start: 0, startLine: 1, end: f.gz ? null : f.size, includePartialLastLine: f.rotated })), {
      onlyIps: ips,
      onLogins: () => undefined,
      onFailed: (_t, failed) => {
        for (const x of failed) addFailedLogin(out, x.ip, x.user, x.attempts, x.time);
      },
    });
    outcomes.forEach((o, i) => {
      if (o.error) problems.add(unreadableLog(files[i].path, o.error), false);
    });
    return out;
  }
  for (const f of await mailLogFiles(ctx, new Problems())) {
    try {
      const got = await failuresOf(ctx, f);
      for (const ip of ips) {
        const ev = got.evidence.get(ip);
        if (ev) mergeFailedEvidence(out, ip, ev);
      }
    } catch (e) {
      problems.add(unreadableLog(f.path, e as NodeJS.ErrnoException), false);
    }
  }
  return out;
}
