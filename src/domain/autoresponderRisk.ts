/**
 * Whether an autoresponder is answering now, and why it may be causing backscatter. Pure.
 *
 * An autoresponder answers the From/Reply-To of every message that reaches it; spam forges those,
 * so each reply lands on an innocent third party (or a spam trap) and the server gets listed.
 */

export interface Schedule {
  /** unix seconds or null */
  start: number | null;
  stop: number | null;
}

export interface ActiveState {
  /** null when it cannot be told (no route and no files would be strange, but say so) */
  active: boolean;
  why: string;
}

/** Active = routed from /etc/valiases, has a message, and now lies within [start, stop). */
export function activeState(o: { routed: boolean; hasMessage: boolean; schedule: Schedule | null; nowSec: number }): ActiveState {
  if (!o.routed) return { active: false, why: 'no /etc/valiases line pipes mail to it' };
  if (!o.hasMessage) return { active: false, why: 'mail is piped to it but its message file is missing (autorespond cannot answer)' };
  const s = o.schedule;
  if (!s) return { active: true, why: 'routed, and no settings file limits it in time' };
  if (s.start !== null && o.nowSec < s.start) return { active: false, why: `scheduled to start at ${new Date(s.start * 1000).toISOString()}` };
  if (s.stop !== null && o.nowSec >= s.stop) return { active: false, why: `stopped at ${new Date(s.stop * 1000).toISOString()}` };
  return { active: true, why: s.stop === null ? 'routed, started, no end date' : `routed, until ${new Date(s.stop * 1000).toISOString()}` };
}

export type RiskCode = 'interval-zero' | 'always-on' | 'spam-tagged' | 'high-volume' | 'interval-unknown';

export interface Risk {
  code: RiskCode;
  reason: string;
}

/** Messages per day reaching one autoresponder above which it is flagged. */
export const HIGH_VOLUME_PER_DAY = 50;

export interface RiskFacts {
  active: boolean;
  interval: number | null;
  intervalNote: string | null;
  schedule: Schedule | null;
  received: number;
  spamReceived: number;
  replies: number | null;
  days: number;
}

export function autoresponderRisks(f: RiskFacts): Risk[] {
  const risks: Risk[] = [];
  if (f.interval === 0) {
    risks.push({ code: 'interval-zero', reason: 'interval 0: it replies to every message, so one forged sender can receive a reply per spam' });
  }
  if (f.interval === null && f.active) {
    risks.push({ code: 'interval-unknown', reason: `the reply interval could not be determined (${f.intervalNote ?? 'no setting'}); cPanel's default is not known to relaywatch` });
  }
  if (f.active && (f.schedule === null || f.schedule.stop === null)) {
    risks.push({ code: 'always-on', reason: 'no end date: it keeps answering until someone removes it' });
  }
  if (f.spamReceived > 0) {
    const share = f.received > 0 ? Math.round((f.spamReceived / f.received) * 100) : 100;
    risks.push({ code: 'spam-tagged', reason: `${f.spamReceived} of the ${f.received} messages that reached it in the last ${f.days} days were tagged as spam (${share}%); it answers their forged senders` });
  }
  const perDay = f.days > 0 ? f.received / f.days : f.received;
  if (perDay >= HIGH_VOLUME_PER_DAY) {
    risks.push({ code: 'high-volume', reason: `${f.received} messages reached it in ${f.days} days (about ${Math.round(perDay)} a day, limit ${HIGH_VOLUME_PER_DAY})${f.replies !== null ? `; ${f.replies} replies went out` : ''}` });
  }
  return risks;
}

/** cPanel's SpamAssassin subject tag (rewrite_header Subject ***SPAM***). */
export function isSpamTagged(subject: string | null): boolean {
  return subject !== null && /\*\*\*\s?SPAM\s?\*\*\*/i.test(subject);
}
