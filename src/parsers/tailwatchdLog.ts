/**
 * Reads tailwatchd_log lines (and tailwatchd's printed output, which uses the same messages) into
 * records, with the pattern tables in ./patterns/tailwatchdLogPatterns.ts. Pure: text in, records out.
 */
import { TAILWATCHD_ENVELOPES, TAILWATCHD_MESSAGES, EnvelopePattern, TailwatchdEventKind } from './patterns/tailwatchdLogPatterns';

/** Lines longer than this are not parsed (they are shown, cut, as unrecognised). */
export const MAX_LINE = 64 * 1024;

export interface TailwatchdEvent {
  kind: TailwatchdEventKind;
  /** the driver named (fully qualified as written); the unknown name for unknown-driver */
  driver: string | null;
  action: 'enable' | 'disable' | null;
  /** started/stopped pid for start/stop */
  pid: number | null;
  /** the reason after "could not be …", the result after STOP */
  detail: string | null;
}

export interface TailwatchdLogRecord {
  envelope: EnvelopePattern['name'];
  pid: number | null;
  /** ISO time from the stamp (or from [START]'s epoch); null when the line has none */
  time: string | null;
  package: string | null;
  level: string | null;
  message: string;
  event: TailwatchdEvent | null;
  line: string;
}

/** `2024-08-16 17:40:46 +0000` -> ISO, null when it is not a real instant. */
export function tailwatchdStampToIso(stamp: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(stamp);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, sign, oh, om] = m;
  const utc = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
  const check = new Date(utc);
  // Date.UTC rolls 2024-02-31 over to March; a stamp that rolls over is not a real stamp.
  if (check.getUTCMonth() !== +mo - 1 || check.getUTCDate() !== +d || +h > 23 || +mi > 59 || +s > 60) return null;
  const offsetMin = (sign === '-' ? -1 : 1) * (+oh * 60 + +om);
  return new Date(utc - offsetMin * 60_000).toISOString();
}

function verb(word: string | undefined): 'enable' | 'disable' | null {
  if (!word) return null;
  return word.startsWith('enable') ? 'enable' : word.startsWith('disable') ? 'disable' : null;
}

/** The event a message states, or null for any other message. */
export function parseTailwatchdMessage(message: string): TailwatchdEvent | null {
  for (const p of TAILWATCHD_MESSAGES) {
    if (!message.includes(p.needle)) continue;
    const m = p.regex.exec(message);
    if (!m) continue;
    const g = m.groups ?? {};
    return {
      kind: p.name,
      driver: g.driver ?? null,
      action: verb(g.action),
      pid: g.pid ? Number(g.pid) : null,
      detail: (g.reason ?? g.result ?? '').trim() || null,
    };
  }
  return null;
}

export function parseTailwatchdLogLine(raw: string): TailwatchdLogRecord {
  const line = raw.replace(/\r$/, '');
  if (line.length > MAX_LINE) {
    return { envelope: 'bare', pid: null, time: null, package: null, level: null, message: line.slice(0, 200), event: null, line: line.slice(0, 200) };
  }
  for (const env of TAILWATCHD_ENVELOPES) {
    const m = env.regex.exec(line);
    if (!m) continue;
    const g = m.groups ?? {};
    const message = g.message ?? '';
    const event = parseTailwatchdMessage(message);
    let time = g.stamp ? tailwatchdStampToIso(g.stamp) : null;
    if (!time && event?.kind === 'start') {
      const epoch = /(\d+)$/.exec(message);
      if (epoch) time = new Date(Number(epoch[1]) * 1000).toISOString();
    }
    return {
      envelope: env.name,
      pid: g.pid ? Number(g.pid) : null,
      time,
      package: g.package ?? null,
      level: g.level ?? null,
      message,
      event,
      line,
    };
  }
  // unreachable: the last envelope matches any line without a newline
  return { envelope: 'bare', pid: null, time: null, package: null, level: null, message: line, event: null, line };
}

/** Every non-empty line of a text. */
export function parseTailwatchdLog(text: string): TailwatchdLogRecord[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map(parseTailwatchdLogLine);
}

export interface DriverHistoryEntry {
  time: string | null;
  driver: string;
  action: 'enable' | 'disable';
  /** what the line says happened */
  result: 'success' | 'already' | 'failed';
  line: string;
}

/** The enable/disable lines of a log, newest first (the log's own order reversed). */
export function driverHistory(records: TailwatchdLogRecord[], limit = 20): DriverHistoryEntry[] {
  const out: DriverHistoryEntry[] = [];
  for (let i = records.length - 1; i >= 0 && out.length < limit; i--) {
    const r = records[i];
    const e = r.event;
    if (!e || !e.driver || !e.action) continue;
    if (e.kind !== 'driver-success' && e.kind !== 'driver-already' && e.kind !== 'driver-failed') continue;
    out.push({
      time: r.time,
      driver: e.driver,
      action: e.action,
      result: e.kind === 'driver-success' ? 'success' : e.kind === 'driver-already' ? 'already' : 'failed',
      line: r.line,
    });
  }
  return out;
}
