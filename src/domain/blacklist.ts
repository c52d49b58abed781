/**
 * What the blacklist check found and what to do about it. Pure: classified answers and the zone
 * catalogue in; per-IP results with the plain meaning, the delisting path and the evidence on this
 * server out, plus the overall verdict.
 */
import { classifyAnswer, ClassifiedAnswer, DnsOutcome, ListingStatus } from '../parsers/dnsblAnswer';
import { Impact, ZoneEntry } from '../parsers/dnsblZones';

/** A link to the page on this server that holds the evidence (route + query, rendered with url()). */
export interface EvidenceLink {
  label: string;
  route: string;
  query: Record<string, string>;
}

export interface BlacklistResult {
  zone: string;
  name: string;
  status: ListingStatus;
  /** A answers (the return codes) */
  codes: string[];
  /** TXT answers (only asked when listed), cleaned */
  txt: string[];
  /** why the status is unknown; null otherwise */
  reason: string | null;
  /** what this result means, in plain words */
  meaning: string;
  /** how to get off the list, with its typical expiry */
  delisting: string;
  impact: Impact;
  providerNetwork: boolean;
  /** the next step for a listing; null when not listed */
  nextStep: string | null;
  /** where on this server to look (listings only) */
  evidence: EvidenceLink[];
  /**
   * a time found in the TXT answer ("YYYY-MM-DD[ HH:MM[:SS][ zone]]"), null when none. Lists write
   * different times there (Backscatterer and UCEPROTECT the last hit, others when the listing
   * began), so it goes with the label its own wording gives it.
   */
  txtTime: string | null;
  /** what that time is, from the answer's wording: "Last hit", "Listed since", or "Time in the list's answer" */
  txtTimeLabel: string | null;
}

export interface SelfTestResult {
  zone: string;
  name: string;
  ok: boolean;
  reason: string | null;
}

export interface NotQueried {
  zone: string;
  name: string;
  reason: string;
}

export type BlacklistVerdict = 'clean' | 'listed' | 'unknown';

/** RFC 5782 §5: 127.0.0.2 must be listed, 127.0.0.1 must not. */
export function selfTestResult(zone: ZoneEntry, testListed: DnsOutcome<string[]>, testNotListed: DnsOutcome<string[]>): SelfTestResult {
  // The list's caveat is said once for the whole test, not once per test entry.
  const bare = { ...zone, caveat: null };
  const two = classifyAnswer(bare, testListed);
  const one = classifyAnswer(bare, testNotListed);
  const reasons: string[] = [];
  if (two.status === 'unknown') reasons.push(`the test entry 127.0.0.2 gave no usable answer: ${two.reason}`);
  if (two.status === 'clean') reasons.push('the test entry 127.0.0.2 is not listed, so the list is not answering normally (it may be dead, or block this resolver)');
  if (one.status === 'listed') reasons.push(`127.0.0.1 is listed (${one.codes.join(', ')}), so the list answers "listed" to everything`);
  if (one.status === 'unknown') reasons.push(`the test entry 127.0.0.1 gave no usable answer: ${one.reason}`);
  if (reasons.length === 0) return { zone: zone.zone, name: zone.name, ok: true, reason: null };
  const reason = reasons.join('; ') + (zone.caveat ? `. ${zone.caveat}` : '');
  return { zone: zone.zone, name: zone.name, ok: false, reason };
}

/** An answer from a list that failed its self-test cannot be trusted either way. */
export function distrust(c: ClassifiedAnswer, test: SelfTestResult): ClassifiedAnswer {
  if (test.ok) return c;
  if (c.status === 'unknown') return { ...c, reason: `${(c.reason ?? '').replace(/\.$/, '')}; the list also failed its self-test` };
  const said = c.status === 'listed' ? `listed (${c.codes.join(', ')})` : 'not listed';
  return { ...c, status: 'unknown', reason: `the list failed its self-test (${(test.reason ?? '').replace(/\.$/, '')}), so its answer "${said}" cannot be trusted` };
}

const DATE_ISO = /\b(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?(?:\s?(Z|UTC|GMT|[+-]\d{2}:?\d{2})\b)?)?/;
const DATE_DMY = /\b(\d{2})\.(\d{2})\.(\d{4})\b/;

/**
 * A listing time written in a TXT answer, else null: ISO `2024-05-01[ 13:45[:10][ UTC|Z|+02:00]]`
 * or `01.05.2024`. Returned as "YYYY-MM-DD[ HH:MM[:SS][ zone]]" (without a zone it is the list's
 * local time, unknown to us, and is taken as the server's by the backscatter page).
 */
