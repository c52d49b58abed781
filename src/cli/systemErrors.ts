/**
 * What the system refused, in one line: a port in use, a folder this user may not write, a run as
 * another user than root. The CLI prints these instead of a stack trace.
 */
import fs from 'node:fs';
import { CoreContext } from '../services/context';
import { logAndRotations } from '../services/hostCheck';
import { RELAY_FILES } from '../services/relayState';

/** Error codes of the system that mean "this process may not" or "this is taken", said in words. */
const SYSTEM_WHY: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EADDRINUSE: 'the address is already in use',
  EADDRNOTAVAIL: 'the address is not one of this machine\'s',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder, not a file',
};

function asRootHint(): string {
  const uid = process.getuid?.();
  return uid === undefined || uid === 0 ? '' : ` relaywatch runs as root on a cPanel server; this process runs as uid ${uid}.`;
}

/**
 * One line for an error of the system (a port in use, a folder this user may not write): what
 * failed, on what, and why, without a stack trace. null for anything else.
 */
export function systemErrorLine(e: unknown): string | null {
  const err = e as NodeJS.ErrnoException & { address?: string; port?: number };
  if (!err || typeof err !== 'object' || typeof err.code !== 'string' || !SYSTEM_WHY[err.code]) return null;
  const why = SYSTEM_WHY[err.code];
  if (err.syscall === 'listen' || err.syscall === 'bind') {
    const where = err.port !== undefined && err.port >= 0 ? `${err.address ?? ''}:${err.port}` : (err.address ?? '');
    if (err.code === 'EADDRINUSE') return `cannot listen on ${where}: ${why} (another relaywatch serve, or another program?); choose another with --listen HOST:PORT.`;
    return `cannot listen on ${where}: ${why}.${err.code === 'EACCES' || err.code === 'EPERM' ? asRootHint() : ''}`;
  }
  const verb: Record<string, string> = { mkdir: 'create', open: 'open', rename: 'replace', unlink: 'remove', rmdir: 'remove', write: 'write', chmod: 'change the mode of', scandir: 'list' };
  const what = err.path ? `${verb[err.syscall ?? ''] ?? err.syscall ?? 'use'} ${err.path}` : (err.syscall ?? 'go on');
  return `cannot ${what}: ${why}.${err.code === 'EACCES' || err.code === 'EPERM' ? asRootHint() : ''}`;
}

/**
 * Run as another user than root, relaywatch reads what that user may read (the answers say what
 * could not be read); this one line says why, before them. null as root, or when nothing is closed.
 */
export function notRootLine(ctx: CoreContext): string | null {
  const uid = process.getuid?.();
  if (uid === undefined || uid === 0) return null;
  const { host, config } = ctx;
  const closed: string[] = [];
  const readable = (hostPath: string): boolean => {
    try {
      fs.accessSync(host.real(hostPath), fs.constants.R_OK);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code !== 'EACCES';
    }
  };
  const files: string[] = [RELAY_FILES.relayhosts, RELAY_FILES.recentAuthed];
  for (const log of [...config.logs.maillog, config.logs.eximMainlog]) files.push(...logAndRotations(ctx, log));
  for (const f of files) if (!readable(f)) closed.push(f);
  if (closed.length === 0) return null;
  const shown = closed.slice(0, 3).join(', ') + (closed.length > 3 ? ` and ${closed.length - 3} more` : '');
  return `running as uid ${uid}, not root: ${shown} cannot be read by this user, so the answer below is only what the rest shows. Run it as root for the whole answer.`;
}
