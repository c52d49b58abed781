/**
 * `relaywatch reliance`: who still sends through POP-before-SMTP (and would break when it is turned
 * off), and who already uses SMTP AUTH. The one core function behind the CLI command, the JSON
 * route, the page, the CSV export and the disable confirmation.
 */
import { LoginWindows, lookBackText, RelianceReport, RelianceTally } from '../domain/reliance';
import { Viewer } from '../domain/scope';
import { AppError } from '../http/appError';
import { ipRange } from '../parsers/ip';
import { sharedAccounts } from './accountsService';
import { CoreContext } from './context';
import { scanExim } from './eximScan';
import { scanAllLogins, ScanProgress } from '../scan/loginScan';
import { Problems } from './problems';
import { readGeneration, readRelayList } from './relayState';
import { cachedAnswer } from '../cache/answerCache';
import { viewerKey } from '../domain/scope';

export type { RelianceReport } from '../domain/reliance';

export interface RelianceOptions {
  days: number;
  onProgress?: (p: ScanProgress) => void;
}

export const MAX_DAYS = 400;

/** A look-back in whole days from a CLI option or a query parameter; the configured default when absent. */
export function parseDays(value: unknown, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const text = String(value).trim();
  if (!/^\d{1,4}$/.test(text) || Number(text) < 1 || Number(text) > MAX_DAYS) {
    throw AppError.badRequest(`days must be a whole number from 1 to ${MAX_DAYS}, got "${text.slice(0, 20)}".`);
  }
  return Number(text);
}

export function sinceFor(now: Date, days: number): Date {
  return new Date(now.getTime() - days * 86_400_000);
}

/** expire_host_mins from /etc/antirelayd.conf (default 30). */
export async function relayWindowMinutes(ctx: CoreContext): Promise<number> {
  const gen = await readGeneration(ctx);
  const list = await readRelayList(ctx, gen.generation, new Problems());
  return list.expireHostMins;
}

/**
 * Answers are reused while none of the files they were computed from changed (see answerCache.ts).
 * What depends on the clock alone (mail sent in the last N days) moves by days, so five minutes is exact enough.
 */
const REUSE_MS = 300_000;

export async function relianceReport(ctx: CoreContext, viewer: Viewer, opts: RelianceOptions): Promise<RelianceReport> {
  return cachedAnswer(ctx, `reliance:${viewerKey(viewer)}:${opts.days}`, REUSE_MS, (c) => computeRelianceReport(c, viewer, opts));
}

async function computeRelianceReport(ctx: CoreContext, viewer: Viewer, opts: RelianceOptions): Promise<RelianceReport> {
  const problems = new Problems();
  const days = opts.days;
  const since = sinceFor(ctx.now(), days);
  const accounts = await sharedAccounts(ctx, problems);
  const windowMinutes = await relayWindowMinutes(ctx);

  // Logins first: they tell which IP was in the relay list when an unauthenticated message came.
  const logins = new LoginWindows(windowMinutes);
  const loginFrom = since.getTime() - windowMinutes * 60_000;
  const loginProblems = new Problems();
  await scanAllLogins(ctx, (l) => {
    if (!l.time) return;
    const t = Date.parse(l.time);
    if (t < loginFrom || ipRange(l.ip) === 'loopback') return;
    logins.add(l.ip, t, l.user);
  }, { problems: loginProblems, onProgress: opts.onProgress });

  const tally = new RelianceTally(accounts, logins);
  const exim = await scanExim(ctx, {
    kinds: ['arrival', 'identification', 'rejected-relay'],
    since,
    problems,
    onProgress: opts.onProgress,
    onEvent: (e) => {
      if (e.kind === 'identification') tally.identification(e);
      else if (e.kind === 'arrival') tally.arrival(e);
      else if (e.kind === 'rejected-relay') tally.rejectedRelay(e);
    },
  });

  const report = tally.report(viewer, since, days, windowMinutes);
  const logsFrom = exim.startsAfterSince;
  const notes: string[] = [
    `Counted from ${exim.files.length} exim log file(s) since ${report.since}: messages identified by cPanel through the relay list, and unauthenticated messages from an IP with a POP3/IMAP login in the ${windowMinutes} minutes before.`,
  ];
  if (loginProblems.list.length > 0) {
    notes.push('The mail log (POP3/IMAP logins) could not be read completely, so only cPanel\'s identification lines could be used for some messages.');
  }
  const all = [...problems.list, ...loginProblems.list.map((p) => ({ ...p, blocking: false }))];
  if (logsFrom !== null) notes.push(`The exim log begins ${new Date(logsFrom).toISOString()}, after the ${days} days asked for began: the counts cover only what it holds.`);
  return {
    ...report,
    logsFrom: logsFrom === null ? null : new Date(logsFrom).toISOString(),
    period: lookBackText(days, logsFrom, ctx.now().getTime()),
    problems: viewer.isRoot ? all : all.map((p) => ({ ...p, message: p.problem })),
    notes,
  };
}
