/**
 * The pure parts of the reliance report: login windows (merged intervals) and the CSV export.
 */
import { LoginWindows } from '../../src/domain/reliance';
import { csvCell, relianceCsv } from '../../src/domain/relianceCsv';

const MIN = 60_000;

test('logins fuse into intervals; a time matches the most recent login within the window before it', () => {
  const w = new LoginWindows(30);
  const t0 = Date.UTC(2026, 7, 11, 8, 0, 0);
  // out of order, as files are read newest first
  w.add('192.0.2.1', t0 + 20 * MIN, 'b@x.example');
  w.add('192.0.2.1', t0, 'a@x.example');
  w.add('192.0.2.1', t0 + 10 * MIN, 'a@x.example');
  w.add('192.0.2.1', t0 + 200 * MIN, 'c@x.example');
  expect(w.userAt('192.0.2.1', t0 - MIN)).toBeNull();
  expect(w.userAt('192.0.2.1', t0 + 5 * MIN)).toBe('a@x.example');
  expect(w.userAt('192.0.2.1', t0 + 25 * MIN)).toBe('b@x.example');
  expect(w.userAt('192.0.2.1', t0 + 50 * MIN)).toBe('b@x.example');
  expect(w.userAt('192.0.2.1', t0 + 51 * MIN)).toBeNull();
  expect(w.userAt('192.0.2.1', t0 + 210 * MIN)).toBe('c@x.example');
  expect(w.userAt('192.0.2.2', t0)).toBeNull();
});

test('a week of polling every five minutes stays one interval', () => {
  const w = new LoginWindows(30);
  const t0 = Date.UTC(2026, 7, 1);
  for (let i = 0; i < 7 * 24 * 12; i++) w.add('192.0.2.1', t0 + i * 5 * MIN, 'a@x.example');
  expect((w as unknown as { byIp: Map<string, unknown[]> }).byIp.get('192.0.2.1')).toHaveLength(1);
  // joining two intervals by a login between them
  const v = new LoginWindows(30);
  v.add('192.0.2.9', t0, 'a');
  v.add('192.0.2.9', t0 + 50 * MIN, 'b');
  expect((v as unknown as { byIp: Map<string, unknown[]> }).byIp.get('192.0.2.9')).toHaveLength(2);
  v.add('192.0.2.9', t0 + 25 * MIN, 'c');
  expect((v as unknown as { byIp: Map<string, unknown[]> }).byIp.get('192.0.2.9')).toHaveLength(1);
});

test.each([
  ['plain@x.example', 'plain@x.example'],
  ['=1+2', "'=1+2"],
  ['+1', "'+1"],
  ['-1', "'-1"],
  ['@SUM(A1)', "'@SUM(A1)"],
  ['\tx', "'\tx"],
  ['a,b', '"a,b"'],
  ['say "hi"', '"say ""hi"""'],
  ['line\nbreak', '"line\nbreak"'],
  ['=cmd,"x"', '"\'=cmd,""x"""'],
])('csv cell %j', (input, output) => {
  expect(csvCell(input)).toBe(output);
});

test('numbers and nulls in CSV', () => {
  expect(csvCell(-3)).toBe('-3');
  expect(csvCell(null)).toBe('');
  expect(relianceCsv({ users: [{ user: 'a@x.example', account: null, owner: null, messages: 3, lastSeen: null, ips: [] }] })).toBe('address,account,owner,messages,last_seen\r\na@x.example,,,3,\r\n');
});
