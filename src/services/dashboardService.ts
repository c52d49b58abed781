/**
 * The admin's first screen and the guided check, as data: a verdict in plain words, then one card
 * per question (green / amber / red, or grey when it could not be decided), each with one sentence,
 * its evidence and where to go next. The guided check walks the same facts in the order an admin
 * thinks them through.
 *
 * A card is built only from a real source. A source this build does not have yet is listed in
 * `unavailable`, never guessed at.
 */
import { Viewer } from '../domain/scope';
import { CoreContext } from './context';
import { explain, ExplainReport } from './explainService';
import { readRelaying } from './relayState';
import { relianceReport, RelianceReport } from './relianceService';

export type Tone = 'green' | 'amber' | 'red' | 'grey';

/** A place to go: a page of relaywatch, or a WHM page (under WHM's /cpsess… prefix). */
export type Link =
  | { kind: 'route'; label: string; route: string; query?: Record<string, string>; fragment?: string }
  | { kind: 'whm'; label: string; path: string; query?: Record<string, string>; where: string };

export interface Card {
  id: string;
  title: string;
  state: Tone;
  sentence: string;
  evidence: string[];
  link: Link | null;
}

export interface GuideStep {
  id: string;
  title: string;
  /** the question this step answers, as the admin would ask it */
  question: string;
  state: Tone;
  sentence: string;
  evidence: string[];
  /** what to do next, in words */
  next: string;
  link: Link | null;
}

export interface Dashboard {
  viewer: { user: string; isRoot: boolean };
  verdict: { state: Tone; text: string; detail: string };
  cards: Card[];
  /** parts this build cannot show yet (their source does not exist) */
  unavailable: string[];
  relay: ExplainReport;
  checkedAt: string;
}

export interface Guide {
  viewer: { user: string; isRoot: boolean };
  steps: GuideStep[];
  unavailable: string[];
  checkedAt: string;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

const TWEAK_LINK: Link = {
  kind: 'whm',
  label: 'Tweak Settings → Mail',
  path: '/scripts2/tweaksettings',
  query: { find: 'popbeforesmtp' },
  where: 'WHM » Server Configuration » Tweak Settings » Mail » “Allow users to relay mail if they use an IP address through which someone has validated an IMAP or POP3 login”',
};

const SERVICE_MANAGER_LINK: Link = {
  kind: 'whm',
  label: 'Service Manager',
  path: '/scripts/srvmng',
  where: 'WHM » Service Configuration » Service Manager » tailwatchd » Antirelayd',
};

function verdictOf(r: ExplainReport, viewer: Viewer): Dashboard['verdict'] {
  const detail = `${r.generation === 'modern' ? 'cPanel 11.52 or later (RecentAuthedMailIpTracker)' : 'older cPanel (Antirelayd)'}; relay list ${r.relayList}.`;
  if (r.verdict === 'unknown') return { state: 'grey', text: 'relaywatch could not decide: some files could not be read.', detail: r.problems.map((p) => p.message).join(' ') || detail };
  if (!viewer.isRoot) {
    const n = r.counts.hosts;
    return n === 0
      ? { state: 'green', text: 'None of your accounts’ mailboxes is in the relay list right now.', detail }
      : { state: 'green', text: `${plural(n, 'relay IP')} ${n === 1 ? 'belongs' : 'belong'} to your accounts, each explained by a POP3/IMAP login.`, detail };
  }
  if (r.verdict === 'unexplained') return { state: 'amber', text: r.summary, detail: `${detail} A successful login from an unknown place usually means a leaked mailbox password, not a hacked server.` };
  return { state: 'green', text: r.summary, detail };
}

function relayCard(r: ExplainReport): Card {
  const c = r.counts;
  const evidence = [
    `${plural(c.explained, 'IP')} explained by logins`,
    ...(c.alwaysrelay ? [`${plural(c.alwaysrelay, 'IP')} from /etc/alwaysrelay`] : []),
    ...(c.unexplained ? [`${plural(c.unexplained, 'IP')} with no login behind ${c.unexplained === 1 ? 'it' : 'them'}`] : []),
    ...(c.stale ? [`${plural(c.stale, 'IP')} past the relay window`] : []),
  ];
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
    evidence,
    link: firstBad
      ? { kind: 'route', label: `Open ${firstBad.ip}`, route: `/ip/${firstBad.ip}` }
      : { kind: 'route', label: 'See the relay hosts', route: '/', fragment: 'rw-relay-list' },
  };
}

