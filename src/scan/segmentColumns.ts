/**
 * The logins and failed logins of one file as a build reads it, kept until its segment is encoded:
 * every text once (a table of the file's texts, each login and failure row naming its texts by
 * number), numbers in typed arrays of fixed-size chunks, and each (IP, name) failure row summed as
 * the jobs of the file come in. What it holds grows with the file's distinct texts and logins, at a
 * few tens of bytes each, not with its failed attempts or with how many jobs the file was read in:
 * the texts of each job's results are dropped once looked up, where keeping them (as strings per
 * job, one object per login or per failure row) held several times the memory, and made the
 * collector's heap grow with the size of the log.
 *
 * encode() gives the bytes encodeSegment gives for the same logins and failures, in order
 * (test/unit/segmentColumns.test.ts).
 */
import { layoutSegment, parseKind, PROTO_POP3, PROTO_IMAP, SEGMENT_RECORD_BYTES } from './loginIndexFormat';
import type { LoginBatch } from './loginBatch';
import type { FailedRecord } from './loginRecord';
import { ChunkPool, Column } from './chunkedColumn';
import { PairTable } from './pairTable';
import { TextTable } from './textTable';
import { StreamedParts, StreamedSegment, writeSegmentInPieces } from './segmentStream';

/** the buffer a segment is written through (records are made this many bytes at a time) */
const PIECE_BYTES = 256 * 1024;

export class SegmentColumns {
  /** the file's texts (IPs, names, login kinds), each once, by number */
  private readonly texts: TextTable;
  /** a batch kind's text number, + 1 (0: not yet looked up) */
  private kindText: number[] = [];

  private logins = 0;
  private readonly ip: Column<Uint32Array>;
  private readonly user: Column<Uint32Array>;
  private readonly kind: Column<Uint32Array>;
  private readonly line: Column<Float64Array>;
  private readonly time: Column<Float64Array>;

  /** failure rows, one per (IP, name), in the order each first came */
  private readonly rows: PairTable;
  private readonly attempts: Column<Float64Array>;
  private readonly first: Column<Float64Array>;
  private readonly last: Column<Float64Array>;

  /** `pool`: where the columns take their chunks and give them back (release) */
  constructor(private readonly pool: ChunkPool | null = null) {
    this.texts = new TextTable(pool);
    this.ip = new Column(Uint32Array, pool);
    this.user = new Column(Uint32Array, pool);
    this.kind = new Column(Uint32Array, pool);
    this.line = new Column(Float64Array, pool);
    this.time = new Column(Float64Array, pool);
    this.rows = new PairTable(pool);
    this.attempts = new Column(Float64Array, pool);
    this.first = new Column(Float64Array, pool);
    this.last = new Column(Float64Array, pool);
  }

  /** Empty again (the segment is written): the chunks go back to the pool, for the next file. */
  release(): void {
    this.texts.release();
    for (const c of [this.ip, this.user, this.kind, this.line, this.time, this.attempts, this.first, this.last]) c.release();
    this.rows.release();
    this.kindText = [];
    this.logins = 0;
  }

  get empty(): boolean {
    return this.logins === 0 && this.rows.size === 0;
  }

  private textId(s: string): number {
    return this.texts.id(s);
  }

  /** A batch's logins, lines made absolute (lineBase + batch.line[i]); kindOf names each batch kind. */
  addLogins(batch: LoginBatch, lineBase: number, kindOf: (kind: number) => string): void {
    if (batch.n === 0) return;
    // each of the batch's texts looked up once, not once per login
    const ids = new Uint32Array(batch.strings.length);
    for (let s = 0; s < ids.length; s++) ids[s] = this.textId(batch.strings[s]);
    for (let i = 0; i < batch.n; i++) {
      const k = batch.kind[i];
      let kt = this.kindText[k];
      if (kt === undefined || kt === 0) {
        kt = this.textId(kindOf(k)) + 1;
        this.kindText[k] = kt;
      }
      this.ip.push(ids[batch.ip[i]]);
      this.user.push(ids[batch.user[i]]);
      this.kind.push(kt - 1);
      this.line.push(lineBase + batch.line[i]);
      this.time.push(batch.time[i]);
    }
    this.logins += batch.n;
  }

