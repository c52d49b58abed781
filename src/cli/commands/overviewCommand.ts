import { dashboard } from '../../services/dashboardService';
import { CliCommand, EXIT, printJson } from '../command';
import { terminalSafe } from '../terminal';

/** The overview's exit status: the verdict's severity (monitoring-plugin convention). */
const EXIT_OF = { red: EXIT.critical, amber: EXIT.warning, green: EXIT.ok, grey: EXIT.unknown } as const;

export const overviewCommand: CliCommand = {
  name: 'overview',
  summary: 'Was the server hacked? The one-sentence verdict from all the evidence, and each check with its state',
  usage: 'relaywatch overview [--json]',
  options: {},
  async run(r) {
    const d = await dashboard(r.context(), await r.viewer());
    if (r.json) {
      // The relay report is `relaywatch explain --json`; the overview is the verdict and the checks.
      const { relay: _relay, version: _version, ...rest } = d;
      printJson(r.io, rest);
      return EXIT_OF[d.verdict.state];
    }
    r.io.out(`${d.verdict.word}: ${terminalSafe(d.verdict.text)}\n`);
    for (const c of d.cards) r.io.out(`  ${c.title}: ${c.word} – ${terminalSafe(c.sentence)}\n`);
    return EXIT_OF[d.verdict.state];
  },
};
