/**
 * What `relaywatch explain` prints for a report, and its exit status: one function for the answer
 * computed here and for the running daemon's, so the two cannot differ by a byte. It loads only
 * what printing needs (the entry's quick path uses it before anything else of the CLI is loaded).
 */
import type { ExplainReport } from '../services/explainService';
import { explainExitCode } from '../services/explainExit';
import { CliIo, printJson } from './command';
import { table, terminalSafe } from './terminal';

export function printExplain(io: CliIo, report: ExplainReport, opts: { json: boolean; verbose: boolean }): number {
  if (opts.json) {
    printJson(io, report);
    return explainExitCode(report);
  }
  const label = { clear: 'OK', empty: 'OK', unexplained: 'CRITICAL', unknown: 'UNKNOWN' }[report.verdict];
  io.out(`${label}: ${report.summary} (${report.generation}, ${report.relayList}${report.relaying ? `; relaying ${report.relaying.allowed ? 'allowed' : 'not allowed'}` : ''})\n`);
  if (opts.verbose && report.hosts.length > 0) {
    const rows = [['STATUS', 'IP', 'LAST LOGIN', 'USERS', 'ACCOUNTS', 'OWNERS']];
    for (const h of report.hosts) {
      rows.push([h.status + (h.stale ? ' (stale)' : ''), h.ip, h.lastLogin ?? '-', h.users.join(',') || '-', h.accounts.join(',') || '-', h.owners.join(',') || '-']);
    }
    io.out(`${table(rows)}\n`);
  }
  for (const p of report.problems) io.err(`problem: ${terminalSafe(p.message)}\n`);
  return explainExitCode(report);
}
