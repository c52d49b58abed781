/**
 * The disable/enable plan (domain/popBeforeSmtpPlan): which tailwatchd and whmapi1 commands an admin
 * would run for the state at hand, and when the result proves it took.
 */
import { LEGACY_DRIVER, MODERN_DRIVER } from '../../src/domain/generation';
import { planChange, SwitchState, targetReached } from '../../src/domain/popBeforeSmtpPlan';

const modernOn: SwitchState = {
  generation: 'modern',
  driver: MODERN_DRIVER,
  driverListed: true,
  driverActiveNow: true,
  driverOffOnDisk: false,
  tailwatchdOff: false,
  tweak: '1',
  flagFile: true,
  expireHostMins: 30,
};
const modernOff: SwitchState = { ...modernOn, tweak: '0', flagFile: false };
const legacyOn: SwitchState = { ...modernOn, generation: 'legacy', driver: LEGACY_DRIVER, tweak: null, flagFile: false };
const legacyOff: SwitchState = { ...legacyOn, driverActiveNow: false, driverOffOnDisk: true };

const argv = (s: SwitchState, a: 'enable' | 'disable', driverToo = false): string[][] =>
  planChange(s, a, { driverToo }).steps.map((st) => [st.program, ...st.args]);

test('modern disable: the Tweak Setting only, the tracker keeps running', () => {
  expect(argv(modernOn, 'disable')).toEqual([['whmapi1', '--output=json', 'set_tweaksetting', 'key=popbeforesmtp', 'value=0']]);
  const p = planChange(modernOn, 'disable');
  expect(p.knobs).toEqual(['tweak']);
  expect(p.notes.join(' ')).toMatch(/keeps running/);
  // the plan names no face's flag: each face offers stopping the tracker its own way
  expect(p.notes.join(' ')).not.toMatch(/--driver-too/);
  expect(p.offerDriverToo).toBe(true);
  expect(planChange(modernOn, 'disable', { driverToo: true }).offerDriverToo).toBe(false);
  expect(p.undo[0]).toBe('relaywatch enable --yes');
});

test('modern disable --driver-too: Tweak Setting, then the driver, with the side effect explained', () => {
  expect(argv(modernOn, 'disable', true)).toEqual([
    ['whmapi1', '--output=json', 'set_tweaksetting', 'key=popbeforesmtp', 'value=0'],
    ['tailwatchd', `--disable=${MODERN_DRIVER}`],
  ]);
  expect(planChange(modernOn, 'disable', { driverToo: true }).sideEffects.join(' ')).toMatch(/greylisting/);
  // relaying already off, the tracker still on: only the driver
  expect(argv(modernOff, 'disable', true)).toEqual([['tailwatchd', `--disable=${MODERN_DRIVER}`]]);
});

test('modern: nothing to do when both sources already agree', () => {
  expect(planChange(modernOff, 'disable').alreadySo).toBe(true);
  expect(planChange(modernOn, 'enable').alreadySo).toBe(true);
});

test('modern: disagreeing switch files are acted on in both directions', () => {
  // Exim obeys the file: the file exists although the key says 0 -> relaying is on, disable acts
  const fileOnly = { ...modernOff, flagFile: true };
  expect(argv(fileOnly, 'disable')).toHaveLength(1);
  expect(planChange(fileOnly, 'disable').notes.join(' ')).toMatch(/popbeforesmtp=0 but \/etc\/popbeforesmtp exists/);
  // key says 1 but no file -> enable acts too
  const keyOnly = { ...modernOn, flagFile: false };
  expect(argv(keyOnly, 'enable')).toEqual([['whmapi1', '--output=json', 'set_tweaksetting', 'key=popbeforesmtp', 'value=1']]);
  expect(argv(keyOnly, 'disable')).toEqual([['whmapi1', '--output=json', 'set_tweaksetting', 'key=popbeforesmtp', 'value=0']]);
});

test('modern enable with the tracker off enables it first, then the Tweak Setting', () => {
  const s = { ...modernOff, driverActiveNow: false, driverOffOnDisk: true };
  expect(argv(s, 'enable')).toEqual([
    ['tailwatchd', `--enable=${MODERN_DRIVER}`],
    ['whmapi1', '--output=json', 'set_tweaksetting', 'key=popbeforesmtp', 'value=1'],
  ]);
});

test('legacy: the Antirelayd driver is the switch', () => {
  expect(argv(legacyOn, 'disable')).toEqual([['tailwatchd', `--disable=${LEGACY_DRIVER}`]]);
  expect(argv(legacyOff, 'enable')).toEqual([['tailwatchd', `--enable=${LEGACY_DRIVER}`]]);
  expect(planChange(legacyOff, 'disable').alreadySo).toBe(true);
  expect(planChange(legacyOn, 'disable', { driverToo: true }).notes.join(' ')).toMatch(/switch itself/);
});

test('status and disk disagree about the driver: act, and say so', () => {
  const s = { ...legacyOn, driverActiveNow: true, driverOffOnDisk: true };
  expect(argv(s, 'disable')).toEqual([['tailwatchd', `--disable=${LEGACY_DRIVER}`]]);
  expect(planChange(s, 'disable').notes.join(' ')).toMatch(/disagree/);
  // status unknown: the disk decides
  expect(planChange({ ...legacyOff, driverActiveNow: null }, 'disable').alreadySo).toBe(true);
});

test('a driver tailwatchd does not list is not touched', () => {
  const p = planChange({ ...legacyOn, driverListed: false, driverActiveNow: false }, 'enable');
  expect(p.blocked).toMatch(/does not list Cpanel::TailWatch::Antirelayd/);
});

test('targetReached checks every knob of the action', () => {
  const plan = planChange(modernOn, 'disable', { driverToo: true });
  expect(targetReached(plan, modernOn).reached).toBe(false);
  const half = targetReached(plan, modernOff);
  expect(half.reached).toBe(false);
  expect(half.missing.join(' ')).toMatch(/RecentAuthedMailIpTracker is not disabled/);
  expect(targetReached(plan, { ...modernOff, driverActiveNow: false, driverOffOnDisk: true }).reached).toBe(true);
});
