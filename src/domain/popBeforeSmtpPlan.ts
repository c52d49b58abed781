/**
 * What turning POP-before-SMTP off or on means on this server, as an experienced admin would do it
 * by hand (cpanel-facts §1-3), and whether the result proves it took. Pure: state in, plan/verdict out.
 *
 * - legacy (Antirelayd): the driver is the switch: `tailwatchd --disable|--enable=Cpanel::TailWatch::Antirelayd`.
 * - modern: the Tweak Setting `popbeforesmtp` (`whmapi1 set_tweaksetting`), which creates or removes
 *   /etc/popbeforesmtp. Turning RecentAuthedMailIpTracker off as well is a separate, explicit choice
 *   because it also takes away the greylisting/delay bypass. Turning POP-before-SMTP on enables the
 *   tracker when it is off, since without it the list stays empty and nothing would relay.
 *
 * A step is planned only for a knob that is not already, surely, in the wanted state: both
 * `tailwatchd --status` (when it could be read) and the files on disk must agree, otherwise we act.
 */
import { Generation, LEGACY_DRIVER, MODERN_DRIVER } from './generation';

export type SwitchAction = 'enable' | 'disable';

/** The state the plan and the verification look at (built by the status service). */
export interface SwitchState {
  generation: Generation;
  /** the generation's driver */
  driver: string;
  /** `tailwatchd --status` lists the driver; null when the status could not be read */
  driverListed: boolean | null;
  /** `tailwatchd --status` says Active: 1; null when it could not be read or the driver is not listed */
  driverActiveNow: boolean | null;
  /** the files on disk turn the driver off (skip key, disable or isevil file) */
  driverOffOnDisk: boolean;
  /** the whole daemon is off on disk (skiptailwatchd=1 or /etc/tailwatchddisable) */
  tailwatchdOff: boolean;
  /** modern: `popbeforesmtp=` in cpanel.config as written ("1", "0", …), null when absent */
  tweak: string | null;
  /** modern: /etc/popbeforesmtp exists */
  flagFile: boolean;
  /** expire_host_mins: how long an IP may relay after a login */
  expireHostMins: number;
}

export interface PlannedStep {
  program: 'tailwatchd' | 'whmapi1';
  args: string[];
  knob: 'driver' | 'tweak';
  /** the state this step sets */
  on: boolean;
  purpose: string;
}

export interface ChangePlan {
  action: SwitchAction;
  generation: Generation;
  driver: string;
  /** modern disable: RecentAuthedMailIpTracker goes off too */
  driverToo: boolean;
  /** the knobs this action is about */
  knobs: Array<'driver' | 'tweak'>;
  /** nothing to do: every knob is already in the wanted state */
  alreadySo: boolean;
  steps: PlannedStep[];
  /** what will change, in words */
  willChange: string[];
  /** what else happens as a consequence */
  sideEffects: string[];
  /** how to undo it */
  undo: string[];
  /** things the admin should know (daemon off, sources disagree) */
  notes: string[];
  /** why relaywatch will not act (the driver it would change does not exist here), else null */
  blocked: string | null;
  /**
   * a modern disable that leaves the IP tracker running: each face offers its own way to stop it
   * too (the CLI's --driver-too, the page's link to the same confirmation with the tracker)
   */
  offerDriverToo: boolean;
}

export const TWEAK_KEY = 'popbeforesmtp';

export function tweakArgs(on: boolean): string[] {
  return ['--output=json', 'set_tweaksetting', `key=${TWEAK_KEY}`, `value=${on ? 1 : 0}`];
}

export function driverArgs(driver: string, on: boolean): string[] {
  return [`--${on ? 'enable' : 'disable'}=${driver}`];
}

/** The driver is surely on/off: the status (when known) and the disk agree with `on`. */
export function driverSurely(s: SwitchState, on: boolean): boolean {
  const disk = !s.driverOffOnDisk === on;
  const now = s.driverActiveNow === null ? true : s.driverActiveNow === on;
  return disk && now;
}

/** The Tweak Setting is surely on/off: the flag file (what Exim obeys) and the cpanel.config key agree. */
export function tweakSurely(s: SwitchState, on: boolean): boolean {
  return on ? s.flagFile && s.tweak === '1' : !s.flagFile && s.tweak !== '1';
}

function short(driver: string): string {
  return driver.split('::').pop()!;
}

