/**
 * One unit of a login scan: a byte range of one log file (or a whole .gz file), scanned for
 * successful logins into a LoginBatch, and for failed logins too when asked (the index keeps both,
 * found in one byte search). The same function runs in the main thread and in the scan
 * workers (loginScanWorker.ts), so a job carries only plain data.
 */
import { Host } from '../host/host';
import { scanLines } from './lineScanner';
import { FAILED_LOGIN_NEEDLES } from '../parsers/failedLoginLine';
import { LOGIN_NEEDLES } from '../parsers/loginLine';
import { IpTextFilter, witnessNeedles } from '../parsers/ipTextFilter';
import { LoginLineReader } from '../parsers/loginLineReader';
import { makeStampResolver, Stamp } from '../parsers/syslogLine';
import { LoginBatch, LoginBatchBuilder, loginKind, PATTERN_INDEX } from './loginBatch';
import { FailedRecord, FailedRecordsBuilder } from './loginRecord';

const LOGIN_AND_FAILED_NEEDLES: readonly string[] = [...new Set([...LOGIN_NEEDLES, ...FAILED_LOGIN_NEEDLES])];

export interface ScanJob {
  root: string;
  hostPath: string;
  gz: boolean;
  /** first byte (decompressed offset for .gz); a line start */
  start: number;
  /** stop before this byte (plain files); null = to the end */
  end: number | null;
  includePartialLastLine: boolean;
  /** the file's modification time, which gives yearless stamps their year */
  mtimeMs: number;
  /** when set, only logins from these (canonical) IPs are wanted: the others are not kept */
  onlyIps?: readonly string[];
  /**
   * witnessNeedles(onlyIps), when the thread that planned the jobs has made them: a worker then
   * does not derive them again (their first derivation in a thread costs a few milliseconds)
   */
  ipNeedles?: readonly string[] | null;
  /**
   * find failed logins too, in the same byte search (the index keeps them; explain without an index
   * wants them for its IPs); only from onlyIps when that is set
   */
  failedToo?: boolean;
}

export interface JobResult {
  batch: LoginBatch;
  /** failed logins, when the job asked for them: summed per (IP, name), in the order each first came */
  failed?: FailedRecord[];
  /** complete lines in the range (plus the unterminated last one when it was taken) */
  lines: number;
  /** offset after the last complete line */
  endOffset: number;
  partialBytes: number;
  bytesRead: number;
}

/**
 * How a scan for a few IPs finds its lines, built once per thread for the IPs of a scan (every job
 * asks for the same): the addresses' witnesses as the kernel's needles when they fit (each line
 * holding one is parsed; a dense log's login lines are never even looked at), else the login needles
 * with the witness automaton as a filter on each candidate line (parsers/ipTextFilter.ts).
 */
interface IpSearch {
  key: string;
  needles: readonly string[] | null;
  filter: IpTextFilter | null;
}

let lastSearch: IpSearch | null = null;

function searchFor(ips: readonly string[], given: readonly string[] | null | undefined): IpSearch {
  const key = ips.join('\n');
  if (lastSearch?.key !== key) {
    const needles = given !== undefined ? given : witnessNeedles(ips);
    lastSearch = { key, needles, filter: needles ? null : new IpTextFilter(ips) };
  }
  return lastSearch;
}

export async function runScanJob(job: ScanJob, onProgress?: (bytesRead: number) => void): Promise<JobResult> {
  const host = new Host(job.root);
  const reader = new LoginLineReader();
  const resolve = makeStampResolver(new Date(job.mtimeMs));
  const out = new LoginBatchBuilder();
  let lastStamp: Stamp | null = null;
  let lastTime = NaN;
  // Consecutive lines usually share their stamp object (LoginLineReader's prefix memo).
  const timeOf = (stamp: Stamp | null): number => {
    if (stamp !== lastStamp) {
      lastStamp = stamp;
      const d = stamp ? resolve(stamp) : null;
      lastTime = d ? d.getTime() : NaN;
    }
    return lastTime;
  };
  const only = job.onlyIps ? new Set(job.onlyIps) : null;
  const search = job.onlyIps ? searchFor(job.onlyIps, job.ipNeedles) : null;
  const prefilter = search?.filter ?? null;
  const failed = job.failedToo ? new FailedRecordsBuilder() : null;
  const result = await scanLines(host, job.hostPath, {
    // Lines naming a wanted IP are parsed as a login or a failed login (each parser needs its own needle).
    ...(search?.needles ? { needles: search.needles, fingerprintBytes: 3 as const } : { needles: failed ? LOGIN_AND_FAILED_NEEDLES : LOGIN_NEEDLES }),
    gz: job.gz,
    startOffset: job.start,
    startLine: 1,
    ...(job.end !== null && !job.gz ? { endOffset: job.end } : {}),
    includePartialLastLine: job.includePartialLastLine,
    onProgress,
    ...(prefilter ? { lineFilter: (buf: Buffer, s: number, e: number) => prefilter.mayContain(buf, s, e) } : {}),
    onLine: (c) => {
      const hit = reader.parse(c.text);
      if (!hit && failed) {
        const miss = reader.parseFailed(c.text);
        if (miss && (only === null || only.has(miss.ip))) failed.add(miss.ip, miss.user, miss.attempts, timeOf(miss.stamp));
        return;
      }
      if (!hit || (only !== null && !only.has(hit.ip))) return;
      out.push(c.line, timeOf(hit.stamp), hit.ip, hit.user, loginKind(PATTERN_INDEX.get(hit.pattern)!, hit.protocol));
    },
  });
  return { batch: out.build(), ...(failed ? { failed: failed.build() } : {}), lines: result.lines, endOffset: result.endOffset, partialBytes: result.partialBytes, bytesRead: result.bytesRead };
}
