/**
 * cPanel's autoresponder files in `~user/.autorespond/` (cpanel-facts §7). Pure.
 *
 * - `<address>`: the message: headers (From, Subject, Content-Type with charset), a blank line, the body.
 * - `<address>.json`: settings: start and stop as unix times (an empty or missing stop = no end),
 *   the interval in hours between replies to one sender (0 = reply to every message). The name of
 *   the interval key is not confirmed: `interval` is read, and a few plausible spellings; when none
 *   is there, or its value is not a number, the interval is reported as unknown, never guessed.
 * - `<address>.conf`: the legacy settings: `key=value` lines (`interval=N`, maybe start/stop).
 */

import { decodeEncodedWords } from './encodedWords';

export interface AutoresponderMessage {
  from: string | null;
  subject: string | null;
  charset: string | null;
  /** bytes of body text */
  bodyLength: number;
}

export interface AutoresponderSettings {
  /** unix seconds, null when not set */
  start: number | null;
  /** unix seconds, null when not set (no end) */
  stop: number | null;
  /** hours between replies to the same sender; null when it could not be determined */
  interval: number | null;
  /** why interval is null, or which key it came from when not the documented one */
  intervalNote: string | null;
  /** values that were present but not understood */
  problems: string[];
}

/** Unfolds header continuation lines and splits headers from body. */
function splitMessage(text: string): { headers: Map<string, string>; body: string } {
  const norm = text.replace(/\r\n/g, '\n');
  const blank = norm.indexOf('\n\n');
  const head = blank === -1 ? norm : norm.slice(0, blank);
  const body = blank === -1 ? '' : norm.slice(blank + 2);
  const headers = new Map<string, string>();
  let last: string | null = null;
  for (const line of head.split('\n')) {
    if (/^[ \t]/.test(line) && last) {
      headers.set(last, `${headers.get(last)} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(last)) headers.set(last, line.slice(colon + 1).trim());
  }
  return { headers, body };
}

export function parseAutoresponderMessage(text: string): AutoresponderMessage {
  const { headers, body } = splitMessage(text);
  const ct = headers.get('content-type') ?? '';
  const charset = /charset\s*=\s*"?([A-Za-z0-9_.:-]{1,40})"?/i.exec(ct)?.[1] ?? null;
  const subject = headers.get('subject');
  const from = headers.get('from');
  return {
    from: from !== undefined ? decodeEncodedWords(from) : null,
    subject: subject !== undefined ? decodeEncodedWords(subject) : null,
    charset,
    bodyLength: Buffer.byteLength(body),
  };
}

/** Interval keys tried in order; the first is the one cPanel is believed to write. */
const INTERVAL_KEYS = ['interval', 'interval_hours', 'intervalhours', 'interval_hrs'];

function asNumber(v: unknown): number | null | 'bad' {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : 'bad';
  if (typeof v === 'string') {
    const t = v.trim();
    if (t === '') return null;
    if (/^-?\d{1,15}(?:\.\d{1,6})?$/.test(t)) return Number(t);
    return 'bad';
  }
  return 'bad';
}

function settingsFrom(values: Record<string, unknown>, where: string): AutoresponderSettings {
  const problems: string[] = [];
  const lower = new Map(Object.entries(values).map(([k, v]) => [k.toLowerCase(), v]));
  const time = (key: string): number | null => {
    const n = asNumber(lower.get(key));
    if (n === 'bad') {
      problems.push(`${key} in ${where} is not a unix time: ${JSON.stringify(lower.get(key)).slice(0, 60)}`);
      return null;
    }
    // 0 is how an unset time is often stored
    return n === null || n <= 0 ? null : Math.floor(n);
  };
  let interval: number | null = null;
  let intervalNote: string | null = null;
  const key = INTERVAL_KEYS.find((k) => lower.has(k));
  if (key === undefined) {
    intervalNote = `no interval setting in ${where}`;
  } else {
    const n = asNumber(lower.get(key));
    if (n === 'bad' || n === null || n < 0) {
      intervalNote = `interval in ${where} is not a number of hours: ${JSON.stringify(lower.get(key)).slice(0, 60)}`;
      if (n === 'bad' || (typeof n === 'number' && n < 0)) problems.push(intervalNote);
    } else {
      interval = n;
      if (key !== INTERVAL_KEYS[0]) intervalNote = `interval read from the key "${key}"`;
    }
  }
  return { start: time('start'), stop: time('stop'), interval, intervalNote, problems };
}

export function parseAutoresponderJson(text: string): AutoresponderSettings {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { start: null, stop: null, interval: null, intervalNote: 'the .json settings file is not valid JSON', problems: ['the .json settings file is not valid JSON'] };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { start: null, stop: null, interval: null, intervalNote: 'the .json settings file is not an object', problems: ['the .json settings file is not an object'] };
  }
  return settingsFrom(parsed as Record<string, unknown>, 'the .json settings');
}

export function parseAutoresponderConf(text: string): AutoresponderSettings {
  const values: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const t = raw.trim();
    if (t === '' || t.startsWith('#')) continue;
    const m = /^([A-Za-z_]{1,32})\s*[=:]\s*(.*)$/.exec(t);
    if (m && !(m[1].toLowerCase() in values)) values[m[1].toLowerCase()] = m[2].trim();
  }
  return settingsFrom(values, 'the legacy .conf settings');
}
