/**
 * Is the host root a cPanel host at all? A folder with none of cPanel's marks (its version file, a
 * relay list, a mail log, cPanel's own folder /var/cpanel or its account list) would otherwise be answered as a server with an empty relay list: "OK",
 * for a tree that is not a server. A server missing one or two of them is still a server: those
 * files are reported by the answers themselves.
 */
import { findLogFiles } from '../host/logFiles';
import { CoreContext } from './context';
import { RELAY_FILES } from './relayState';

const CPANEL_FOLDER = '/var/cpanel';
const ACCOUNT_LIST = '/etc/trueuserowners';

/** null when the root looks like a cPanel host, else the sentence that says why it does not. */
export async function notACpanelHost(ctx: CoreContext): Promise<string | null> {
  const { host, config } = ctx;
  if (await host.exists(RELAY_FILES.version)) return null;
  for (const p of [RELAY_FILES.relayhosts, RELAY_FILES.recentAuthed, CPANEL_FOLDER, ACCOUNT_LIST]) if (await host.exists(p)) return null;
  for (const log of [...config.logs.maillog, ...config.logs.dovecot, config.logs.eximMainlog]) {
    if ((await findLogFiles(host, log)).length > 0) return null;
  }
  const logs = [...config.logs.maillog, config.logs.eximMainlog].join(', ');
  return (
    `${config.root} is not a cPanel host: it has no ${RELAY_FILES.version}, no relay list (${RELAY_FILES.relayhosts}, ${RELAY_FILES.recentAuthed})` +
    `, no mail log (${logs}) and no ${CPANEL_FOLDER} or ${ACCOUNT_LIST}, so there is nothing to answer from. Give the host root with --root DIR.`
  );
}
