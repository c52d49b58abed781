/**
 * `relaywatch reliance --warn [--yes]`: without --yes, the recipients and the message, nothing sent;
 * with --yes, one message to each mailbox that relies on POP-before-SMTP, each audited.
 */
import os from 'node:os';
import { Actor } from '../../audit/audit';
import { parseDays } from '../../services/relianceService';
import { planWarning, sendWarnings, WarningPlan } from '../../watch/relianceWarning';
import { CliIo, CliRun, EXIT, printJson } from '../command';
import { table, terminalSafe } from '../terminal';

function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

function printPlan(io: CliIo, p: WarningPlan): void {
  const rows = [['MAILBOX', 'SEND TO', 'MESSAGES', 'LAST SEEN', 'NOTE']];
  for (const x of p.recipients) rows.push([x.mailbox, x.address ?? '-', String(x.messages), x.lastSeen ?? '-', x.skip ?? '']);
  io.out(`${p.toSend} message${p.toSend === 1 ? '' : 's'} would be sent (from ${terminalSafe(p.from)}), announcing the change for ${p.when}:\n`);
  if (p.recipients.length) io.out(`${table(rows)}\n`);
  const first = p.recipients.find((x) => x.skip === null) ?? p.recipients[0];
  if (first) io.out(`\nThe message to ${terminalSafe(first.address ?? first.mailbox)}:\n\nSubject: ${terminalSafe(first.subject)}\n\n${terminalSafe(first.body)}\n`);
  for (const g of p.incomplete) io.err(`problem: ${terminalSafe(g)} (the list may be incomplete)\n`);
  if (p.contact.problem) io.err(`note: ${terminalSafe(p.contact.problem)}\n`);
}

export async function runRelianceWarn(r: CliRun): Promise<number> {
  const ctx = r.context();
  const viewer = await r.viewer();
  const opts = { when: r.values.when as string | undefined, days: parseDays(r.values.days, ctx.config.evidence.days), again: r.values.again === true };
  if (r.values.yes !== true) {
    const plan = await planWarning(ctx, viewer, opts);
    if (r.json) printJson(r.io, { dryRun: true, ...plan });
    else {
      printPlan(r.io, plan);
      r.io.out(`\nNothing was sent. To send ${plan.toSend === 1 ? 'it' : 'them'}: relaywatch reliance --warn --yes${opts.when ? ` --when ${opts.when}` : ''}\n`);
    }
    return EXIT.ok;
  }
  const actor: Actor = { user: viewer.user, via: 'cli', from: `os user ${osUser()}` };
  const result = await sendWarnings(ctx, actor, viewer, opts);
  if (r.json) printJson(r.io, result);
  else {
    r.io.out(`Sent ${result.sent.length} warning${result.sent.length === 1 ? '' : 's'}${result.sent.length ? `: ${terminalSafe(result.sent.join(', '))}` : ''}. Each is in the audit log.\n`);
  }
  if (result.failed) {
    r.io.err(`relaywatch reliance: the warning to ${terminalSafe(result.failed.address)} failed: ${terminalSafe(result.failed.error)}; ${result.notSent.length} more not sent.\n`);
    return EXIT.critical;
  }
  return EXIT.ok;
}
