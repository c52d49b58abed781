/**
 * FailedRecordsBuilder sums failed logins per (IP, name), in the order each pair first comes: held to
 * the plain per-pair sum on random sequences (one name per IP, several, the same name again after
 * another, lines without a name or a stamp).
 */
import { FailedRecord, FailedRecordsBuilder } from '../../src/scan/loginRecord';

function reference(events: ReadonlyArray<[string, string | null, number, number]>): FailedRecord[] {
  const out: FailedRecord[] = [];
  for (const [ip, user, attempts, time] of events) {
    const name = user ?? '';
    const r = out.find((x) => x.ip === ip && x.user === name);
    if (!r) {
      out.push({ ip, user: name, attempts, first: time, last: time });
      continue;
    }
    r.attempts += attempts;
    if (!Number.isNaN(time)) {
      if (Number.isNaN(r.first) || time < r.first) r.first = time;
      if (Number.isNaN(r.last) || time > r.last) r.last = time;
    }
  }
  return out;
}

test('the same records, in the same order, as the plain sum per (IP, name)', () => {
  let seed = 5;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  for (let round = 0; round < 200; round++) {
    const ips = Array.from({ length: 1 + rnd(12) }, (_, i) => (i % 2 ? `2001:db8::${i}` : `192.0.2.${i}`));
    const names = [null, '', 'a@example.com', 'b@example.com', 'admin'];
    const events: Array<[string, string | null, number, number]> = [];
    for (let i = 0; i < 1 + rnd(60); i++) events.push([ips[rnd(ips.length)], names[rnd(round % 3 === 0 ? 2 : names.length)], 1 + rnd(5), rnd(8) === 0 ? NaN : 1_700_000_000_000 + rnd(1000) * 1000]);
    const b = new FailedRecordsBuilder();
    for (const [ip, user, attempts, time] of events) b.add(ip, user, attempts, time);
    expect(b.build()).toEqual(reference(events));
  }
});
