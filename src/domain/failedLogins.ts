/**
 * Failed logins from one IP, summed up: how many attempts, for which names, from when to when. Pure.
 * The one place relaywatch turns failed attempts into this shape (the IP report, the verdict).
 */

export interface FailedLogins {
  count: number;
  /** names tried, most attempts first */
  users: string[];
  /** ISO times of the first and the last attempt (null when no line had a usable time) */
  first: string | null;
  last: string | null;
}

export interface FailedAttemptAt {
  user: string | null;
  /** attempts this record stands for */
  attempts: number;
  /** ISO, or null */
  time: string | null;
}

export function summarizeFailedLogins(attempts: readonly FailedAttemptAt[]): FailedLogins {
  const byUser = new Map<string, number>();
  let count = 0;
  let first: string | null = null;
  let last: string | null = null;
  for (const a of attempts) {
    if (a.attempts <= 0) continue;
    count += a.attempts;
    if (a.user) byUser.set(a.user, (byUser.get(a.user) ?? 0) + a.attempts);
    if (a.time) {
      if (first === null || a.time < first) first = a.time;
      if (last === null || a.time > last) last = a.time;
    }
  }
  const users = [...byUser.entries()].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])).map(([u]) => u);
  return { count, users, first, last };
}
