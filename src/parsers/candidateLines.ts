/**
 * Finds the lines of a buffer that contain any of a few literal needles, with Buffer.indexOf (a
 * native byte search) instead of a regular expression per line. Only these candidate lines are
 * decoded and matched, which is what makes a scan of a large log cost little more than reading it.
 */

export interface LineSpan {
  start: number; // offset of the first byte of the line in the buffer
  end: number; // offset of the terminating '\n' (or the buffer end)
}

const NL = 0x0a;

/**
 * Spans of the lines in buf[0, limit) containing a needle, in order, each once. `limit` must be at
 * a line boundary (just after a '\n') or the buffer end.
 */
export function candidateLines(buf: Buffer, needles: readonly Buffer[], limit = buf.length): LineSpan[] {
  const starts = new Set<number>();
  const spans: LineSpan[] = [];
  for (const needle of needles) {
    let at = buf.indexOf(needle, 0);
    while (at !== -1 && at < limit) {
      const start = buf.lastIndexOf(NL, at) + 1;
      let end = buf.indexOf(NL, at);
      if (end === -1 || end > limit) end = limit;
      if (!starts.has(start)) {
        starts.add(start);
        spans.push({ start, end });
      }
      at = buf.indexOf(needle, end + 1);
    }
  }
  if (needles.length > 1) spans.sort((a, b) => a.start - b.start);
  return spans;
}

/** Counts '\n' bytes in buf[from, to). */
export function countNewlines(buf: Buffer, from: number, to: number): number {
  let n = 0;
  let at = buf.indexOf(NL, from);
  while (at !== -1 && at < to) {
    n++;
    at = buf.indexOf(NL, at + 1);
  }
  return n;
}
