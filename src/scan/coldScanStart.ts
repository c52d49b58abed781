/**
 * The start of a one-off run that will read every mail log (`relaywatch explain` with no index and
 * no daemon): its scan workers are started first, right after the configuration is read.
 *
 * Why: a worker thread takes some 25 ms to boot Node and another 10 to load its code, and the main
 * thread has about as much to do before it reads the first byte (the answer's code, the relay list,
 * the accounts). Started after all that, a worker joins the scan late; started before, the two
 * happen at once. So this module loads nothing but the index store's path, the log listing and the
 * worker pool: the scanner's code is loaded by the scan itself.
 */
import { IndexStore } from '../host/indexStore';
import { findMailLogFiles } from '../host/logFiles';
import { CoreContext } from '../services/context';
import { prestartPoolWorkers } from './scanWorkers';

/**
 * Starts the workers a scan of every mail log would use, when there is no login index to answer
 * from (see prestartScanWorkers: a scan that does not come costs the other core's time only).
 */
export async function prestartColdScan(ctx: CoreContext): Promise<void> {
  if (new IndexStore(ctx.host, ctx.config.stateDir).exists()) return;
  const { files } = await findMailLogFiles(ctx.host, ctx.config.logs);
  prestartPoolWorkers(files.reduce((n, f) => n + f.size, 0));
}
