import type { ExplainReport } from '../../services/explainService';
import { explainExitCode } from '../../services/explainExit';
import { askDaemon } from '../daemonClient';
import { CliCommand, CliRun, printJson } from '../command';
import { progressReporter } from '../progress';
import { table, terminalSafe } from '../terminal';

/**
 * The running daemon's report for this host, when there is one for it (cli/daemonClient.ts): the
 * same core function's answer, from an index already open. Not with --config (the daemon reads its
 * own).
 */
async function reportFromDaemon(r: CliRun): Promise<ExplainReport | null> {
  if (r.values.config !== undefined) return null;
  const path = require('node:path') as typeof import('node:path');
  const answer = await askDaemon(path.resolve((r.values.root as string | undefined) ?? '/'), '/api/v1/relay-hosts', (r.values.as as string | undefined) ?? 'root');
  if (!answer || answer.status !== 200) return null;
  try {
    return JSON.parse(answer.body.toString('utf8')) as ExplainReport;
  } catch {
    return null;
  }
}

export const explainCommand: CliCommand = {
  name: 'explain',
  summary: 'Explain every IP in the relay list from the mail logs',
  usage: 'relaywatch explain [--json] [--verbose]',
  options: { verbose: { type: 'boolean', short: 'v' } },
  async run(r) {
    let report = await reportFromDaemon(r);
    if (!report) {
      const ctx = r.context();
      // No index: this run will read every log. Its scan workers start first, and boot while this
      // thread loads the answer's code (only when this process computes the answer itself) and
      // reads the relay list and the accounts.
      await (require('../../scan/coldScanStart') as typeof import('../../scan/coldScanStart')).prestartColdScan(ctx);
      const { explain } = require('../../services/explainService') as typeof import('../../services/explainService');
      const viewer = await r.viewer();
      const progress = progressReporter(r.io, 'Reading mail logs');
      report = await explain(ctx, viewer, { onProgress: progress.update });
      progress.done();
    }
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
