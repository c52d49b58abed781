/**
 * `tailwatchd --status` output (cpanel-facts §2). It prints exactly three kinds of line:
 *
 *   tailwatchd is enabled                (or: disabled)
 *   Running, PID 26428                   (or: Not running)
 *     Driver (Active: 1) Cpanel::TailWatch::RecentAuthedMailIpTracker   (one per driver, unsorted)
 *
 * Anything else is kept as `unrecognised`, so a warning or a garbled answer is shown, not hidden.
 * Pure: text in, record out.
 */
import { TW_DRIVER } from './patterns/tailwatchdLogPatterns';

export interface StatusDriver {
  name: string;
  active: boolean;
}

export interface TailwatchdStatus {
  /** "tailwatchd is enabled|disabled"; null when the line is missing */
  enabled: boolean | null;
  /** "Running, PID n" / "Not running"; null when the line is missing */
  running: boolean | null;
  pid: number | null;
  drivers: StatusDriver[];
  unrecognised: string[];
  /** true when the output had the lines a real `--status` prints */
  understood: boolean;
}

const ENABLED = /^tailwatchd is (enabled|disabled)$/;
const RUNNING = /^Running, PID (\d{1,10})$/;
const NOT_RUNNING = /^Not running$/;
const DRIVER = new RegExp(String.raw`^Driver \(Active: ([01])\) ${TW_DRIVER}$`);

export function parseTailwatchdStatus(text: string): TailwatchdStatus {
  const out: TailwatchdStatus = { enabled: null, running: null, pid: null, drivers: [], unrecognised: [], understood: false };
  for (const raw of text.split('\n')) {
    const t = raw.trim();
    if (t === '') continue;
    if (t.length > 1024) {
      out.unrecognised.push(`${t.slice(0, 200)}…`);
      continue;
    }
    let m = ENABLED.exec(t);
    if (m) {
      out.enabled = m[1] === 'enabled';
      continue;
    }
    m = RUNNING.exec(t);
    if (m) {
      out.running = true;
      out.pid = Number(m[1]);
      continue;
    }
    if (NOT_RUNNING.test(t)) {
      out.running = false;
      continue;
    }
    m = DRIVER.exec(t);
    if (m && m.groups?.driver) {
      const name = m.groups.driver;
      if (!out.drivers.some((d) => d.name === name)) out.drivers.push({ name, active: m[1] === '1' });
      continue;
    }
    out.unrecognised.push(t);
  }
  out.understood = out.enabled !== null && out.running !== null;
  return out;
}
