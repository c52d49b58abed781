/**
 * `relaywatch backscatter`: the server's backscatter sources besides autoresponders (forwarders to
 * outside domains, default addresses that bounce or deliver, null-sender bounce volume per domain)
 * and, given a blacklist's listing time, the outgoing bounce and autoresponder traffic around it.
 * The one core function behind the CLI command, the JSON route and the page.
 */
import { judgeDefaultAddress, DefaultKind, outsideDestinations } from '../domain/backscatter';
import { NearEvent } from '../domain/mailTraffic';
import { canSeeAccount, Viewer } from '../domain/scope';
import { AppError } from '../http/appError';
import { sharedAccounts } from './accountsService';
import { findAutoresponders } from './autoresponderService';
import { CoreContext } from './context';
import { loadValiases } from './mailRouting';
import { scanMailTraffic } from './mailTrafficScan';
import { ScanProgress } from '../scan/loginScan';
import { Problems } from './problems';
import { sinceFor } from './relianceService';
import { cachedAnswer } from '../cache/answerCache';
import { viewerKey } from '../domain/scope';

export interface ForwarderRow {
  source: string;
  account: string | null;
  owner: string | null;
  /** destinations outside the server's domains */
  destinations: string[];
  /** does it also keep a copy here (a local destination)? */
  keepsCopy: boolean;
  /** messages passed on outside in the period */
  forwarded: number;
  lastForwarded: string | null;
  file: string;
  line: number;
}

export interface DefaultAddressRow {
  domain: string;
  account: string | null;
  owner: string | null;
  kind: DefaultKind;
  target: string;
  risky: boolean;
  reason: string;
  /** bounces Exim sent for this domain in the period */
  bounces: number;
  file: string;
  line: number;
}

export interface BounceRow {
  domain: string;
  account: string | null;
  owner: string | null;
  bounces: number;
  toOutside: number;
  last: string | null;
}

export interface NearbyTraffic {
  at: string;
  windowMinutes: number;
  counts: { bounces: number; nullSender: number; autoresponderHits: number; autoresponderReplies: number };
  events: Array<Omit<NearEvent, 'time'> & { time: string; account: string | null; offsetSeconds: number }>;
  /** events in the window inside the viewer's scope, including those not listed */
  total: number;
  truncated: boolean;
  /**
   * when the window holds nothing: the nearest bounce or autoresponder traffic before and after it
   * in the period read (inside the viewer's scope), so an empty window never stands unexplained
   * beside the bounces counted below; null when the window holds something
   */
  nearest: { before: NearestEvent | null; after: NearestEvent | null } | null;
}

/** "2 h 5 min before", "40 min after", "30 s before": how far an event is from the listing time. */
export function offsetWords(seconds: number): string {
  const a = Math.abs(seconds);
  const h = Math.floor(a / 3600);
  const m = Math.floor((a % 3600) / 60);
  const span = a < 60 ? `${a} s` : h === 0 ? `${m} min` : h >= 48 ? `${Math.round(a / 86400)} days` : `${h} h${m ? ` ${m} min` : ''}`;
  return `${span} ${seconds < 0 ? 'before' : 'after'}`;
}

/** The sentence for an empty window: where the nearest traffic is, or that there is none in the period. */
export function emptyWindowText(a: NearbyTraffic): string {
  const head = `No outgoing bounce or autoresponder traffic within ${a.windowMinutes} minutes of ${a.at.replace('T', ' ').slice(0, 19)} UTC.`;
  const n = a.nearest;
  if (!n || (!n.before && !n.after)) return `${head} None in the whole period read either.`;
  const say = (e: NearestEvent): string => `${e.kind.replace(/-/g, ' ')} at ${e.time.replace('T', ' ').slice(0, 19)} UTC (${offsetWords(e.offsetSeconds)})`;
  const parts = [n.before ? `the last before it: ${say(n.before)}` : null, n.after ? `the first after it: ${say(n.after)}` : null].filter(Boolean);
  return `${head} Nearest traffic: ${parts.join('; ')}. The list's time may be in another time zone, or the hit came from other mail: centre the window on the traffic to see it.`;
}

export interface NearestEvent {
  time: string;
  kind: NearEvent['kind'];
  domain: string | null;
  /** seconds from the listing time (negative: before it) */
  offsetSeconds: number;
}

