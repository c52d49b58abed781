/**
 * Reads the part of a host file from a byte offset to its end, bounded: the end of a log that may be
 * large, or only what was appended after a known size.
 */
import { CoreContext } from './context';

export interface FilePart {
  text: string;
  /** file size when read */
  size: number;
  /** where the text starts */
  start: number;
  /** true when the text starts mid-file (its first, partial line has been dropped) */
  cut: boolean;
}

/**
 * The file from `from` (default: the last `max` bytes) to its end; null when the file does not
 * exist. When the file is shorter than `from` (rotated or truncated since), it is read whole.
 */
export async function readFrom(ctx: CoreContext, hostPath: string, opts: { from?: number; max: number }): Promise<FilePart | null> {
  const st = await ctx.host.stat(hostPath);
  if (!st) return null;
  let start = opts.from ?? Math.max(0, st.size - opts.max);
  if (start > st.size) start = 0;
  start = Math.max(start, st.size - opts.max);
  start = Math.max(0, start);
  const buf = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = ctx.host.openReadStream(hostPath, { start });
    s.on('data', (c) => chunks.push(c as Buffer));
    s.on('error', reject);
    s.on('end', () => resolve(Buffer.concat(chunks)));
  });
  let text = buf.toString('utf8');
  // Reading from a caller's offset starts on a line boundary; reading a bounded tail does not.
  const cut = start > 0 && start !== opts.from;
  if (cut) text = text.slice(text.indexOf('\n') + 1);
  return { text, size: st.size, start, cut };
}
