/**
 * The IP directory of an index segment is searched, not decoded: every IP of a segment is found with
 * its own logins, and an IP that is not there (before, between or after the stored ones) is not.
 */
import { encodeSegment, IndexedLogin, SEGMENT_HEADER_BYTES, SegmentMeta } from '../../src/scan/loginIndexFormat';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function segmentOf(logins: IndexedLogin[]): SegmentMeta {
  const buf = encodeSegment(logins);
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
