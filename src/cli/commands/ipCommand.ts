import { AppError } from '../../http/appError';
import { ipExitCode, ipReport } from '../../services/ipReportService';
import { CliCommand, printJson } from '../command';
import { table, terminalSafe } from '../terminal';

export const ipCommand: CliCommand = {
  name: 'ip',
  summary: 'Everything the logs say about one IP: relay list, status, logins, log lines, reverse DNS',
  usage: 'relaywatch ip IP [--json] [--lines]   (exit 0: explained or not in the list; 2: in the list and unexplained; 3: could not decide)',
  options: { lines: { type: 'boolean' } },
  async run(r) {
    if (r.positionals.length !== 1) throw AppError.badRequest('ip needs exactly one IP address.');
    const report = await ipReport(r.context(), await r.viewer(), r.positionals[0]);
    if (r.json) {
      printJson(r.io, report);
      return ipExitCode(report);
    }
    const out = r.io.out;
    const where = report.inRelayList === null ? 'not tied to your accounts' : report.inRelayList ? `in the relay list (${report.status}${report.stale ? ', stale' : ''})` : 'not in the relay list';
    out(`${report.ip}: ${where}\n`);
    out(`${terminalSafe(report.summary)}\n`);
    out(`reverse DNS: ${report.ptr ? terminalSafe(report.ptr) : '-'}\n`);
    if (report.accounts.length) out(`accounts: ${terminalSafe(report.accounts.join(', '))}\n`);
    out(`logins: ${report.logins.length} (last 24 h: ${report.timeline.day.total}, last 7 days: ${report.timeline.week.total})\n`);
    if (report.logins.length) {
      const rows = [['TIME', 'USER', 'PROTOCOL', 'WHERE']];
      for (const l of report.logins.slice(0, 50)) rows.push([l.time ?? '-', l.user, l.protocol, `${l.file}:${l.line}`]);
      out(`${table(rows)}\n`);
      if (report.logins.length > 50) out(`… ${report.logins.length - 50} more (use --json)\n`);
    }
    const f = report.failedLogins;
    out(`failed logins: ${f.count}${f.count ? ` (${f.first ?? '?'} to ${f.last ?? '?'}${f.users.length ? `; tried: ${terminalSafe(f.users.slice(0, 10).join(', '))}${f.users.length > 10 ? ` and ${f.users.length - 10} more` : ''}` : ''})` : ''}${f.targetsMailboxes ? ': password guessing against this server\'s mailboxes' : ''}\n`);
    if (report.nextSteps.length) {
      out('what to do:\n');
      report.nextSteps.forEach((st, i) => {
        out(`  ${i + 1}. ${terminalSafe(st.text)}\n`);
        if (st.command) out(`     ${st.command}\n`);
        for (const l of st.links) if (l.kind === 'directions') out(`     ${terminalSafe(l.where)}\n`);
      });
    }
    if (r.values.lines) {
      for (const l of report.lines) out(`${terminalSafe(`${l.file}:${l.line}: ${l.text}`)}\n`);
      if (report.linesTruncated) out('… more lines than shown\n');
    } else {
      out(`log lines naming it: ${report.lines.length}${report.linesTruncated ? '+' : ''} (show them with --lines)\n`);
    }
    for (const p of report.problems) r.io.err(`problem: ${terminalSafe(p.message)}\n`);
    return ipExitCode(report);
  },
};
