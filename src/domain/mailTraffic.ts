/**
 * What the exim log says about backscatter sources. Pure: fed parsed exim events in time order, it
 * counts per autoresponder (messages that reached it, spam among them, replies, bounces), per local
 * domain (bounces Exim sent with the null sender), per forwarder (messages passed on outside), and
 * keeps the events near one moment (a blacklist's listing time).
 *
 * Per-message state (who sent message X, whom it was for, did it reach an autoresponder) lives in
 * bounded maps: a bounce or a reply follows its message within seconds, so forgetting the oldest of
 * a few hundred thousand messages loses nothing that matters and keeps memory flat.
 *
 * How cPanel's autorespond logs its own reply is not confirmed. A reply is recognised as a local
 * submission (no remote host) shortly after a delivery to the autoresponder, sent from the
 * autoresponder's address or with the null sender, to the sender of the message that triggered
 * it (or with the autoresponder's subject). When no reply at all can be recognised on a server whose
 * autoresponders did receive mail, the reply counts are reported as unknown, not as zero.
 */
import { EximArrival, EximAutoresponderPipe, EximDelivery, EximFailure } from '../parsers/eximLine';
import { isSpamTagged } from './autoresponderRisk';
import { RecentMap } from './recentMap';

type Timed<T> = T & { time: number };

export interface AutoresponderTraffic {
  received: number;
  spamReceived: number;
  replies: number;
  bounces: number;
  lastReceived: number | null;
}

export interface DomainBounces {
  bounces: number;
  toOutside: number;
  last: number | null;
}

export type NearKind = 'bounce' | 'null-sender' | 'autoresponder-hit' | 'autoresponder-reply';

export interface NearEvent {
  time: number;
  kind: NearKind;
  id: string | null;
  from: string;
  to: string[];
  /** the local domain the traffic belongs to, when known */
  domain: string | null;
  /** the autoresponder involved, for autoresponder events */
  autoresponder: string | null;
  subject: string | null;
}

interface MessageState {
  sender: string;
  subject: string | null;
  spam: boolean;
  /** local domains among the recipients / failed addresses, most telling first */
  domains: string[];
  autoresponder: string | null;
  bounce: boolean;
}

interface Pending {
  time: number;
  address: string;
  origSender: string | null;
  used: boolean;
}

export const REPLY_WINDOW_MS = 2 * 60_000;
const REMEMBERED_MESSAGES = 200_000;
const MAX_PENDING = 20_000;
export const MAX_NEAR_EVENTS = 1000;

function domainOf(address: string): string | null {
  const at = address.lastIndexOf('@');
  return at > 0 ? address.slice(at + 1).toLowerCase() : null;
}

export interface TrafficOptions {
  /** the server's own domains (lower case) */
  localDomains: ReadonlySet<string>;
  /** autoresponder address (lower case) -> its subject, for recognising replies */
  autoresponderSubjects: ReadonlyMap<string, string | null>;
  /** forwarder source (lower case) -> its outside destinations (lower case) */
  forwarders: ReadonlyMap<string, ReadonlySet<string>>;
  /** keep the events within windowMs of this instant */
  near?: { time: number; windowMs: number };
}

export class MailTrafficTally {
  readonly autoresponders = new Map<string, AutoresponderTraffic>();
  readonly bouncesByDomain = new Map<string, DomainBounces>();
  /** bounces whose message could not be tied to a local domain */
  readonly unattributedBounces: DomainBounces = { bounces: 0, toOutside: 0, last: null };
  /** forwarder source -> destination -> messages passed on */
  readonly forwarded = new Map<string, Map<string, { messages: number; last: number }>>();
  readonly near: NearEvent[] = [];
  nearTotal = 0;
  /**
   * per domain ('' when none is known), the last event before the window and the first after it:
   * when the window holds nothing, these say where the traffic is
   */
  readonly nearest = new Map<string, { before: NearEvent | null; after: NearEvent | null }>();
  repliesRecognised = 0;

  private readonly messages = new RecentMap<string, MessageState>(REMEMBERED_MESSAGES);
  private pending: Pending[] = [];

  constructor(private readonly o: TrafficOptions) {}

  private isLocal(address: string): boolean {
    const d = domainOf(address);
    return d !== null && this.o.localDomains.has(d);
  }

  private ar(address: string): AutoresponderTraffic {
    let t = this.autoresponders.get(address);
    if (!t) {
      t = { received: 0, spamReceived: 0, replies: 0, bounces: 0, lastReceived: null };
      this.autoresponders.set(address, t);
    }
    return t;
  }

  private keep(e: NearEvent): void {
    const n = this.o.near;
    if (!n) return;
    if (Math.abs(e.time - n.time) > n.windowMs) {
      const key = e.domain ?? '';
      const slot = this.nearest.get(key) ?? { before: null, after: null };
      if (e.time < n.time) {
        if (!slot.before || e.time > slot.before.time) slot.before = e;
      } else if (!slot.after || e.time < slot.after.time) slot.after = e;
      this.nearest.set(key, slot);
      return;
    }
    this.nearTotal++;
    if (this.near.length < MAX_NEAR_EVENTS) this.near.push(e);
  }

