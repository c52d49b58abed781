/**
 * The demo host's mail routing: /etc/valiases/<domain> files and the autoresponders in
 * ~user/.autorespond (cpanel-facts §7), planned from the world so the exim log (eximLog.ts) can show
 * their traffic. Every case the autoresponder and backscatter reports must tell apart is here:
 *
 * - an autoresponder that answers every message (interval 0, no end date): the backscatter source
 *   behind the demo's blacklist listing (a spam burst LISTING_AGO_MS before now);
 * - one with an 8-hour interval and an end date (CageFS server transport), harmless;
 * - one in the legacy `.conf` form (interval=24, always on) that receives spam;
 * - one whose `.json` has no interval (written by an older cPanel): the interval is unknown;
 * - one whose stop date has passed, still routed; one left on disk without a route;
 * - a forwarder to an outside mailbox, a catch-all that bounces (`:fail:`), a catch-all that delivers
 *   to the account, and `:blackhole:` everywhere else.
 */
import { DemoTree } from './demoTree';
import { Random } from './random';
import { DemoAccount, DemoWorld } from './world';

/** when the blacklist saw the backscatter: this long before `now` */
export const LISTING_AGO_MS = 3 * 3600_000 + 7 * 60_000;

export interface DemoAutoresponder {
  address: string;
  account: DemoAccount;
  home: string;
  subject: string;
  /** hours; null = not written (an older cPanel's .json) */
  interval: number | null;
  form: 'json' | 'conf';
  /** unix seconds */
  start: number | null;
  stop: number | null;
  routed: boolean;
  /** delivered through CageFS's pipe transport */
  cagefs: boolean;
  /** messages a day reaching it, and the share of spam among them */
  perDay: number;
  spamShare: number;
}

export interface DemoForwarder {
  source: string;
  account: DemoAccount;
  destination: string;
  perDay: number;
}

export interface DemoMailRouting {
  autoresponders: DemoAutoresponder[];
  forwarders: DemoForwarder[];
  /** the domain whose default address answers with :fail: (bounces) */
  failDomain: { domain: string; account: DemoAccount };
  /** the domain whose default address delivers everything to the account */
  catchAllDomain: { domain: string; account: DemoAccount };
  listingMs: number;
}

function homeOf(a: DemoAccount): string {
  return `/home/${a.user}`;
}

/** An existing mailbox of the account with the wanted local part, else its first one. */
function mailbox(a: DemoAccount, wanted: string[]): string {
  for (const w of wanted) {
    const hit = a.mailboxes.find((m) => m.startsWith(`${w}@`));
    if (hit) return hit;
  }
  return a.mailboxes[0];
}

