/**
 * The admin's first screen and the guided check, as data: a verdict in plain words, then one card
 * per question (green / amber / red, or grey when it could not be decided), each with one sentence,
 * its evidence and where to go next. The guided check walks the same facts in the order an admin
 * thinks them through: listed where and why → who is in the relay list → what sends the auto-replies
 * → who relies on POP-before-SMTP → turn it off safely → confirm it took.
 *
 * Every card comes from a real source (the explainer, the status service, the blacklist monitor's
 * last result, the autoresponder and reliance reports). Root-only sources are never read for a
 * reseller.
 */
import { Viewer } from '../domain/scope';
import { listingsSeverity, ListingCause, overallVerdict, OverallVerdict, Severity, SEVERITY_TONE, SEVERITY_WORD, VerdictAutoresponder, VerdictInput, VerdictListing, VerdictPart } from '../domain/verdict';
import { AutoresponderReport, autoresponderReport } from './autoresponderService';
import { blacklistMonitor, BlacklistReport, CheckProgress, loadZoneCatalogue } from './blacklistService';
import type { ZoneEntry } from '../parsers/dnsblZones';
import { CoreContext } from './context';
import { explain, ExplainReport } from './explainService';
import { relianceReport, RelianceReport } from './relianceService';
import { StatusReport, statusReport } from './statusService';
import { answerId, cachedAnswer } from '../cache/answerCache';
import { viewerKey } from '../domain/scope';
import { derivedValue } from '../cache/derivedCache';
import { StaticRelayEntry, staticRelayEntries } from '../domain/staticRelay';

export type Tone = 'green' | 'amber' | 'red' | 'grey';

/** A place to go: a page of relaywatch, or a WHM page (under WHM's /cpsess… prefix). */
export type Link =
  | { kind: 'route'; label: string; route: string; query?: Record<string, string>; fragment?: string }
  | { kind: 'whm'; label: string; path: string; query?: Record<string, string>; where: string };

/** A long-running job the page follows with a progress bar (polling `url` for `{ progress }`). */
export interface Progress {
  url: string;
  done: number;
  total: number;
}

export interface Card {
  id: string;
  title: string;
  state: Tone;
  /** the state in words, shown beside its colour */
  word?: string;
  sentence: string;
  evidence: string[];
  link: Link | null;
  progress?: Progress;
}

export interface GuideStep {
  id: string;
  title: string;
  /** the question this step answers, as the admin would ask it */
  question: string;
  state: Tone;
  /** the state in words, shown beside its colour */
  word?: string;
  sentence: string;
  evidence: string[];
  /** what to do next, in words */
  next: string;
  link: Link | null;
  progress?: Progress;
}

/** The overall answer: one sentence weighted by impact (domain/verdict.ts), its state and severity word. */
export interface DashboardVerdict {
  state: Tone;
  /** the severity in words: "Needs attention", "Worth a look", "Fine", "Not known" */
  word: string;
  text: string;
  detail: string;
  parts: VerdictPart[];
}

export interface Dashboard {
  viewer: { user: string; isRoot: boolean };
  verdict: DashboardVerdict;
  cards: Card[];
  relay: ExplainReport;
  checkedAt: string;
  /** the same for as long as everything shown is the same (a rendered page is kept under it) */
  version: string;
}

