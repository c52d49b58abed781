/**
 * Aggregates the successful and the failed logins per IP for a set of IPs: who logged in, how often,
 * when last; who was tried, how often, first and last. From the login index when there is one
 * (loginIndex.ts: its segments plus the lines not yet in them), else by scanning the logs (one byte
 * search for both).
 */
import { addLoginEvidence, IpLoginEvidence } from '../domain/explain';
import { addFailedRecord, IpFailedEvidence } from '../domain/failedLogins';
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

/** What explain needs of the mail logs about its IPs. */
export interface MailLoginEvidence {
  logins: Map<string, IpLoginEvidence>;
  failed: Map<string, IpFailedEvidence>;
}

export async function collectLoginEvidence(
  ctx: CoreContext,
  ips: ReadonlySet<string>,
  problems: Problems,
  onProgress?: (p: ScanProgress) => void,
): Promise<MailLoginEvidence> {
  const evidence: MailLoginEvidence = { logins: new Map(), failed: new Map() };
  if (ips.size === 0) return evidence;
  // While the daemon first builds the index the answer waits for it (a blocking problem): reading
  // the logs meanwhile would only slow the build down.
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
  await scanLogFiles(ctx, files, (_f, batch) => addBatch(evidence.logins, batch, ips), {
    problems,
    onProgress,
    onlyIps: ips,
    onFailed: (_f, records: readonly FailedRecord[]) => {
      for (const r of records) addFailedRecord(evidence.failed, r.ip, r.user, r.attempts, r.first, r.last);
    },
  });
  return evidence;
}