export function planMailRouting(world: DemoWorld, rng: Random): DemoMailRouting {
  const nowSec = Math.floor(world.nowMs / 1000);
  const used = new Set<string>();
  const pick = (owner: string): DemoAccount => {
    const candidates = world.accounts.filter((a) => a.owner === owner && a.mailboxes.length >= 2 && !used.has(a.user));
    const a = rng.pick(candidates.length ? candidates : world.accounts.filter((x) => x.mailboxes.length > 0 && !used.has(x.user)));
    used.add(a.user);
    return a;
  };
  const noisy = pick('root');
  const office = pick('resellera');
  const legacy = pick('resellerb');
  const older = pick('resellerall');
  const stopped = pick('root');
  const orphan = pick('resellera');
  const forwarding = pick('resellerb');
  const catchAll = pick('root');

  const ar = (a: DemoAccount, wanted: string[], o: Omit<DemoAutoresponder, 'address' | 'account' | 'home'>): DemoAutoresponder => ({
    address: mailbox(a, wanted), account: a, home: homeOf(a), ...o,
  });
  return {
    autoresponders: [
      ar(noisy, ['info', 'contact', 'hello'], { subject: 'Thank you for your message', interval: 0, form: 'json', start: nowSec - 12 * 86400, stop: null, routed: true, cagefs: false, perDay: 9, spamShare: 0.45 }),
      ar(office, ['office', 'admin'], { subject: 'Abwesenheitsnotiz – zurück am Montag', interval: 8, form: 'json', start: nowSec - 2 * 86400, stop: nowSec + 5 * 86400, routed: true, cagefs: true, perDay: 3, spamShare: 0 }),
      ar(legacy, ['support', 'orders'], { subject: 'We received your request', interval: 24, form: 'conf', start: null, stop: null, routed: true, cagefs: false, perDay: 5, spamShare: 0.3 }),
      ar(older, ['bookings', 'sales', 'info'], { subject: 'Booking request received', interval: null, form: 'json', start: nowSec - 400 * 86400, stop: null, routed: true, cagefs: false, perDay: 2, spamShare: 0.1 }),
      ar(stopped, ['billing', 'info'], { subject: 'Closed for the holidays', interval: 12, form: 'json', start: nowSec - 60 * 86400, stop: nowSec - 20 * 86400, routed: true, cagefs: false, perDay: 1, spamShare: 0.2 }),
      ar(orphan, ['hello', 'contact'], { subject: 'Old notice', interval: 4, form: 'json', start: nowSec - 200 * 86400, stop: null, routed: false, cagefs: false, perDay: 0, spamShare: 0 }),
    ],
    forwarders: [{ source: mailbox(forwarding, ['sales', 'orders', 'info']), account: forwarding, destination: `${forwarding.user}.private@mail.example.net`, perDay: 6 }],
    failDomain: { domain: noisy.domain, account: noisy },
    catchAllDomain: { domain: catchAll.domain, account: catchAll },
    listingMs: Math.floor((world.nowMs - LISTING_AGO_MS) / 60_000) * 60_000 + 23_000,
  };
}

/** `=?utf-8?B?…?=` when the subject is not plain ASCII, as mail programs write such headers. */
export function encodedSubject(subject: string): string {
  return /^[\x20-\x7e]*$/.test(subject) ? subject : `=?utf-8?B?${Buffer.from(subject, 'utf8').toString('base64')}?=`;
}

export async function writeMailRouting(tree: DemoTree, plan: DemoMailRouting): Promise<void> {
  const lines = new Map<string, string[]>(); // domain -> valiases lines
  const add = (domain: string, line: string): void => {
    const l = lines.get(domain) ?? [];
    l.push(line);
    lines.set(domain, l);
  };
  for (const a of plan.autoresponders) {
    const dir = `${a.home}/.autorespond`;
    const domain = a.address.slice(a.address.indexOf('@') + 1);
    if (a.routed) add(domain, `${a.address}: "|/usr/local/cpanel/bin/autorespond ${a.address} ${dir}",${a.address}`);
    const charset = /^[\x20-\x7e]*$/.test(a.subject) ? 'us-ascii' : 'utf-8';
    await tree.write(`${dir}/${a.address}`, `From: <${a.address}>\nSubject: ${encodedSubject(a.subject)}\nContent-Type: text/plain; charset="${charset}"\n\nThank you for writing. We will answer as soon as we can.\n`, 0o644);
    if (a.form === 'json') {
      const settings: Record<string, unknown> = { start: a.start ?? '', stop: a.stop ?? '' };
      if (a.interval !== null) settings.interval = a.interval;
      await tree.write(`${dir}/${a.address}.json`, JSON.stringify(settings), 0o644);
    } else {
      await tree.write(`${dir}/${a.address}.conf`, `interval=${a.interval ?? ''}\n`, 0o644);
    }
  }
  for (const f of plan.forwarders) add(f.source.slice(f.source.indexOf('@') + 1), `${f.source}: ${f.destination}`);

  // Default addresses: the demo's bouncing and delivering catch-alls, :blackhole: for the rest of these domains.
  const defaults = new Map<string, string>([
    [plan.failDomain.domain, '*: :fail: No Such User Here'],
    [plan.catchAllDomain.domain, `*: ${plan.catchAllDomain.account.user}`],
  ]);
  for (const domain of lines.keys()) if (!defaults.has(domain)) defaults.set(domain, '*: :blackhole:');
  for (const [domain, line] of defaults) add(domain, line);

  await tree.mkdir('/etc/valiases');
  for (const [domain, l] of lines) await tree.write(`/etc/valiases/${domain}`, `${l.join('\n')}\n`, 0o640);
}
