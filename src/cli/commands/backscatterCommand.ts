import { parseListingTime } from '../../domain/backscatter';
import { AppError } from '../../http/appError';
import { backscatterReport, DEFAULT_WINDOW_MINUTES, emptyWindowText } from '../../services/backscatterService';
import { parseDays } from '../../services/relianceService';
import { CliCommand, EXIT, printJson } from '../command';
import { progressReporter } from '../progress';
import { table, terminalSafe } from '../terminal';

export const backscatterCommand: CliCommand = {
  name: 'backscatter',
  summary: 'Forwarders, default addresses and bounces that cause backscatter; the traffic around a listing time',
  usage: 'relaywatch backscatter [--at TIME] [--window MINUTES] [--days N] [--json]   (TIME: 2026-08-11T01:35:09Z, server-local 2026-08-11 01:35, or unix seconds)',
  options: { at: { type: 'string' }, window: { type: 'string' }, days: { type: 'string' } },
  async run(r) {
    // the arguments first: a bad one is a usage error wherever --root points
    const days = parseDays(r.values.days, r.config().evidence.days);
    const at = typeof r.values.at === 'string' ? parseListingTime(r.values.at) : null;
    let windowMinutes = DEFAULT_WINDOW_MINUTES;
    if (typeof r.values.window === 'string') {
      if (!/^\d{1,4}$/.test(r.values.window)) throw AppError.badRequest('--window must be a whole number of minutes.');
      windowMinutes = Number(r.values.window);
    }
    const ctx = r.context();
    const viewer = await r.viewer();
    const progress = progressReporter(r.io, 'Reading the exim log');
    const report = await backscatterReport(ctx, viewer, { days, at, windowMinutes, onProgress: progress.update });
    progress.done();
    const risky = report.defaultAddresses.some((d) => d.risky) || report.forwarders.length > 0;
    const code = report.problems.some((p) => p.blocking) ? EXIT.unknown : risky ? EXIT.warning : EXIT.ok;
    if (r.json) {
      printJson(r.io, report);
    } else {
      const out = (s: string): void => r.io.out(s);
      out(`${report.logsFrom ? `Since ${report.logsFrom}, where the exim log begins (${days} days were asked for)` : `Since ${report.since}`}:\n\nForwarders to outside domains: ${report.forwarders.length}\n`);
      if (report.forwarders.length) {
        const rows = [['SOURCE', 'ACCOUNT', 'OWNER', 'TO', 'FORWARDED', 'LAST']];
        for (const f of report.forwarders) rows.push([f.source, f.account ?? '-', f.owner ?? '-', f.destinations.join(','), String(f.forwarded), f.lastForwarded ?? '-']);
        out(`${table(rows)}\n`);
      }
      out(`\nDefault addresses (the *: line): ${report.defaultAddresses.filter((d) => d.risky).length} of ${report.defaultAddresses.length} risky\n`);
      if (report.defaultAddresses.length) {
        const rows = [['DOMAIN', 'ACCOUNT', 'KIND', 'TARGET', 'BOUNCES', 'WHY']];
        for (const d of report.defaultAddresses) rows.push([d.domain, d.account ?? '-', d.kind + (d.risky ? ' (risky)' : ''), d.target, String(d.bounces), d.reason]);
        out(`${table(rows)}\n`);
      }
      out(`\nBounces sent (null sender): ${report.bounces.total}, ${report.bounces.toOutside} to outside addresses\n`);
      if (report.bounces.byDomain.length || report.bounces.unattributed) {
        const rows = [['DOMAIN', 'ACCOUNT', 'BOUNCES', 'TO OUTSIDE', 'LAST']];
        for (const b of report.bounces.byDomain) rows.push([b.domain, b.account ?? '-', String(b.bounces), String(b.toOutside), b.last ?? '-']);
        if (report.bounces.unattributed) rows.push(['(not attributed)', '-', String(report.bounces.unattributed.bounces), String(report.bounces.unattributed.toOutside), report.bounces.unattributed.last ?? '-']);
        out(`${table(rows)}\n`);
      }
      if (report.around) {
        const a = report.around;
        out(`\nWithin ${a.windowMinutes} minutes of ${a.at}: ${a.counts.bounces} bounces, ${a.counts.nullSender} other null-sender messages, ${a.counts.autoresponderHits} messages to autoresponders, ${a.counts.autoresponderReplies} replies${a.truncated ? ` (first ${a.events.length} of ${a.total} listed)` : ''}\n`);
        if (!a.events.length) out(`${terminalSafe(emptyWindowText(a))}\n`);
        if (a.events.length) {
          const rows = [['TIME', 'OFFSET', 'KIND', 'FROM', 'TO', 'DOMAIN', 'SUBJECT']];
          for (const e of a.events) rows.push([e.time, `${e.offsetSeconds >= 0 ? '+' : ''}${e.offsetSeconds}s`, e.kind, e.from, e.to.join(','), e.domain ?? '-', e.subject ?? '-']);
          out(`${table(rows)}\n`);
        }
      }
    }
    for (const p of report.problems) r.io.err(`problem: ${terminalSafe(p.message)}\n`);
    return code;
  },
};
