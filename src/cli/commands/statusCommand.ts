import { publicStatus, StatusReport, statusExitCode, statusReport } from '../../services/statusService';
import { readWarnings, WarnedMailbox } from '../../watch/relianceWarning';
import { CliCommand, CliIo, printJson } from '../command';
import { table, terminalSafe } from '../terminal';

function yesNo(v: boolean | null, yes: string, no: string): string {
  return v === null ? 'unknown' : v ? yes : no;
}

export function printStatus(io: CliIo, s: StatusReport): void {
  const p = s.popBeforeSmtp;
  const out: string[] = [];
  out.push(`POP-before-SMTP relaying: ${p.relayingAllowed ? 'ALLOWED' : 'NOT ALLOWED'}`);
  out.push(`  ${p.why}`);
  out.push('');
  out.push(`Server:      ${s.generation === 'legacy' ? 'legacy (Antirelayd)' : 'modern (RecentAuthedMailIpTracker)'}, cPanel ${s.cpanelVersion ?? 'version unknown'}`);
  const tw = s.tailwatchd;
  out.push(
    `tailwatchd:  ${tw.ran ? `${yesNo(tw.enabled, 'enabled', 'disabled')}, ${tw.running ? `running (PID ${tw.pid})` : 'not running'}` : 'status not read'}` +
      `${tw.program ? ` [${tw.program}]` : ''}`,
  );
  if (tw.error) out.push(`             ${tw.error}`);
  out.push(`Driver:      ${p.driver}: ${p.driverActive ? 'active' : 'not active'} (${p.driverActiveFrom})${p.driverDisk.off ? `; off on disk: ${p.driverDisk.reasons.join('; ')}` : ''}`);
  if (s.generation === 'modern') {
    out.push(`Switch:      /etc/popbeforesmtp ${p.flagFile ? 'exists' : 'does not exist'}; cpanel.config popbeforesmtp=${p.tweak === null ? '(absent)' : p.tweak ? '1' : '0'}`);
    if (p.senders) out.push(`Senders hdr: popbeforesmtpsenders=${p.senders.tweak === null ? '(absent)' : p.senders.tweak ? '1' : '0'}; /etc/eximpopbeforesmtpwarning ${p.senders.flagFile ? 'exists' : 'does not exist'}`);
  }
  out.push(`Relay list:  ${s.relayList.path}${s.relayList.linkTarget ? ` -> ${s.relayList.linkTarget}` : ''}: ${s.relayList.exists ? `${s.relayList.ips} IP${s.relayList.ips === 1 ? '' : 's'}` : 'absent'}`);
  if (p.disagreements.length) {
    out.push('', 'Disagreements:');
    for (const d of p.disagreements) out.push(`  ! ${d}`);
  }
  io.out(`${out.map(terminalSafe).join('\n')}\n`);

  if (s.drivers.length) {
    const rows = [['ACTIVE', 'ON DISK', 'DRIVER']];
    for (const d of s.drivers) rows.push([d.active ? 'yes' : 'no', `${d.disk.off ? 'off' : 'on'}${d.agrees ? '' : ' (disagrees)'}`, d.name]);
    io.out(`\nDrivers (tailwatchd --status):\n${table(rows).replace(/^/gm, '  ')}\n`);
  }
  io.out('\nEnable/disable history (tailwatchd_log, newest first):\n');
  if (s.history.length === 0) io.out('  none found\n');
  else io.out(`${table(s.history.map((h) => [h.time ?? '(no time)', `${h.action} ${h.result}`, h.driver])).replace(/^/gm, '  ')}\n`);

  io.out('\nOther allowlists Exim reads:\n');
  for (const a of s.allowlists) {
    const head = `  ${a.path} (${a.relays ? 'may relay' : 'no relaying'}): ${a.exists ? `${a.entries.length} entr${a.entries.length === 1 ? 'y' : 'ies'}` : 'absent'}`;
    io.out(`${terminalSafe(head)}\n`);
    for (const e of a.entries.slice(0, 50)) io.out(`    ${terminalSafe(e.text)}${e.kind === 'other' ? '   (not an IP, network or host name)' : ''}\n`);
    if (a.entries.length > 50) io.out(`    … ${a.entries.length - 50} more (see --json)\n`);
  }
  if (s.notes.length) io.out(`\nNotes:\n${s.notes.map((n) => `  - ${terminalSafe(n)}`).join('\n')}\n`);
  if (s.problems.length) io.out(`\nCould not read:\n${s.problems.map((n) => `  - ${terminalSafe(n.message)}`).join('\n')}\n`);
}

/** Who was told before POP-before-SMTP is turned off (relaywatch reliance --warn). */
function printWarned(io: CliIo, warned: WarnedMailbox[]): void {
  io.out('\nMailboxes warned (relaywatch reliance --warn):\n');
  if (warned.length === 0) io.out('  none\n');
  else io.out(`${table(warned.map((w) => [w.address, `${w.time.replace('T', ' ').slice(0, 16)} UTC`, `change on ${w.when}`, `by ${w.by} (${w.via})`])).replace(/^/gm, '  ')}\n`);
}

export const statusCommand: CliCommand = {
  name: 'status',
  summary: 'Is POP-before-SMTP really on? tailwatchd, the relay switch, history and allowlists',
  usage: 'relaywatch status [--json]   (exit 0: read and consistent; 1: something disagrees or could not be read)',
  options: {},
  async run(r) {
    const report = await statusReport(r.context(), await r.viewer());
    if (r.json) printJson(r.io, publicStatus(report));
    else {
      printStatus(r.io, report);
      const warned = await readWarnings(r.context());
      printWarned(r.io, warned);
    }
    return statusExitCode(report);
  },
};
