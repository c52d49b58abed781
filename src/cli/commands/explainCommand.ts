import type { ExplainReport } from '../../services/explainService';
import { RELAY_HOSTS_ROUTE } from '../daemonClient';
import { CliCommand, CliRun } from '../command';
import { printExplain } from '../explainOutput';
import { progressReporter } from '../progress';

/**
 * The running daemon's report for this host, when there is one for it (cli/daemonClient.ts): the
 * same core function's answer, from an index already open.
 */
async function reportFromDaemon(r: CliRun): Promise<ExplainReport | null> {
  const answer = await r.daemon(RELAY_HOSTS_ROUTE);
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
    return printExplain(r.io, report, { json: r.json, verbose: r.values.verbose === true });
  },
};
