import { AppError } from '../../http/appError';
import { requireRoot } from '../../domain/scope';
import { AuditEntry, readAudit } from '../../audit/audit';
import { snapshotOf } from '../../services/relaySnapshot';
import { CliCommand, EXIT, printJson } from '../command';
import { table, terminalSafe } from '../terminal';

/** The relay list each change kept from just before it (newest change first). */
function printSnapshots(out: (t: string) => void, entries: readonly AuditEntry[]): void {
  for (const e of entries) {
    const snap = snapshotOf(e);
    if (!snap) continue;
    out(`\n${terminalSafe(`${e.time} ${e.action}`)}: relay list before the change (${snap.hosts.length + snap.omitted} IPs, ${terminalSafe(snap.verdict)})${snap.error ? `: ${terminalSafe(snap.error)}` : ''}\n`);
    for (const h of snap.hosts) out(`    ${terminalSafe(`${h.ip} ${h.status} ${h.users.join(',') || '-'} ${h.accounts.join(',') || '-'}`)}\n`);
    if (snap.omitted) out(`    … ${snap.omitted} more not kept\n`);
  }
}

export const auditCommand: CliCommand = {
  name: 'audit',
  summary: 'Show the audit log: the changes relaywatch made, and apart from them the requests it refused',
  usage: 'relaywatch audit [--limit N] [--verbose] [--json]   (newest first; --verbose adds the evidence lines)',
  options: { limit: { type: 'string' }, verbose: { type: 'boolean', short: 'v' } },
  async run(r) {
    requireRoot(await r.viewer(), 'read the audit log');
    const limitText = (r.values.limit as string | undefined) ?? '50';
    if (!/^\d{1,5}$/.test(limitText) || Number(limitText) < 1) throw AppError.badRequest('--limit must be a whole number from 1 to 99999.');
    const log = await readAudit(r.context(), { limit: Number(limitText) });
    if (r.json) {
      printJson(r.io, log);
      return EXIT.ok;
    }
    if (!log.exists || log.entries.length === 0) {
      r.io.out(`No entries in ${terminalSafe(log.path)}${log.exists ? '' : ' (it does not exist yet)'}.\n`);
      return EXIT.ok;
    }
    // Changes first, refusals apart: a flood of refusals never hides a change.
    for (const [title, list] of [['Changes', log.changes], ['Refusals', log.refusals]] as const) {
      r.io.out(`${title} (${list.length === 0 ? 'none' : `newest ${list.length}`}):\n`);
      if (list.length === 0) continue;
      if (!r.values.verbose) {
        const rows = [['TIME', 'USER', 'VIA', 'ACTION', 'OUTCOME', 'SUMMARY']];
        for (const e of list) rows.push([e.time, e.user, e.via, e.action, e.outcome, e.summary]);
        r.io.out(`${table(rows)}\n`);
      } else {
        for (const e of list) {
          r.io.out(`${terminalSafe(`${e.time}  ${e.user} (${e.via})  ${e.action} ${e.target}: ${e.outcome}`)}\n  ${terminalSafe(e.summary)}\n`);
          for (const line of e.evidence) r.io.out(`    ${terminalSafe(line)}\n`);
        }
      }
    }
    if (log.badLines) r.io.err(`relaywatch audit: ${log.badLines} line(s) in ${terminalSafe(log.path)} are not audit entries.\n`);
    if (log.truncated) r.io.err('relaywatch audit: only the end of a long log was read.\n');
    if (r.values.verbose) printSnapshots(r.io.out, log.entries);
    return EXIT.ok;
  },
};
