/**
 * The demo host's world: who the accounts are, which addresses exist, what the relay list holds and
 * when the logs were rotated. Every file of the demo host is written from one World, so the files
 * agree with each other (a relay IP's users are real mailboxes, its logins are in the log, …), and
 * a further generator (exim_mainlog, autoresponders, WHM chrome) can draw from the same world.
 */
import {
  AddressPool, SERVER_BROADCAST, SERVER_EXTRA_IPV4, SERVER_IPV4, SERVER_IPV6, SERVER_NETMASK,
} from './addresses';
import { GUESSED_USERS, HOSTILE_USERS } from './names';
import { Random } from './random';
import { buildAccounts, DemoAccount, DemoReseller } from './worldAccounts';
import { DemoRelayHost, planRelayHosts } from './worldRelayHosts';

export type { DemoAccount, DemoReseller } from './worldAccounts';
export type {
  DemoRelayHost, FailureKind, LoginStyle, MailProtocol, PlannedFailure, PlannedLogin, RelayStatus, Security,
} from './worldRelayHosts';

export type DemoGeneration = 'legacy' | 'modern';

export interface WorldOptions {
  seed: number;
  now: Date;
  generation: DemoGeneration;
  /** number of cPanel accounts, resellers' own included */
  accounts?: number;
}

/** A mail client that is not in the relay list (its logins are older than the list's window). */
export interface RoamingClient {
  ip: string;
  user: string;
}

export interface DemoWorld {
  seed: number;
  nowMs: number;
  generation: DemoGeneration;
  /** content of /usr/local/cpanel/version */
  version: string;
  hostname: string;
  /** the host name as syslog writes it */
  shortHostname: string;
  mainIp: string;
  mainIpv6: string;
  extraIps: string[];
  netmask: string;
  broadcast: string;
  accounts: DemoAccount[];
  resellers: DemoReseller[];
  relayHosts: DemoRelayHost[];
  /** /etc/antirelayd.conf expire_host_mins */
  expireHostMins: number;
  /** ordinary mail clients; they log in only until ROAMING_CUTOFF_MS before now */
  roamingClients: RoamingClient[];
  /** password-guessing sources: failed logins and dropped connections only */
  scanners: string[];
  /** a static entry of /etc/skipsmtpcheckhosts */
  skipSmtpCheckHost: string;
  guessedUsers: readonly string[];
  hostileUsers: readonly string[];
  /** the hostile name the summary reports */
  hostileUser: string;
  /** rotation instants, newest first: maillog-<date of rotations[i]> holds the week before it */
  rotations: number[];
  /** earliest instant the mail logs cover */
  logStartMs: number;
}

export const DEFAULT_ACCOUNTS = 300;
/** Roaming clients stop logging in this long before `now`, so every recent login is a listed IP's. */
export const ROAMING_CUTOFF_MS = 2 * 3600_000;
const ROTATED_FILES = 4;
const WEEK = 7 * 86400_000;

/**
 * Weekly logrotate from cron.daily around 03:10 local time, the last one 1–6 days ago. In January
 * (from the 2nd) a rotation falls after New Year and the rotations reach back into December, so that
 * one rotated file crosses the year: its December lines carry no year and must be read as last year's.
 * On 1 January only the live file can cross.
 */
function rotationTimes(rng: Random, nowMs: number): number[] {
  const now = new Date(nowMs);
  const inJanuary = now.getMonth() === 0;
  const newYear = new Date(now.getFullYear(), 0, 1).getTime();
  const last = new Date(nowMs);
  last.setDate(last.getDate() - rng.int(1, inJanuary && now.getDate() >= 2 ? Math.min(6, now.getDate() - 1) : 6));
  last.setHours(3, rng.int(5, 25), rng.int(0, 59), 0);
  const out: number[] = [];
  for (let i = 0; i < ROTATED_FILES || (inJanuary && i < ROTATED_FILES + 2 && out[i - 1] - WEEK >= newYear); i++) {
    const d = new Date(last.getTime());
    d.setDate(d.getDate() - 7 * i); // calendar days, so the hour survives a DST change
    out.push(d.getTime());
  }
  return out;
}

export function buildWorld(opts: WorldOptions): DemoWorld {
  const rng = new Random(opts.seed);
  const nowMs = opts.now.getTime();
  const { accounts, resellers } = buildAccounts(rng.fork('accounts'), opts.accounts ?? DEFAULT_ACCOUNTS, nowMs);
  const rotations = rotationTimes(rng.fork('rotations'), nowMs);
  const logStartMs = rotations[rotations.length - 1] - WEEK;

  const pool = new AddressPool(rng.fork('addresses'));
  const relayHosts = planRelayHosts({ rng: rng.fork('relay'), pool, accounts, nowMs, logStartMs });

  const clientsRng = rng.fork('clients');
  const mailboxes = accounts.flatMap((a) => a.mailboxes);
  const roamingClients: RoamingClient[] = [];
  for (let i = 0; i < 160; i++) {
    roamingClients.push({
      ip: pool.take(clientsRng.weighted([['isp-like', 5], ['documentation', 3], ['ipv6', 2]] as const)),
      user: clientsRng.pick(mailboxes),
    });
  }
  const scanners = Array.from({ length: 60 }, () => pool.take(clientsRng.chance(0.5) ? 'documentation' : 'isp-like'));
  const skipSmtpCheckHost = pool.take('documentation');

  const hostname = 'server1.hosting.example';
  return {
    seed: opts.seed,
    nowMs,
    generation: opts.generation,
    version: opts.generation === 'modern' ? '11.120.0.16' : '11.44.1.19',
    hostname,
    shortHostname: hostname.split('.')[0],
    mainIp: SERVER_IPV4,
    mainIpv6: SERVER_IPV6,
    extraIps: [...SERVER_EXTRA_IPV4],
    netmask: SERVER_NETMASK,
    broadcast: SERVER_BROADCAST,
    accounts,
    resellers,
    relayHosts,
    expireHostMins: 30,
    roamingClients,
    scanners,
    skipSmtpCheckHost,
    guessedUsers: GUESSED_USERS,
    hostileUsers: HOSTILE_USERS,
    hostileUser: HOSTILE_USERS[0],
    rotations,
    logStartMs,
  };
}

/** The account a login name belongs to (an e-mail address or a cPanel user name), or null. */
export function accountOfLogin(world: DemoWorld, user: string): DemoAccount | null {
  const at = user.lastIndexOf('@');
  if (at < 0) return world.accounts.find((a) => a.user === user) ?? null;
  const domain = user.slice(at + 1);
  return world.accounts.find((a) => a.domain === domain || a.addonDomains.includes(domain)) ?? null;
}
