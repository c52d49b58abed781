/**
 * The reliance report as CSV, for the mail that warns users before POP-before-SMTP is turned off.
 * Pure. Cells are quoted per RFC 4180 when needed, and a cell a spreadsheet would take for a
 * formula (starting with = + - @, or a tab or carriage return) gets a leading apostrophe: mailbox
 * names and log text are written by strangers.
 */
import { RelianceReport } from './reliance';

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
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
