/**
 * Aggregates the successful logins per IP for a set of IPs: who logged in, how often, when last.
 */
import { IpLoginEvidence } from '../domain/explain';
import { CoreContext } from './context';
import { LoginRecord, scanAllLogins, ScanProgress } from './loginScan';
import { Problems } from './problems';

export function addLogin(evidence: Map<string, IpLoginEvidence>, l: Pick<LoginRecord, 'ip' | 'user' | 'time' | 'protocol'>): void {
  let ev = evidence.get(l.ip);
  if (!ev) {
    ev = { users: new Map() };
    evidence.set(l.ip, ev);
  }
  let row = ev.users.get(l.user);
  if (!row) {
    row = { count: 0, last: null, protocols: new Set() };
    ev.users.set(l.user, row);
  }
  row.count++;
  row.protocols.add(l.protocol);
  const t = l.time ? Date.parse(l.time) : null;
  if (t !== null && (row.last === null || t > row.last)) row.last = t;
}

export async function collectLoginEvidence(
  ctx: CoreContext,
  ips: ReadonlySet<string>,
  problems: Problems,
  onProgress?: (p: ScanProgress) => void,
): Promise<Map<string, IpLoginEvidence>> {
  const evidence = new Map<string, IpLoginEvidence>();
  if (ips.size === 0) return evidence;
  await scanAllLogins(ctx, (l) => {
    if (ips.has(l.ip)) addLogin(evidence, l);
  }, { problems, onProgress });
  return evidence;
}
