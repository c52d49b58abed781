/**
 * `relaywatch explain`: every relay IP with the evidence for it, and an overall verdict.
 * The one core function behind the CLI command, the JSON route and the dashboard.
 */
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { explainHosts, guessedHosts, RelayHost, Verdict, verdictOf, verdictSentence } from '../domain/explain';
import { Generation } from '../domain/generation';
import { Viewer, viewerKey } from '../domain/scope';
import { Rejected } from '../parsers/relayFiles';
import { sharedAccounts } from './accountsService';
import { cachedAnswer } from '../cache/answerCache';
import { CoreContext } from './context';
import { collectLoginEvidence } from './loginEvidence';
import { indexStillBuilding } from '../scan/loginIndexDaemon';
import { ScanProgress } from '../scan/loginScan';
import { Problem, Problems } from './problems';
import { explainInputFrom, readGeneration, readRelayList, readRelaying } from './relayState';

export interface ExplainReport {
  generation: Generation;
  generationEvidence: string[];
  relayList: string;
  relayListLink: string | null;
  relayListExists: boolean;
  /**
   * Whether POP-before-SMTP relaying is allowed: the switch's state is root's (as the status page is),
   * so null for a reseller.
   */
  relaying: { allowed: boolean; why: string } | null;
  verdict: Verdict;
  summary: string;
  expireHostMins: number;
  checkedAt: string;
  /** passwordGuessing: hosts whose failed logins tried this server's mailboxes */
  counts: { hosts: number; explained: number; alwaysrelay: number; unexplained: number; stale: number; passwordGuessing: number };
  hosts: RelayHost[];
  /** relay-list lines that are not IP addresses (root only) */
  rejectedLines: Rejected[];
  problems: Problem[];
}

/**
 * How long a report may be reused when none of its files changed. It says which IPs are past the
 * relay window (30 minutes or more), so it may be up to this much late in saying so.
 */
const REUSE_MS = 30_000;

/**
 * The report for a viewer. A daemon asked again and again gets the same report back until a file
 * it was computed from changes (answerCache.ts); a progress callback means a one-off run (the CLI).
 */
export async function explain(ctx: CoreContext, viewer: Viewer, opts: { onProgress?: (p: ScanProgress) => void } = {}): Promise<ExplainReport> {
  if (opts.onProgress || indexStillBuilding(ctx)) return explainNow(ctx, viewer, opts);
  return cachedAnswer(ctx, `explain:${viewerKey(viewer)}`, REUSE_MS, (c) => explainNow(c, viewer, opts));
}

/** The report as JSON bytes, plain and gzipped, with an entity tag: what the JSON API sends. */
export interface EncodedReport {
  json: Buffer;
  gzip: Buffer;
  etag: string;
}

/**
 * explain() encoded once per change: a daemon answering many clients sends the same bytes instead
 * of serializing (and compressing) a report of thousands of hosts for every request.
 */
export async function explainEncoded(ctx: CoreContext, viewer: Viewer): Promise<EncodedReport> {
  const encode = (report: ExplainReport): EncodedReport => {
    const json = Buffer.from(JSON.stringify(report), 'utf8');
    return { json, gzip: zlib.gzipSync(json), etag: `"${crypto.createHash('sha256').update(json).digest('base64url').slice(0, 27)}"` };
  };
  const report = await explain(ctx, viewer);
  let encoded = encodedReports.get(report);
  if (!encoded) {
    encoded = encode(report);
    encodedReports.set(report, encoded);
  }
  return encoded;
}

/** The bytes of each report handed out by explain(): kept for as long as the report itself is. */
const encodedReports = new WeakMap<ExplainReport, EncodedReport>();

async function explainNow(ctx: CoreContext, viewer: Viewer, opts: { onProgress?: (p: ScanProgress) => void }): Promise<ExplainReport> {
  const problems = new Problems();
  const gen = await readGeneration(ctx);
  const list = await readRelayList(ctx, gen.generation, problems);
  const accounts = await sharedAccounts(ctx, problems);
  const relaying = viewer.isRoot ? await readRelaying(ctx, gen.generation) : null;
  const ips = new Set(list.ips);
  // Logins and failed logins together: from the index (which holds both), or from one scan.
  const { logins: evidence, failed } = await collectLoginEvidence(ctx, ips, problems, opts.onProgress);

  const hosts = explainHosts(explainInputFrom(ctx, viewer, list, accounts, evidence, failed));
  const verdict = verdictOf(hosts, !problems.blocking);
  const count = (s: RelayHost['status']): number => hosts.filter((h) => h.status === s).length;
  return {
    generation: gen.generation,
    generationEvidence: viewer.isRoot ? gen.evidence : [],
    relayList: list.path,
    relayListLink: list.linkTarget,
    relayListExists: list.exists,
    relaying: relaying ? { allowed: relaying.allowed, why: relaying.why } : null,
    verdict,
    summary: verdictSentence(verdict, hosts),
    expireHostMins: list.expireHostMins,
    checkedAt: ctx.now().toISOString(),
    counts: {
      hosts: hosts.length,
      explained: count('explained'),
      alwaysrelay: count('alwaysrelay'),
      unexplained: count('unexplained'),
      stale: hosts.filter((h) => h.stale).length,
      passwordGuessing: guessedHosts(hosts).length,
    },
    hosts,
    rejectedLines: viewer.isRoot ? list.rejected : [],
    problems: viewer.isRoot ? problems.list : problems.list.map((p) => ({ ...p, path: p.path, message: p.problem })),
  };
}

export { explainExitCode } from './explainExit';
