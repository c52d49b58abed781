/**
 * Warning the mailboxes that rely on POP-before-SMTP before it is turned off: one message to each,
 * through the host's sendmail, from the template in the configuration (reliance.warning), saying
 * what changes, when, and how to switch the mail program to SMTP authentication (port 587, the
 * server's host name). The one core function behind `relaywatch reliance --warn [--yes]`,
 * GET/POST /api/v1/reliance/warning and the page /reliance/warn. Root only.
 *
 * The plan (without --yes, or the page before confirming) shows every recipient and the message,
 * and changes nothing. Sending stops at the first failure; each message sent or failed is audited,
 * and who was warned when is kept in <stateDir>/reliance-warnings.json (the status page shows it).
 */
import path from 'node:path';
import { MAIL_ADDRESS, WARNING_PLACEHOLDERS } from '../config/config';
import { requireRoot, Viewer } from '../domain/scope';
import { AppError } from '../http/appError';
import { parseKeyValue } from '../parsers/accountFiles';
import { sendMail } from '../host/sendmail';
import { Actor, appendAudit, checkAuditWritable } from '../audit/audit';
import { CoreContext } from '../services/context';
import { relianceReport } from '../services/relianceService';
import { Contact, readContact } from './contact';
import { composeMail } from './mailMessage';

export const SUBMISSION_PORT = 587;
export const WARNINGS_FILE = 'reliance-warnings.json';

export interface WarnedMailbox {
  address: string;
  mailbox: string;
  time: string;
  by: string;
  via: Actor['via'];
  when: string;
}

export interface WarningRecipient {
  /** the mailbox as the reliance report names it */
  mailbox: string;
  /** where the message goes; null when no address is known */
  address: string | null;
  account: string | null;
  messages: number;
  lastSeen: string | null;
  /** when this address was warned before, null if never */
  warnedAt: string | null;
  /** why no message goes to it now; null when one will */
  skip: string | null;
  subject: string;
  body: string;
}

export interface WarningPlan {
  /** the date the change is announced for (YYYY-MM-DD) */
  when: string;
  days: number;
  from: string;
  recipients: WarningRecipient[];
  /** how many messages sending would send */
  toSend: number;
  /** the reliance report could not read everything: the list may be incomplete */
  incomplete: string[];
  contact: Pick<Contact, 'hostname' | 'source' | 'problem'>;
}

export interface WarningResult {
  sent: string[];
  failed: { address: string; error: string } | null;
  /** recipients left unsent after a failure */
  notSent: string[];
  plan: WarningPlan;
}

export interface WarningOptions {
  /** YYYY-MM-DD; default seven days from now */
  when?: string;
  days?: number;
  /** warn again those warned before */
  again?: boolean;
}

function fill(template: string, values: Record<(typeof WARNING_PLACEHOLDERS)[number], string>): string {
  return template.replace(/\{\{\s*([a-zA-Z]+)\s*\}\}/g, (m, k: string) => (k in values ? values[k as keyof typeof values] : m));
}

export function parseWhen(text: string | undefined, now: Date): string {
  if (text === undefined || text === '') return new Date(now.getTime() + 7 * 86_400_000).toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(`${text}T00:00:00Z`))) {
    throw AppError.badRequest(`The date of the change must be YYYY-MM-DD, got "${text.slice(0, 20)}".`);
  }
  return text;
}

function warningsPath(ctx: CoreContext): string {
  return path.posix.join(ctx.config.stateDir, WARNINGS_FILE);
}

/** Everyone warned so far, newest first. */
export async function readWarnings(ctx: CoreContext): Promise<WarnedMailbox[]> {
  let text: string | null;
  try {
    text = await ctx.host.readOptional(warningsPath(ctx));
  } catch {
    return [];
  }
  if (text === null) return [];
  try {
    const list = JSON.parse(text) as WarnedMailbox[];
    return Array.isArray(list) ? list.filter((w) => w && typeof w.address === 'string' && typeof w.time === 'string').sort((a, b) => b.time.localeCompare(a.time)) : [];
  } catch {
    return [];
  }
}

async function rememberWarning(ctx: CoreContext, w: WarnedMailbox): Promise<void> {
  const list = (await readWarnings(ctx)).filter((x) => x.address !== w.address);
  list.unshift(w);
  await ctx.host.writeAtomic(warningsPath(ctx), `${JSON.stringify(list.slice(0, 10_000), null, 1)}\n`, 0o600);
}

/** A mailbox's address, or for a bare cPanel user its account's contact address. */
async function addressOf(ctx: CoreContext, mailbox: string, account: string | null): Promise<string | null> {
  if (mailbox.length <= 254 && MAIL_ADDRESS.test(mailbox)) return mailbox.toLowerCase();
  if (account && account === mailbox && /^[a-z0-9_-]{1,32}$/i.test(account)) {
    const text = await ctx.host.readOptional(`/var/cpanel/users/${account}`).catch(() => null);
    const contact = text ? parseKeyValue(text).CONTACTEMAIL : undefined;
    if (contact && MAIL_ADDRESS.test(contact)) return contact.toLowerCase();
  }
  return null;
}

