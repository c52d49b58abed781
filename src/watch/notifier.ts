/**
 * The daemon's mail to the server's contact (like LFD's): when a relay IP appears that no login
 * explains, when POP-before-SMTP relaying is turned on, when a server IP is newly listed. One mail
 * per IP and event, remembered under the state dir across restarts, at most notify.maxPerHour an
 * hour (the rest wait for the next hour), each with its evidence and a link, each in the audit log.
 *
 * A sendmail that fails or hangs is stopped after notify.timeoutMs, recorded (state file, audit log,
 * the daemon's log), and tried again 15 minutes later; the daemon goes on serving meanwhile, and its
 * status reads and changes never wait for mail (sendmail has a runner of its own).
 */
import fsp from 'node:fs/promises';
import { appendAudit } from '../audit/audit';
import { CoreContext } from '../services/context';
import { mailRunner, SENDMAIL, sendMail } from '../host/sendmail';
import { onScanTimed } from '../scan/scanTimings';
import { Contact, pageLink, readContact } from './contact';
import { gatherWatchFacts } from './facts';
import { composeMail } from './mailMessage';
import { currentNotices, Notice } from './notices';
import { NoticeRecord, NotifyState, notifyStatePath, readNotifyState, writeNotifyState } from './notifyState';

const HOUR_MS = 3_600_000;
const RETRY_AFTER_FAILURE_MS = 15 * 60_000;
/** a remembered relay IP not seen for this long may be mailed about again */
const FORGET_AFTER_MS = 30 * 86_400_000;
const CHECK_EVERY_MS = 60_000;

export interface CycleResult {
  sent: string[];
  failed: string | null;
  /** waiting for the rate limit or the retry time */
  heldBack: number;
  /** why nothing could be sent (no contact address, notify off) */
  skipped: string | null;
}

function messageBody(n: Notice, contact: Contact): string {
  return [
    n.subject.replace(/^\[relaywatch\] /, ''),
    '',
    'What relaywatch found:',
    ...n.evidence.map((e) => `  - ${e}`),
    '',
    'What to do:',
    `  ${n.next}`,
    '',
    `See it in WHM: ${pageLink(contact, n.route)}`,
    '',
    `-- relaywatch on ${contact.hostname}. One message per IP and event; to stop these, set "notify: off" in /etc/relaywatch/config.yaml.`,
  ].join('\n');
}

function record(s: NotifyState, r: NoticeRecord): void {
  s.log.unshift(r);
  if (s.log.length > 100) s.log.length = 100;
}

