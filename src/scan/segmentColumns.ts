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

  /**
   * The segment's bytes: those encodeSegment gives for the same logins and failures, in order. With
   * a pool, they are laid out in its segment buffer: used until the next encode().
   */
  encode(): Buffer {
    const n = this.logins;
    const nf = this.rows.size;
    const texts = this.texts;
    // Working arrays from the pool (the same ones for every file of a build), else new.
    const pool = this.pool;
    const scratch = <T extends Int32Array | Uint32Array | Float64Array | Uint16Array>(name: string, make: new (k: number) => T, k: number): T => (pool ? pool.scratch(name, make, k) : new make(k));
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
    const fill = scratch('fill', Int32Array, nIps);
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

    // aggregates per (IP, name), names in the order each first came within the IP (at most one per login)
    const aggUser = scratch('aggUser', Int32Array, n);
    const aggCount = scratch('aggCount', Uint32Array, n);
    const aggLast = scratch('aggLast', Float64Array, n);
    const aggProto = scratch('aggProto', Uint32Array, n);
    let nAgg = 0;
    const aggStart = scratch('aggStart', Int32Array, nIps + 1);
    const rowOf = new Map<number, number>();
    for (let d = 0; d < nIps; d++) {
      aggStart[d] = nAgg;
      rowOf.clear();
      for (let o = perDir[d]; o < perDir[d + 1]; o++) {
        const i = order[o];
        let a = rowOf.get(loginUser[i]);
        if (a === undefined) {
          a = nAgg++;
          rowOf.set(loginUser[i], a);
          aggUser[a] = loginUser[i];
          aggCount[a] = 0;
          aggLast[a] = NaN;
          aggProto[a] = 0;
        }
        aggCount[a]++;
        const t = this.time.get(i);
        if (!Number.isNaN(t) && (Number.isNaN(aggLast[a]) || t > aggLast[a])) aggLast[a] = t;
        aggProto[a] |= kindPop[loginKind[i]] ? PROTO_POP3 : PROTO_IMAP;
      }
    }
    aggStart[nIps] = nAgg;
    // failure rows are summed already: only put in IP order
    const fUser = scratch('fUser', Int32Array, nf);
    const fCount = scratch('fCount', Float64Array, nf);
    const fFirst = scratch('fFirst', Float64Array, nf);
    const fLast = scratch('fLast', Float64Array, nf);
    for (let o = 0; o < nf; o++) {
      const r = failOrder[o];
      fUser[o] = failUser[r];
      fCount[o] = this.attempts.get(r);
      fFirst[o] = this.first.get(r);
      fLast[o] = this.last.get(r);
    }
    const dirIp = scratch('dirIp', Int32Array, nIps);
    for (let d = 0; d < nIps; d++) dirIp[d] = d;

    return layoutSegment({
      // written from the table of texts: no string per text
      strings: {
        count: nStrings,
        byteLength: (i) => texts.utf8Length(segTexts[i]),
        writeTo: (i, buf, at) => texts.writeUtf8(segTexts[i], buf, at),
      },
      kinds,
      dirIp,
      aggStart, recStart: perDir, failStart: perDirFail,
      aggUser: aggUser.subarray(0, nAgg), aggCount: aggCount.subarray(0, nAgg), aggLast: aggLast.subarray(0, nAgg), aggProto: aggProto.subarray(0, nAgg),
      failUser: fUser, failCount: fCount, failFirst: fFirst, failLast: fLast,
      // written straight into the segment: no second copy of the records
      records: {
        count: n,
        writeTo: (buf, at) => {
          for (let o = 0; o < n; o++) {
            const i = order[o];
            const p = at + SEGMENT_RECORD_BYTES * o;
            buf.writeUInt32LE(this.line.get(i), p);
            buf.writeDoubleLE(this.time.get(i), p + 4);
            buf.writeUInt32LE(loginUser[i], p + 12);
            buf.writeUInt32LE(loginKind[i], p + 16);
          }
        },
      },
    }, pool ? (bytes) => pool.segmentBuffer(bytes) : undefined);
  }
}
