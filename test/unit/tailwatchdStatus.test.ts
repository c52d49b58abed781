/**
 * `tailwatchd --status` output: the three kinds of line, drivers unsorted, anything else kept.
 */
import { parseTailwatchdStatus } from '../../src/parsers/tailwatchdStatus';

test('the three kinds of line, drivers in the order printed', () => {
  const s = parseTailwatchdStatus(
    'tailwatchd is enabled\nRunning, PID 26428\n  Driver (Active: 1) Cpanel::TailWatch::RecentAuthedMailIpTracker\n  Driver (Active: 0) Cpanel::TailWatch::ChkServd\n  Driver (Active: 1) Cpanel::TailWatch::cPBandwd\n',
  );
  expect(s).toEqual({
    enabled: true,
    running: true,
    pid: 26428,
    drivers: [
      { name: 'Cpanel::TailWatch::RecentAuthedMailIpTracker', active: true },
      { name: 'Cpanel::TailWatch::ChkServd', active: false },
      { name: 'Cpanel::TailWatch::cPBandwd', active: true },
    ],
    unrecognised: [],
    understood: true,
  });
});

test('disabled and not running', () => {
  const s = parseTailwatchdStatus('tailwatchd is disabled\nNot running\n  Driver (Active: 1) Cpanel::TailWatch::Antirelayd\n');
  expect(s).toMatchObject({ enabled: false, running: false, pid: null, understood: true });
  expect(s.drivers).toEqual([{ name: 'Cpanel::TailWatch::Antirelayd', active: true }]);
});

test('warnings and garbage are kept as unrecognised; without the two header lines it is not understood', () => {
  const s = parseTailwatchdStatus('\u001b[31m@@ garbled\nDriver (Active: maybe) X\n  Driver (Active: 1) Cpanel::TailWatch::ChkServd\n');
  expect(s.understood).toBe(false);
  expect(s.unrecognised).toEqual(['\u001b[31m@@ garbled', 'Driver (Active: maybe) X']);
  expect(s.drivers).toHaveLength(1);

  const w = parseTailwatchdStatus('Use of uninitialized value in concatenation at line 12.\ntailwatchd is enabled\nRunning, PID 1\n');
  expect(w.understood).toBe(true);
  expect(w.unrecognised).toEqual(['Use of uninitialized value in concatenation at line 12.']);
});

test('look-alikes are not drivers; a driver listed twice counts once; empty output is not understood', () => {
  const s = parseTailwatchdStatus(
    'tailwatchd is enabled\nNot running\nDriver (Active: 1) Cpanel::TailWatch::X trailing\nDriver (Active: 2) Cpanel::TailWatch::Y\n  Driver (Active: 1) Cpanel::TailWatch::Z\n  Driver (Active: 0) Cpanel::TailWatch::Z\n',
  );
  expect(s.drivers).toEqual([{ name: 'Cpanel::TailWatch::Z', active: true }]);
  expect(s.unrecognised).toHaveLength(2);
  expect(parseTailwatchdStatus('').understood).toBe(false);
});
