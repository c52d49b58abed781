/**
 * Text written by strangers (log lines, user names, subjects, TXT records) is shown, never obeyed:
 * a terminal escape, a NUL or a bidi override in it would otherwise act on the terminal or reorder
 * what an admin reads on a page ("servic\u202Efdp.exe" looking like "serviceexe.pdf"). Each such
 * character is shown as a mark instead: `\x1b`, `\x00`, `\u202e`. One function for every face: the
 * CLI (cli/terminal.ts) and the pages (http/htmlText.ts, the templates' escaping) use it alike.
 */

// C0 controls except tab and newline, DEL, C1 controls, and the Unicode bidi controls (marks,
// embeddings, overrides, isolates), the line and paragraph separators, and the BOM / zero-width no-break space.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

export function visibleControls(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