/** One look: which notices are new, and send those the rate limit allows. Never throws for a failing sendmail. */
export async function notifyOnce(ctx: CoreContext): Promise<CycleResult> {
  const result: CycleResult = { sent: [], failed: null, heldBack: 0, skipped: null };
  const cfg = ctx.config.notify;
  if (!cfg.enabled) return { ...result, skipped: 'notify is off in the configuration' };
  const state = await readNotifyState(ctx);
  if (state.problem) {
    // Set the damaged file aside rather than lose it; what it remembered may be mailed once more.
    console.error(`relaywatch: ${state.problem}; starting a new notifier state`);
    const real = ctx.host.direct(notifyStatePath(ctx));
    await fsp.rename(real, `${real}.damaged-${Date.now()}`).catch(() => undefined);
  }
  const now = ctx.now();
  const contact = await readContact(ctx);
  const { facts, relay } = await gatherWatchFacts(ctx);
  const { notices, ended } = currentNotices(facts, relay, contact.hostname);

  // Forget what ended (a later occurrence is news) and what has not been seen for a month.
  const live = new Set(notices.map((n) => n.key));
  for (const [key, v] of Object.entries(state.sent)) {
    if (live.has(key)) v.lastSeen = now.toISOString();
    else if (ended(key) || now.getTime() - Date.parse(v.lastSeen) > FORGET_AFTER_MS) delete state.sent[key];
  }
  state.recent = state.recent.filter((t) => now.getTime() - Date.parse(t) < HOUR_MS);
  const fresh = notices.filter((n) => !state.sent[n.key] && cfg.events.includes(n.event));

  const save = async (): Promise<void> => {
    state.pending = fresh.length - result.sent.length;
    await writeNotifyState(ctx, state);
  };

  if (fresh.length === 0) {
    await save();
    return result;
  }
  const noSendmail = (await mailRunner(ctx.host, cfg.timeoutMs).locate('sendmail')) === null ? `${SENDMAIL.sendmail.paths.join(', ')} was not found` : null;
  if (contact.to.length === 0 || noSendmail) {
    // Set-up problems, not failed sends: kept (monitoring page, metrics) and logged once, not audited every minute.
    result.skipped = noSendmail ?? contact.problem ?? 'no recipient';
    result.heldBack = fresh.length;
    if (state.lastFailure?.message !== result.skipped) {
      state.lastFailure = { time: now.toISOString(), message: result.skipped };
      console.error(`relaywatch: ${fresh.length} notice(s) not mailed: ${result.skipped}`);
    }
    await save();
    return result;
  }
  if (state.retryAfter && Date.parse(state.retryAfter) > now.getTime()) {
    result.heldBack = fresh.length;
    await save();
    return result;
  }

  for (const n of fresh) {
    if (state.recent.length >= cfg.maxPerHour) {
      result.heldBack = fresh.length - result.sent.length;
      break;
    }
    const body = messageBody(n, contact);
    const message = composeMail({ from: contact.from, to: contact.to, subject: n.subject, body, date: now, event: n.key });
    const sent = await sendMail(ctx.host, cfg.timeoutMs, message);
    const time = ctx.now().toISOString();
    if (!sent.ok) {
      result.failed = sent.error;
      result.heldBack = fresh.length - result.sent.length;
      state.lastFailure = { time, message: sent.error ?? 'failed' };
      state.retryAfter = new Date(ctx.now().getTime() + RETRY_AFTER_FAILURE_MS).toISOString();
      record(state, { time, key: n.key, event: n.event, outcome: 'failed', to: contact.to, subject: n.subject, error: sent.error ?? undefined });
      await save();
      console.error(`relaywatch: mail to ${contact.to.join(', ')} failed: ${sent.error}; trying again after ${state.retryAfter}`);
      await audit(ctx, n, contact, 'failed', `The notice could not be mailed: ${sent.error}`, sent.command);
      return result;
    }
    state.sent[n.key] = { time, lastSeen: time };
    state.recent.push(time);
    state.sentTotal += 1;
    state.lastSent = time;
    state.retryAfter = null;
    record(state, { time, key: n.key, event: n.event, outcome: 'sent', to: contact.to, subject: n.subject });
    result.sent.push(n.key);
    // Remembered before the audit line: a mail that went out must never go out again.
    await save();
    await audit(ctx, n, contact, 'sent', `Mailed ${contact.to.join(', ')}: ${n.subject}`, sent.command);
  }
  await save();
  if (result.heldBack > 0) console.error(`relaywatch: ${result.heldBack} notice(s) wait for the limit of ${cfg.maxPerHour} mails an hour`);
  return result;
}

async function audit(ctx: CoreContext, n: Notice, contact: Contact, outcome: 'sent' | 'failed', summary: string, command: string): Promise<void> {
  try {
    await appendAudit(ctx, {
      user: 'root',
      via: 'daemon',
      action: 'notify.mail',
      target: contact.to.join(', '),
      outcome,
      summary,
      evidence: n.evidence,
      details: { event: n.key, command, page: pageLink(contact, n.route), recipientsFrom: contact.source },
    });
  } catch (e) {
    // The mail is sent (or failed) either way; the daemon's log keeps what the audit log could not.
    console.error(`relaywatch: ${(e as Error).message}`);
  }
}

/** The notifier of a running daemon: a look every minute and after every read of new log lines. */
export function startNotifier(ctx: CoreContext): { stop(): void; idle(): Promise<void> } {
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  const run = (): void => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await notifyOnce(ctx);
        } catch (e) {
          console.error(`relaywatch: the notifier's look failed: ${(e as Error).message}`);
        }
      } while (again && !stopped);
    })().finally(() => {
      running = null;
    });
  };
  const timer = setInterval(run, CHECK_EVERY_MS);
  timer.unref();
  const unfollow = onScanTimed(() => run());
  run();
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
      unfollow();
    },
    idle: async () => {
      while (running) await running;
    },
  };
}
