import os from 'node:os';
import { SwitchAction } from '../../domain/popBeforeSmtpPlan';
import { Actor } from '../../audit/audit';
import { ChangePreview, changeExitCode, changePopBeforeSmtp, previewChange } from '../../services/popBeforeSmtpControl';
import { CliCommand, CliIo, CliRun, EXIT, printJson } from '../command';
import { table, terminalSafe } from '../terminal';

/** Who runs the command line, for the audit log: the OS user (and the sudo caller when there is one). */
function osUser(): string {
  let name = 'unknown';
  try {
    name = os.userInfo().username;
  } catch {
    // no passwd entry (containers): keep "unknown"
  }
  const sudo = process.env.SUDO_USER;
  return sudo && sudo !== name ? `${name} (sudo from ${sudo})` : name;
}

/** "Who is affected", from the reliance report. */
function affectedLines(p: ChangePreview): string[] {
  if (p.action === 'enable') return ['Who is affected: nobody loses anything; any IP that logs in by POP3/IMAP may relay again.'];
  if (!p.affected) return [`Who is affected: unknown. ${p.affectedError ?? ''}`.trim()];
  const a = p.affected;
  const out: string[] = [];
  if (a.users.length === 0 && !a.complete) {
    out.push(`Who is affected: not known: ${a.gaps.join('; ')}.`);
  } else if (a.users.length === 0) {
    out.push(`Who is affected: no mailbox sent mail through POP-before-SMTP ${a.period}: turning it off should break nobody's mail.`);
  } else {
    const messages = a.users.reduce((n, u) => n + u.messages, 0);
    out.push(`Who is affected: ${a.users.length} mailbox${a.users.length === 1 ? '' : 'es'} sent ${messages} message${messages === 1 ? '' : 's'} through POP-before-SMTP ${a.period}; their mail will be refused until they use SMTP authentication:`);
    const rows = [['MAILBOX', 'ACCOUNT', 'OWNER', 'MESSAGES', 'LAST SEEN', 'FROM IPS']];
    for (const u of a.users.slice(0, 50)) rows.push([u.user, u.account ?? '-', u.owner ?? '-', String(u.messages), u.lastSeen ?? '-', u.ips.join(',') || '-']);
    out.push(...table(rows).split('\n').map((l) => `  ${l}`));
    if (a.users.length > 50) out.push(`  … and ${a.users.length - 50} more (see --json)`);
    if (!a.complete) out.push(`  (the list may be incomplete: ${a.gaps.join('; ')})`);
  }
  if (a.authenticated > 0) out.push(`${a.authenticated} mailbox${a.authenticated === 1 ? '' : 'es'} already send with SMTP authentication and are not affected.`);
  return out;
}

function printPreview(io: CliIo, p: ChangePreview): void {
  const word = p.action === 'enable' ? 'on' : 'off';
  const lines: string[] = [];
  lines.push(`Now: relaying by POP-before-SMTP is ${p.current.relayingAllowed ? 'allowed' : 'not allowed'}: ${p.current.why}`);
  for (const d of p.current.disagreements) lines.push(`  ! ${d}`);
  if (p.plan.blocked) {
    lines.push('', `relaywatch will not do this: ${p.plan.blocked}`);
  } else if (p.plan.alreadySo) {
    lines.push('', `POP-before-SMTP is already ${word}: "${p.action} --yes" would run nothing.`);
  } else {
    lines.push('', `relaywatch ${p.action} --yes would turn POP-before-SMTP ${word} on this ${p.generation} server by running:`);
    for (const c of p.commands) lines.push(`  ${c}`);
    lines.push('', 'What changes:');
    for (const w of p.plan.willChange) lines.push(`  - ${w}`);
    if (p.plan.sideEffects.length) {
      lines.push('', 'Side effects:');
      for (const w of p.plan.sideEffects) lines.push(`  - ${w}`);
    }
    lines.push('', ...affectedLines(p));
  }
  if (p.plan.notes.length || p.plan.offerDriverToo) {
    lines.push('', 'Notes:');
    for (const w of p.plan.notes) lines.push(`  - ${w}`);
    if (p.plan.offerDriverToo) lines.push(`  - To stop ${p.plan.driver.split('::').pop()} as well, add --driver-too.`);
  }
  if (!p.plan.alreadySo && !p.plan.blocked) {
    lines.push('', 'To undo it afterwards:');
    for (const u of p.plan.undo) lines.push(`  ${u}`);
    lines.push('', `Nothing has been changed. Run "relaywatch ${p.action} --yes${p.plan.driverToo ? ' --driver-too' : ''}" to do it.`);
  }
  io.out(`${lines.map(terminalSafe).join('\n')}\n`);
}

async function runSwitch(r: CliRun, action: SwitchAction): Promise<number> {
  const ctx = r.context();
  const viewer = await r.viewer();
  const driverToo = r.values['driver-too'] === true;
  if (r.values.yes !== true) {
    const preview = await previewChange(ctx, viewer, { action, driverToo });
    if (r.json) printJson(r.io, { dryRun: true, wouldRun: preview.commands, ...preview });
    else printPreview(r.io, preview);
    return preview.plan.blocked ? EXIT.critical : EXIT.ok;
  }
  const actor: Actor = { user: viewer.user, via: 'cli', from: `os user ${osUser()}` };
  const result = await changePopBeforeSmtp(ctx, actor, viewer, { action, driverToo });
  if (r.json) {
    printJson(r.io, result);
  } else {
    const lines = [`${result.outcome}${result.verified ? ' (verified)' : ' (NOT verified)'}: ${result.summary}`, '', 'Evidence:', ...result.evidence.map((e) => `  ${e}`)];
    if (result.outcome === 'changed') lines.push('', `To undo: ${result.plan.undo[0]}`);
    lines.push('', `Recorded in ${result.audit.path}`);
    r.io.out(`${lines.map(terminalSafe).join('\n')}\n`);
  }
  if (result.error) r.io.err(`relaywatch ${action}: ${terminalSafe(result.error)}\n`);
  return changeExitCode(result);
}

/** `disable` and `enable` share everything but the direction. */
export function switchCommand(action: SwitchAction): CliCommand {
  const word = action === 'enable' ? 'on' : 'off';
  return {
    name: action,
    summary:
      action === 'disable'
        ? 'Turn POP-before-SMTP off (--yes to do it, --driver-too to stop the IP tracker too)'
        : 'Turn POP-before-SMTP back on (--yes to do it)',
    usage:
      `relaywatch ${action} [--yes]${action === 'disable' ? ' [--driver-too]' : ''} [--json]   ` +
      `(without --yes: only says what it would do; exit 0 ${word} and verified, 1 done but not confirmed, 2 failed)`,
    options: action === 'disable' ? { yes: { type: 'boolean', short: 'y' }, 'driver-too': { type: 'boolean' } } : { yes: { type: 'boolean', short: 'y' } },
    run: (r) => runSwitch(r, action),
  };
}

export const disableCommand: CliCommand = switchCommand('disable');
