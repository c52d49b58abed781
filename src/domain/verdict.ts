/**
 * The one sentence that answers the admin's question, "was I hacked?", built from all the evidence
 * and weighted by impact. Pure: the relay hosts, the blacklist listings, the autoresponders and the
 * switch's state in; the sentence, its severity and its parts out. The overview, the guided check
 * and `relaywatch overview` all print this sentence, so every face says the same thing.
 *
 * Order and weight:
 * - a sign of a break-in (a mailbox that logged in after repeated failed passwords) leads;
 * - then the server's own blacklist listings, with their cause when this server shows it (an
 *   autoresponder answering spam for a backscatter list); listings of the provider's network are
 *   said in the same breath but never count as this server's problem;
 * - then the relay IPs nobody's login explains (and how many show password guessing);
 * - then risky autoresponders not already named as a cause.
 * A calm server gets the reassurance and what was checked.
 */
import type { HostStatus } from './explain';
import type { FailedLogins } from './failedLogins';
import { listingWeight } from './blacklist';

export type Severity = 'critical' | 'warning' | 'ok' | 'unknown';

/** The word shown beside every state, so no state is told by colour alone. */
export const SEVERITY_WORD: Record<Severity, string> = {
  critical: 'Needs attention',
  warning: 'Worth a look',
  ok: 'Fine',
  unknown: 'Not known',
};

export type Tone = 'red' | 'amber' | 'green' | 'grey';
export const SEVERITY_TONE: Record<Severity, Tone> = { critical: 'red', warning: 'amber', ok: 'green', unknown: 'grey' };
export const TONE_SEVERITY: Record<Tone, Severity> = { red: 'critical', amber: 'warning', green: 'ok', grey: 'unknown' };
const RANK: Record<Severity, number> = { ok: 0, unknown: 1, warning: 2, critical: 3 };

/** What the verdict needs of a relay host (a RelayHost of the explainer has all of it). */
export interface VerdictHost {
  ip: string;
  status: HostStatus;
  users: readonly string[];
  /** failed logins from this IP, when the report carries them (targetsMailboxes: names tried are this server's mailboxes) */
  failedLogins?: (Pick<FailedLogins, 'count' | 'users'> & { targetsMailboxes?: boolean }) | null;
}

export type ListingCause = 'backscatter' | 'provider' | 'none';

export interface VerdictListing {
  ip: string;
  /** the list's name (Backscatterer, UCEPROTECT Level 3, …) */
  list: string;
  impact: 'low' | 'medium' | 'high';
  providerNetwork: boolean;
  cause: ListingCause;
}

export interface VerdictAutoresponder {
  address: string;
  active: boolean;
  /** spam reached it in the period and it answers the forged senders */
  answersSpam: boolean;
  /** any backscatter risk (no interval, no end date, spam, high volume) */
  risky: boolean;
}

export interface VerdictInput {
  isRoot: boolean;
  relay: { decided: boolean; hosts: readonly VerdictHost[] };
  /** root only; null when this viewer is not shown the server's listings */
  blacklist: { checked: boolean; complete: boolean; listings: readonly VerdictListing[] } | null;
  autoresponders: readonly VerdictAutoresponder[];
}

export type Topic = 'break-in' | 'blacklist' | 'relay' | 'autoresponders';

export interface VerdictPart {
  topic: Topic;
  severity: Severity;
  /** one sentence, ending with a full stop */
  text: string;
}

export interface OverallVerdict {
  severity: Severity;
  tone: Tone;
  /** the severity in words */
  word: string;
  /** the whole answer: the lead and the parts that matter */
  sentence: string;
  /** "No sign of a break-in." or what is wrong, first */
  lead: string;
  parts: VerdictPart[];
}

/** Failed attempts from an IP that then logged in before a mailbox counts as a password that may have been guessed. */
export const GUESSED_AFTER_FAILURES = 5;

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** "a", "a and b", "a, b and c" */
export function listWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** "the autoresponder of a", "the autoresponders of a and b", "the autoresponders of a and 3 others" */
function autoresponderNames(addresses: readonly string[]): string {
  if (addresses.length === 1) return `the autoresponder of ${addresses[0]}`;
  if (addresses.length === 2) return `the autoresponders of ${addresses[0]} and ${addresses[1]}`;
  return `the autoresponders of ${addresses[0]} and ${addresses.length - 1} others`;
}

const failures = (h: VerdictHost): number => h.failedLogins?.count ?? 0;
/** Password guessing: failed logins against this server's mailboxes (as the relay report counts it). */
const guessing = (h: VerdictHost): boolean => failures(h) > 0 && (h.failedLogins?.targetsMailboxes ?? true);