export interface BackscatterReport {
  since: string;
  days: number;
  /** when the exim log begins, if after `since` (the counts cover less than asked); else null */
  logsFrom: string | null;
  forwarders: ForwarderRow[];
  defaultAddresses: DefaultAddressRow[];
  bounces: { total: number; toOutside: number; byDomain: BounceRow[]; unattributed: { bounces: number; toOutside: number; last: string | null } | null };
  around: NearbyTraffic | null;
  problems: Array<{ path: string; problem: string; message: string; blocking: boolean }>;
  notes: string[];
}

export interface BackscatterOptions {
  days: number;
  at?: Date | null;
  windowMinutes?: number;
  onProgress?: (p: ScanProgress) => void;
}

export const DEFAULT_WINDOW_MINUTES = 5;

function nearestOutside(
  slots: ReadonlyMap<string, { before: NearEvent | null; after: NearEvent | null }>,
  at: number,
  visible: (e: NearEvent) => boolean,
): NonNullable<NearbyTraffic['nearest']> {
  let before: NearEvent | null = null;
  let after: NearEvent | null = null;
  for (const slot of slots.values()) {
    if (slot.before && visible(slot.before) && (!before || slot.before.time > before.time)) before = slot.before;
    if (slot.after && visible(slot.after) && (!after || slot.after.time < after.time)) after = slot.after;
  }
  const out = (e: NearEvent | null): NearestEvent | null =>
    e ? { time: new Date(e.time).toISOString(), kind: e.kind, domain: e.domain, offsetSeconds: Math.round((e.time - at) / 1000) } : null;
  return { before: out(before), after: out(after) };
}
const MAX_LISTED_EVENTS = 500;

/** Answers are reused while none of the files they were computed from changed (see answerCache.ts). */
const REUSE_MS = 15_000;

export async function backscatterReport(ctx: CoreContext, viewer: Viewer, opts: BackscatterOptions): Promise<BackscatterReport> {
  const { onProgress: _progress, ...keyed } = opts as BackscatterOptions & { onProgress?: unknown };
  return cachedAnswer(ctx, `backscatter:${viewerKey(viewer)}:${JSON.stringify(keyed)}`, REUSE_MS, (c) => computeBackscatterReport(c, viewer, opts));
}

