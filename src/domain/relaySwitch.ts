/**
 * Whether POP-before-SMTP relaying is effectively allowed, from the state on disk (cpanel-facts §1-3).
 * Legacy: the IPs relay while the Antirelayd driver runs. Modern: the IPs relay only when the file
 * /etc/popbeforesmtp exists; the popbeforesmtp key in cpanel.config can disagree, and Exim obeys the file.
 */
import { Generation, LEGACY_DRIVER, MODERN_DRIVER } from './generation';

export interface DriverDiskState {
  name: string;
  /** true when anything on disk turns the driver off */
  off: boolean;
  /** what turns it off, in words */
  reasons: string[];
}

/** `Cpanel::TailWatch::Antirelayd` -> `antirelayd` (the lower-case short name used on disk). */
export function driverShortName(namespace: string): string {
  return namespace.split('::').pop()!.toLowerCase();
}

export function driverDiskState(
  namespace: string,
  cpanelConfig: Record<string, string>,
  files: { disable: boolean; isevil: boolean },
): DriverDiskState {
  const short = driverShortName(namespace);
  const reasons: string[] = [];
  if (cpanelConfig[`skip${short}`] === '1') reasons.push(`skip${short}=1 in /var/cpanel/cpanel.config`);
  if (files.disable) reasons.push(`/etc/${short}disable exists`);
  if (files.isevil) reasons.push(`/etc/${short}isevil exists`);
  return { name: namespace, off: reasons.length > 0, reasons };
}

export interface RelayingFacts {
  generation: Generation;
  /** the whole tailwatchd daemon's state on disk */
  tailwatchd: DriverDiskState;
  /** the generation's driver (Antirelayd or RecentAuthedMailIpTracker) on disk */
  driver: DriverDiskState;
  /** `tailwatchd --status` says the driver is active; null when it could not be run */
  driverActiveNow: boolean | null;
  /** modern: /etc/popbeforesmtp exists */
  flagFile: boolean;
  /** modern: popbeforesmtp= in cpanel.config ("1", "0" or null when absent) */
  tweak: string | null;
  /** expire_host_mins in /etc/antirelayd.conf: how long an IP stays in the list after a login */
  expireHostMins: number;
}

export interface RelayingDecision {
  allowed: boolean;
  why: string;
  /** places where two sources of truth disagree, in words */
  disagreements: string[];
}

export function decideRelaying(f: RelayingFacts): RelayingDecision {
  const disagreements: string[] = [];
  const driverOff = f.tailwatchd.off || f.driver.off;
  if (f.driverActiveNow !== null && f.driverActiveNow === driverOff) {
    disagreements.push(
      `tailwatchd --status says ${f.driver.name} is ${f.driverActiveNow ? 'active' : 'not active'}, ` +
        `but the files on disk say it is ${driverOff ? 'off' : 'on'}${driverOff ? ` (${[...f.tailwatchd.reasons, ...f.driver.reasons].join('; ')})` : ''}.`,
    );
  }
  const driverRuns = f.driverActiveNow ?? !driverOff;

  if (f.generation === 'legacy') {
    if (driverRuns) {
      return { allowed: true, why: `${LEGACY_DRIVER} is active: every IP in /etc/relayhosts may relay mail through this server.`, disagreements };
    }
    return { allowed: false, why: `${LEGACY_DRIVER} is off${driverOff ? ` (${[...f.tailwatchd.reasons, ...f.driver.reasons].join('; ')})` : ''}: nothing is added to /etc/relayhosts and no IP relays by POP-before-SMTP.`, disagreements };
  }

  if (f.tweak !== null && (f.tweak === '1') !== f.flagFile) {
    disagreements.push(
      `cpanel.config says popbeforesmtp=${f.tweak}, but /etc/popbeforesmtp ${f.flagFile ? 'exists' : 'does not exist'}; Exim obeys the file.`,
    );
  }
  if (!f.flagFile && !driverRuns) {
    // Both off (`disable --driver-too`): nothing relays, and nothing is listed to skip any check.
    return {
      allowed: false,
      why: `/etc/popbeforesmtp does not exist and ${MODERN_DRIVER} is off: no IP relays by POP-before-SMTP, and the list is no longer filled, so no IP skips rate limits, greylisting or "delay unknown hosts" either.`,
      disagreements,
    };
  }
  if (!f.flagFile) {
    return {
      allowed: false,
      why: '/etc/popbeforesmtp does not exist, so Exim does not let the IPs in the list relay. They still skip rate limits, greylisting and "delay unknown hosts".',
      disagreements,
    };
  }
  if (!driverRuns) {
    return {
      allowed: false,
      why: `/etc/popbeforesmtp exists, but ${MODERN_DRIVER} is off, so the list stays empty and no IP relays by POP-before-SMTP.`,
      disagreements,
    };
  }
  return {
    allowed: true,
    why: `/etc/popbeforesmtp exists and ${MODERN_DRIVER} is active: every IP in the list may relay mail for about ${f.expireHostMins} minutes after a POP3/IMAP login.`,
    disagreements,
  };
}