/** Explained hosts whose login came after repeated failed passwords for a name that then logged in. */
export function guessedLogins(hosts: readonly VerdictHost[]): VerdictHost[] {
  return hosts.filter((h) => {
    if (h.status !== 'explained' || failures(h) < GUESSED_AFTER_FAILURES) return false;
    const tried = new Set(h.failedLogins!.users);
    return h.users.some((u) => tried.has(u));
  });
}

function breakInPart(hosts: readonly VerdictHost[]): VerdictPart | null {
  const guessed = guessedLogins(hosts);
  if (!guessed.length) return null;
  const h = guessed[0];
  const tried = new Set(h.failedLogins!.users);
  const user = h.users.find((u) => tried.has(u))!;
  const more = guessed.length > 1 ? ` (and ${plural(guessed.length - 1, 'other IP')} like it)` : '';
  return {
    topic: 'break-in',
    severity: 'critical',
    text: `The password of ${user} may have been guessed: ${h.ip} logged in after ${plural(failures(h), 'failed attempt')}${more}; change it.`,
  };
}

function blacklistPart(b: NonNullable<VerdictInput['blacklist']>, autoresponders: readonly VerdictAutoresponder[]): { part: VerdictPart | null; named: Set<string> } {
  const named = new Set<string>();
  if (!b.checked) return { part: { topic: 'blacklist', severity: 'unknown', text: 'The blacklists have not been checked yet.' }, named };
  const own = b.listings.filter((l) => !l.providerNetwork);
  const provider = b.listings.filter((l) => l.providerNetwork);
  const clauses: string[] = [];
  let severity: Severity = 'ok';

  const spamAnswering = autoresponders.filter((a) => a.active && a.answersSpam).map((a) => a.address);
  const risky = autoresponders.filter((a) => a.active && a.risky && !a.answersSpam).map((a) => a.address);
  const byIp = new Map<string, VerdictListing[]>();
  for (const l of own) byIp.set(l.ip, [...(byIp.get(l.ip) ?? []), l]);
  for (const [ip, ls] of byIp) {
    const names = listWords([...new Set(ls.map((l) => l.list))]);
    let why = '';
    if (ls.some((l) => l.cause === 'backscatter')) {
      if (spamAnswering.length) {
        why = ` because ${autoresponderNames(spamAnswering)} ${spamAnswering.length === 1 ? 'answers' : 'answer'} spam`;
        spamAnswering.forEach((a) => named.add(a));
      } else if (risky.length) {
        why = `, likely backscatter: ${autoresponderNames(risky)} may answer spam`;
        risky.forEach((a) => named.add(a));
      } else {
        why = ' for backscatter (bounces or auto-replies to forged senders)';
      }
    } else {
      why = ': mail from it was reported as spam, so find what sent it';
    }
    clauses.push(`${ip} is on ${names}${why}`);
    for (const l of ls) {
      const s: Severity = l.impact === 'low' ? 'warning' : 'critical';
      if (RANK[s] > RANK[severity]) severity = s;
    }
  }
  if (provider.length) {
    const names = [...new Set(provider.map((l) => l.list))];
    const say = `${listWords(names)} ${names.length === 1 ? 'lists' : 'list'} your provider's network, not this server`;
    clauses.push(own.length ? say : `Not listed on its own: ${say}`);
  }
  if (!clauses.length) {
    if (!b.complete) return { part: { topic: 'blacklist', severity: 'unknown', text: 'No blacklist listing found, but some lists could not be checked.' }, named };
    return { part: { topic: 'blacklist', severity: 'ok', text: 'No blacklist lists the server’s IPs.' }, named };
  }
  const text = clauses.join('; ');
  return { part: { topic: 'blacklist', severity, text: `${text.charAt(0).toUpperCase()}${text.slice(1)}.` }, named };
}

function relayPart(input: VerdictInput): VerdictPart | null {
  const { hosts, decided } = input.relay;
  if (!decided) return null;
  const bad = hosts.filter((h) => h.status === 'unexplained');
  if (!bad.length) {
    // (a login after repeated failures for that mailbox is said as a possible break-in instead)
    const already = new Set(guessedLogins(hosts));
    const tried = hosts.filter((h) => h.status !== 'unexplained' && guessing(h) && !already.has(h)).length;
    if (tried > 0) {
      return {
        topic: 'relay',
        severity: 'warning',
        text: `${tried === hosts.length ? (tried === 1 ? 'The one relay IP' : `All ${tried} relay IPs`) : plural(tried, 'relay IP')} also ${tried === 1 ? 'shows' : 'show'} password guessing against this server's mailboxes: make sure the logins from ${tried === 1 ? 'it' : 'them'} were the mailboxes' owners.`,
      };
    }
    if (!hosts.length) {
      return { topic: 'relay', severity: 'ok', text: input.isRoot ? 'The relay list is empty.' : 'No relay IP is tied to your accounts.' };
    }
    const always = hosts.some((h) => h.status === 'alwaysrelay');
    return {
      topic: 'relay',
      severity: 'ok',
      text: hosts.length === 1
        ? `The one relay IP is explained by ${always ? '/etc/alwaysrelay' : 'a POP3/IMAP login'}.`
        : `All ${hosts.length} relay IPs are explained by POP3/IMAP logins${always ? ' or /etc/alwaysrelay' : ''}.`,
    };
  }
  const guessed = bad.filter(guessing).length;
  const n = bad.length;
  let text = `${plural(n, 'relay IP')} ${n === 1 ? 'has' : 'have'} no login behind ${n === 1 ? 'it' : 'them'}`;
  if (guessed > 0) text += n === 1 ? ': it shows password guessing' : guessed === n ? ': all of them show password guessing' : `: ${guessed} of them ${guessed === 1 ? 'shows' : 'show'} password guessing`;
  return { topic: 'relay', severity: 'critical', text: `${text}.` };
}