  private prune(now: number): void {
    let drop = 0;
    // Times only go forward within a file; across a rotation they may step back, so age is absolute.
    while (drop < this.pending.length && (Math.abs(now - this.pending[drop].time) > REPLY_WINDOW_MS || this.pending[drop].used)) drop++;
    if (drop > 0) this.pending = this.pending.slice(drop);
    if (this.pending.length > MAX_PENDING) this.pending = this.pending.slice(this.pending.length - MAX_PENDING);
  }

  arrival(e: Timed<EximArrival>): void {
    const recipients = e.recipients.map((r) => r.toLowerCase());
    const localDomains = recipients.filter((r) => this.isLocal(r)).map((r) => domainOf(r)!);
    if (e.id) {
      this.messages.set(e.id, { sender: e.sender.toLowerCase(), subject: e.subject, spam: isSpamTagged(e.subject), domains: localDomains, autoresponder: null, bounce: e.kind === 'bounce' });
    }
    if (e.kind === 'bounce') {
      this.bounce(e, recipients);
      return;
    }
    if (e.host !== null) return; // replies and null-sender notices are local submissions
    this.prune(e.time);
    const reply = this.matchReply(e, recipients);
    if (reply) {
      reply.used = true;
      this.repliesRecognised++;
      this.ar(reply.address).replies++;
      this.keep({ time: e.time, kind: 'autoresponder-reply', id: e.id, from: e.sender, to: recipients, domain: domainOf(reply.address), autoresponder: reply.address, subject: e.subject });
      return;
    }
    if (e.sender === '') {
      this.keep({ time: e.time, kind: 'null-sender', id: e.id, from: '<>', to: recipients, domain: null, autoresponder: null, subject: e.subject });
    }
  }

  private matchReply(e: Timed<EximArrival>, recipients: string[]): Pending | null {
    const sender = e.sender.toLowerCase();
    for (const p of this.pending) {
      if (p.used || e.time < p.time) continue;
      if (sender !== '' && sender !== p.address) continue;
      const toOriginal = p.origSender !== null && p.origSender !== '' && recipients.includes(p.origSender);
      const subject = this.o.autoresponderSubjects.get(p.address);
      const sameSubject = sender !== '' && subject !== undefined && subject !== null && e.subject === subject;
      if (toOriginal || sameSubject) return p;
    }
    return null;
  }

  private bounce(e: Timed<EximArrival>, recipients: string[]): void {
    const original = e.bounceOf ? this.messages.get(e.bounceOf) : undefined;
    const domain = original?.domains[0] ?? null;
    const toOutside = recipients.some((r) => !this.isLocal(r));
    const bucket = domain ? this.bouncesByDomain.get(domain) ?? { bounces: 0, toOutside: 0, last: null } : this.unattributedBounces;
    bucket.bounces++;
    if (toOutside) bucket.toOutside++;
    if (bucket.last === null || e.time > bucket.last) bucket.last = e.time;
    if (domain) this.bouncesByDomain.set(domain, bucket);
    if (original?.autoresponder) this.ar(original.autoresponder).bounces++;
    this.keep({ time: e.time, kind: 'bounce', id: e.id, from: '<>', to: recipients, domain, autoresponder: original?.autoresponder ?? null, subject: e.subject });
  }

  autoresponderPipe(e: Timed<EximAutoresponderPipe>): void {
    const address = e.address.toLowerCase();
    const t = this.ar(address);
    t.received++;
    if (t.lastReceived === null || e.time > t.lastReceived) t.lastReceived = e.time;
    const msg = e.id ? this.messages.get(e.id) : undefined;
    if (msg) {
      msg.autoresponder = address;
      if (msg.spam) t.spamReceived++;
      if (!msg.domains.includes(domainOf(address) ?? '')) msg.domains.unshift(domainOf(address) ?? '');
    }
    this.prune(e.time);
    this.pending.push({ time: e.time, address, origSender: msg ? msg.sender : null, used: false });
    this.keep({ time: e.time, kind: 'autoresponder-hit', id: e.id, from: msg?.sender || '(unknown)', to: [address], domain: domainOf(address), autoresponder: address, subject: msg?.subject ?? null });
  }

  failure(e: Timed<EximFailure>): void {
    if (!e.id) return;
    const msg = this.messages.get(e.id);
    if (!msg) return;
    for (const a of [e.original, e.address]) {
      if (a && this.isLocal(a)) {
        const d = domainOf(a)!;
        msg.domains = [d, ...msg.domains.filter((x) => x !== d)];
        return;
      }
    }
  }

  delivery(e: Timed<EximDelivery>): void {
    const source = (e.original ?? e.parent)?.toLowerCase();
    if (!source) return;
    const dests = this.o.forwarders.get(source);
    const address = e.address.toLowerCase();
    if (!dests || !dests.has(address)) return;
    let m = this.forwarded.get(source);
    if (!m) {
      m = new Map();
      this.forwarded.set(source, m);
    }
    const row = m.get(address) ?? { messages: 0, last: e.time };
    row.messages++;
    if (e.time > row.last) row.last = e.time;
    m.set(address, row);
  }
}