export async function planWarning(ctx: CoreContext, viewer: Viewer, opts: WarningOptions = {}): Promise<WarningPlan> {
  requireRoot(viewer, 'warn the mailboxes that rely on POP-before-SMTP');
  const when = parseWhen(opts.when, ctx.now());
  const days = opts.days ?? ctx.config.evidence.days;
  const report = await relianceReport(ctx, viewer, { days });
  const contact = await readContact(ctx);
  const tpl = ctx.config.reliance.warning;
  const from = tpl.from ?? contact.from;
  const warned = new Map((await readWarnings(ctx)).map((w) => [w.address, w.time]));
  const seen = new Set<string>();
  const recipients: WarningRecipient[] = [];
  for (const u of report.users) {
    const address = await addressOf(ctx, u.user, u.account);
    const values = {
      mailbox: u.user,
      when,
      host: contact.hostname,
      port: String(SUBMISSION_PORT),
      messages: String(u.messages),
      lastSeen: u.lastSeen ? `${u.lastSeen.replace('T', ' ').slice(0, 16)} UTC` : 'an unknown time',
      contact: contact.to[0] ?? from,
    };
    const warnedAt = address ? (warned.get(address) ?? null) : null;
    let skip: string | null = null;
    if (!address) skip = 'no mail address is known for it';
    else if (seen.has(address)) skip = 'same address as a mailbox above';
    else if (warnedAt && !opts.again) skip = `warned already at ${warnedAt.replace('T', ' ').slice(0, 16)} UTC`;
    if (address) seen.add(address);
    recipients.push({ mailbox: u.user, address, account: u.account, messages: u.messages, lastSeen: u.lastSeen, warnedAt, skip, subject: fill(tpl.subject, values), body: fill(tpl.body, values) });
  }
  return {
    when,
    days,
    from,
    recipients,
    toSend: recipients.filter((r) => r.skip === null).length,
    incomplete: (report.problems ?? []).filter((p) => p.blocking).map((p) => p.message),
    contact: { hostname: contact.hostname, source: contact.source, problem: contact.problem },
  };
}

export async function sendWarnings(ctx: CoreContext, actor: Actor, viewer: Viewer, opts: WarningOptions = {}): Promise<WarningResult> {
  if (!viewer.isRoot) {
    // A refused attempt is on record like any other.
    await appendAudit(ctx, {
      user: actor.user, via: actor.via, action: 'reliance.warn', target: 'mailboxes relying on POP-before-SMTP', outcome: 'refused',
      summary: `${actor.user} is not root and may not mail the server's users.`, details: actor.from ? { from: actor.from } : undefined,
    });
    requireRoot(viewer, 'warn the mailboxes that rely on POP-before-SMTP');
  }
  const plan = await planWarning(ctx, viewer, opts);
  // Nothing is sent that cannot be recorded.
  await checkAuditWritable(ctx);
  const result: WarningResult = { sent: [], failed: null, notSent: [], plan };
  const queue = plan.recipients.filter((r) => r.skip === null);
  for (const [i, r] of queue.entries()) {
    const address = r.address!;
    const message = composeMail({ from: plan.from, to: [address], subject: r.subject, body: r.body, date: ctx.now(), event: 'reliance-warning' });
    const sent = await sendMail(ctx.host, ctx.config.notify.timeoutMs, message);
    const time = ctx.now().toISOString();
    if (!sent.ok) {
      result.failed = { address, error: sent.error ?? 'failed' };
      result.notSent = queue.slice(i + 1).map((x) => x.address!);
      await appendAudit(ctx, {
        user: actor.user, via: actor.via, action: 'reliance.warn', target: address, outcome: 'failed',
        summary: `The warning to ${address} could not be sent: ${sent.error}; ${result.notSent.length} more not sent.`,
        evidence: [`Subject: ${r.subject}`], details: { ...(actor.from ? { from: actor.from } : {}), command: sent.command, when: plan.when },
      });
      return result;
    }
    await rememberWarning(ctx, { address, mailbox: r.mailbox, time, by: actor.user, via: actor.via, when: plan.when });
    result.sent.push(address);
    await appendAudit(ctx, {
      user: actor.user, via: actor.via, action: 'reliance.warn', target: address, outcome: 'sent',
      summary: `Warned ${address} that POP-before-SMTP ends on ${plan.when} (${r.messages} message(s) sent that way in ${plan.days} days).`,
      evidence: [`Subject: ${r.subject}`, ...r.body.split('\n').slice(0, 40)],
      details: { ...(actor.from ? { from: actor.from } : {}), command: sent.command, when: plan.when, mailbox: r.mailbox },
    });
  }
  return result;
}