export function listingTimeFromTxt(txt: string[]): string | null {
  for (const t of txt) {
    const iso = DATE_ISO.exec(t);
    const dmy = iso ? null : DATE_DMY.exec(t);
    const [y, mo, d] = iso ? [iso[1], iso[2], iso[3]] : dmy ? [dmy[3], dmy[2], dmy[1]] : [];
    if (!y || Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31) continue;
    const date = `${y}-${mo}-${d}`;
    if (!iso?.[4] || Number(iso[4]) > 23 || Number(iso[5]) > 59) return date;
    const zone = iso[7] ? ` ${iso[7] === 'GMT' ? 'UTC' : iso[7]}` : '';
    return `${date} ${iso[4]}:${iso[5]}${iso[6] ? `:${iso[6]}` : ''}${zone}`;
  }
  return null;
}

/**
 * What the time in a TXT answer is, from the words just before it: the last hit, the first hit, the
 * start of the listing, or, when the answer does not say, just a time the list gave.
 */
export function txtTimeLabel(txt: string[]): string {
  for (const t of txt) {
    const m = DATE_ISO.exec(t) ?? DATE_DMY.exec(t);
    if (!m) continue;
    const before = t.slice(Math.max(0, m.index - 40), m.index);
    if (/\blast\b[^0-9]*$/i.test(before)) return 'Last hit';
    if (/\bfirst\b[^0-9]*$/i.test(before)) return 'First hit';
    if (/\b(?:since|listed|added)\b[^0-9]*$/i.test(before)) return 'Listed since';
    return "Time in the list's answer";
  }
  return "Time in the list's answer";
}

/** True when a listing time holds a time of day (the backscatter page needs one to centre its window). */
function hasTimeOfDay(txtTime: string | null): txtTime is string {
  return txtTime !== null && /\d{2}:\d{2}/.test(txtTime);
}

/**
 * The pages that hold the evidence: the autoresponders, and the bounces to forged senders around
 * the listing time when the list gave one (the backscatter page takes it as `at`).
 */
function evidenceFor(zone: ZoneEntry, txtTime: string | null): EvidenceLink[] {
  if (zone.evidence !== 'backscatter') return [];
  return [
    { label: 'Autoresponders on this server (replies to forged senders)', route: '/autoresponders', query: {} },
    { label: 'Null-sender bounces this server sent (backscatter)', route: '/backscatter', query: hasTimeOfDay(txtTime) ? { at: txtTime } : {} },
  ];
}

function nextStepFor(zone: ZoneEntry): string {
  if (zone.providerNetwork) {
    return "Nothing to fix on this server: it is your provider's network. Check that this IP is not listed on its own (UCEPROTECT Level 1), and tell your provider.";
  }
  if (zone.evidence === 'backscatter') {
    return 'Look at the autoresponders and the bounces to forged senders this server sent (links below), stop the ones that answer spam, then follow the delisting path.';
  }
  return 'Find what sent the mail from this IP (compromised mailboxes, scripts, forms), stop it, then follow the delisting path.';
}

/** One IP's result on one list, with everything a person needs to act on it. */
export function buildResult(zone: ZoneEntry, c: ClassifiedAnswer, txt: string[]): BlacklistResult {
  const txtTime = c.status === 'listed' ? listingTimeFromTxt(txt) : null;
  let meaning: string;
  if (c.status === 'listed') {
    const codes = c.codes.map((code) => `${code}: ${zone.codes[code] ?? "a return code this catalogue does not describe; the list's general meaning applies."}`);
    meaning = [zone.listing, ...codes].join(' ');
  } else if (c.status === 'clean') {
    meaning = `Not listed on ${zone.name}.`;
  } else {
    meaning = `Could not tell whether this IP is on ${zone.name}. A listing there would mean: ${zone.listing}`;
  }
  return {
    zone: zone.zone,
    name: zone.name,
    status: c.status,
    codes: c.codes,
    txt,
    reason: c.reason,
    meaning,
    delisting: `${zone.delisting} Typical expiry: ${zone.expiry}.`,
    impact: zone.impact,
    providerNetwork: zone.providerNetwork,
    nextStep: c.status === 'listed' ? nextStepFor(zone) : null,
    evidence: c.status === 'listed' ? evidenceFor(zone, txtTime) : [],
    txtTime,
    txtTimeLabel: txtTime === null ? null : txtTimeLabel(txt),
  };
}

/** Lists an IP is not asked, and why (defunct or switched off, or IPv4-only lists for an IPv6 address). */
export function notQueriedFor(zones: ZoneEntry[], ip: string): NotQueried[] {
  const out: NotQueried[] = [];
  for (const z of zones) {
    if (!z.query) out.push({ zone: z.zone, name: z.name, reason: z.defunct ?? 'switched off in the zone catalogue (query: false)' });
    else if (ip.includes(':') && !z.ipv6) out.push({ zone: z.zone, name: z.name, reason: 'this list publishes IPv4 entries only' });
  }
  return out;
}

