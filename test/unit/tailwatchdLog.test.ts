/**
 * The tailwatchd_log pattern tables: every envelope and message pattern proven by sample lines,
 * look-alikes that must not match, and hostile lines that must not make a pattern backtrack.
 */
import { TAILWATCHD_ENVELOPES, TAILWATCHD_MESSAGES } from '../../src/parsers/patterns/tailwatchdLogPatterns';
import { driverHistory, parseTailwatchdLog, parseTailwatchdLogLine, tailwatchdStampToIso } from '../../src/parsers/tailwatchdLog';
import { cpuMs } from '../helpers/cpuTime';

const ED = 'Cpanel::TailWatch::Utils::EnableDisable';
const twice = (pid: number, stamp: string, msg: string): string => `[${pid}] [${stamp}] [${ED}] [${pid}] [${stamp}] [main] ${msg}`;

interface Sample {
  line: string;
  envelope: string;
  event: string | null;
  driver?: string | null;
  action?: 'enable' | 'disable' | null;
  time?: string | null;
  level?: string | null;
  pid?: number | null;
}

const SAMPLES: Sample[] = [
  // the facts' own example: double stamp, "is already enabled"
  {
    line: '[28838] [2024-08-16 17:40:46 +0000] [Cpanel::TailWatch::Utils::EnableDisable] [28838] [2024-08-16 17:40:46 +0000] [main] Cpanel::TailWatch::ChkServd is already enabled',
    envelope: 'double-stamp', event: 'driver-already', driver: 'Cpanel::TailWatch::ChkServd', action: 'enable', time: '2024-08-16T17:40:46.000Z', pid: 28838,
  },
  {
    line: twice(3001, '2024-08-17 09:00:01 +0200', 'Cpanel::TailWatch::RecentAuthedMailIpTracker was successfully disabled'),
    envelope: 'double-stamp', event: 'driver-success', driver: 'Cpanel::TailWatch::RecentAuthedMailIpTracker', action: 'disable', time: '2024-08-17T07:00:01.000Z',
  },
  {
    line: twice(3002, '2024-08-17 09:00:02 -0500', 'Cpanel::TailWatch::Antirelayd was successfully enabled'),
    envelope: 'double-stamp', event: 'driver-success', driver: 'Cpanel::TailWatch::Antirelayd', action: 'enable', time: '2024-08-17T14:00:02.000Z',
  },
  {
    line: twice(3003, '2024-08-17 09:00:03 +0000', 'Cpanel::TailWatch::Antirelayd could not be disabled: cannot write /var/cpanel/cpanel.config'),
    envelope: 'double-stamp', event: 'driver-failed', driver: 'Cpanel::TailWatch::Antirelayd', action: 'disable',
  },
  {
    line: twice(3004, '2024-08-17 09:00:04 +0000', "Unknown driver 'Cpanel::TailWatch::antirelayd' passed via --enable, ignoring"),
    envelope: 'double-stamp', event: 'unknown-driver', driver: 'Cpanel::TailWatch::antirelayd', action: 'enable',
  },
  {
    line: twice(3005, '2024-08-17 09:00:05 +0000', 'Skipping restart since no changes resulted from arguments'),
    envelope: 'double-stamp', event: 'restart-skipped', driver: null, action: null,
  },
  // single stamp (the other form of an enable/disable line) and ordinary stamped lines
  {
    line: '[4100] [2024-08-18 10:11:12 +0000] [main] Cpanel::TailWatch::RecentAuthedMailIpTracker was successfully enabled',
    envelope: 'stamp', event: 'driver-success', driver: 'Cpanel::TailWatch::RecentAuthedMailIpTracker', action: 'enable', time: '2024-08-18T10:11:12.000Z', pid: 4100,
  },
  { line: '[4101] [2024-08-18 10:11:13 +0000] [main] [INFO] tailwatchd started with 8 drivers', envelope: 'stamp', event: null, level: 'INFO' },
  {
    line: '[4101] [2024-08-18 10:11:14 +0000] [main] [ERR] Could not open /var/log/chkservd.log for reading: No such file or directory',
    envelope: 'stamp', event: null, level: 'ERR',
  },
  // unstamped forms
  { line: '[INFO] Cpanel::TailWatch::Eximstats: processing 12 lines', envelope: 'level', event: null, level: 'INFO', time: null },
  { line: '[ERR] Unable to read /etc/antirelayd.conf', envelope: 'level', event: null, level: 'ERR' },
  { line: '[START] 28901 1723830049', envelope: 'bare', event: 'start', pid: null, time: '2024-08-16T17:40:49.000Z' },
  { line: '[STOP Ok] 28838', envelope: 'bare', event: 'stop', time: null },
  // tailwatchd's printed output (--verbose) uses the same messages without a stamp
  { line: 'Cpanel::TailWatch::Antirelayd was successfully disabled', envelope: 'bare', event: 'driver-success', driver: 'Cpanel::TailWatch::Antirelayd', action: 'disable', time: null },
  { line: "Unknown driver 'Foo' passed via --disable, ignoring", envelope: 'bare', event: 'unknown-driver', driver: 'Foo', action: 'disable' },
  { line: 'Skipping restart since no changes resulted from arguments', envelope: 'bare', event: 'restart-skipped' },
];

