/**
 * The facts every monitoring face is built from (the Nagios check, the Prometheus metrics, the mail
 * notifier): counts and states, read as root, from the same core functions as the pages. Each part
 * is an answer reused until its files change, so a scrape every 15 seconds costs little, and the
 * POP-before-SMTP status (a program run) is asked again at most once a minute.
 */
import { viewerKey, Viewer } from '../domain/scope';
import { cachedAnswer } from '../cache/answerCache';
import { autoresponderReport } from '../services/autoresponderService';
import { blacklistMonitor } from '../services/blacklistService';
import { CoreContext } from '../services/context';
import { explain, ExplainReport } from '../services/explainService';
import { statusReport, StatusReport } from '../services/statusService';
import { indexLag } from './indexLag';

export const ROOT_VIEWER: Viewer = { user: 'root', isRoot: true, accounts: new Set() };

export interface ListingFact {
  ip: string;
  zone: string;
  name: string;
  /** a list of a provider's network (UCEPROTECT 2/3), not of this server */
  provider: boolean;
  meaning: string;
  /** a time in the list's TXT answer, and what the answer says it is ("Last hit", "Listed since", …) */
  txtTime: string | null;
  txtTimeLabel: string | null;
}

export interface WatchFacts {
  checkedAt: string;
  relay: {
    /** false when the relay report could not be decided (unreadable files, index still building) */
    decided: boolean;
    summary: string;
    hosts: number;
    explained: number;
    unexplained: number;
    alwaysrelay: number;
    stale: number;
    problems: string[];
  };
  popBeforeSmtp: {
    /** null when the status could not be read at all */
    allowed: boolean | null;
    why: string;
    error: string | null;
  };
  blacklist: {
    /** when the last result was taken; null when there is none */
    checkedAt: string | null;
    /** no result, or one older than twice the refresh interval */
    stale: boolean;
    server: number;
    provider: number;
    /** checks that could not be done in the last result */
    unknown: number;
    listings: ListingFact[];
    problem: string | null;
  };
  autoresponders: { atRisk: number; decided: boolean };
  index: { lagBytes: number; indexed: boolean };
}

/** The status as the dashboard card reads it: once a minute at most (it runs tailwatchd --status). */
function rootStatus(ctx: CoreContext): Promise<StatusReport> {
  return cachedAnswer(ctx, `dashboard-status:${viewerKey(ROOT_VIEWER)}`, 60_000, (c) => statusReport(c, ROOT_VIEWER));
}

function relayFacts(r: ExplainReport): WatchFacts['relay'] {
  return {
    decided: r.verdict !== 'unknown',
    summary: r.summary,
    hosts: r.counts.hosts,
    explained: r.counts.explained,
    unexplained: r.counts.unexplained,
    alwaysrelay: r.counts.alwaysrelay,
    stale: r.counts.stale,
    problems: r.problems.filter((p) => p.blocking).map((p) => p.message),
  };
}

async function popFacts(ctx: CoreContext): Promise<WatchFacts['popBeforeSmtp']> {
  try {
    const s = await rootStatus(ctx);
    return { allowed: s.popBeforeSmtp.relayingAllowed, why: s.popBeforeSmtp.why, error: s.tailwatchd.error };
  } catch (e) {
    return { allowed: null, why: 'The POP-before-SMTP status could not be read.', error: (e as Error).message };
  }
}

async function blacklistFacts(ctx: CoreContext): Promise<WatchFacts['blacklist']> {
  const monitor = blacklistMonitor(ctx);
  const { report, problem } = await monitor.readCache();
  if (!report) return { checkedAt: null, stale: true, server: 0, provider: 0, unknown: 0, listings: [], problem };
  const listings: ListingFact[] = report.ips.flatMap((ip) =>
    ip.results
      .filter((x) => x.status === 'listed')
      .map((x) => ({ ip: ip.ip, zone: x.zone, name: x.name, provider: x.providerNetwork, meaning: x.meaning, txtTime: x.txtTime ?? null, txtTimeLabel: x.txtTimeLabel ?? null })),
  );
  const age = ctx.now().getTime() - Date.parse(report.checkedAt);
  return {
    checkedAt: report.checkedAt,
    stale: !(age >= 0 && age < 2 * ctx.config.blacklist.refreshMinutes * 60_000),
    server: listings.filter((l) => !l.provider).length,
    provider: listings.filter((l) => l.provider).length,
    unknown: report.counts.unknown,
    listings,
    problem,
  };
}

/** Everything the monitoring faces need, plus the relay report itself (the notifier names IPs). */
export async function gatherWatchFacts(ctx: CoreContext): Promise<{ facts: WatchFacts; relay: ExplainReport }> {
  const relay = await explain(ctx, ROOT_VIEWER);
  const autoresponders = await autoresponderReport(ctx, ROOT_VIEWER, { days: ctx.config.evidence.days });
  const lag = await indexLag(ctx);
  const facts: WatchFacts = {
    checkedAt: ctx.now().toISOString(),
    relay: relayFacts(relay),
    popBeforeSmtp: await popFacts(ctx),
    blacklist: await blacklistFacts(ctx),
    autoresponders: {
      atRisk: autoresponders.autoresponders.filter((a) => a.active && a.risks.length > 0).length,
      decided: !autoresponders.problems.some((p) => p.blocking),
    },
    index: { lagBytes: lag.bytes, indexed: lag.indexed },
  };
  return { facts, relay };
}
