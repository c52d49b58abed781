/**
 * Background traffic of a busy cPanel mail log: deliveries, spam checks, logouts, scanners that
 * connect and go, password guessing, and ordinary clients logging in (a few percent of the lines).
 * Ordinary clients stop logging in ROAMING_CUTOFF_MS before `now`, so every recent successful login
 * in the log is a relay IP's (or webmail's over loopback), as on a server whose list is up to date.
 */
import { MailLogLines } from './mailLogLines';
import { MailLogMix, mixPlan, NoiseKind } from './mailLogMix';
import { Random } from '../random';
import { DemoWorld, ROAMING_CUTOFF_MS } from '../world';

interface Box {
  address: string;
  cpUser: string;
  uid: number;
  domain: string;
}

type Kind = NoiseKind;

export class MailLogNoise {
  private readonly boxes: Box[];
  private readonly cumulative: number[];
  private readonly kinds: Kind[];
  private readonly total: number;
  private readonly roamingUntil: number;
  private readonly freshShare: number;

  constructor(
    private readonly world: DemoWorld,
    private readonly rng: Random,
    private readonly lines: MailLogLines,
    mix: MailLogMix = 'demo',
  ) {
    const plan = mixPlan(mix);
    this.freshShare = plan.freshAddressShare;
    this.boxes = world.accounts.flatMap((a) =>
      a.mailboxes.map((address) => ({ address, cpUser: a.user, uid: a.uid, domain: address.slice(address.indexOf('@') + 1) })),
    );
    let sum = 0;
    this.cumulative = plan.weights.map(([, w]) => (sum += w));
    this.kinds = plan.weights.map(([k]) => k);
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

  /**
   * A mail client logging in: one of the world's roaming clients, or (mixes with mobile clients) a
   * phone with a fresh IPv6 privacy address in a carrier's /48 of 2001:db8::/32, the documentation
   * prefix. Its third group is 0x1000 or more, above every address of the world's AddressPool.
   */
  private client(): { ip: string; user: string } {
    const r = this.rng;
    if (this.freshShare > 0 && r.chance(this.freshShare)) {
      const g = (): string => r.int(1, 0xffff).toString(16);
      return { ip: `2001:db8:${r.int(0x1000, 0x10ff).toString(16)}:${g()}:${g()}:${g()}:${g()}:${g()}`, user: this.box().address };
    }
    return r.pick(this.world.roamingClients);
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
        const c = this.client();
        return L.login(prefix, { user: c.user, protocol: 'imap', rip: c.ip, security: 'TLS', style: 'login' }).text;
      }
      case 'popSession': {
        // POP3 sessions last a second or two: login and logout share the stamp.
        const c = this.client();
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
