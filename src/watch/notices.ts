/**
 * What deserves a mail to the server's contact right now, with its evidence. Pure: the monitoring
 * facts and the relay report in, one notice per IP and event out. The notifier decides which of
 * them are new.
 */
import { NotifyEvent } from '../config/config';
import { RelayHost } from '../domain/explain';
import { ExplainReport } from '../services/explainService';
import { WatchFacts } from './facts';

export interface Notice {
  /** once per key: "unexplained:IP", "pop-before-smtp:on", "listed:IP:zone" */
  key: string;
  event: NotifyEvent;
  subject: string;
  /** the evidence, one fact per line */
  evidence: string[];
  /** the page that shows it (a plugin route) */
  route: string;
  /** what to do, in words */
  next: string;
}

export interface CurrentNotices {
  notices: Notice[];
  /** keys whose condition is known to have ended (a later occurrence is a new event) */
  ended: (key: string) => boolean;
}

function unexplainedNotice(h: RelayHost, r: ExplainReport, host: string): Notice {
  return {
    key: `unexplained:${h.ip}`,
    event: 'unexplained',
    subject: `[relaywatch] ${host}: relay IP ${h.ip} has no login behind it`,
    evidence: [
      `${h.ip} is in the relay list ${r.relayList}${r.relayListLink ? ` (-> ${r.relayListLink})` : ''}, so it may send mail through ${host}${r.relaying?.allowed ? ' without a password' : ''}.`,
      h.summary,
      // (The notifier reads the report as root, for whom the switch's state is always there.)
      r.relaying ? `POP-before-SMTP relaying: ${r.relaying.allowed ? 'on' : 'off'} (${r.relaying.why})` : 'POP-before-SMTP relaying: not shown in this view',
      `Relay list: ${r.counts.hosts} IPs, ${r.counts.explained} explained by logins, ${r.counts.unexplained} unexplained, ${r.counts.alwaysrelay} from /etc/alwaysrelay.`,
    ],
    route: `/ip/${h.ip}`,
    next: 'Open the IP\'s page and read every log line about it. A login you do not recognise means a leaked mailbox password (change it); no login at all means something other than tailwatchd wrote the IP into the list.',
  };
}

export function currentNotices(f: WatchFacts, r: ExplainReport, host: string): CurrentNotices {
  const notices: Notice[] = [];
  let popOff = false;
  let listedNow: Set<string> | null = null;
  if (f.relay.decided) {
    for (const h of r.hosts) if (h.status === 'unexplained') notices.push(unexplainedNotice(h, r, host));
  }
  if (f.popBeforeSmtp.allowed === true) {
    notices.push({
      key: 'pop-before-smtp:on',
      event: 'pop-before-smtp',
      subject: `[relaywatch] ${host}: POP-before-SMTP relaying is on`,
      evidence: [f.popBeforeSmtp.why, `${f.relay.hosts} IPs are in the relay list now; each may send mail through ${host} without a password for about 30 minutes after a POP3/IMAP login.`],
      route: '/status',
      next: 'If nobody turned it on on purpose, see who relies on it (Who relies), warn them, then turn it off from the POP-before-SMTP page.',
    });
  } else if (f.popBeforeSmtp.allowed === false) popOff = true;
  if (f.blacklist.checkedAt) {
    listedNow = new Set<string>();
    for (const l of f.blacklist.listings) {
      if (l.provider) continue;
      const key = `listed:${l.ip}:${l.zone}`;
      listedNow.add(key);
      notices.push({
        key,
        event: 'listed',
        subject: `[relaywatch] ${host}: ${l.ip} is listed on ${l.name}`,
        evidence: [`${l.ip} is listed on ${l.name} (${l.zone})${l.txtTime ? `; ${(l.txtTimeLabel ?? "time in the list's answer").toLowerCase()}: ${l.txtTime}` : ''}.`, l.meaning, `Checked ${f.blacklist.checkedAt.replace('T', ' ').slice(0, 16)} UTC.`],
        route: '/blacklist',
        next: 'Open the blacklist page: it says what this list means, what on this server usually causes it (autoresponders, forwarders, a leaked password) and how to get off it.',
      });
    }
  }
  // A relay IP that left the list is not "ended": one that comes and goes every half hour would
  // otherwise mail each time. A listing that a later check no longer finds has ended.
  const ended = (key: string): boolean =>
    (key === 'pop-before-smtp:on' && popOff) || (key.startsWith('listed:') && listedNow !== null && !listedNow.has(key));
  return { notices, ended };
}
