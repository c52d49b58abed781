/**
 * The IP directory of an index segment is searched, not decoded: every IP of a segment is found with
 * its own logins and failed logins, and an IP that is not there (before, between or after the stored
 * ones) is not.
 */
import { encodeSegment, IndexCorrupt, IndexedFailure, IndexedLogin, SEGMENT_HEADER_BYTES, SegmentMeta } from '../../src/scan/loginIndexFormat';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function segmentOf(logins: IndexedLogin[], failures: IndexedFailure[] = []): SegmentMeta {
  const buf = encodeSegment(logins, failures);
  const offRec = buf.readUInt32LE(40);
  expect(offRec).toBeGreaterThan(SEGMENT_HEADER_BYTES);
  return new SegmentMeta(buf.subarray(0, offRec), 'seg-test.rwx');
}

test('every stored IP is found with its logins; others are not', () => {
  const r = rng(3);
  const ips: string[] = [];
  for (let i = 0; i < 3000; i++) {
    ips.push(r() < 0.5
      ? `${1 + Math.floor(r() * 223)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}`
      : `2001:db8:${Math.floor(r() * 65535).toString(16)}::${Math.floor(r() * 65535).toString(16)}`);
  }
  const stored = [...new Set(ips)];
  const logins: IndexedLogin[] = [];
  const expected = new Map<string, number>();
  stored.forEach((ip, k) => {
    const n = 1 + (k % 3);
    expected.set(ip, n);
    for (let j = 0; j < n; j++) logins.push({ ip, user: `u${k % 7}@example.com`, line: logins.length + 1, time: 1_700_000_000_000 + j, kind: 'dovecot/imap/dovecot' });
  });
  const meta = segmentOf(logins);
  const position = new Map(stored.map((ip, k) => [ip, k]));
  expect(meta.ipCount).toBe(stored.length);
  for (const ip of stored) {
    const slot = meta.slot(ip);
    expect(slot?.recCount).toBe(expected.get(ip));
    expect(meta.aggregates(ip)).toEqual([{ user: `u${position.get(ip)! % 7}@example.com`, count: expected.get(ip), last: 1_700_000_000_000 + expected.get(ip)! - 1, protocols: 1 }]);
  }
  const absent = ['0.0.0.0', '1.0.0.0', '99.99.99.99', '255.255.255.255', '2001:db8::', 'ffff::1', '::1', `${stored[0]}0`];
  for (const ip of absent.filter((a) => !expected.has(a))) expect(meta.slot(ip)).toBeNull();

  // several at once, in order: the same answers as one by one
  const asked = [...stored.filter((_, k) => k % 97 === 0), ...absent].sort();
  const found = meta.slots(asked, asked.map((ip) => Buffer.from(ip, 'latin1')));
  expect(found.map(([ip]) => ip)).toEqual(asked.filter((ip) => expected.has(ip)));
  for (const [ip, slot] of found) expect(slot).toEqual(meta.slot(ip));
  // the whole directory, in order
  expect([...meta.entries()].map(([ip]) => ip)).toEqual([...stored].sort());
});

test('an empty segment has nothing to find', () => {
  const meta = segmentOf([]);
  expect(meta.slot('192.0.2.1')).toBeNull();
  expect(meta.slots(['192.0.2.1'], [Buffer.from('192.0.2.1')])).toEqual([]);
});

test('failed logins: summed per IP and name, in the order each name first came; an IP with failures only is found too', () => {
  const t0 = 1_700_000_000_000;
  const logins: IndexedLogin[] = [{ ip: '192.0.2.1', user: 'bob@b.example', line: 1, time: t0, kind: 'dovecot/imap/dovecot' }];
  const failures = [
    { ip: '192.0.2.9', user: 'zed', attempts: 1, first: t0 + 5, last: t0 + 5 },
    { ip: '192.0.2.1', user: 'bob@b.example', attempts: 3, first: t0 + 2, last: t0 + 2 },
    { ip: '192.0.2.9', user: '', attempts: 1, first: NaN, last: NaN },
    { ip: '192.0.2.9', user: 'amy', attempts: 2, first: t0 + 1, last: t0 + 7 },
    { ip: '192.0.2.9', user: 'zed', attempts: 4, first: t0 + 9, last: t0 + 3 },
  ];
  const meta = segmentOf(logins, failures);
  expect([...meta.entries()].map(([ip, s]) => [ip, s.recCount, s.failCount])).toEqual([['192.0.2.1', 1, 1], ['192.0.2.9', 0, 3]]);
  expect(meta.failuresOf(meta.slot('192.0.2.9')!)).toEqual([
    { user: 'zed', attempts: 5, first: t0 + 5, last: t0 + 5 },
    { user: '', attempts: 1, first: NaN, last: NaN },
    { user: 'amy', attempts: 2, first: t0 + 1, last: t0 + 7 },
  ]);
  expect(meta.aggregates('192.0.2.9')).toEqual([]);
});

test('a changed byte among the failure rows is damage, found when the segment is opened', () => {
  const buf = encodeSegment([], [{ ip: '192.0.2.9', user: 'zed', attempts: 1, first: 1, last: 1 }]);
  const offRec = buf.readUInt32LE(40);
  buf[offRec - 10] ^= 1;
  expect(() => new SegmentMeta(buf.subarray(0, offRec), 'seg-test.rwx')).toThrow(IndexCorrupt);
});

test('a segment of version 1 (before failures were kept) is not read', () => {
  const buf = encodeSegment([{ ip: '192.0.2.1', user: 'bob', line: 1, time: 1, kind: 'dovecot/imap/dovecot' }]);
  buf.writeUInt32LE(1, 4);
  expect(() => new SegmentMeta(buf.subarray(0, buf.readUInt32LE(40)), 'seg-old.rwx')).toThrow(/version 1/);
});