async function switchCard(ctx: CoreContext, r: ExplainReport): Promise<Card> {
  const decision = await readRelaying(ctx, r.generation);
  const on = decision.allowed;
  const evidence = [decision.why, ...decision.disagreements];
  const legacy = r.generation === 'legacy';
  return {
    id: 'pop-before-smtp',
    title: 'POP-before-SMTP relaying',
    state: decision.disagreements.length > 0 ? 'amber' : on ? 'amber' : 'green',
    sentence: on
      ? `On: for about ${r.expireHostMins} minutes after a POP3/IMAP login, that IP may send mail through this server without a password.`
      : 'Off: the IPs in the list cannot send mail through this server without a password.',
    evidence,
    link: legacy ? SERVICE_MANAGER_LINK : TWEAK_LINK,
  };
}

function relianceCard(r: RelianceReport, relayingOn: boolean | null): Card {
  const days = r.days ?? 7;
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
        ? `No mailbox sent mail without a password through the relay list in the last ${plural(days, 'day')}${relayingOn === false ? '' : ': turning it off breaks nobody’s mail'}.`
        : `${plural(n, 'mailbox', 'mailboxes')} sent ${plural(messages, 'message')} without a password in the last ${plural(days, 'day')}: ${relayingOn === false ? 'that mail is now refused' : 'switch them to SMTP authentication before turning it off'}.`,
    evidence: [
      ...r.users.slice(0, 5).map((u) => `${u.user}: ${plural(u.messages, 'message')}${u.lastSeen ? `, last ${u.lastSeen.replace('T', ' ').slice(0, 16)} UTC` : ''}`),
      ...(n > 5 ? [`… and ${n - 5} more`] : []),
      ...(r.authenticated.length ? [`${plural(r.authenticated.length, 'mailbox', 'mailboxes')} already send with SMTP authentication`] : []),
    ],
    link: null,
  };
}

/** Sources this build does not have yet; each becomes a card when its service exists. */
function unavailableParts(viewer: Viewer): string[] {
  return [
    ...(viewer.isRoot ? ['Blacklist listings'] : []),
    'Risky autoresponders',
  ];
}

export async function dashboard(ctx: CoreContext, viewer: Viewer): Promise<Dashboard> {
  const relay = await explain(ctx, viewer);
  const reliance = await relianceReport(ctx, viewer, { days: ctx.config.evidence.days });
  const cards: Card[] = [];
  if (viewer.isRoot) {
    cards.push(relayCard(relay));
    cards.push(await switchCard(ctx, relay));
    cards.push(relianceCard(reliance, relay.relaying.allowed));
  } else {
    cards.push({
      id: 'accounts',
      title: 'Your accounts',
      state: relay.verdict === 'unknown' ? 'grey' : 'green',
      sentence: `${plural(viewer.accounts.size, 'account')}; ${plural(relay.counts.hosts, 'relay IP')} tied to ${viewer.accounts.size === 1 ? 'it' : 'them'} right now.`,
      evidence: [],
      link: { kind: 'route', label: 'Open your accounts', route: '/accounts' },
    });
    cards.push(relianceCard(reliance, null));
  }
  return {
    viewer: { user: viewer.user, isRoot: viewer.isRoot },
    verdict: verdictOf(relay, viewer),
    cards,
    unavailable: unavailableParts(viewer),
    relay,
    checkedAt: relay.checkedAt,
  };
}

