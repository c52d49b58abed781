/**
 * Two segments of a log merged from their bytes hold exactly what one segment encoded from the
 * older's logins and failures followed by the newer's holds: the same IPs, and per IP the same
 * aggregates (users in order of first login), failure rows (names in order of first failure) and
 * login records, whatever the string ids. A damaged record is found, not copied.
 */
import { encodeSegment, IndexCorrupt, IndexedFailure, IndexedLogin, SegmentMeta } from '../../src/scan/loginIndexFormat';
import { mergeSegments, SegmentBytes } from '../../src/scan/loginIndexMerge';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function bytesOf(buf: Buffer): SegmentBytes {
  const offRec = buf.readUInt32LE(40);
  return { meta: new SegmentMeta(buf.subarray(0, offRec), 'seg-test.rwx'), records: buf.subarray(offRec) };
}

/** Everything a segment says, by IP, with strings instead of ids. */
function content(buf: Buffer): unknown {
  const { meta, records } = bytesOf(buf);
  const out: unknown[] = [];
  for (const [ip, slot] of meta.entries()) {
    const [a, b] = meta.recordRange(slot);
    out.push({
      ip,
      aggregates: meta.aggregatesOf(slot),
      failures: meta.failuresOf(slot),
      records: meta.decodeRecords(ip, slot, records.subarray(a - meta.header.offRec, b - meta.header.offRec)),
    });
  }
  return out;
}

function part(r: () => number, lines: [number, number]): { logins: IndexedLogin[]; failures: IndexedFailure[] } {
  const ips = ['192.0.2.1', '192.0.2.10', '192.0.2.2', '2001:db8::1', '198.51.100.7', '203.0.113.99'];
  const users = ['bob@b.example', 'amy@a.example', 'zed', '', 'carol@c.example', '192.0.2.1'];
  const kinds = ['dovecot-login/imap/dovecot', 'dovecot-login/pop3/dovecot', 'courier-login/imap/courier'];
  const logins: IndexedLogin[] = [];
  const failures: IndexedFailure[] = [];
  for (let line = lines[0]; line < lines[1]; line++) {
    const ip = ips[Math.floor(r() * ips.length)];
    const t = r() < 0.1 ? NaN : 1_700_000_000_000 + Math.floor(r() * 1e6);
    if (r() < 0.5) logins.push({ ip, user: users[Math.floor(r() * 5)], line, time: t, kind: kinds[Math.floor(r() * kinds.length)] });
    else failures.push({ ip, user: users[Math.floor(r() * users.length)], attempts: 1 + Math.floor(r() * 3), first: t, last: r() < 0.5 ? t : t + 5000 });
  }
  return { logins, failures };
}

test('a merge holds what one segment of both parts holds', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const r = rng(seed);
    const cut = Math.floor(r() * 120);
    const older = part(r, [1, 1 + cut]);
    const newer = part(r, [1 + cut, 1 + cut + Math.floor(r() * 80)]);
    const merged = mergeSegments(bytesOf(encodeSegment(older.logins, older.failures)), bytesOf(encodeSegment(newer.logins, newer.failures)));
    const whole = encodeSegment([...older.logins, ...newer.logins], [...older.failures, ...newer.failures]);
    expect(content(merged)).toEqual(content(whole));
    // and merged again with a third
    const third = part(r, [1000, 1040]);
    const again = mergeSegments(bytesOf(merged), bytesOf(encodeSegment(third.logins, third.failures)));
    expect(content(again)).toEqual(content(encodeSegment([...older.logins, ...newer.logins, ...third.logins], [...older.failures, ...newer.failures, ...third.failures])));
  }
});

test('a changed record is damage: the merge fails instead of copying it', () => {
  const r = rng(99);
  const a = part(r, [1, 50]);
  const b = part(r, [50, 90]);
  const older = encodeSegment(a.logins, a.failures);
  older[older.length - 3] ^= 1;
  expect(() => mergeSegments(bytesOf(older), bytesOf(encodeSegment(b.logins, b.failures)))).toThrow(IndexCorrupt);
});
