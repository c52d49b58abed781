import { explain, explainExitCode } from '../../services/explainService';
import { CliCommand, printJson } from '../command';
import { progressReporter } from '../progress';
import { table, terminalSafe } from '../terminal';

export const explainCommand: CliCommand = {
  name: 'explain',
  summary: 'Explain every IP in the relay list from the mail logs',
  usage: 'relaywatch explain [--json] [--verbose]',
  options: { verbose: { type: 'boolean', short: 'v' } },
  async run(r) {
    const ctx = r.context();
    const viewer = await r.viewer();
    const progress = progressReporter(r.io, 'Reading mail logs');
    const report = await explain(ctx, viewer, { onProgress: progress.update });
    progress.done();
    if (r.json) {
      printJson(r.io, report);
      return explainExitCode(report);
    }
    const label = { clear: 'OK', empty: 'OK', unexplained: 'CRITICAL', unknown: 'UNKNOWN' }[report.verdict];
    r.io.out(`${label}: ${report.summary} (${report.generation}, ${report.relayList}${report.relaying ? `; relaying ${report.relaying.allowed ? 'allowed' : 'not allowed'}` : ''})\n`);
    if (r.values.verbose && report.hosts.length > 0) {
      const rows = [['STATUS', 'IP', 'LAST LOGIN', 'USERS', 'ACCOUNTS', 'OWNERS']];
      for (const h of report.hosts) {
        rows.push([h.status + (h.stale ? ' (stale)' : ''), h.ip, h.lastLogin ?? '-', h.users.join(',') || '-', h.accounts.join(',') || '-', h.owners.join(',') || '-']);
      }
      r.io.out(`${table(rows)}\n`);
    }
    for (const p of report.problems) r.io.err(`problem: ${terminalSafe(p.message)}\n`);
    return explainExitCode(report);
  },
};
