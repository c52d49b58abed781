/**
 * Background traffic of a busy cPanel mail log: deliveries, spam checks, logouts, scanners that
 * connect and go, password guessing, and ordinary clients logging in (a few percent of the lines).
 * Ordinary clients stop logging in ROAMING_CUTOFF_MS before `now`, so every recent successful login
 * in the log is a relay IP's (or webmail's over loopback), as on a server whose list is up to date.
 */
import { MailLogLines } from './mailLogLines';
import { Random } from './random';
import { DemoWorld, ROAMING_CUTOFF_MS } from './world';

interface Box {
  address: string;
  cpUser: string;
  uid: number;
  domain: string;
}

type Kind = 'spam' | 'delivery' | 'imapLogin' | 'popSession' | 'webmail' | 'logout' | 'noAuth' | 'guess' | 'aborted' | 'unknownUser' | 'prefork';

/** Weights of the event kinds: about 3% of the lines they write are successful logins. */
const MIX: ReadonlyArray<readonly [Kind, number]> = [
  ['spam', 14],
  ['delivery', 18],
  ['imapLogin', 3],
  ['popSession', 1],
  ['webmail', 1],
  ['logout', 9],
  ['noAuth', 10],
  ['guess', 6],
  ['aborted', 2],
  ['unknownUser', 3],
  ['prefork', 2],
];

export class MailLogNoise {
  private readonly boxes: Box[];
  private readonly cumulative: number[];
  private readonly kinds: Kind[];
  private readonly total: number;
  private readonly roamingUntil: number;

  constructor(
    private readonly world: DemoWorld,
    private readonly rng: Random,
    private readonly lines: MailLogLines,
  ) {
    this.boxes = world.accounts.flatMap((a) =>
      a.mailboxes.map((address) => ({ address, cpUser: a.user, uid: a.uid, domain: address.slice(address.indexOf('@') + 1) })),
    );
    let sum = 0;
    this.cumulative = MIX.map(([, w]) => (sum += w));
    this.kinds = MIX.map(([k]) => k);
    this.total = sum;
    this.roamingUntil = world.nowMs - ROAMING_CUTOFF_MS;
  }

  private kind(): Kind {
    const r = this.rng.next() * this.total;
    let i = 0;
    while (this.cumulative[i] <= r) i++;
    return this.kinds[i];
  }

  private box(): Box {
    return this.boxes[Math.floor(this.rng.next() * this.boxes.length)];
  }

  /** The lines of one background event at instant `t`, after `prefix`. */
  event(prefix: string, t: number): string {
    const r = this.rng;
    const L = this.lines;
    let k = this.kind();
    if ((k === 'imapLogin' || k === 'popSession') && t > this.roamingUntil) k = 'webmail';
    switch (k) {
      case 'spam': {
        const b = this.box();
        return L.spamCheck(prefix, b.cpUser, b.uid, b.domain);
      }
      case 'delivery': {
        const b = this.box();
        return L.delivery(prefix, b.address, b.domain);
      }
      case 'imapLogin': {
        const c = r.pick(this.world.roamingClients);
        return L.login(prefix, { user: c.user, protocol: 'imap', rip: c.ip, security: 'TLS', style: 'login' }).text;
      }
      case 'popSession': {
        // POP3 sessions last a second or two: login and logout share the stamp.
        const c = r.pick(this.world.roamingClients);
        const s = L.login(prefix, { user: c.user, protocol: 'pop3', rip: c.ip, security: r.chance(0.8) ? 'TLS' : null, style: 'login' });
        return s.text + L.logout(prefix, c.user, 'pop3', s.mpid, s.session);
      }
      case 'webmail': {
        const b = this.box();
        const s = L.login(prefix, { user: b.address, protocol: 'imap', rip: r.chance(0.9) ? '::1' : '127.0.0.1', security: 'secured', style: 'login' });
        return s.text + L.logout(prefix, b.address, 'imap', s.mpid, s.session);
      }
      case 'logout': {
        const b = this.box();
        return L.logout(prefix, b.address, 'imap', L.nextPid(), L.session());
      }
      case 'noAuth':
        return L.noAuth(prefix, r.chance(0.8) ? r.pick(this.world.scanners) : r.pick(this.world.roamingClients).ip);
      case 'guess': {
        const scanner = r.pick(this.world.scanners);
        const user = r.chance(0.002)
          ? r.pick(this.world.hostileUsers)
          : r.chance(0.5)
            ? r.pick(this.world.guessedUsers)
            : `${r.pick(this.world.guessedUsers)}@${this.box().domain}`;
        return L.failure(prefix, r.chance(0.5) ? 'password-mismatch' : 'auth-failed', user, r.chance(0.7) ? 'imap' : 'pop3', scanner);
      }
      case 'aborted':
        return L.failure(prefix, 'aborted', r.pick(this.world.guessedUsers), r.chance(0.5) ? 'imap' : 'pop3', r.pick(this.world.scanners));
      case 'unknownUser':
        return L.unknownUser(prefix, `${r.pick(this.world.guessedUsers)}@${this.box().domain}`, r.pick(this.world.scanners));
      default:
        return L.prefork(prefix);
    }
  }
}
