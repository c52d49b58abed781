import { relianceCsv } from '../../domain/relianceCsv';
import { AppError } from '../../http/appError';
import { parseDays, relianceReport } from '../../services/relianceService';
import { CliCommand, EXIT, printJson } from '../command';
import { progressReporter } from '../progress';
import { table, terminalSafe } from '../terminal';

export const relianceCommand: CliCommand = {
  name: 'reliance',
  summary: 'Mailboxes that send through POP-before-SMTP (they break when it is turned off)',
  usage: 'relaywatch reliance [--days N] [--json | --csv]   |   relaywatch reliance --warn [--when YYYY-MM-DD] [--again] [--yes] [--json]',
  options: { days: { type: 'string' }, csv: { type: 'boolean' }, warn: { type: 'boolean' }, yes: { type: 'boolean' }, when: { type: 'string' }, again: { type: 'boolean' } },
  async run(r) {
    if (r.json && r.values.csv) throw AppError.badRequest('Choose one of --json and --csv.');
    if (r.values.warn) {
      if (r.values.csv) throw AppError.badRequest('--warn cannot be combined with --csv.');
      return (require('./relianceWarnCommand') as typeof import('./relianceWarnCommand')).runRelianceWarn(r);
    }
    for (const o of ['yes', 'when', 'again'] as const) if (r.values[o] !== undefined) throw AppError.badRequest(`--${o} belongs to --warn.`);
    // the arguments first: a bad one is a usage error wherever --root points
    const days = parseDays(r.values.days, r.config().evidence.days);
    const ctx = r.context();
    const viewer = await r.viewer();
    const progress = progressReporter(r.io, 'Reading mail and exim logs');
    const report = await relianceReport(ctx, viewer, { days, onProgress: progress.update });
    progress.done();
    const blocking = (report.problems ?? []).some((p) => p.blocking);
    const code = blocking ? EXIT.unknown : report.users.length > 0 ? EXIT.warning : EXIT.ok;
    if (r.values.csv) {
      r.io.out(relianceCsv(report));
    } else if (r.json) {
      printJson(r.io, report);
    } else {
      const n = report.users.length;
      const period = report.period ?? `in the last ${days} days`;
      r.io.out(n === 0
        ? `No mailbox sent mail through POP-before-SMTP ${period}.\n`
        : `${n} mailbox${n === 1 ? '' : 'es'} sent mail through POP-before-SMTP ${period}; ${n === 1 ? 'it breaks' : 'they break'} when it is turned off:\n`);
      if (n > 0) {
        const rows = [['ADDRESS', 'ACCOUNT', 'OWNER', 'MESSAGES', 'LAST SEEN', 'IPS']];
        for (const u of report.users) rows.push([u.user, u.account ?? '-', u.owner ?? '-', String(u.messages), u.lastSeen ?? '-', u.ips.join(',')]);
        r.io.out(`${table(rows)}\n`);
      }
      if ((report.rejected ?? []).length > 0) {
        r.io.out(`\nAlready refused (Rejected relay attempt from an IP with mail logins: their mail fails now):\n`);
        const rows = [['SENDER', 'ACCOUNT', 'ATTEMPTS', 'LAST SEEN', 'IPS']];
        for (const x of report.rejected ?? []) rows.push([x.sender, x.account ?? '-', String(x.attempts), x.lastSeen ?? '-', x.ips.join(',')]);
        r.io.out(`${table(rows)}\n`);
      }
      const other = report.rejectedOther;
      if (other && other.attempts > 0) r.io.out(`\n${other.attempts} other refused relay attempt(s) from ${other.ips} IP(s) no mailbox logged in from (usually spammers forging a local sender).\n`);
      r.io.out(`\nAlready using SMTP AUTH (safe): ${report.authenticated.length} login${report.authenticated.length === 1 ? '' : 's'}`);
      r.io.out(report.authenticated.length ? `: ${terminalSafe(report.authenticated.slice(0, 10).map((a) => `${a.user} (${a.messages})`).join(', '))}${report.authenticated.length > 10 ? ', …' : ''}\n` : '\n');
    }
    for (const p of report.problems ?? []) r.io.err(`problem: ${terminalSafe(p.message)}\n`);
    return code;
  },
};
