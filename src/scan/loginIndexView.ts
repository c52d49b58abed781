/**
 * Reading the login index: the answers explain, the IP report and the reliance report need, from the
 * segments a manifest names plus the logins and failed logins read since (kept in memory until they
 * are written, or when this process could not write them).
 */
import { addLoginEvidence, IpLoginEvidence } from '../domain/explain';
import { addFailedRecord, IpFailedEvidence } from '../domain/failedLogins';
import { IndexStore } from '../host/indexStore';
import { MailProtocol, MailService } from '../parsers/patterns/loginPatterns';
import { IndexCorrupt, IndexedFailure, IndexedLogin, LogEntry, Manifest, parseKind, SEGMENT_HEADER_BYTES, SegmentMeta, SegmentRef, decodeSegmentHeader, segmentMetaMac } from './loginIndexFormat';
import type { LoginRecord } from './loginRecord';
import { Problems } from '../services/problems';

export interface LoginRow {
  /** host path of the log file */
  file: string;
  line: number;
  time: string | null;
  user: string;
  protocol: MailProtocol;
  service: MailService;
}

/**
 * Decoded segment metadata by index directory and segment name. Segments are never changed once
 * written, so a cached one stays good as long as the file's size and modification time are those it
 * was read with (anything else is damage, and is read again and found out).
 */
const metaCache = new Map<string, { meta: SegmentMeta; mac: string; size: number; mtimeMs: number }>();
const META_CACHE_MAX = 512;

/**
 * A segment's metadata (strings, IP directory, aggregates), its checksums verified when this process
 * first reads it. Records are read and checked per IP when asked for (decodeRecords), so opening the
 * index costs the metadata only; damage found there is handled like damage found at opening
 * (queryLoginIndex rebuilds).
 */
export function loadSegmentMeta(store: IndexStore, ref: SegmentRef): SegmentMeta {
  const key = `${store.dir}/${ref.name}`;
  const st = store.segmentStat(ref.name);
  if (!st) {
    const e = new Error(`segment ${ref.name} is missing`) as NodeJS.ErrnoException;
    e.code = 'ENOENT';
    throw e;
  }
  const cached = metaCache.get(key);
  if (cached && cached.meta.header.crc === ref.crc && cached.mac === ref.mac && cached.size === st.size && cached.mtimeMs === st.mtimeMs) return cached.meta;
  if (st.size !== ref.bytes) throw new IndexCorrupt(`${ref.name} has ${st.size} bytes, the manifest says ${ref.bytes}`);
  const h = decodeSegmentHeader(store.readRange(ref.name, 0, SEGMENT_HEADER_BYTES), ref.name);
  if (h.crc !== ref.crc || h.total !== ref.bytes || h.records !== ref.records) throw new IndexCorrupt(`${ref.name} is not the segment the manifest names`);
  const bytes = store.readRange(ref.name, 0, h.offRec);
  // The metadata (with every IP's aggregates and record checksums) is what the signed manifest vouches for.
  if (segmentMetaMac(store.macKey(), bytes) !== ref.mac) throw new IndexCorrupt(`${ref.name}: its MAC does not match the manifest's (not written by relaywatch with this server's key)`);
  const meta = new SegmentMeta(bytes, ref.name);
  if (metaCache.size >= META_CACHE_MAX) metaCache.clear();
  metaCache.set(key, { meta, mac: ref.mac, size: st.size, mtimeMs: st.mtimeMs });
  return meta;
}

/** Every login of a segment, in line order. */
export function readSegmentLogins(store: IndexStore, ref: SegmentRef): IndexedLogin[] {
  const meta = loadSegmentMeta(store, ref);
  const all = store.readRange(ref.name, meta.header.offRec, meta.header.total);
  if (all.length !== meta.header.total - meta.header.offRec) throw new IndexCorrupt(`${ref.name} is shorter than its header says`);
  const out: IndexedLogin[] = [];
  for (const [ip, slot] of meta.entries()) {
    if (slot.recCount === 0) continue; // an IP of failed logins only
    const [a, b] = meta.recordRange(slot);
    for (const l of meta.decodeRecords(ip, slot, all.subarray(a - meta.header.offRec, b - meta.header.offRec))) out.push(l);
  }
  return out.sort((x, y) => x.line - y.line);
}

/** What a log's lines read since its last segment hold, in line order (the rows of each part in theirs). */
export interface NewLines {
  logins: readonly IndexedLogin[];
  failures: readonly IndexedFailure[];
}

/** What explain needs of the logs about some IPs: their logins, and their failed logins. */
export interface IndexEvidence {
  logins: Map<string, IpLoginEvidence>;
  failed: Map<string, IpFailedEvidence>;
}

/** ms -> ISO text, remembering the last few (logins come in bursts of the same second). */
function isoCache(): (ms: number) => string | null {
  const memo = new Map<number, string>();
  return (ms) => {
    if (Number.isNaN(ms)) return null;
    let s = memo.get(ms);
    if (s === undefined) {
      if (memo.size > 4096) memo.clear();
      s = new Date(ms).toISOString();
      memo.set(ms, s);
    }
    return s;
  };
}



/** Newest first; without a time last; ties in file order, then latest line first. */
export function newestFirst(x: LoginRow & { order: number }, y: LoginRow & { order: number }): number {
  if (x.time !== y.time) {
    if (x.time === null) return 1;
    if (y.time === null) return -1;
    return x.time < y.time ? 1 : -1;
  }
  return x.order - y.order || y.line - x.line;
}

