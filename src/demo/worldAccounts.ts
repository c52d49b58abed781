/**
 * The demo host's accounts: resellers, cPanel accounts with primary and addon domains, and the
 * mailboxes users log in with. Everything else in the demo (account files, relay users, log lines)
 * draws its names from here.
 */
import { DOMAIN_WORDS_A, DOMAIN_WORDS_B, FIRST_NAMES, ROLE_MAILBOXES, TLDS } from './names';
import { Random } from './random';

export interface DemoReseller {
  name: string;
  /** ACL names as /var/cpanel/resellers lists them; `all` = root-equivalent */
  acls: string[];
}

export interface DemoAccount {
  user: string;
  uid: number;
  /** `root` or a reseller name */
  owner: string;
  domain: string;
  addonDomains: string[];
  /** e-mail addresses; users may also log in with the bare cPanel user name */
  mailboxes: string[];
  plan: string;
  /** unix seconds */
  startDate: number;
  contactEmail: string;
}

export interface DemoAccounts {
  resellers: DemoReseller[];
  accounts: DemoAccount[];
}

/** What a reseller usually has; relaywatch opens for its own privilege (software-relaywatch), not for these. */
const RESELLER_ACLS = [
  'list-accts', 'create-acct', 'suspend-acct', 'kill-acct', 'edit-account', 'passwd', 'show-bandwidth',
  'mailcheck', 'stats', 'status', 'ssl', 'limit-bandwidth', 'quota', 'create-dns', 'edit-dns', 'park-dns',
];

/** The resellers that see their accounts in relaywatch: root granted them its privilege. */
export const DEMO_RESELLERS: readonly DemoReseller[] = [
  { name: 'resellera', acls: [...RESELLER_ACLS, 'software-relaywatch'] },
  { name: 'resellerb', acls: [...RESELLER_ACLS.filter((a) => a !== 'kill-acct' && a !== 'ssl'), 'software-relaywatch'] },
  { name: 'resellerall', acls: ['all'] },
];

/**
 * A reseller root has not granted relaywatch's privilege (as every reseller is after an upgrade from
 * a version that opened for list-accts): relaywatch refuses it and says where root grants it. It owns
 * only its own account, made last, so the other accounts are the same as without it.
 */
export const UNPRIVILEGED_RESELLER: DemoReseller = { name: 'resellerc', acls: RESELLER_ACLS };

/** Who owns each reseller's own cPanel account: one owns itself, as WHM lets you choose. */
const RESELLER_ACCOUNT_OWNER: Record<string, string> = { resellera: 'resellera', resellerb: 'root', resellerall: 'root', resellerc: 'root' };

const PLANS = ['default', 'starter', 'business', 'pro'];

/** cPanel's classic rule: up to 8 lower-case letters and digits, starting with a letter, not "test". */
function userFromDomain(domain: string, taken: Set<string>): string {
  let base = domain.split('.')[0].replace(/[^a-z0-9]/g, '');
  if (!/^[a-z]/.test(base)) base = `u${base}`;
  if (base.startsWith('test')) base = `t${base.slice(4)}`;
  base = base.slice(0, 8);
  if (!taken.has(base)) return base;
  for (let n = 1; ; n++) {
    const candidate = `${base.slice(0, 8 - String(n).length)}${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

export function buildAccounts(rng: Random, count: number, nowMs: number): DemoAccounts {
  const takenUsers = new Set<string>(['root', 'nobody']);
  const takenDomains = new Set<string>();
  const newDomain = (): string => {
    for (;;) {
      const a = rng.pick(DOMAIN_WORDS_A);
      const b = rng.pick(DOMAIN_WORDS_B);
      const name = rng.chance(0.5) ? `${a}${b}` : `${a}-${b}`;
      const d = `${name}.${rng.weighted(TLDS)}`;
      if (!takenDomains.has(d)) {
        takenDomains.add(d);
        return d;
      }
    }
  };
  const mailboxesFor = (domain: string): string[] => {
    const n = rng.weighted([[0, 1], [1, 3], [2, 4], [3, 3], [4, 2], [6, 1]] as const);
    const local = new Set<string>();
    while (local.size < n) local.add(rng.chance(0.4) ? rng.pick(ROLE_MAILBOXES) : rng.pick(FIRST_NAMES));
    return [...local].map((l) => `${l}@${domain}`);
  };
  const yearSec = 365 * 86400;
  const nowSec = Math.floor(nowMs / 1000);

  const accounts: DemoAccount[] = [];
  let uid = 1001;
  const make = (user: string | null, owner: string, domain: string): DemoAccount => {
    const u = user ?? userFromDomain(domain, takenUsers);
    takenUsers.add(u);
    const addonDomains = rng.chance(0.18) ? Array.from({ length: rng.int(1, 3) }, newDomain) : [];
    const mailboxes = [...mailboxesFor(domain), ...addonDomains.flatMap((d) => (rng.chance(0.5) ? mailboxesFor(d).slice(0, 2) : []))];
    const startDate = nowSec - rng.int(30 * 86400, 9 * yearSec);
    return {
      user: u,
      uid: uid++,
      owner,
      domain,
      addonDomains,
      mailboxes,
      // WHM prefixes a reseller's packages with the reseller's name
      plan: owner === 'root' ? rng.pick(PLANS) : `${owner}_${rng.pick(PLANS)}`,
      startDate,
      contactEmail: rng.chance(0.7) ? `${rng.pick(FIRST_NAMES)}@${domain}` : '',
    };
  };

  for (const r of DEMO_RESELLERS) {
    const domain = `${r.name}-hosting.example`;
    takenDomains.add(domain);
    accounts.push(make(r.name, RESELLER_ACCOUNT_OWNER[r.name], domain));
  }
  while (accounts.length < count - 1) {
    const owner = rng.weighted([['root', 45], ['resellera', 25], ['resellerb', 20], ['resellerall', 10]] as const);
    accounts.push(make(null, owner, newDomain()));
  }
  const unprivileged = UNPRIVILEGED_RESELLER.name;
  takenDomains.add(`${unprivileged}-hosting.example`);
  accounts.push(make(unprivileged, RESELLER_ACCOUNT_OWNER[unprivileged], `${unprivileged}-hosting.example`));
  const resellers = [...DEMO_RESELLERS, UNPRIVILEGED_RESELLER];
  return { resellers: resellers.map((r) => ({ name: r.name, acls: [...r.acls] })), accounts };
}