export function planChange(s: SwitchState, action: SwitchAction, opts: { driverToo?: boolean } = {}): ChangePlan {
  const on = action === 'enable';
  const driver = s.generation === 'legacy' ? LEGACY_DRIVER : MODERN_DRIVER;
  const steps: PlannedStep[] = [];
  const willChange: string[] = [];
  const sideEffects: string[] = [];
  const notes: string[] = [];
  const undo: string[] = [];
  let knobs: Array<'driver' | 'tweak'>;
  const driverToo = s.generation === 'modern' && action === 'disable' && opts.driverToo === true;

  const driverStep = (purpose: string): void => {
    if (!driverSurely(s, on)) steps.push({ program: 'tailwatchd', args: driverArgs(driver, on), knob: 'driver', on, purpose });
  };
  const tweakStep = (purpose: string): void => {
    if (!tweakSurely(s, on)) steps.push({ program: 'whmapi1', args: tweakArgs(on), knob: 'tweak', on, purpose });
  };

  if (s.generation === 'legacy') {
    knobs = ['driver'];
    if (opts.driverToo) notes.push(`On this server ${short(driver)} is the switch itself; stopping the IP tracker as well changes nothing more.`);
    driverStep(on ? `Start ${short(driver)}, which lists the IPs of recent POP3/IMAP logins in /etc/relayhosts.` : `Stop ${short(driver)}.`);
    if (on) {
      willChange.push(`${driver} is enabled in tailwatchd: every IP that logs in by POP3/IMAP may relay mail through this server for about ${s.expireHostMins} minutes.`);
      undo.push('relaywatch disable --yes', `/usr/local/cpanel/bin/tailwatchd --disable=${driver}`);
    } else {
      willChange.push(`${driver} is disabled in tailwatchd: /etc/relayhosts is emptied and no IP relays by POP-before-SMTP any more.`);
      sideEffects.push('Mail programs that send without SMTP authentication, relying on having checked mail first, get "relay not permitted" until they are set to authenticate (SMTP AUTH).');
      undo.push('relaywatch enable --yes', `/usr/local/cpanel/bin/tailwatchd --enable=${driver}`);
    }
    sideEffects.push('tailwatchd restarts (a few seconds; its other drivers resume at once).');
  } else if (on) {
    knobs = ['driver', 'tweak'];
    driverStep(`Enable ${short(driver)}, without which the relay list stays empty.`);
    tweakStep('Set the Tweak Setting popbeforesmtp to On (creates /etc/popbeforesmtp).');
    willChange.push(`The Tweak Setting popbeforesmtp is turned on: /etc/popbeforesmtp is created and Exim lets every IP in the relay list relay mail for about ${s.expireHostMins} minutes after a POP3/IMAP login.`);
    if (!driverSurely(s, true)) {
      willChange.push(`${driver} is enabled in tailwatchd, so the relay list fills again (tailwatchd restarts).`);
    }
    undo.push('relaywatch disable --yes', `/usr/local/cpanel/bin/whmapi1 set_tweaksetting key=${TWEAK_KEY} value=0`);
  } else {
    knobs = driverToo ? ['tweak', 'driver'] : ['tweak'];
    tweakStep('Set the Tweak Setting popbeforesmtp to Off (removes /etc/popbeforesmtp).');
    willChange.push('The Tweak Setting popbeforesmtp is turned off: /etc/popbeforesmtp is removed and Exim no longer lets the IPs in the relay list relay.');
    sideEffects.push('Mail programs that send without SMTP authentication, relying on having checked mail first, get "relay not permitted" until they are set to authenticate (SMTP AUTH).');
    if (driverToo) {
      driverStep(`Disable ${short(driver)} as well (empties /etc/recent_authed_mail_ips).`);
      willChange.push(`${driver} is disabled in tailwatchd: /etc/recent_authed_mail_ips is emptied and no longer filled.`);
      sideEffects.push(
        'Users who just checked mail lose the bypass of connection rate limits, greylisting and "delay unknown hosts": their outgoing mail may be delayed or greylisted.',
        'tailwatchd restarts (a few seconds; its other drivers resume at once).',
      );
      undo.push('relaywatch enable --yes', `/usr/local/cpanel/libexec/tailwatchd --enable=${driver}`, `/usr/local/cpanel/bin/whmapi1 set_tweaksetting key=${TWEAK_KEY} value=1`);
    } else {
      notes.push(`${short(driver)} keeps running: IPs of recent POP3/IMAP logins still skip rate limits, greylisting and "delay unknown hosts".`);
      undo.push('relaywatch enable --yes', `/usr/local/cpanel/bin/whmapi1 set_tweaksetting key=${TWEAK_KEY} value=1`);
    }
  }

  if (s.tailwatchdOff && steps.some((st) => st.program === 'tailwatchd') && on) {
    notes.push('tailwatchd itself is turned off on this server (WHM » Service Manager): the driver will not run until tailwatchd is enabled there.');
  }
  if (s.driverActiveNow !== null && s.driverActiveNow === s.driverOffOnDisk) {
    notes.push(`tailwatchd --status and the files on disk disagree about ${short(driver)}; relaywatch acts on it to make them agree.`);
  }
  if (s.generation === 'modern' && s.tweak !== null && (s.tweak === '1') !== s.flagFile && knobs.includes('tweak')) {
    notes.push(`cpanel.config says popbeforesmtp=${s.tweak} but /etc/popbeforesmtp ${s.flagFile ? 'exists' : 'does not exist'}; setting the Tweak Setting makes them agree.`);
  }
  const blocked =
    s.driverListed === false && steps.some((st) => st.program === 'tailwatchd')
      ? `tailwatchd --status on this server does not list ${driver}, so relaywatch will not try to ${action} it (is the generation right? see the status page).`
      : null;

  const offerDriverToo = s.generation === 'modern' && action === 'disable' && !driverToo && !driverSurely(s, false);
  return { action, generation: s.generation, driver, driverToo, knobs, alreadySo: steps.length === 0, steps, willChange, sideEffects, undo, notes, blocked, offerDriverToo };
}

/** Every knob of the plan is in the wanted state in `after`. */
export function targetReached(plan: ChangePlan, after: SwitchState): { reached: boolean; missing: string[] } {
  const on = plan.action === 'enable';
  const missing: string[] = [];
  for (const knob of plan.knobs) {
    if (knob === 'tweak' && !tweakSurely(after, on)) {
      missing.push(
        `The Tweak Setting is not ${on ? 'on' : 'off'}: /etc/popbeforesmtp ${after.flagFile ? 'exists' : 'does not exist'}, cpanel.config popbeforesmtp=${after.tweak ?? '(absent)'}.`,
      );
    }
    if (knob === 'driver' && !driverSurely(after, on)) {
      missing.push(
        `${plan.driver} is not ${on ? 'enabled' : 'disabled'}: tailwatchd --status says ${after.driverActiveNow === null ? 'nothing (not read)' : `Active: ${after.driverActiveNow ? 1 : 0}`}, the files on disk say ${after.driverOffOnDisk ? 'off' : 'on'}.`,
      );
    }
  }
  return { reached: missing.length === 0, missing };
}
