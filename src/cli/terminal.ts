/**
 * Text that reaches a terminal is made harmless: log lines and user names are written by strangers,
 * and an escape sequence or a bidi override in them must show as text, not act.
 */
import { visibleControls } from '../text/visibleControls';

/** Control and bidi characters shown as `\x1b` / `\u202e` marks (the same marks the pages show). */
export const terminalSafe = visibleControls;

/** Pads columns for a plain-text table; every cell is made terminal-safe first. */
export function table(rows: string[][]): string {
  const safe = rows.map((r) => r.map(terminalSafe));
  const widths: number[] = [];
  for (const r of safe) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return safe.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n');
}