export async function guide(ctx: CoreContext, viewer: Viewer): Promise<Guide> {
  const relay = await explain(ctx, viewer);
  const steps: GuideStep[] = [];
  const c = relay.counts;
  const bad = relay.hosts.filter((h) => h.status === 'unexplained');

  steps.push({
    id: 'relay-list',
    title: 'Who is in the relay list',
    question: 'Why is each of these IPs allowed to relay?',
    state: relay.verdict === 'unknown' ? 'grey' : bad.length ? 'red' : c.alwaysrelay ? 'amber' : 'green',
    sentence: relay.verdict === 'unknown' ? 'Some files could not be read, so this cannot be decided.' : relay.summary,
    evidence: relay.hosts.slice(0, 8).map((h) => `${h.ip}: ${h.summary}`).concat(relay.hosts.length > 8 ? [`… and ${relay.hosts.length - 8} more`] : []),
    next: bad.length
      ? `Open ${bad.length === 1 ? 'the IP' : 'each IP'} with no login behind it and read its log lines. A login you do not recognise means a mailbox password has leaked: change it in cPanel » Email Accounts.`
      : 'Nothing to do here: every IP is there because a mailbox logged in from it.',
    link: bad.length ? { kind: 'route', label: `Open ${bad[0].ip}`, route: `/ip/${bad[0].ip}` } : { kind: 'route', label: 'See the relay hosts', route: '/', fragment: 'rw-relay-list' },
  });

  const reliance = await relianceReport(ctx, viewer, { days: ctx.config.evidence.days });
  const rc = relianceCard(reliance, relay.relaying.allowed);
  steps.push({
    id: 'reliance',
    title: 'Who relies on POP-before-SMTP',
    question: 'Whose mail stops if POP-before-SMTP is turned off?',
    state: rc.state,
    sentence: rc.sentence,
    evidence: rc.evidence,
    next: reliance.users.length
      ? 'Tell these mailboxes’ owners to turn on “My outgoing server requires authentication” (SMTP AUTH, port 587) in their mail program before you turn POP-before-SMTP off.'
      : 'Nothing to do here.',
    link: rc.link,
  });

  if (viewer.isRoot) {
    const decision = await readRelaying(ctx, relay.generation);
    const legacy = relay.generation === 'legacy';
    steps.push({
      id: 'turn-off',
      title: 'Turn POP-before-SMTP off safely',
      question: 'Can the relay list let anyone send mail without a password?',
      state: decision.allowed ? 'amber' : 'green',
      sentence: decision.allowed
        ? 'It is on: any IP in the list may send mail through this server without a password. Mail clients that use SMTP authentication keep working when it is turned off.'
        : 'It is already off.',
      evidence: [decision.why, ...decision.disagreements],
      next: decision.allowed
        ? legacy
          ? 'In WHM, open Service Manager and turn off the Antirelayd driver of tailwatchd.'
          : 'In WHM, open Tweak Settings, tab Mail, and set the POP-before-SMTP relay setting to Off.'
        : 'Nothing to do here.',
      link: decision.allowed ? (legacy ? SERVICE_MANAGER_LINK : TWEAK_LINK) : null,
    });
    steps.push({
      id: 'confirm',
      title: 'Confirm it took',
      question: 'Does the server really refuse to relay for the listed IPs now?',
      state: decision.allowed ? 'grey' : decision.disagreements.length ? 'amber' : 'green',
      sentence: decision.allowed
        ? 'Not yet: relaying is still allowed. Come back here after turning it off.'
        : decision.disagreements.length
          ? 'Relaying is off where Exim looks, but the settings disagree with each other.'
          : 'Confirmed from the files Exim and tailwatchd read: relaying by POP-before-SMTP is off.',
      evidence: [decision.why, ...decision.disagreements],
      next: decision.allowed ? 'Turn it off (the step above), then reload this page.' : 'Done. The listed IPs may stay in the list for up to an hour; they can no longer relay.',
      link: { kind: 'route', label: 'Check again', route: '/guide' },
    });
  }

  return {
    viewer: { user: viewer.user, isRoot: viewer.isRoot },
    steps,
    unavailable: viewer.isRoot
      ? ['Listed where and why (blacklist check)', 'What sends the auto-replies (autoresponders)']
      : ['What sends the auto-replies (autoresponders)'],
    checkedAt: relay.checkedAt,
  };
}
