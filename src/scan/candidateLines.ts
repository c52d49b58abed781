/**
 * Finds the lines of a buffer that contain any of a few literal needles, with byte searches instead
 * of a regular expression per line. Only these candidate lines are decoded and matched, which is what
 * makes a scan of a large log cost little more than reading it.
 *
 * The scanner (lineScanner.ts) uses the SIMD kernel of candidateKernel.ts; the plain functions
 * here are the simple reference for one buffer.
 */
import { jsCandidateSpans } from './candidateKernel';

export { createCandidateKernel, planBuckets } from './candidateKernel';
export type { CandidateKernel } from './candidateKernel';

export interface LineSpan {
  start: number; // offset of the first byte of the line in the buffer
  end: number; // offset of the terminating '\n' (or the limit)
}


/**
 * Spans of the lines in buf[0, limit) containing a needle, in order, each once. `limit` must be at
 * a line boundary (just after a '\n') or the buffer end.
 */
export function candidateLines(buf: Buffer, needles: readonly Buffer[], limit = buf.length): LineSpan[] {
  return jsCandidateSpans(buf, needles, 0, limit).map(([start, end]) => ({ start, end }));
}

/** Counts '\n' bytes in buf[from, to): the JS kernel's own count. */
export { countNewlines } from './candidateKernel';
