/**
 * Aggregates the successful logins per IP for a set of IPs: who logged in, how often, when last.
 * From the login index when there is one (loginIndex.ts), else by scanning the logs.
 */
import { addLoginEvidence, IpLoginEvidence } from '../domain/explain';
import { addFailedLogin, IpFailedEvidence } from '../domain/failedLogins';
import { MailProtocol } from '../parsers/patterns/loginPatterns';
import { CoreContext } from './context';
import { kindInfo, LoginBatch } from '../scan/loginBatch';
import { indexBuildingProblem, queryLoginIndex } from '../scan/loginIndex';
import { indexStillBuilding } from '../scan/loginIndexDaemon';
import type { FailedRecord, LoginRecord, ScanProgress } from '../scan/loginScan';
import { mailLogFiles } from '../scan/loginScanFiles';
import { Problems } from './problems';

/** Counts one login (time in ms, NaN when unknown). */
function addOne(evidence: Map<string, IpLoginEvidence>, ip: string, user: string, time: number, protocol: MailProtocol): void {
  addLoginEvidence(evidence, ip, user, 1, time, [protocol]);
}

export function addLogin(evidence: Map<string, IpLoginEvidence>, l: Pick<LoginRecord, 'ip' | 'user' | 'time' | 'protocol'>): void {
  addOne(evidence, l.ip, l.user, l.time ? Date.parse(l.time) : NaN, l.protocol);
}

/** Counts the logins of a batch from the wanted IPs. */
export function addBatch(evidence: Map<string, IpLoginEvidence>, batch: LoginBatch, ips: ReadonlySet<string>): void {
  // Whether each string of the batch is a wanted IP, decided once per string rather than per login.
  const wanted = new Int8Array(batch.strings.length);
  for (let i = 0; i < batch.n; i++) {
    const ipId = batch.ip[i];
    let w = wanted[ipId];
    if (w === 0) {
      w = ips.has(batch.strings[ipId]) ? 1 : -1;
      wanted[ipId] = w;
    }
    if (w < 0) continue;
    addOne(evidence, batch.strings[ipId], batch.strings[batch.user[i]], batch.time[i], kindInfo(batch.kind[i]).protocol);
  }
}

export async function collectLoginEvidence(
  ctx: CoreContext,
  ips: ReadonlySet<string>,
  problems: Problems,
  onProgress?: (p: ScanProgress) => void,
  /**
   * Given, a scan of the logs (no index) also finds the failed logins from the IPs, in the same byte
   * search, into `failed.evidence`, and sets `failed.found`; an answer from the index leaves it unset.
   */
  failed?: { evidence: Map<string, IpFailedEvidence>; found: boolean },
): Promise<Map<string, IpLoginEvidence>> {
  const evidence = new Map<string, IpLoginEvidence>();
  if (ips.size === 0) return evidence;
  const building = indexStillBuilding(ctx);
  if (building) {
    problems.add(indexBuildingProblem(ctx, building.percent), true);
    return evidence;
  }
  const fromIndex = await queryLoginIndex(ctx, (v) => v.evidenceFor(ips), { onProgress });
  if (fromIndex) {
    for (const p of fromIndex.view.problems.list) problems.add(p, p.blocking);
    return fromIndex.value;
  }
  const files = await mailLogFiles(ctx, problems);
  // The scanner (worker pool, WASM kernel, line parsers) is loaded only here: an answer from the
  // index needs none of it, and loading it costs a CLI run some ten milliseconds.
  const { scanLogFiles } = require('../scan/loginScan') as typeof import('../scan/loginScan');
  await scanLogFiles(ctx, files, (_f, batch) => addBatch(evidence, batch, ips), {
    problems,
    onProgress,
    onlyIps: ips,
    ...(failed ? { onFailed: (_f: unknown, records: readonly FailedRecord[]) => records.forEach((r) => addFailedLogin(failed.evidence, r.ip, r.user, r.attempts, r.time)) } : {}),
  });
  if (failed) failed.found = true;
  return evidence;
}