function autoresponderPart(autoresponders: readonly VerdictAutoresponder[], named: Set<string>): VerdictPart | null {
  const risky = autoresponders.filter((a) => a.active && (a.risky || a.answersSpam) && !named.has(a.address));
  if (!risky.length) return null;
  const spam = risky.filter((a) => a.answersSpam);
  const n = risky.length;
  return {
    topic: 'autoresponders',
    severity: 'warning',
    text: spam.length
      ? `${autoresponderNames(spam.map((a) => a.address)).replace(/^t/, 'T')} ${spam.length === 1 ? 'answers' : 'answer'} spam, which can get the server listed.`
      : `${plural(n, 'active autoresponder')} may answer spam (${risky.slice(0, 2).map((a) => a.address).join(', ')}${n > 2 ? ', …' : ''}).`,
  };
}

export function overallVerdict(input: VerdictInput): OverallVerdict {
  const parts: VerdictPart[] = [];
  const breakIn = input.relay.decided ? breakInPart(input.relay.hosts) : null;
  if (breakIn) parts.push(breakIn);
  let named = new Set<string>();
  if (input.blacklist) {
    const b = blacklistPart(input.blacklist, input.autoresponders);
    named = b.named;
    if (b.part) parts.push(b.part);
  }
  const relay = relayPart(input);
  if (relay) parts.push(relay);
  const auto = autoresponderPart(input.autoresponders, named);
  if (auto) parts.push(auto);

  // Worst first; among equals the order above (break-in, listings, relay list, autoresponders), except
  // that a calm answer starts with the relay list, the question the admin came with.
  const tie = (p: VerdictPart, i: number): number => (p.severity === 'ok' && p.topic === 'relay' ? -1 : i);
  const ordered = parts.map((p, i) => ({ p, i: tie(p, i) })).sort((a, b) => RANK[b.p.severity] - RANK[a.p.severity] || a.i - b.i).map((x) => x.p);
  let severity: Severity = ordered.reduce<Severity>((s, p) => (p.severity !== 'unknown' && RANK[p.severity] > RANK[s] ? p.severity : s), 'ok');
  if (!input.relay.decided && severity !== 'critical') severity = 'unknown';

  const spamListing = input.blacklist?.listings.some((l) => !l.providerNetwork && l.cause === 'none') ?? false;
  const lead = breakIn
    ? 'Possible break-in.'
    : !input.relay.decided
      ? 'relaywatch could not decide: some files could not be read.'
      : input.isRoot
        ? spamListing ? 'No sign of a break-in in the mail logins.' : 'No sign of a break-in.'
        : 'No sign of a break-in among your accounts.';
  // A worried server hears what is wrong; a calm one hears what was checked, then what is not known.
  const worried = ordered.some((p) => p.severity === 'critical' || p.severity === 'warning');
  const said = worried
    ? ordered.filter((p) => p.severity !== 'ok')
    : [...ordered.filter((p) => p.severity === 'ok'), ...ordered.filter((p) => p.severity !== 'ok')];
  return {
    severity,
    tone: SEVERITY_TONE[severity],
    word: SEVERITY_WORD[severity],
    sentence: [lead, ...said.map((p) => p.text)].join(' '),
    lead,
    parts: ordered,
  };
}

const WEIGHT_SEVERITY: Record<0 | 1 | 2, Severity> = { 0: 'ok', 1: 'warning', 2: 'critical' };

/** The severity of a blacklist result by itself (its card): provider listings never make it red. */
export function listingsSeverity(listings: readonly VerdictListing[]): Severity {
  let s: Severity = 'ok';
  for (const l of listings) {
    const ls = WEIGHT_SEVERITY[listingWeight(l)];
    if (RANK[ls] > RANK[s]) s = ls;
  }
  return s;
}
