/**
 * Logins over time as buckets for a small bar chart: the last 24 hours by the hour and the last 7
 * days by six hours. Pure; the page draws the bars as inline SVG.
 */

export interface TimelineBucket {
  /** ISO start of the bucket */
  start: string;
  count: number;
}

export interface Timeline {
  label: string;
  /** bucket width in minutes */
  bucketMinutes: number;
  buckets: TimelineBucket[];
  total: number;
  max: number;
}

export function buildTimeline(label: string, times: readonly number[], nowMs: number, spanMs: number, bucketMs: number): Timeline {
  const n = Math.ceil(spanMs / bucketMs);
  // Buckets end at the next whole bucket boundary after now, so hours line up with the clock.
  const end = Math.ceil(nowMs / bucketMs) * bucketMs;
  const start = end - n * bucketMs;
  const counts = new Array<number>(n).fill(0);
  for (const t of times) {
    if (t < start || t >= end) continue;
    counts[Math.floor((t - start) / bucketMs)]++;
  }
  return {
    label,
    bucketMinutes: bucketMs / 60_000,
    buckets: counts.map((count, i) => ({ start: new Date(start + i * bucketMs).toISOString(), count })),
    total: counts.reduce((a, b) => a + b, 0),
    max: Math.max(0, ...counts),
  };
}

export function loginTimelines(times: readonly number[], nowMs: number): { day: Timeline; week: Timeline } {
  const HOUR = 3_600_000;
  return {
    day: buildTimeline('Last 24 hours', times, nowMs, 24 * HOUR, HOUR),
    week: buildTimeline('Last 7 days', times, nowMs, 7 * 24 * HOUR, 6 * HOUR),
  };
}
