/**
 * Two segments of one log merged into one, from their bytes (the index merges a log's newest
 * segments as they pile up: loginIndex.ts). Pure: bytes in, bytes out.
 *
 * The result holds what encodeSegment() gives for the older segment's logins and failures followed
 * by the newer's (test/unit/segmentMerge.test.ts holds the two to the same content), but it is made
 * by walking the two sorted IP directories side by side and copying records, not by decoding every
 * login into an object, grouping them again and sorting 100,000 addresses: a merge runs while the
 * daemon serves, after each update of a growing log.
 */
import { IndexCorrupt, IpSlot, layoutSegment, SEGMENT_RECORD_BYTES, SegmentMeta } from './loginIndexFormat';

const REC = SEGMENT_RECORD_BYTES;

export interface SegmentBytes {
  meta: SegmentMeta;
  /** the records section, [offRec, total) of the file */
  records: Buffer;
}

/** `older` and `newer`, one log's segments with all of `older`'s lines before `newer`'s, as one segment. */
export function mergeSegments(older: SegmentBytes, newer: SegmentBytes): Buffer {
  // Records are copied, not decoded: their checksums are checked here instead.
  older.meta.verifyRecords(older.records);
  newer.meta.verifyRecords(newer.records);
  const a = older.meta;
  const b = newer.meta;

  const strings: Buffer[] = [];
  // The strings other than the directory's IPs (users, names tried, kinds), each once.
  const byText = new Map<string, number>();
  const remaps = [new Int32Array(a.header.strings).fill(-1), new Int32Array(b.header.strings).fill(-1)];
  const stringOf = (side: 0 | 1, id: number): number => {
    const remap = remaps[side];
    let out = remap[id];
    if (out < 0) {
      const text = (side === 0 ? a : b).str(id);
      out = byText.get(text) ?? -1;
      if (out < 0) {
        out = strings.length;
        strings.push(Buffer.from(text, 'utf8'));
        byText.set(text, out);
      }
      remap[id] = out;
    }
    return out;
  };
  // Login kinds, each once (by the id of their string).
  const kinds: number[] = [];
  const kindOfString = new Map<number, number>();
  const kindRemaps = [a, b].map((m, side) => m.kinds.map((_, k) => {
    const sid = stringOf(side as 0 | 1, m.kindStringId(k));
    let kind = kindOfString.get(sid);
    if (kind === undefined) {
      kind = kinds.length;
      kinds.push(sid);
      kindOfString.set(sid, kind);
    }
    return kind;
  }));

  const nA = a.header.ips;
  const nB = b.header.ips;
  const dirIp: number[] = [];
  const aggStart: number[] = [];
  const recStart: number[] = [];
  const failStart: number[] = [];
  const aggUser: number[] = [];
  const aggCount: number[] = [];
  const aggLast: number[] = [];
  const aggProto: number[] = [];
  const failUser: number[] = [];
  const failCount: number[] = [];
  const failFirst: number[] = [];
  const failLast: number[] = [];
  const records = Buffer.alloc(older.records.length + newer.records.length);
  let recAt = 0;
  const rowOf = new Map<number, number>();

  // An IP in one segment only has its rows copied; one in both has the older's rows noted
  // (`both` on the older side) and the newer's added to them (`both` on the newer side).
  const addFrom = (side: 0 | 1, slot: IpSlot, both: boolean): void => {
    const m = side === 0 ? a : b;
    // aggregates: a user already counted for this IP (older segment) adds up; a new one follows
    if (both && side === 0) rowOf.clear();
    for (let r = slot.aggStart; r < slot.aggStart + slot.aggCount; r++) {
      const [u, count, last, protocols] = m.aggRaw(r);
      const user = stringOf(side, u);
      const row = both && side === 1 ? rowOf.get(user) : undefined;
      if (row === undefined) {
        if (both) rowOf.set(user, aggUser.length);
        aggUser.push(user);
        aggCount.push(count);
        aggLast.push(last);
        aggProto.push(protocols);
      } else {
        aggCount[row] += count;
        if (!Number.isNaN(last) && (Number.isNaN(aggLast[row]) || last > aggLast[row])) aggLast[row] = last;
        aggProto[row] |= protocols;
      }
    }
    // records: the older segment's, then the newer's, each user and kind renumbered
    const src = side === 0 ? older.records : newer.records;
    const kindRemap = kindRemaps[side];
    src.copy(records, recAt, REC * slot.recStart, REC * (slot.recStart + slot.recCount));
    for (let r = 0; r < slot.recCount; r++, recAt += REC) {
      records.writeUInt32LE(stringOf(side, records.readUInt32LE(recAt + 12)), recAt + 12);
      const kind = kindRemap[records.readUInt32LE(recAt + 16)];
      if (kind === undefined) throw new IndexCorrupt(`${m.name}: record kind out of range`);
      records.writeUInt32LE(kind, recAt + 16);
    }
  };
  const failRows = new Map<number, number>();
  const addFailuresFrom = (side: 0 | 1, slot: IpSlot, both: boolean): void => {
    const m = side === 0 ? a : b;
    if (both && side === 0) failRows.clear();
    for (let r = slot.failStart; r < slot.failStart + slot.failCount; r++) {
      const [u, attempts, first, last] = m.failRaw(r);
      const user = stringOf(side, u);
      const row = both && side === 1 ? failRows.get(user) : undefined;
      if (row === undefined) {
        if (both) failRows.set(user, failUser.length);
        failUser.push(user);
        failCount.push(attempts);
        failFirst.push(first);
        failLast.push(last);
      } else {
        failCount[row] += attempts;
        if (!Number.isNaN(first) && (Number.isNaN(failFirst[row]) || first < failFirst[row])) failFirst[row] = first;
        if (!Number.isNaN(last) && (Number.isNaN(failLast[row]) || last > failLast[row])) failLast[row] = last;
      }
    }
  };

  // The two directories side by side, in address-text order (byte order: canonical IPs are ASCII).
  // Records of one IP must be together, so its aggregates and records are done before its failures.
  // (The IP texts are views of the two segments' bytes, copied once, by layoutSegment.)
  const ipOf = (m: SegmentMeta, d: number, n: number): Buffer | null => (d < n ? m.stringBytes(m.dirIpId(d)) : null);
  let i = 0;
  let j = 0;
  let ipA = ipOf(a, 0, nA);
  let ipB = ipOf(b, 0, nB);
  while (ipA !== null || ipB !== null) {
    const c = ipA === null ? 1 : ipB === null ? -1 : ipA.compare(ipB);
    aggStart.push(aggUser.length);
    recStart.push(recAt / REC);
    failStart.push(failUser.length);
    dirIp.push(strings.length);
    strings.push(c <= 0 ? ipA! : ipB!);
    const slotA = c <= 0 ? a.slotAt(i) : null;
    const slotB = c >= 0 ? b.slotAt(j) : null;
    if (slotA) addFrom(0, slotA, c === 0);
    if (slotB) addFrom(1, slotB, c === 0);
    if (slotA) addFailuresFrom(0, slotA, c === 0);
    if (slotB) addFailuresFrom(1, slotB, c === 0);
    if (c <= 0) ipA = ipOf(a, ++i, nA);
    if (c >= 0) ipB = ipOf(b, ++j, nB);
  }
  aggStart.push(aggUser.length);
  recStart.push(recAt / REC);
  failStart.push(failUser.length);
  return layoutSegment({ strings, kinds, dirIp, aggStart, recStart, failStart, aggUser, aggCount, aggLast, aggProto, failUser, failCount, failFirst, failLast, records });
}