export interface Guide {
  viewer: { user: string; isRoot: boolean };
  /** the same verdict as the overview's */
  verdict: DashboardVerdict;
  steps: GuideStep[];
  checkedAt: string;
  /** changes whenever the data behind the steps does (a rendered guide is kept per version) */
  version: string;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
const when = (iso: string): string => `${iso.replace('T', ' ').slice(0, 16)} UTC`;

const TWEAK_LINK: Link = {
  kind: 'whm',
  label: 'Tweak Settings → Mail',
  path: '/scripts2/tweaksettings',
  query: { find: 'popbeforesmtp' },
  where: 'Server Configuration » Tweak Settings » Mail » POP-before-SMTP',
};

/** Everything the dashboard and the guide are built from, read once per request. */
interface Facts {
  viewer: Viewer;
  relay: ExplainReport;
  reliance: RelianceReport;
  autoresponders: AutoresponderReport;
  /** root only */
  status: StatusReport | null;
  /** root only: the last finished check (never waits on DNS) */
  blacklist: { report: BlacklistReport | null; stale: boolean; progress: CheckProgress; problem: string | null; zones: Map<string, ZoneEntry> } | null;
  /** changes whenever any of the above does */
  version: string;
}

/**
 * Everything the dashboard and the guide show. Each part is an answer reused until its own files
 * change (answerCache.ts), so a new login recomputes the relay report, not the autoresponders of
 * 10,000 accounts.
 */
async function gather(ctx: CoreContext, viewer: Viewer): Promise<Facts> {
  const days = ctx.config.evidence.days;
  const relay = await explain(ctx, viewer);
  const reliance = await relianceReport(ctx, viewer, { days });
  const autoresponders = await autoresponderReport(ctx, viewer, { days });
  // The switch's state comes from programs (tailwatchd --status) as well as files: the card asks
  // them again at most every minute (the status page asks every time; a change made through
  // relaywatch forgets every answer at once).
  const status: StatusReport | null = viewer.isRoot ? await cachedAnswer(ctx, `dashboard-status:${viewerKey(viewer)}`, 60_000, (c) => statusReport(c, viewer)) : null;
  // The blacklist state lives partly in memory (a check running now), so it is read fresh every time:
  // the cached result and the progress only; the dashboard never starts DNS queries itself.
  let blacklist: Facts['blacklist'] = null;
  if (viewer.isRoot) {
    const monitor = blacklistMonitor(ctx);
    const cached = await monitor.readCache();
    blacklist = { report: cached.report, stale: monitor.isStale(cached.report), progress: monitor.progress(), problem: cached.problem, zones: await zoneMeanings(ctx) };
  }
  const b = blacklist;
  const version = [
    answerId(relay),
    answerId(reliance),
    answerId(autoresponders),
    status ? answerId(status) : 0,
    ...(b ? [b.report ? answerId(b.report) : 0, answerId(b.zones), b.stale, b.problem, b.progress.running, b.progress.done, b.progress.total, b.progress.lastError] : []),
  ].join(':');
  return { viewer, relay, reliance, autoresponders, status, blacklist, version };
}

/**
 * What each list means (backscatter, the provider's network, its impact), from the zone catalogue:
 * read again only when the admin's zones file changes, and part of the version, so a page made
 * with the old meanings is not shown after an edit.
 */
function zoneMeanings(ctx: CoreContext): Promise<Map<string, ZoneEntry>> {
  return cachedAnswer(ctx, 'dashboard-zones', ZONES_REUSE_MS, async (c) => {
    const zones = new Map<string, ZoneEntry>();
    try {
      for (const z of (await loadZoneCatalogue(c)).zones) zones.set(z.zone, z);
    } catch {
      // a bad zones.yaml is reported by the blacklist check itself; the results carry the same fields
    }
    return zones;
  });
}

/** Nothing in the catalogue depends on the clock; its file is looked at as every answer's are. */
const ZONES_REUSE_MS = 5 * 60_000;

type BlacklistFacts = NonNullable<Facts['blacklist']>;
type BlacklistResultLike = { zone: string; name?: string; status: string; impact?: 'low' | 'medium' | 'high'; providerNetwork?: boolean; evidence?: unknown[] };

/** What a listing is about: the provider's network, backscatter, or spam (the catalogue says; else the result). */
function causeOf(x: BlacklistResultLike, zone: ZoneEntry | undefined): ListingCause {
  if (zone ? zone.providerNetwork : x.providerNetwork) return 'provider';
  if (zone) return zone.evidence === 'backscatter' ? 'backscatter' : 'none';
  return (x.evidence?.length ?? 0) > 0 ? 'backscatter' : 'none';
}

/** The server's listings in the last finished check (a cached file from an older version may lack fields). */
function listingsOf(b: BlacklistFacts): VerdictListing[] {
  if (!b.report) return [];
  return b.report.ips.flatMap((ip) => (ip.results as BlacklistResultLike[]).filter((x) => x.status === 'listed').map((x) => {
    const zone = b.zones.get(x.zone);
    return {
      ip: ip.ip,
      list: x.name ?? zone?.name ?? x.zone,
      impact: zone?.impact ?? x.impact ?? 'medium',
      providerNetwork: zone?.providerNetwork ?? x.providerNetwork ?? false,
      cause: causeOf(x, zone),
    };
  }));
}

function autorespondersOf(a: AutoresponderReport): VerdictAutoresponder[] {
  return a.autoresponders.map((r) => ({ address: r.address, active: r.active, answersSpam: r.risks.some((x) => x.code === 'spam-tagged'), risky: r.risks.length > 0 }));
}

/** Everything the verdict weighs, from the facts this viewer may see. */
export function verdictInputOf(f: Pick<Facts, 'viewer' | 'relay' | 'blacklist' | 'autoresponders'>): VerdictInput {
  const b = f.blacklist;
  return {
    isRoot: f.viewer.isRoot,
    relay: { decided: f.relay.verdict !== 'unknown', hosts: f.relay.hosts },
    blacklist: b ? { checked: b.report !== null, complete: b.report !== null && b.report.verdict !== 'unknown', listings: listingsOf(b) } : null,
    autoresponders: autorespondersOf(f.autoresponders),
  };
}

function verdictOf(f: Facts, v: OverallVerdict): DashboardVerdict {
  const r = f.relay;
  const detail = `${r.generation === 'modern' ? 'cPanel 11.52 or later' : 'older cPanel (Antirelayd)'}; relay list ${r.relayList}.`;
  return {
    state: v.tone,
    word: v.word,
    text: v.sentence,
    detail: r.verdict === 'unknown' ? r.problems.map((p) => p.message).join(' ') || detail : detail,
    parts: v.parts,
  };
}

function relayCard(r: ExplainReport): Card {
  const c = r.counts;
  const firstBad = r.hosts.find((h) => h.status === 'unexplained');
  return {
    id: 'relay-list',
    title: 'Relay list',
    state: r.verdict === 'unknown' ? 'grey' : c.unexplained > 0 ? 'red' : c.alwaysrelay > 0 ? 'amber' : 'green',
    sentence: r.verdict === 'unknown'
      ? 'The relay list or the mail logs could not be read.'
      : c.hosts === 0
        ? 'The relay list is empty.'
        : c.unexplained > 0
          ? `${plural(c.unexplained, 'IP')} in the list ${c.unexplained === 1 ? 'has' : 'have'} no successful login behind ${c.unexplained === 1 ? 'it' : 'them'}: look at ${c.unexplained === 1 ? 'it' : 'them'} first.`
          : `Every one of the ${plural(c.hosts, 'IP')} is there because a mailbox logged in from it${c.alwaysrelay ? ' or it was added to /etc/alwaysrelay by hand' : ''}.`,
    evidence: [
      `${plural(c.explained, 'IP')} explained by logins`,
      ...(c.alwaysrelay ? [`${plural(c.alwaysrelay, 'IP')} from /etc/alwaysrelay`] : []),
      ...(c.unexplained ? [`${plural(c.unexplained, 'IP')} with no login behind ${c.unexplained === 1 ? 'it' : 'them'}`] : []),
      ...(c.stale ? [`${plural(c.stale, 'IP')} past the relay window`] : []),
    ],
    link: firstBad
      ? { kind: 'route', label: `Open ${firstBad.ip}`, route: `/ip/${firstBad.ip}` }
      : { kind: 'route', label: 'See the relay IPs', route: '/', fragment: 'rw-relay-list' },
  };
}

/** Lines of the relay list that are not IPs, /etc/alwaysrelay and /etc/skipsmtpcheckhosts, each with its meaning (root only). */
function staticRelayCard(r: ExplainReport, s: StatusReport): Card {
  const entries = staticRelayEntries({
    relayList: r.relayList,
    rejectedLines: r.rejectedLines,
    allowlists: s.allowlists,
    // readAllowlists() puts /etc/alwaysrelay (or the file antirelayd.conf names instead) first
    alwaysrelayPath: s.allowlists[0]?.path ?? '/etc/alwaysrelay',
  });
  const count = (k: StaticRelayEntry['kind']): number => entries.filter((e) => e.kind === k).length;
  const open = count('skipsmtpcheckhosts');
  const always = count('alwaysrelay');
  const rejected = count('rejected-line');
  const parts = [
    ...(open ? [`${plural(open, 'host')} in /etc/skipsmtpcheckhosts, which Exim lets relay without any check`] : []),
    ...(always ? [`${plural(always, 'entry', 'entries')} in /etc/alwaysrelay, which may relay even with POP-before-SMTP off`] : []),
    ...(rejected ? [`${plural(rejected, 'line')} in the relay list that ${rejected === 1 ? 'is' : 'are'} not an IP address`] : []),
  ];
  return {
    id: 'static-relay',
    title: 'Static relay entries',
    state: open || rejected ? 'red' : always ? 'amber' : 'green',
    sentence: parts.length ? `${parts.join('; ')}.` : 'No static relay entries: /etc/alwaysrelay and /etc/skipsmtpcheckhosts are empty or absent, and every line of the relay list is an IP address.',
    evidence: [
      ...entries.slice(0, 12).map((e) => `${e.file}:${e.line} “${e.text}”: ${e.meaning}`),
      ...(entries.length > 12 ? [`… and ${entries.length - 12} more (see the status page)`] : []),
    ],
    link: { kind: 'route', label: 'See every allowlist', route: '/status', fragment: 'rw-allow' },
  };
}

function switchCard(s: StatusReport, expireHostMins: number): Card {
  const p = s.popBeforeSmtp;
  return {
    id: 'pop-before-smtp',
    title: 'POP-before-SMTP relaying',
    state: p.disagreements.length > 0 ? 'amber' : p.relayingAllowed ? 'amber' : 'green',
    sentence: p.relayingAllowed
      ? `On: for about ${expireHostMins} minutes after a POP3/IMAP login, that IP may send mail through this server without a password.`
      : 'Off: the IPs in the list cannot send mail through this server without a password.',
    evidence: [p.why, ...p.disagreements, ...(s.tailwatchd.error ? [s.tailwatchd.error] : [])],
    link: p.relayingAllowed
      ? { kind: 'route', label: 'Turn it off safely', route: '/status/confirm', query: { action: 'disable' } }
      : { kind: 'route', label: 'See the status', route: '/status' },
  };
}

/** The blacklist card; `said` is the overall verdict's sentence about the listings (the same words everywhere). */
function blacklistCard(b: NonNullable<Facts['blacklist']>, said: VerdictPart | undefined): Card {
  const link: Link = { kind: 'route', label: 'Open the blacklist check', route: '/blacklist' };
  const progress = b.progress.running ? { url: '/api/v1/blacklist', done: b.progress.done, total: b.progress.total } : undefined;
  if (!b.report) {
    return {
      id: 'blacklist',
      title: 'Blacklist listings',
      state: 'grey',
      sentence: b.progress.running ? 'The first check of the server’s IPs is running.' : b.problem ?? 'The server’s IPs have not been checked yet.',
      evidence: b.progress.lastError ? [b.progress.lastError] : [],
      link,
      progress,
    };
  }
  const r = b.report;
  const listings = listingsOf(b);
  // Listings of the provider's network never make the card red: they are not about this server.
  const severity: Severity = listings.length ? listingsSeverity(listings) : r.verdict === 'unknown' ? 'unknown' : 'ok';
  const listed = listings.map((l) => `${l.ip} on ${l.list}${l.providerNetwork ? ' (your provider’s network, not this server)' : ''}`);
  return {
    id: 'blacklist',
    title: 'Blacklist listings',
    state: SEVERITY_TONE[severity],
    sentence: listings.length && said ? said.text : r.summary,
    evidence: [...listed.slice(0, 6), ...(listed.length > 6 ? [`… and ${listed.length - 6} more`] : []), `Checked ${when(r.checkedAt)}${b.stale ? ' (older than the refresh interval)' : ''}`],
    link,
    progress,
  };
}

function autoresponderCard(a: AutoresponderReport): Card {
  const risky = a.autoresponders.filter((r) => r.active && r.risks.length > 0);
  const blocked = a.problems.some((p) => p.blocking);
  return {
    id: 'autoresponders',
    title: 'Risky autoresponders',
    state: risky.length > 0 ? 'amber' : blocked ? 'grey' : 'green',
    sentence: risky.length > 0
      ? `${plural(risky.length, 'active autoresponder')} may answer spam and get the server listed (backscatter).`
      : blocked
        ? 'Some files could not be read, so an autoresponder may be missing from this count.'
        : a.counts.total === 0
          ? 'No autoresponder is set up.'
          : `${plural(a.counts.active, 'active autoresponder')}, none of them risky.`,
    evidence: [
      ...risky.slice(0, 5).map((r) => `${r.address}: ${r.risks.map((x) => x.reason).join('; ')}`),
      ...(risky.length > 5 ? [`… and ${risky.length - 5} more`] : []),
      ...a.problems.filter((p) => p.blocking).slice(0, 3).map((p) => p.message),
    ],
    link: { kind: 'route', label: a.counts.total ? 'See the autoresponders' : 'Open the autoresponders page', route: '/autoresponders' },
  };
}

function relianceCard(r: RelianceReport, relayingOn: boolean | null): Card {
  const period = r.period ?? `in the last ${plural(r.days ?? 7, 'day')}`;
  const blocked = (r.problems ?? []).some((p) => p.blocking);
  const n = r.users.length;
  const messages = r.users.reduce((a, u) => a + u.messages, 0);
  return {
    id: 'reliance',
    title: 'Mailboxes relying on POP-before-SMTP',
    state: blocked ? 'grey' : n === 0 ? 'green' : 'amber',
    sentence: blocked
      ? 'Exim’s log could not be read, so who relies on POP-before-SMTP is not known.'
      : n === 0
        ? `No mailbox sent mail without a password through the relay list ${period}${relayingOn === false ? '' : ': turning it off breaks nobody’s mail'}.`
        : `${plural(n, 'mailbox', 'mailboxes')} sent ${plural(messages, 'message')} without a password ${period}: ${relayingOn === false ? 'that mail is now refused' : 'switch them to SMTP authentication before turning it off'}.`,
    evidence: [
      ...r.users.slice(0, 5).map((u) => `${u.user}: ${plural(u.messages, 'message')}${u.lastSeen ? `, last ${when(u.lastSeen)}` : ''}`),
      ...(n > 5 ? [`… and ${n - 5} more`] : []),
      ...(r.authenticated.length ? [`${plural(r.authenticated.length, 'mailbox', 'mailboxes')} already send with SMTP authentication`] : []),
      ...(r.problems ?? []).filter((p) => p.blocking).slice(0, 3).map((p) => p.message),
    ],
    link: { kind: 'route', label: n ? 'See who relies on it' : 'Open the reliance report', route: '/reliance' },
  };
}

const TONE_WORD: Record<Tone, string> = { red: SEVERITY_WORD.critical, amber: SEVERITY_WORD.warning, green: SEVERITY_WORD.ok, grey: SEVERITY_WORD.unknown };

function withWord<T extends { state: Tone; word?: string }>(c: T): T {
  return { ...c, word: c.word ?? TONE_WORD[c.state] };
}

/**
 * The overview. Worked out once per viewer and version of its facts (derivedCache.ts): the verdict
 * weighs every relay IP, and a busy server's overview is asked for many times a second.
 */
export async function dashboard(ctx: CoreContext, viewer: Viewer): Promise<Dashboard> {
  const f = await gather(ctx, viewer);
  return derivedValue(ctx, `dashboard\n${viewerKey(viewer)}`, f.version, () => dashboardOf(f));
}

function dashboardOf(f: Facts): Dashboard {
  const { viewer } = f;
  const overall = overallVerdict(verdictInputOf(f));
  const cards: Card[] = [];
  if (viewer.isRoot) {
    cards.push(relayCard(f.relay));
    if (f.status) cards.push(staticRelayCard(f.relay, f.status));
    if (f.status) cards.push(switchCard(f.status, f.relay.expireHostMins));
    if (f.blacklist) cards.push(blacklistCard(f.blacklist, overall.parts.find((p) => p.topic === 'blacklist')));
  } else {
    cards.push({
      id: 'accounts',
      title: 'Your accounts',
      state: f.relay.verdict === 'unknown' ? 'grey' : f.relay.counts.unexplained > 0 ? 'red' : 'green',
      sentence: `${plural(viewer.accounts.size, 'account')}; ${plural(f.relay.counts.hosts, 'relay IP')} tied to ${viewer.accounts.size === 1 ? 'it' : 'them'} right now.`,
      evidence: [],
      link: { kind: 'route', label: 'Open your accounts', route: '/accounts' },
    });
  }
  cards.push(autoresponderCard(f.autoresponders));
  cards.push(relianceCard(f.reliance, f.status ? f.status.popBeforeSmtp.relayingAllowed : null));
  return {
    viewer: { user: viewer.user, isRoot: viewer.isRoot },
    verdict: verdictOf(f, overall),
    cards: cards.map(withWord),
    relay: f.relay,
    checkedAt: f.relay.checkedAt,
    version: f.version,
  };
}

/** The guided check, worked out once per viewer and version of its facts, as the overview is. */
export async function guide(ctx: CoreContext, viewer: Viewer): Promise<Guide> {
  const f = await gather(ctx, viewer);
  return derivedValue(ctx, `guide\n${viewerKey(viewer)}`, f.version, () => guideOf(f));
}

function guideOf(f: Facts): Guide {
  const { relay, viewer } = f;
  const overall = overallVerdict(verdictInputOf(f));
  const relayPart = overall.parts.find((p) => p.topic === 'relay');
  const steps: GuideStep[] = [];

  if (f.blacklist) {
    const bc = blacklistCard(f.blacklist, overall.parts.find((p) => p.topic === 'blacklist'));
    steps.push({
      id: 'blacklist',
      title: 'Listed where and why',
      question: 'Which blacklists list the server’s IPs, and for what?',
      state: bc.state,
      sentence: bc.sentence,
      evidence: bc.evidence,
      next: bc.state === 'red'
        ? 'Open the blacklist check: each listing says what the list means (backscatter, spam, a whole network) and how it expires. A backscatter listing points at autoresponders (step 3).'
        : bc.state === 'green'
          ? 'Nothing to do here.'
          : 'Open the blacklist check and run it; it takes a minute and runs in the background.',
      link: bc.link,
      progress: bc.progress,
    });
  }

  const bad = relay.hosts.filter((h) => h.status === 'unexplained');
  const rc = relayCard(relay);
  steps.push({
    id: 'relay-list',
    title: 'Who is in the relay list',
    question: 'Why is each of these IPs allowed to relay?',
    state: rc.state,
    sentence: relay.verdict === 'unknown' ? 'Some files could not be read, so this cannot be decided.' : viewer.isRoot ? relay.summary : relayPart?.text ?? relay.summary,
    evidence: relay.hosts.slice(0, 8).map((h) => `${h.ip}: ${h.summary}`).concat(relay.hosts.length > 8 ? [`… and ${relay.hosts.length - 8} more`] : []),
    next: bad.length
      ? `Open ${bad.length === 1 ? 'the IP' : 'each IP'} with no login behind it and read its log lines. A login you do not recognise means a mailbox password has leaked: change it in cPanel » Email Accounts.`
      : 'Nothing to do here: every IP is there because a mailbox logged in from it.',
    link: rc.link,
  });

  if (f.status) {
    const sc = staticRelayCard(relay, f.status);
    steps.push({
      id: 'static-relay',
      title: 'Relay entries no login put there',
      question: 'Which hosts may relay because a file says so, not because a mailbox logged in?',
      state: sc.state,
      sentence: sc.sentence,
      evidence: sc.evidence,
      next: sc.state === 'green'
        ? 'Nothing to do here.'
        : 'Keep only entries that are your own servers: remove the others from the file named (as root, over SSH). Exim reads these files on every connection.',
      link: sc.link,
    });
  }

  const ac = autoresponderCard(f.autoresponders);
  steps.push({
    id: 'autoresponders',
    title: 'What sends the auto-replies',
    question: 'Which autoresponders answer spam (backscatter)?',
    state: ac.state,
    sentence: ac.sentence,
    evidence: ac.evidence,
    next: ac.state === 'amber'
      ? 'Give each risky autoresponder an interval (reply once per sender per day or more), an end date, or turn it off in cPanel » Email » Autoresponders.'
      : ac.state === 'grey'
        ? 'Open the evidence to see which file could not be read; the autoresponders page lists those that were found.'
        : 'Nothing to do here.',
    link: ac.link,
  });

  const lc = relianceCard(f.reliance, f.status ? f.status.popBeforeSmtp.relayingAllowed : null);
  steps.push({
    id: 'reliance',
    title: 'Who relies on POP-before-SMTP',
    question: 'Whose mail stops if POP-before-SMTP is turned off?',
    state: lc.state,
    sentence: lc.sentence,
    evidence: lc.evidence,
    next: f.reliance.users.length && f.status && !f.status.popBeforeSmtp.relayingAllowed
      ? 'POP-before-SMTP is off, so this mail is refused now (“relay not permitted”): ask these mailboxes’ owners to turn on “My outgoing server requires authentication” (SMTP AUTH, port 587) in their mail program.'
      : f.reliance.users.length
      ? 'Ask these mailboxes’ owners to turn on “My outgoing server requires authentication” (SMTP AUTH, port 587) in their mail program before you turn POP-before-SMTP off.'
      : lc.state === 'grey'
        ? 'Without Exim’s log nobody can tell whose mail would stop. Turning POP-before-SMTP off is still safe for mail programs that use SMTP authentication; watch for “relay not permitted” complaints afterwards.'
        : 'Nothing to do here.',
    link: lc.link,
  });

  if (f.status) {
    const p = f.status.popBeforeSmtp;
    steps.push({
      id: 'turn-off',
      title: 'Turn POP-before-SMTP off safely',
      question: 'Can the relay list let anyone send mail without a password?',
      state: p.relayingAllowed ? 'amber' : 'green',
      sentence: p.relayingAllowed
        ? 'It is on: any IP in the list may send mail through this server without a password. Mail programs that use SMTP authentication keep working when it is turned off.'
        : 'It is off.',
      evidence: [p.why, ...p.disagreements],
      next: p.relayingAllowed
        ? 'Open the confirmation: it lists the mailboxes that would be affected and the exact cPanel commands, then makes the change, checks it took and records it in the audit log.'
        : 'Nothing to do here.',
      link: p.relayingAllowed ? { kind: 'route', label: 'Turn it off…', route: '/status/confirm', query: { action: 'disable' } } : null,
    });
    steps.push({
      id: 'confirm',
      title: 'Confirm it took',
      question: 'Does the server really refuse to relay for the listed IPs now?',
      state: p.relayingAllowed ? 'grey' : p.disagreements.length ? 'amber' : 'green',
      sentence: p.relayingAllowed
        ? 'Not yet: relaying is still allowed. Come back here after turning it off.'
        : p.disagreements.length
          ? 'Relaying is off where Exim looks, but the settings disagree with each other.'
          : `Confirmed from ${p.driverActiveFrom} and the files Exim reads: relaying by POP-before-SMTP is off.`,
      evidence: [p.why, ...p.disagreements],
      next: p.relayingAllowed
        ? 'Turn it off (the step above), then check again.'
        : 'Done. The IPs may stay in the list for up to an hour; they can no longer relay.',
      link: p.relayingAllowed ? null : { kind: 'route', label: 'See the status and the audit log', route: '/status' },
    });
  }

  return {
    viewer: { user: viewer.user, isRoot: viewer.isRoot },
    verdict: verdictOf(f, overall),
    steps: steps.map((st) => withWord(st.id === 'confirm' && st.state === 'grey' ? { ...st, word: 'Not yet' } : st)),
    checkedAt: relay.checkedAt,
    version: f.version,
  };
}

export { TWEAK_LINK };