async function computeBackscatterReport(ctx: CoreContext, viewer: Viewer, opts: BackscatterOptions): Promise<BackscatterReport> {
  const windowMinutes = opts.windowMinutes ?? DEFAULT_WINDOW_MINUTES;
  if (!Number.isFinite(windowMinutes) || windowMinutes <= 0 || windowMinutes > 24 * 60) throw AppError.badRequest('The window must be between 1 minute and 24 hours.');
  const problems = new Problems();
  const now = ctx.now();
  const windowMs = windowMinutes * 60_000;
  const at = opts.at ?? null;
  if (at && at.getTime() > now.getTime() + windowMs) throw AppError.badRequest('The listing time lies in the future.');
  let since = sinceFor(now, opts.days);
  if (at && at.getTime() - windowMs < since.getTime()) since = new Date(at.getTime() - windowMs);

  const accounts = await sharedAccounts(ctx, problems);
  const isLocalDomain = (d: string): boolean => accounts.domains.has(d.toLowerCase());
  const visible = (account: string | null): boolean => canSeeAccount(viewer, account);
  const aliases = await loadValiases(ctx, accounts, viewer, problems);
  const autoresponders = await findAutoresponders(ctx, accounts, viewer, aliases, problems);

  const forwarderDests = new Map<string, Set<string>>();
  const forwarderRows: Array<Omit<ForwarderRow, 'forwarded' | 'lastForwarded'>> = [];
  const defaults: Array<Omit<DefaultAddressRow, 'bounces'>> = [];
  for (const file of aliases) {
    for (const entry of file.entries) {
      if (entry.source === '*') {
        defaults.push({ domain: file.domain, account: file.account, owner: file.owner, ...judgeDefaultAddress(entry, isLocalDomain), file: file.path, line: entry.line });
        continue;
      }
      const outside = outsideDestinations(entry, isLocalDomain);
      if (outside.length === 0) continue;
      forwarderDests.set(entry.source, new Set(outside));
      forwarderRows.push({
        source: entry.source,
        account: file.account,
        owner: file.owner,
        destinations: outside,
        keepsCopy: entry.targets.some((t) => t.kind === 'local-user' || (t.kind === 'address' && isLocalDomain(t.address.slice(t.address.lastIndexOf('@') + 1)))),
        file: file.path,
        line: entry.line,
      });
    }
  }

  const traffic = await scanMailTraffic(ctx, {
    since,
    problems,
    onProgress: opts.onProgress,
    localDomains: new Set(accounts.domains.keys()),
    autoresponderSubjects: new Map(autoresponders.map((f) => [f.address, f.message?.subject ?? null])),
    forwarders: forwarderDests,
    near: at ? { time: at.getTime(), windowMs } : undefined,
  });
  const t = traffic.tally;
  const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

  const byDomain: BounceRow[] = [...t.bouncesByDomain]
    .map(([domain, b]) => {
      const account = accounts.domains.get(domain) ?? null;
      return { domain, account, owner: account ? accounts.ownerOf(account) : null, bounces: b.bounces, toOutside: b.toOutside, last: iso(b.last) };
    })
    .filter((r) => visible(r.account))
    .sort((a, b) => b.bounces - a.bounces || a.domain.localeCompare(b.domain));
  const unattributed = viewer.isRoot && t.unattributedBounces.bounces > 0
    ? { bounces: t.unattributedBounces.bounces, toOutside: t.unattributedBounces.toOutside, last: iso(t.unattributedBounces.last) }
    : null;

  let around: NearbyTraffic | null = null;
  if (at) {
    const accountOfEvent = (e: NearEvent): string | null => (e.domain ? accounts.domains.get(e.domain) ?? null : null);
    const inScope = t.near.filter((e) => (viewer.isRoot ? true : visible(accountOfEvent(e)))).sort((a, b) => a.time - b.time);
    const count = (k: NearEvent['kind']): number => inScope.filter((e) => e.kind === k).length;
    around = {
      at: at.toISOString(),
      windowMinutes,
      counts: { bounces: count('bounce'), nullSender: count('null-sender'), autoresponderHits: count('autoresponder-hit'), autoresponderReplies: count('autoresponder-reply') },
      events: inScope.slice(0, MAX_LISTED_EVENTS).map((e) => ({ ...e, time: new Date(e.time).toISOString(), account: accountOfEvent(e), offsetSeconds: Math.round((e.time - at.getTime()) / 1000) })),
      total: viewer.isRoot ? Math.max(t.nearTotal, inScope.length) : inScope.length,
      truncated: inScope.length > MAX_LISTED_EVENTS || (viewer.isRoot && t.nearTotal > t.near.length),
      nearest: inScope.length > 0 ? null : nearestOutside(t.nearest, at.getTime(), (e) => viewer.isRoot || visible(accountOfEvent(e))),
    };
  }

  const domainBounces = new Map(byDomain.map((b) => [b.domain, b.bounces]));
  const notes = [
    `Counted from ${traffic.files.length} exim log file(s) since ${since.toISOString()}.`,
    'A bounce is tied to the domain of the message it returns (the failed address, else the local recipient); bounces whose message is not in the log read are counted as unattributed.',
  ];
  if (at) notes.push(`Traffic within ${windowMinutes} minutes of ${at.toISOString()}: bounces (null sender), other null-sender mail, messages reaching autoresponders and the replies recognised.`);
  if (traffic.startsAfterSince !== null) notes.push(`The exim log begins ${new Date(traffic.startsAfterSince).toISOString()}, after the ${opts.days} days asked for began: the counts cover only what it holds.`);
  return {
    since: since.toISOString(),
    days: opts.days,
    logsFrom: traffic.startsAfterSince === null ? null : new Date(traffic.startsAfterSince).toISOString(),
    forwarders: forwarderRows
      .map((f) => {
        const m = t.forwarded.get(f.source);
        let forwarded = 0;
        let last: number | null = null;
        for (const v of m?.values() ?? []) {
          forwarded += v.messages;
          if (last === null || v.last > last) last = v.last;
        }
        return { ...f, forwarded, lastForwarded: iso(last) };
      })
      .sort((a, b) => b.forwarded - a.forwarded || a.source.localeCompare(b.source)),
    defaultAddresses: defaults
      .map((d) => ({ ...d, bounces: domainBounces.get(d.domain) ?? 0 }))
      .sort((a, b) => Number(b.risky) - Number(a.risky) || b.bounces - a.bounces || a.domain.localeCompare(b.domain)),
    bounces: {
      total: byDomain.reduce((n, b) => n + b.bounces, 0) + (unattributed?.bounces ?? 0),
      toOutside: byDomain.reduce((n, b) => n + b.toOutside, 0) + (unattributed?.toOutside ?? 0),
      byDomain,
      unattributed,
    },
    around,
    problems: viewer.isRoot ? problems.list : problems.list.map((p) => ({ ...p, message: p.problem })),
    notes,
  };
}