/** Lines that look like events but are not: they must yield no event (or not this one). */
const LOOK_ALIKES: string[] = [
  'Cpanel::TailWatch::Antirelayd was successfully disabledX',
  'Cpanel::TailWatch::Antirelayd was not successfully disabled',
  'note: Cpanel::TailWatch::Antirelayd was successfully disabled',
  '[4101] [2024-08-18 10:11:13 +0000] [main] x] [main] Cpanel::TailWatch::Antirelayd was successfully enabled',
  'user=<Cpanel::TailWatch::X was successfully enabled>',
  'Cpanel::TailWatch::Antirelayd is already enabled, said nobody',
  "Unknown driver 'Foo' passed via --status, ignoring",
  '[START] abc 1723830049',
  '[START] 28901',
  '[STOP] 28838',
  'Skipping restart since no changes resulted from arguments!',
  'Cpanel::TailWatch::Antirelayd could not be enabledness',
];

describe.each(SAMPLES.map((s) => [s.line, s]))('%s', (_line, s) => {
  test('parses as described', () => {
    const r = parseTailwatchdLogLine(s.line);
    expect(r.envelope).toBe(s.envelope);
    expect(r.event?.kind ?? null).toBe(s.event);
    if (s.driver !== undefined) expect(r.event?.driver ?? null).toBe(s.driver);
    if (s.action !== undefined) expect(r.event?.action ?? null).toBe(s.action);
    if (s.time !== undefined) expect(r.time).toBe(s.time);
    if (s.level !== undefined) expect(r.level).toBe(s.level);
    if (s.pid !== undefined) expect(r.pid).toBe(s.pid);
    expect(r.line).toBe(s.line);
  });
});

test('every envelope and every message pattern has at least one sample', () => {
  const envelopes = new Set(SAMPLES.map((s) => s.envelope));
  const events = new Set(SAMPLES.map((s) => s.event));
  const missing = [
    ...TAILWATCHD_ENVELOPES.filter((p) => !envelopes.has(p.name)).map((p) => `envelope ${p.name}`),
    ...TAILWATCHD_MESSAGES.filter((p) => !events.has(p.name)).map((p) => `message ${p.name}`),
  ];
  expect(missing).toEqual([]);
});

test('every sample message contains its pattern\'s needle', () => {
  for (const s of SAMPLES.filter((x) => x.event)) {
    const p = TAILWATCHD_MESSAGES.find((m) => m.name === s.event)!;
    expect(s.line).toContain(p.needle);
  }
});

test.each(LOOK_ALIKES)('look-alike %s yields no event', (line) => {
  expect(parseTailwatchdLogLine(line).event).toBeNull();
});

test('a stamp that is not a real instant gives no time', () => {
  expect(tailwatchdStampToIso('2024-02-31 10:00:00 +0000')).toBeNull();
  expect(tailwatchdStampToIso('2024-12-01 24:00:00 +0000')).toBeNull();
  expect(tailwatchdStampToIso('2024-12-01 23:59:59 +0130')).toBe('2024-12-01T22:29:59.000Z');
  expect(parseTailwatchdLogLine('[1] [2024-13-45 10:00:00 +0000] [main] hello').time).toBeNull();
});

test('hostile 100 KiB lines are parsed in linear time', () => {
  const big = 100 * 1024;
  const hostile = [
    `[1] [2024-08-16 17:40:46 +0000] [${':'.repeat(big)}`,
    `Cpanel${'::a'.repeat(big / 3)} was successfully enabled`,
    `Cpanel::TailWatch::${'a'.repeat(big)} was successfully enable`,
    '['.repeat(big),
    `[1] [2024-08-16 17:40:46 +0000] [main] `.repeat(big / 40),
    `Unknown driver '${"'".repeat(big)}`,
    `[STOP ${'x'.repeat(big)}`,
  ];
  for (const line of hostile) {
    const ms = cpuMs(() => {
      parseTailwatchdLogLine(line);
      for (const p of TAILWATCHD_MESSAGES) p.regex.exec(line);
      for (const p of TAILWATCHD_ENVELOPES) p.regex.exec(line);
    });
    expect(ms).toBeLessThan(100);
  }
});

test('driverHistory: enable/disable lines of every form, newest first, other lines left out', () => {
  const text = [
    twice(10, '2024-08-16 17:40:46 +0000', 'Cpanel::TailWatch::RecentAuthedMailIpTracker was successfully enabled'),
    twice(10, '2024-08-16 17:40:46 +0000', 'Cpanel::TailWatch::ChkServd is already enabled'),
    '[STOP Ok] 100',
    '[START] 200 1723830049',
    '[200] [2024-08-16 17:40:50 +0000] [main] [INFO] tailwatchd started with 8 drivers',
    '[300] [2024-08-20 08:00:00 +0000] [main] Cpanel::TailWatch::RecentAuthedMailIpTracker was successfully disabled',
    twice(11, '2024-08-21 08:00:00 +0000', 'Cpanel::TailWatch::Antirelayd could not be enabled'),
    '',
  ].join('\n');
  const h = driverHistory(parseTailwatchdLog(text));
  expect(h.map((e) => [e.time, e.driver.split('::').pop(), e.action, e.result])).toEqual([
    ['2024-08-21T08:00:00.000Z', 'Antirelayd', 'enable', 'failed'],
    ['2024-08-20T08:00:00.000Z', 'RecentAuthedMailIpTracker', 'disable', 'success'],
    ['2024-08-16T17:40:46.000Z', 'ChkServd', 'enable', 'already'],
    ['2024-08-16T17:40:46.000Z', 'RecentAuthedMailIpTracker', 'enable', 'success'],
  ]);
  expect(driverHistory(parseTailwatchdLog(text), 2)).toHaveLength(2);
});
