import { CHECK_EXIT } from '../../watch/check';
import { checkReport } from '../../watch/checkService';
import { CliCommand, printJson } from '../command';
import { terminalSafe } from '../terminal';

/**
 * A monitoring plugin (Nagios, Icinga, NRPE): one line, exit 0 OK, 1 WARNING, 2 CRITICAL,
 * 3 UNKNOWN. Whatever goes wrong, the answer keeps that shape, since a monitoring engine reads
 * only the first line and the exit status.
 */
export const checkCommand: CliCommand = {
  name: 'check',
  summary: 'Monitoring plugin (Nagios/Icinga): one line with performance data, exit 0/1/2/3',
  usage: 'relaywatch check [--json]   (exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN; what counts is set in config.yaml, check:)',
  options: {},
  async run(r) {
    let report;
    try {
      report = await checkReport(r.context(), await r.viewer());
    } catch (e) {
      const message = (e as Error).message ?? String(e);
      if (r.json) printJson(r.io, { state: 'UNKNOWN', exitCode: CHECK_EXIT.UNKNOWN, summary: message });
      else r.io.out(`RELAYWATCH UNKNOWN - ${terminalSafe(message).replace(/[\r\n|]+/g, ' ')}\n`);
      r.io.err(`relaywatch check: ${terminalSafe(message)}\n`);
      return CHECK_EXIT.UNKNOWN;
    }
    if (r.json) printJson(r.io, report);
    else {
      r.io.out(`${terminalSafe(report.line)}\n`);
      // Long output (Nagios 3+): the findings the configuration ignores are still worth a line.
      for (const f of report.findings) r.io.out(`${f.state === 'OK' ? 'ignored' : f.state}: ${terminalSafe(f.text)}\n`);
    }
    return report.exitCode;
  },
};
