/**
 * Is the host root a cPanel host at all? A folder with none of cPanel's marks (its version file, a
 * relay list, a mail log, cPanel's own folder /var/cpanel or its account list) would otherwise be
 * answered as a server with an empty relay list: "OK", for a tree that is not a server. A server
 * missing one or two of them is still a server: those files are reported by the answers themselves.
 * Synchronous (a few stat calls): the CLI asks when a command first needs the host.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CoreContext } from './context';
import { RELAY_FILES } from './relayState';

const CPANEL_FOLDER = '/var/cpanel';
const ACCOUNT_LIST = '/etc/trueuserowners';

function present(ctx: CoreContext, hostPath: string): boolean {
  try {
    fs.lstatSync(ctx.host.real(hostPath));
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // present but unreadable, or a link that loops: it is there
    return code !== 'ENOENT' && code !== 'ENOTDIR';
  }
}

/** A log and its rotations (maillog, maillog.1, maillog-20261122.gz) as host paths. */
export function logAndRotations(ctx: CoreContext, hostPath: string): string[] {
  const dir = path.posix.dirname(hostPath);
  const base = path.posix.basename(hostPath);
  try {
    return fs
      .readdirSync(ctx.host.real(dir))
      .filter((n) => n === base || (n.startsWith(base) && /^(?:\.\d{1,4}|-\d{8,10})(?:\.gz)?$/.test(n.slice(base.length))))
      .map((n) => path.posix.join(dir, n));
  } catch {
    return [];
  }
}

function logPresent(ctx: CoreContext, hostPath: string): boolean {
  return logAndRotations(ctx, hostPath).length > 0;
}

/** null when the root looks like a cPanel host, else the sentence that says why it does not. */
export function notACpanelHost(ctx: CoreContext): string | null {
  const { config } = ctx;
  for (const p of [RELAY_FILES.version, RELAY_FILES.relayhosts, RELAY_FILES.recentAuthed, CPANEL_FOLDER, ACCOUNT_LIST]) if (present(ctx, p)) return null;
  for (const log of [...config.logs.maillog, ...config.logs.dovecot, config.logs.eximMainlog]) if (logPresent(ctx, log)) return null;
  const logs = [...config.logs.maillog, config.logs.eximMainlog].join(', ');
  return (
    `${config.root} is not a cPanel host: it has no ${RELAY_FILES.version}, no relay list (${RELAY_FILES.relayhosts}, ${RELAY_FILES.recentAuthed})` +
    `, no mail log (${logs}) and no ${CPANEL_FOLDER} or ${ACCOUNT_LIST}, so there is nothing to answer from. Give the host root with --root DIR.`
  );
}
