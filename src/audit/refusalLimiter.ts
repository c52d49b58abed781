/**
 * Bounds what refusals can write to the audit log. Anyone who can send a request can be refused,
 * as often as they like; written one by one, a reseller's refused requests (about 1 KiB each) would
 * grow the log without limit and push the administrator's own changes out of sight.
 *
 * Per minute (of the entry's time):
 * - the same refusal (same user, action, target and reason) is written at most PER_KEY times; the
 *   rest are counted, and one line says how many more there were;
 * - one user's refusals are written at most PER_USER times, all refusals at most OVERALL times; the
 *   rest are counted per user, and one line per user says how many, and on which routes.
 * The counts are written when the minute is over (or when the log is read, so the view is never
 * behind). Changes are never limited: only entries whose outcome is `refused` pass through here, and
 * of those not root's own.
 */
import crypto from 'node:crypto';
import type { AuditEntry } from './auditEntry';

export const REFUSAL_LIMITS = { PER_KEY: 3, PER_USER: 60, OVERALL: 200 } as const;
const MAX_OVERFLOW_USERS = 1000;
const MAX_ROUTES_NAMED = 10;

interface Repeated {
  entry: AuditEntry;
  written: number;
  counted: number;
}

interface Overflow {
  via: AuditEntry['via'];
  count: number;
  targets: Set<string>;
}

interface Window {
  minute: number;
  repeated: Map<string, Repeated>;
  perUser: Map<string, number>;
  total: number;
  overflow: Map<string, Overflow>;
}

/** A summing-up line is an entry of its own: its own id (audit.ts gives every entry one). */
function newId(): string {
  return crypto.randomBytes(8).toString('hex');
}

export type WriteEntry = (entry: AuditEntry) => Promise<unknown>;

function minuteOf(entry: AuditEntry): number {
  const t = Date.parse(entry.time);
  return Number.isFinite(t) ? Math.floor(t / 60_000) : 0;
}

function minuteText(minute: number): string {
  return `${new Date(minute * 60_000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** One limiter per audit log file. */
export class RefusalLimiter {
  private window: Window | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly write: WriteEntry) {}

  /** true: write this refusal now; false: it was counted (and will be summed up). */
  admit(entry: AuditEntry): boolean {
    // Root's own refusals (and the command line's, which only root runs on a server) are written one
    // by one: root can write to the log anyway, and its record is the one worth keeping whole.
    if (entry.user === 'root' || entry.via === 'cli') return true;
    const minute = minuteOf(entry);
    if (this.window && this.window.minute !== minute) void this.flush();
    if (!this.window || this.window.minute !== minute) {
      this.window = { minute, repeated: new Map(), perUser: new Map(), total: 0, overflow: new Map() };
    }
    const w = this.window;
    const key = [entry.user, entry.action, entry.target, entry.summary.slice(0, 300)].join('\n');
    const seen = w.repeated.get(key);
    if (seen && seen.written >= REFUSAL_LIMITS.PER_KEY) {
      seen.counted++;
      this.schedule();
      return false;
    }
    const byUser = w.perUser.get(entry.user) ?? 0;
    if (byUser >= REFUSAL_LIMITS.PER_USER || w.total >= REFUSAL_LIMITS.OVERALL) {
      let o = w.overflow.get(entry.user);
      if (!o && w.overflow.size < MAX_OVERFLOW_USERS) w.overflow.set(entry.user, (o = { via: entry.via, count: 0, targets: new Set() }));
      if (o) {
        o.count++;
        if (o.targets.size < MAX_ROUTES_NAMED) o.targets.add(entry.target);
      }
      this.schedule();
      return false;
    }
    w.perUser.set(entry.user, byUser + 1);
    w.total++;
    if (seen) seen.written++;
    else w.repeated.set(key, { entry, written: 1, counted: 0 });
    return true;
  }

  /** Writes the counts gathered so far (the window goes on: later repeats are counted again). */
  async flush(): Promise<void> {
    const w = this.window;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (!w) return;
    const lines: AuditEntry[] = [];
    const now = new Date().toISOString();
    for (const r of w.repeated.values()) {
      if (r.counted === 0) continue;
      const e = r.entry;
      lines.push({
        ...e,
        id: newId(),
        time: now,
        summary: `${r.counted} more refusal(s) like this one in the minute from ${minuteText(w.minute)}, counted rather than written one by one: ${e.summary}`,
        evidence: [],
        details: { ...(e.details ?? {}), aggregated: r.counted, minute: new Date(w.minute * 60_000).toISOString() },
      });
      r.counted = 0;
    }
    for (const [user, o] of w.overflow) {
      lines.push({
        id: newId(),
        time: now,
        user,
        via: o.via,
        action: 'audit.refusals-limited',
        target: [...o.targets].join(', ').slice(0, 1000),
        outcome: 'refused',
        summary: `${o.count} further refusal(s) for ${user} in the minute from ${minuteText(w.minute)} were counted, not written one by one (at most ${REFUSAL_LIMITS.PER_USER} a minute for one user, ${REFUSAL_LIMITS.OVERALL} for all).`,
        evidence: [],
        details: { aggregated: o.count, minute: new Date(w.minute * 60_000).toISOString(), routes: [...o.targets] },
      });
    }
    w.overflow.clear();
    for (const line of lines) await this.write(line).catch(() => undefined);
  }

  /** The counts are written at the end of their minute at the latest. */
  private schedule(): void {
    if (this.timer || !this.window) return;
    const due = (this.window.minute + 1) * 60_000 - Date.now();
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, Math.min(60_000, Math.max(1000, due)));
    this.timer.unref();
  }
}
