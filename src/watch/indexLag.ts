/**
 * How much of the mail logs the login index has not read yet: what the daemon still has to catch
 * up on. A log the index has never seen counts whole; a compressed rotation the index read counts
 * nothing unless it grew.
 */
import { indexedLogs } from '../scan/loginIndex';
import { mailLogFiles } from '../scan/loginScanFiles';
import { CoreContext } from '../services/context';
import { Problems } from '../services/problems';

export interface IndexLag {
  /** bytes on disk not yet read into the index */
  bytes: number;
  /** false when there is no usable index (every byte counts as lag) */
  indexed: boolean;
  files: number;
}

export async function indexLag(ctx: CoreContext): Promise<IndexLag> {
  const files = await mailLogFiles(ctx, new Problems());
  const logs = indexedLogs(ctx);
  let bytes = 0;
  for (const f of files) {
    const entry = logs?.find((e) => e.dev === f.dev && e.ino === f.ino) ?? logs?.find((e) => e.path === f.path && !e.sealed);
    if (!entry) bytes += f.size;
    else if (f.gz) bytes += f.size === entry.size ? 0 : Math.max(0, f.size - entry.size);
    else bytes += Math.max(0, f.size - entry.offset);
  }
  return { bytes, indexed: logs !== null, files: files.length };
}
