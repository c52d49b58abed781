import { autoresponderReport } from '../../services/autoresponderService';
import { parseDays } from '../../services/relianceService';
import { CliCommand, EXIT, printJson } from '../command';
import { progressReporter } from '../progress';
import { table, terminalSafe } from '../terminal';

export const autorespondersCommand: CliCommand = {
  name: 'autoresponders',
  summary: 'Every autoresponder, its settings and traffic, and why it may cause backscatter',
  usage: 'relaywatch autoresponders [--days N] [--json]',
  options: { days: { type: 'string' } },
  async run(r) {
    // the arguments first: a bad one is a usage error wherever --root points
    const days = parseDays(r.values.days, r.config().evidence.days);
    const ctx = r.context();
    const viewer = await r.viewer();
    const progress = progressReporter(r.io, 'Reading the exim log');
    const report = await autoresponderReport(ctx, viewer, { days, onProgress: progress.update });
    progress.done();
    const code = report.problems.some((p) => p.blocking) ? EXIT.unknown : report.counts.risky > 0 ? EXIT.warning : EXIT.ok;
    if (r.json) {
      printJson(r.io, report);
    } else {
      r.io.out(`${report.counts.total} autoresponder${report.counts.total === 1 ? '' : 's'}, ${report.counts.active} answering now, ${report.counts.risky} with a backscatter risk (traffic ${report.period}).\n`);
      if (report.autoresponders.length) {
        const rows = [['ADDRESS', 'ACCOUNT', 'OWNER', 'ACTIVE', 'INTERVAL', 'RECEIVED', 'REPLIES', 'RISKS', 'SUBJECT']];
        for (const a of report.autoresponders) {
          rows.push([
            a.address, a.account ?? '-', a.owner ?? '-', a.active ? 'yes' : 'no',
            a.interval === null ? 'unknown' : a.interval === 0 ? '0 (every message)' : `${a.interval} h`, String(a.received), a.replies === null ? 'unknown' : String(a.replies),
            a.risks.map((x) => x.code).join(',') || '-', a.subject ?? '-',
          ]);
        }
        r.io.out(`${table(rows)}\n`);
        for (const a of report.autoresponders) for (const x of a.risks) r.io.out(`  ${terminalSafe(a.address)}: ${terminalSafe(x.reason)}\n`);
      }
      if (report.repliesNote) r.io.out(`note: ${report.repliesNote}\n`);
    }
    for (const p of report.problems) r.io.err(`problem: ${terminalSafe(p.message)}\n`);
    return code;
  },
};
