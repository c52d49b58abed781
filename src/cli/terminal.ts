/**
 * Text that reaches a terminal is made harmless: log lines and user names are written by strangers,
 * and an escape sequence or a bidi override in them must show as text, not act.
 */

// C0 controls except tab, DEL, C1 controls, and the Unicode bidi controls (embeddings, overrides, isolates).
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Pads columns for a plain-text table; every cell is made terminal-safe first. */
export function table(rows: string[][]): string {
  const safe = rows.map((r) => r.map(terminalSafe));
  const widths: number[] = [];
  for (const r of safe) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return safe.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n');
}
