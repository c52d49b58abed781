/**
 * Finds every successful POP3/IMAP login in the server's mail logs (the live file, its rotations and
 * Dovecot's own log), streaming, newest file first.
 */
import { findLogFiles, LogFile } from '../host/logFiles';
import { scanLines } from '../host/lineScanner';
import { LOGIN_NEEDLES, parseLoginLine } from '../parsers/loginLine';
import { MailProtocol, MailService } from '../parsers/patterns/loginPatterns';
import { makeStampResolver } from '../parsers/syslogLine';
import { CoreContext } from './context';
import { Problems } from './problems';

export interface LoginRecord {
  /** host path of the log file */
  file: string;
  /** 1-based line number in the (decompressed) file */
  line: number;
  time: string | null;
  ip: string;
  user: string;
  protocol: MailProtocol;
  service: MailService;
  pattern: string;
}

export interface ScanProgress {
  file: string;
  fileIndex: number;
  files: number;
  bytesDone: number;
  bytesTotal: number;
}

/** All mail log files to read: the first configured mail log that exists, plus Dovecot's own logs. */
export async function mailLogFiles(ctx: CoreContext, problems: Problems): Promise<LogFile[]> {
  const files: LogFile[] = [];
  let found = false;
  for (const live of ctx.config.logs.maillog) {
    const set = await findLogFiles(ctx.host, live);
    if (set.length > 0) {
      files.push(...set);
      found = true;
      break;
    }
  }
  for (const live of ctx.config.logs.dovecot) files.push(...(await findLogFiles(ctx.host, live)));
  if (!found && files.length === 0) {
    problems.add({ path: ctx.config.logs.maillog.join(' or '), problem: 'missing', message: `No mail log found (looked for ${ctx.config.logs.maillog.join(', ')})` }, true);
  }
  return files;
}

/** Scans one file, calling onLogin for each successful login. */
export async function scanLoginFile(
  ctx: CoreContext,
  file: Pick<LogFile, 'path' | 'gz' | 'mtime' | 'rotated'>,
  onLogin: (l: LoginRecord) => void,
  onBytes?: (n: number) => void,
): Promise<void> {
  const resolve = makeStampResolver(file.mtime);
  await scanLines(ctx.host, file.path, {
    needles: LOGIN_NEEDLES,
    gz: file.gz,
    includePartialLastLine: file.rotated,
    onProgress: onBytes,
    onLine: (c) => {
      const hit = parseLoginLine(c.text);
      if (!hit) return;
      const t = hit.stamp ? resolve(hit.stamp) : null;
      onLogin({
        file: file.path,
        line: c.line,
        time: t ? t.toISOString() : null,
        ip: hit.ip,
        user: hit.user,
        protocol: hit.protocol,
        service: hit.service,
        pattern: hit.pattern,
      });
    },
  });
}

/** Scans all mail logs. Unreadable files are recorded as blocking problems and skipped. */
export async function scanAllLogins(
  ctx: CoreContext,
  onLogin: (l: LoginRecord) => void,
  opts: { problems?: Problems; onProgress?: (p: ScanProgress) => void } = {},
): Promise<{ files: LogFile[]; problems: Problems }> {
  const problems = opts.problems ?? new Problems();
  const files = await mailLogFiles(ctx, problems);
  const bytesTotal = files.reduce((n, f) => n + f.size, 0);
  let done = 0;
  for (let i = 0; i < files.length; i++) {
    const f = files[i];
    try {
      await scanLoginFile(ctx, f, onLogin, (n) => opts.onProgress?.({ file: f.path, fileIndex: i, files: files.length, bytesDone: done + n, bytesTotal }));
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      problems.add({ path: f.path, problem: err.code === 'ENOENT' ? 'missing' : 'unreadable', message: `${f.path}: ${err.code === 'Z_DATA_ERROR' || err.code === 'Z_BUF_ERROR' ? 'corrupt or truncated gzip data' : err.message}` }, true);
    }
    done += f.size;
  }
  return { files, problems };
}
