/**
 * The reliance report as CSV, for the mail that warns users before POP-before-SMTP is turned off.
 * Pure. Cells are quoted per RFC 4180 when needed, and a cell a spreadsheet would take for a
 * formula (starting with = + - @, or a tab or carriage return) gets a leading apostrophe: mailbox
 * names and log text are written by strangers.
 */
import { RelianceReport } from './reliance';

const FORMULA_START = /^[=+\-@\t\r]/;
/**
 * Control characters but tab and newline (escape sequences, a lone CR) and bidi controls in a cell would act on the terminal the
 * CSV is printed to, or reorder what a spreadsheet shows: written as visible \xNN / \uNNNN instead.
 */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function visible(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

export function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  text = text.replace(UNSAFE, visible);
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(cells: Array<string | number | null | undefined>): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

export const RELIANCE_CSV_HEADER = ['address', 'account', 'owner', 'messages', 'last_seen'];

export function relianceCsv(report: Pick<RelianceReport, 'users'>): string {
  let out = csvRow(RELIANCE_CSV_HEADER);
  for (const u of report.users) out += csvRow([u.user, u.account, u.owner, u.messages, u.lastSeen]);
  return out;
}
