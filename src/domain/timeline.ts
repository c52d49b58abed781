/**
 * Logins over time as buckets for a small bar chart: the last 24 hours by the hour and the last 7
 * days by six hours, successful logins and failed attempts side by side, with the relay window (from
 * the last login until cPanel drops the IP) and "now" placed on the same axis. Pure; the page draws
 * the bars as inline SVG.
 */

export interface TimelineBucket {
  /** ISO start of the bucket */
  start: string;
  /** successful logins */
  count: number;
  /** failed login attempts */
  failed: number;
}

export interface Timeline {
  label: string;
  /** bucket width in minutes */
  bucketMinutes: number;
  buckets: TimelineBucket[];
  total: number;
  failedTotal: number;
  /** the largest bucket of either kind (the chart's scale) */
  max: number;
  /** ISO start and end of the axis (now lies in its last bucket) */
  start: string;
  end: string;
  /** the relay window on the axis (0..1 each), null when none falls inside it */
  window: { from: number; to: number; start: string; end: string; label: string } | null;
}

export interface TimelineEvent {
  /** ms */
  time: number;
  /** attempts it stands for (1 for a login) */
  weight?: number;
}

export function buildTimeline(
  label: string,
  logins: readonly number[],
  failed: readonly TimelineEvent[],
  nowMs: number,
  spanMs: number,
  bucketMs: number,
  relayWindow: { start: number; end: number; label: string } | null = null,
): Timeline {
  const n = Math.ceil(spanMs / bucketMs);
  // Buckets end at the next whole bucket boundary after now, so hours line up with the clock.
  const end = Math.ceil(nowMs / bucketMs) * bucketMs;
  const start = end - n * bucketMs;
  const counts = new Array<number>(n).fill(0);
  const fails = new Array<number>(n).fill(0);
  for (const t of logins) {
    if (t < start || t >= end) continue;
    counts[Math.floor((t - start) / bucketMs)]++;
  }
  for (const f of failed) {
    if (f.time < start || f.time >= end) continue;
    fails[Math.floor((f.time - start) / bucketMs)] += f.weight ?? 1;
  }
  const at = (t: number): number => Math.min(1, Math.max(0, (t - start) / (end - start)));
  const window = relayWindow && relayWindow.end > start && relayWindow.start < end
    ? { from: at(relayWindow.start), to: at(relayWindow.end), start: new Date(relayWindow.start).toISOString(), end: new Date(relayWindow.end).toISOString(), label: relayWindow.label }
    : null;
  return {
    label,
    bucketMinutes: bucketMs / 60_000,
    buckets: counts.map((count, i) => ({ start: new Date(start + i * bucketMs).toISOString(), count, failed: fails[i] })),
    total: counts.reduce((a, b) => a + b, 0),
    failedTotal: fails.reduce((a, b) => a + b, 0),
    max: Math.max(0, ...counts, ...fails),
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    window,
  };
}

export function loginTimelines(
  logins: readonly number[],
  nowMs: number,
  failed: readonly TimelineEvent[] = [],
  relayWindow: { start: number; end: number; label: string } | null = null,
): { day: Timeline; week: Timeline } {
  const HOUR = 3_600_000;
  return {
    day: buildTimeline('Last 24 hours', logins, failed, nowMs, 24 * HOUR, HOUR, relayWindow),
    week: buildTimeline('Last 7 days', logins, failed, nowMs, 7 * 24 * HOUR, 6 * HOUR, relayWindow),
  };
}