const PROTOCOLS: Record<number, MailProtocol[]> = { 0: [], 1: ['imap'], 2: ['pop3'], 3: ['imap', 'pop3'] };

export class LoginIndexView {
  constructor(
    readonly manifest: Manifest,
    private readonly store: IndexStore,
    /** logins and failures read in this process and not (yet) in a segment, by entry id */
    private readonly overlay: ReadonlyMap<number, NewLines>,
    readonly problems: Problems,
    /** new logins were read but could not be written (another process held the lock): they are in memory */
    readonly inMemory: boolean,
  ) {
    // Load every segment's metadata now: damage shows here, where the caller can rebuild.
    for (const e of manifest.logs) for (const ref of e.segments) loadSegmentMeta(store, ref);
  }

  private metas(e: LogEntry): SegmentMeta[] {
    return e.segments.map((ref) => loadSegmentMeta(this.store, ref));
  }

  /**
   * Per IP of `ips`: who logged in from it, how often, when last, and who was tried from it in
   * failed logins (what explain needs). Only the asked IPs are looked up, in every segment's sorted
   * directory; the failures are counted log by log and segment by segment in line order, as a scan
   * of the logs counts them.
   */
  evidenceFor(ips: ReadonlySet<string>): IndexEvidence {
    const logins = new Map<string, IpLoginEvidence>();
    const failed = new Map<string, IpFailedEvidence>();
    // Sorted once, as the directories are (canonical addresses are ASCII: code-unit order is byte order).
    const sorted = [...ips].sort();
    const keys = sorted.map((ip) => Buffer.from(ip, 'latin1'));
    for (const e of this.manifest.logs) {
      for (const meta of this.metas(e)) {
        for (const [ip, slot] of meta.slots(sorted, keys)) {
          for (const row of meta.aggregatesOf(slot)) addLoginEvidence(logins, ip, row.user, row.count, row.last, PROTOCOLS[row.protocols & 3]);
          for (const row of meta.failuresOf(slot)) addFailedRecord(failed, ip, row.user, row.attempts, row.first, row.last);
        }
      }
      const fresh = this.overlay.get(e.id);
      if (!fresh) continue;
      for (const l of fresh.logins) {
        if (ips.has(l.ip)) addLoginEvidence(logins, l.ip, l.user, 1, l.time, [parseKind(l.kind).protocol]);
      }
      for (const f of fresh.failures) {
        if (ips.has(f.ip)) addFailedRecord(failed, f.ip, f.user, f.attempts, f.first, f.last);
      }
    }
    return { logins, failed };
  }

  /** Every login from one IP, newest first (without a time last; ties in file order, latest line first). */
  loginsForIp(ip: string): LoginRow[] {
    const found: IndexedLogin[] = [];
    const files: number[] = [];
    this.manifest.logs.forEach((e, fileOrder) => {
      for (const ref of e.segments) {
        const meta = loadSegmentMeta(this.store, ref);
        const slot = meta.slot(ip);
        if (!slot || slot.recCount === 0) continue;
        const [a, b] = meta.recordRange(slot);
        for (const l of meta.decodeRecords(ip, slot, this.store.readRange(ref.name, a, b))) {
          found.push(l);
          files.push(fileOrder);
        }
      }
      for (const l of this.overlay.get(e.id)?.logins ?? []) {
        if (l.ip !== ip) continue;
        found.push(l);
        files.push(fileOrder);
      }
    });
    // Sort positions, not objects; numbers, not date strings.
    const order = Array.from(found.keys());
    order.sort((x, y) => {
      const tx = found[x].time;
      const ty = found[y].time;
      if (tx !== ty) {
        if (Number.isNaN(tx)) return Number.isNaN(ty) ? 0 : 1;
        if (Number.isNaN(ty)) return -1;
        return ty - tx;
      }
      return files[x] - files[y] || found[y].line - found[x].line;
    });
    const iso = isoCache();
    return order.map((i) => {
      const l = found[i];
      const k = parseKind(l.kind);
      return { file: this.manifest.logs[files[i]].path, line: l.line, time: iso(l.time), user: l.user, protocol: k.protocol, service: k.service as MailService };
    });
  }

  /**
   * Every login, file by file in the order of the logs (newest file first), line by line. All are
   * read (and checked) before the first is handed over, so a damaged segment fails the call whole.
   */
  forEachLogin(onLogin: (l: LoginRecord) => void): void {
    const perLog = this.manifest.logs.map((e) => {
      const logins: IndexedLogin[] = [];
      // (a loop, not push(...all): a merged segment can hold more logins than a call takes arguments)
      for (const ref of e.segments) for (const l of readSegmentLogins(this.store, ref)) logins.push(l);
      for (const l of this.overlay.get(e.id)?.logins ?? []) logins.push(l);
      return logins;
    });
    this.manifest.logs.forEach((e, i) => {
      for (const l of perLog[i]) {
        const k = parseKind(l.kind);
        onLogin({
          file: e.path, line: l.line, time: Number.isNaN(l.time) ? null : new Date(l.time).toISOString(), ip: l.ip, user: l.user,
          protocol: k.protocol, service: k.service as MailService, pattern: k.pattern,
        });
      }
    });
  }

  /** logins stored for an entry (segments and memory) */
  loginCount(e: LogEntry): number {
    return e.segments.reduce((n, s) => n + s.records, 0) + (this.overlay.get(e.id)?.logins.length ?? 0);
  }
}