  /** A job's failure rows: summed into the file's row of the same IP and name (encodeSegment sums them the same way). */
  addFailed(failed: readonly FailedRecord[]): void {
    for (const f of failed) {
      const before = this.rows.size;
      const r = this.rows.row(this.textId(f.ip), this.textId(f.user));
      if (r === before) {
        this.attempts.push(f.attempts);
        this.first.push(f.first);
        this.last.push(f.last);
        continue;
      }
      this.attempts.set(r, this.attempts.get(r) + f.attempts);
      const first = this.first.get(r);
      const last = this.last.get(r);
      if (!Number.isNaN(f.first) && (Number.isNaN(first) || f.first < first)) this.first.set(r, f.first);
      if (!Number.isNaN(f.last) && (Number.isNaN(last) || f.last > last)) this.last.set(r, f.last);
    }
  }

  /** The segment's bytes: those encodeSegment gives for the same logins and failures, in order. */
  encode(): Buffer {
    const p = this.parts();
    const aggUser: number[] = [];
    const aggCount: number[] = [];
    const aggLast: number[] = [];
    const aggProto: number[] = [];
    for (let d = 0; d < p.ips; d++) {
      p.aggs.forEach(d, (user, count, last, proto) => {
        aggUser.push(user);
        aggCount.push(count);
        aggLast.push(last);
        aggProto.push(proto);
      });
    }
    const f = p.fails;
    const rows = Array.from({ length: f.count }, (_, a) => a);
    return layoutSegment({
      strings: p.strings,
      kinds: p.kinds,
      dirIp: Array.from({ length: p.ips }, (_, d) => d),
      aggStart: p.aggStart, recStart: p.recStart, failStart: p.failStart,
      aggUser, aggCount, aggLast, aggProto,
      failUser: rows.map((a) => f.user(a)), failCount: rows.map((a) => f.attempts(a)), failFirst: rows.map((a) => f.first(a)), failLast: rows.map((a) => f.last(a)),
      records: { count: p.records.count, writeTo: (buf, at) => p.records.writeRange(buf, at, 0, p.records.count) },
    });
  }

  /**
   * Writes the segment encode() gives to `fd` (a new file open for reading and writing), in pieces:
   * the whole segment is never in memory (segmentStream.ts). `pieceBytes`: the pieces' size (tests
   * make them small).
   */
  writeInPieces(fd: number, macKey: Buffer, pieceBytes = PIECE_BYTES): StreamedSegment {
    const parts = this.parts();
    const pool = this.pool;
    // the records' CRCs in the counting sort's working array, not needed any more
    return writeSegmentInPieces(parts, fd, pool ? pool.piece(pieceBytes) : Buffer.allocUnsafe(pieceBytes), macKey, pool ? pool.scratch('fill', Uint32Array, parts.ips) : null);
  }