export function zonesToAsk(zones: ZoneEntry[], ip: string): ZoneEntry[] {
  return zones.filter((z) => z.query && (z.ipv6 || !ip.includes(':')));
}

export interface VerdictInput {
  ips: Array<{ ip: string; skipped: string | null; results: BlacklistResult[] }>;
  /** a problem that keeps the IP list from being complete (e.g. an unreadable cPanel file) */
  incomplete: boolean;
}

export interface BlacklistCounts {
  ips: number;
  checkedIps: number;
  skippedIps: number;
  listings: number;
  listedIps: number;
  unknown: number;
  clean: number;
}

export function countResults(input: VerdictInput): BlacklistCounts {
  const checked = input.ips.filter((i) => i.skipped === null);
  const all = checked.flatMap((i) => i.results);
  return {
    ips: input.ips.length,
    checkedIps: checked.length,
    skippedIps: input.ips.length - checked.length,
    listings: all.filter((r) => r.status === 'listed').length,
    listedIps: checked.filter((i) => i.results.some((r) => r.status === 'listed')).length,
    unknown: all.filter((r) => r.status === 'unknown').length,
    clean: all.filter((r) => r.status === 'clean').length,
  };
}

/** listed beats unknown beats clean: a listing is the thing to act on even when other checks failed. */
export function blacklistVerdict(input: VerdictInput): BlacklistVerdict {
  const c = countResults(input);
  if (c.listings > 0) return 'listed';
  if (c.unknown > 0 || c.checkedIps === 0 || input.incomplete) return 'unknown';
  return 'clean';
}

export function blacklistSummary(input: VerdictInput, zonesAsked: number): string {
  const c = countResults(input);
  const verdict = blacklistVerdict(input);
  const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
  const unknownNote = c.unknown > 0 ? `; ${plural(c.unknown, 'check')} could not be done` : '';
  if (verdict === 'listed') {
    const listed = input.ips.filter((i) => i.results.some((r) => r.status === 'listed'));
    // Listings of the provider's network are said as such: they are not about this server.
    const provider = input.ips.flatMap((i) => i.results.filter((r) => r.status === 'listed' && r.providerNetwork));
    const providerNames = [...new Set(provider.map((r) => r.name))];
    if (listed.length === 1) {
      const names = listed[0].results.filter((r) => r.status === 'listed').map((r) => r.name);
      const note = providerNames.length ? ` (${providerNames.join(', ')}: your provider's network, not this server)` : '';
      return `${listed[0].ip} is listed on ${names.join(', ')}${note}${unknownNote}.`;
    }
    const note = provider.length ? `, ${provider.length} of them of your provider's network, not this server` : '';
    return `${plural(c.listedIps, 'IP')} of this server ${c.listedIps === 1 ? 'is' : 'are'} listed (${plural(c.listings, 'listing')}${note})${unknownNote}.`;
  }
  if (c.checkedIps === 0) {
    return c.ips === 0
      ? 'No server IP was found to check (see the problems below).'
      : `No public IP to check: all ${plural(c.ips, 'address', 'addresses')} found are private, loopback or link-local.`;
  }
  if (verdict === 'unknown' && c.unknown === 0) return `No listing found, but the list of the server's IPs may be incomplete (see the problems below).`;
  if (verdict === 'unknown') return `No listing found, but ${plural(c.unknown, 'check')} could not be done, so this is not a clean bill.`;
  return `None of the server's ${plural(c.checkedIps, 'IP')} is listed on the ${plural(zonesAsked, 'list')} checked.`;
}

/**
 * How much one listing weighs by itself: 0 for a list of the provider's network (UCEPROTECT 2/3: not
 * about this server, nothing to fix here), 1 for a low-impact list (worth a look), 2 for any other
 * (needs attention). The exit status and the overview's blacklist card both go by it, so they agree.
 */
export function listingWeight(l: Pick<BlacklistResult, 'impact' | 'providerNetwork'>): 0 | 1 | 2 {
  if (l.providerNetwork) return 0;
  return l.impact === 'low' ? 1 : 2;
}

/**
 * The exit status: the heaviest listing's weight; with none that weighs, 3 while any check could not
 * be done or the server's IPs may be incomplete (not a clean bill), else 0.
 */
export function blacklistExitCode(input: VerdictInput): number {
  const results = input.ips.flatMap((i) => i.results);
  const weight = Math.max(0, ...results.filter((r) => r.status === 'listed').map(listingWeight));
  if (weight > 0) return weight;
  const c = countResults(input);
  return c.unknown > 0 || c.checkedIps === 0 || input.incomplete ? 3 : 0;
}