  /** The segment's parts, from the columns (in the pool's working arrays when there is a pool). */
  private parts(): StreamedParts {
    const n = this.logins;
    const nf = this.rows.size;
    const texts = this.texts;
    // Working arrays from the pool (the same ones for every file of a build), else new.
    const pool = this.pool;
    const scratch = <T extends Int32Array | Uint32Array | Float64Array | Uint16Array | Uint8Array>(name: string, make: new (k: number) => T, k: number): T => (pool ? pool.scratch(name, make, k) : new make(k));
    // The IPs (of logins, of failures or both) in text order are the first strings: an IP's string
    // id is its directory index. Then names and kinds in the order encodeSegment meets them.
    const seg = scratch('seg', Int32Array, texts.size).fill(-1);
    const segTexts = scratch('segTexts', Int32Array, texts.size);
    let nIps = 0;
    const markIp = (t: number): void => {
      if (seg[t] === -1) {
        seg[t] = 0;
        segTexts[nIps++] = t;
      }
    };
    for (let i = 0; i < n; i++) markIp(this.ip.get(i));
    for (let r = 0; r < nf; r++) markIp(this.rows.first(r));
    // in code-unit order, as encodeSegment sorts the IP texts
    segTexts.subarray(0, nIps).sort((a, b) => texts.compare(a, b));
    for (let d = 0; d < nIps; d++) seg[segTexts[d]] = d;
    let nStrings = nIps;
    const intern = (t: number): number => {
      if (seg[t] === -1) {
        seg[t] = nStrings;
        segTexts[nStrings++] = t;
      }
      return seg[t];
    };

    const loginUser = scratch('loginUser', Int32Array, n);
    const loginKind = scratch('loginKind', Uint16Array, n);
    const kindOfText = new Map<number, number>();
    const kinds: number[] = [];
    const kindPop: boolean[] = [];
    const perDir = scratch('perDir', Int32Array, nIps + 1).fill(0);
    for (let i = 0; i < n; i++) {
      perDir[seg[this.ip.get(i)] + 1]++;
      loginUser[i] = intern(this.user.get(i));
      const kt = this.kind.get(i);
      let k = kindOfText.get(kt);
      if (k === undefined) {
        k = kinds.length;
        kindOfText.set(kt, k);
        kinds.push(intern(kt));
        kindPop.push(parseKind(texts.text(kt)).protocol === 'pop3');
      }
      loginKind[i] = k;
    }
    // counting sort by IP, stable: each IP's logins stay in the order given
    for (let d = 0; d < nIps; d++) perDir[d + 1] += perDir[d];
    const order = scratch('order', Int32Array, n);
    const fill = scratch('fill', Uint32Array, nIps);
    fill.set(perDir.subarray(0, nIps));
    for (let i = 0; i < n; i++) order[fill[seg[this.ip.get(i)]]++] = i;

    const failUser = scratch('failUser', Int32Array, nf);
    const perDirFail = scratch('perDirFail', Int32Array, nIps + 1).fill(0);
    for (let r = 0; r < nf; r++) {
      perDirFail[seg[this.rows.first(r)] + 1]++;
      failUser[r] = intern(this.rows.second(r));
    }
    for (let d = 0; d < nIps; d++) perDirFail[d + 1] += perDirFail[d];
    const failOrder = scratch('failOrder', Int32Array, nf);
    fill.set(perDirFail.subarray(0, nIps));
    for (let r = 0; r < nf; r++) failOrder[fill[seg[this.rows.first(r)]]++] = r;

    // aggregates per (IP, name), names in the order each first came within the IP (at most one per
    // login): made for one IP at a time, once to count them and again as they are written, rather
    // than kept for every login of the file
    const rowOf = new Map<number, number>();
    const aUser: number[] = [];
    const aCount: number[] = [];
    const aLast: number[] = [];
    const aProto: number[] = [];
    const aggsOf = (d: number, emit: (user: number, count: number, last: number, proto: number) => void): void => {
      const from = perDir[d];
      const to = perDir[d + 1];
      if (to - from === 1) {
        // the most common case on a server with many addresses: one login
        const i = order[from];
        emit(loginUser[i], 1, this.time.get(i), kindPop[loginKind[i]] ? PROTO_POP3 : PROTO_IMAP);
        return;
      }
      rowOf.clear();
      let m = 0;
      for (let o = from; o < to; o++) {
        const i = order[o];
        let a = rowOf.get(loginUser[i]);
        if (a === undefined) {
          a = m++;
          rowOf.set(loginUser[i], a);
          aUser[a] = loginUser[i];
          aCount[a] = 0;
          aLast[a] = NaN;
          aProto[a] = 0;
        }
        aCount[a]++;
        const t = this.time.get(i);
        if (!Number.isNaN(t) && (Number.isNaN(aLast[a]) || t > aLast[a])) aLast[a] = t;
        aProto[a] |= kindPop[loginKind[i]] ? PROTO_POP3 : PROTO_IMAP;
      }
      for (let a = 0; a < m; a++) emit(aUser[a], aCount[a], aLast[a], aProto[a]);
    };
    let nAgg = 0;
    const aggStart = scratch('aggStart', Int32Array, nIps + 1);
    const count = (): void => void nAgg++;
    for (let d = 0; d < nIps; d++) {
      aggStart[d] = nAgg;
      aggsOf(d, count);
    }
    aggStart[nIps] = nAgg;

    return {
      // written from the table of texts: no string per text
      strings: {
        count: nStrings,
        byteLength: (i) => texts.utf8Length(segTexts[i]),
        writeTo: (i, buf, at) => texts.writeUtf8(segTexts[i], buf, at),
      },
      kinds,
      ips: nIps,
      aggStart, recStart: perDir, failStart: perDirFail,
      aggs: { count: nAgg, forEach: aggsOf },
      // failure rows are summed already: only put in IP order
      fails: {
        count: nf,
        user: (a) => failUser[failOrder[a]],
        attempts: (a) => this.attempts.get(failOrder[a]),
        first: (a) => this.first.get(failOrder[a]),
        last: (a) => this.last.get(failOrder[a]),
      },
      // made straight from the columns, a range at a time: no copy of the records
      records: {
        count: n,
        writeRange: (buf, at, from, to) => {
          for (let o = from; o < to; o++) {
            const i = order[o];
            const p = at + SEGMENT_RECORD_BYTES * (o - from);
            buf.writeUInt32LE(this.line.get(i), p);
            buf.writeDoubleLE(this.time.get(i), p + 4);
            buf.writeUInt32LE(loginUser[i], p + 12);
            buf.writeUInt32LE(loginKind[i], p + 16);
          }
        },
      },
    };
  }
}
