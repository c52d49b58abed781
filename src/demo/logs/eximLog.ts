/**
 * The demo host's /var/log/exim_mainlog and one gzipped rotation (cpanel-facts §5), written from the
 * world and the mail routing (autoresponders.ts), so that the reliance, autoresponder and
 * backscatter reports have a story to tell:
 *
 * - mailboxes on three of the relay list's explained IPs send without SMTP AUTH a few minutes after
 *   their POP3/IMAP logins (on a modern server two of them with cPanel's `SMTP connection
 *   identification … B=get_recent_authed_mail_ips_entry` line, the third only by the timing);
 * - ordinary clients send with SMTP AUTH (`P=esmtpsa A=dovecot_login:…`), inbound mail is delivered;
 * - autoresponders receive mail (some tagged ***SPAM***) through the pipe and answer it, within their
 *   interval; a forwarder passes mail on outside; spam to made-up addresses of the `:fail:` domain
 *   comes back as bounces;
 * - at the listing time a spam burst with forged senders hits the interval-0 autoresponder and the
 *   bouncing catch-all: the backscatter a blacklist saw;
 * - scanners' relay attempts are refused.
 */
import zlib from 'node:zlib';
import { DemoMailRouting, encodedSubject, planMailRouting, writeMailRouting } from '../autoresponders';
import { DemoTree } from '../demoTree';
import { Random } from '../random';
import { dateExt } from './syslogStamp';
import { accountOfLogin, DemoWorld } from '../world';

export const EXIM_MAINLOG = '/var/log/exim_mainlog';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** how far back the exim log reaches */
const SPAN_MS = 8 * DAY;

interface Line {
  at: number;
  text: string;
}

const OUTSIDE_PEOPLE = ['anna', 'ben', 'chris', 'dora', 'emil', 'fay', 'gus', 'hilde', 'ivo', 'jo'];
const OUTSIDE_DOMAINS = ['example.com', 'mail.example.net', 'partners.example.org', 'shop.example.com', 'lists.example.net'];
const SPAM_SUBJECTS = ['***SPAM*** Your invoice is overdue', '***SPAM*** Cheap watches', '***SPAM*** You have won', '***SPAM*** Verify your account'];
const HAM_SUBJECTS = ['Question about my order', 'Meeting on Thursday', 'Re: quote', 'Booking for two', 'Invoice 2231', 'Hello'];
const MTA_IPS = ['198.18.0.25', '198.18.3.7', '198.18.9.140', '2001:db8:ffff::25'];

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `2026-08-11 01:35:09` in the server's local time, as Exim writes it. */
export function eximStamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

class EximWriter {
  readonly lines: Line[] = [];
  private seq = 0;

  constructor(private readonly rng: Random) {}

  /** A message id in Exim 4.97's format (6-11-4), unique within the demo. */
  id(at: number): string {
    let t = Math.floor(at / 1000);
    let head = '';
    for (let i = 0; i < 6; i++) {
      head = BASE62[t % 62] + head;
      t = Math.floor(t / 62);
    }
    this.seq++;
    return `${head}-${this.rng.token(7, BASE62)}${String(this.seq).padStart(4, '0')}-${this.rng.token(4, BASE62)}`;
  }

  add(at: number, text: string): void {
    this.lines.push({ at, text: `${eximStamp(at)} ${text}` });
  }

  /** A remote arrival; returns the message id. */
  arrival(at: number, o: { sender: string; ip: string; helo: string; auth?: string; subject: string; to: string[]; tls?: boolean }): string {
    const id = this.id(at);
    const port = this.rng.int(32768, 60999);
    const proto = o.auth ? 'esmtpsa' : o.tls === false ? 'esmtp' : 'esmtps';
    const tls = proto === 'esmtp' ? '' : ' X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no';
    const auth = o.auth ? ` A=dovecot_login:${o.auth}` : '';
    this.add(at, `${id} <= ${o.sender} H=(${o.helo}) [${o.ip}]:${port} P=${proto}${tls}${auth} S=${this.rng.int(900, 40000)} id=${this.rng.token(12, BASE62)}@${o.sender.split('@')[1] ?? 'localhost'} T="${o.subject}" for ${o.to.join(' ')}`);
    return id;
  }

  localArrival(at: number, o: { sender: string; user: string; subject: string; to: string[] }): string {
    const id = this.id(at);
    this.add(at, `${id} <= ${o.sender} U=${o.user} P=local S=${this.rng.int(600, 3000)} T="${o.subject}" for ${o.to.join(' ')}`);
    return id;
  }

  remoteDelivery(at: number, id: string, to: string, original?: string, arrow = '=>'): void {
    const mx = `mx${this.rng.int(1, 3)}.${to.split('@')[1] ?? 'example.com'}`;
    this.add(at, `${id} ${arrow} ${to}${original ? ` <${original}>` : ''} R=dkim_lookuphost T=dkim_remote_smtp H=${mx} [192.0.2.${this.rng.int(200, 250)}] X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes C="250 2.0.0 OK ${this.rng.token(10, BASE62)}"`);
  }

  localDelivery(at: number, id: string, address: string, arrow = '=>'): void {
    const local = address.split('@')[0];
    this.add(at, `${id} ${arrow} ${local} <${address}> R=virtual_user T=virtual_userdelivery`);
  }

  completed(at: number, id: string): void {
    this.add(at, `${id} Completed`);
  }
}

function outside(rng: Random): string {
  return `${rng.pick(OUTSIDE_PEOPLE)}${rng.chance(0.3) ? rng.int(1, 99) : ''}@${rng.pick(OUTSIDE_DOMAINS)}`;
}

/** A forged sender of the kind spam carries: a stranger's real-looking address. */
function forged(rng: Random): string {
  return `${rng.token(6, 'abcdefghijklmnopqrstuvwxyz')}@${rng.pick(['innocent.example.com', 'victim.example.org', 'someone.example.net'])}`;
}

function autoresponderTraffic(w: EximWriter, world: DemoWorld, routing: DemoMailRouting, rng: Random, from: number): void {
  for (const a of routing.autoresponders) {
    const lastReply = new Map<string, number>();
    const hit = (at: number, spam: boolean): void => {
      const sender = spam ? forged(rng) : outside(rng);
      const id = w.arrival(at, { sender, ip: rng.pick(MTA_IPS), helo: spam ? `host-${rng.int(1, 250)}.dsl.example.net` : 'mail.example.net', subject: spam ? rng.pick(SPAM_SUBJECTS) : rng.pick(HAM_SUBJECTS), to: [a.address] });
      const transport = a.cagefs ? 'cagefs_virtual_address_pipe' : 'virtual_address_pipe';
      w.add(at + 1000, `${id} => |/usr/local/cpanel/bin/autorespond ${a.address} ${a.home}/.autorespond (${a.address}) <${a.address}> R=virtual_aliases_nostar T=${transport}`);
      w.localDelivery(at + 1000, id, a.address, '->');
      w.completed(at + 1500, id);
      const prev = lastReply.get(sender);
      if (a.interval !== null && prev !== undefined && at - prev < a.interval * HOUR) return;
      lastReply.set(sender, at);
      const reply = w.localArrival(at + 2000, { sender: a.address, user: a.account.user, subject: encodedSubject(a.subject), to: [sender] });
      w.remoteDelivery(at + 3000, reply, sender);
      w.completed(at + 3000, reply);
    };
    if (!a.routed || a.perDay === 0) continue;
    const startMs = Math.max(from, (a.start ?? 0) * 1000);
    const stopMs = Math.min(world.nowMs - MIN, a.stop === null ? Infinity : a.stop * 1000);
    for (let t = startMs + rng.exponential(DAY / a.perDay); t < stopMs; t += rng.exponential(DAY / a.perDay)) hit(Math.floor(t), rng.chance(a.spamShare));
    if (a === routing.autoresponders[0]) {
      // The burst a backscatter blacklist saw: forged senders, every one answered (interval 0).
      for (let k = 0; k < 12; k++) hit(routing.listingMs - 3 * MIN + k * 25_000 + rng.int(0, 9000), true);
    }
  }
}

function bounceTraffic(w: EximWriter, routing: DemoMailRouting, rng: Random, from: number, to: number): void {
  const domain = routing.failDomain.domain;
  const bounceOne = (at: number): void => {
    const sender = forged(rng);
    const rcpt = `${rng.token(rng.int(4, 9), 'abcdefghijklmnopqrstuvwxyz')}@${domain}`;
    const id = w.arrival(at, { sender, ip: rng.pick(MTA_IPS), helo: `host-${rng.int(1, 250)}.dsl.example.net`, subject: rng.pick(SPAM_SUBJECTS), to: [rcpt], tls: false });
    w.add(at + 500, `${id} ** ${rcpt} R=virtual_aliases: No Such User Here`);
    const b = w.id(at + 600);
    w.add(at + 600, `${b} <= <> R=${id} U=mailnull P=local S=${rng.int(2000, 9000)} T="Mail delivery failed: returning message to sender" for ${sender}`);
    w.completed(at + 700, id);
    w.remoteDelivery(at + 1500, b, sender);
    w.completed(at + 1500, b);
  };
  for (let t = from + rng.exponential(DAY / 3); t < to; t += rng.exponential(DAY / 3)) bounceOne(Math.floor(t));
  for (let k = 0; k < 4; k++) bounceOne(routing.listingMs - 2 * MIN + k * 50_000 + rng.int(0, 9000));
}

function forwarderTraffic(w: EximWriter, routing: DemoMailRouting, rng: Random, from: number, to: number): void {
  for (const f of routing.forwarders) {
    for (let t = from + rng.exponential(DAY / f.perDay); t < to; t += rng.exponential(DAY / f.perDay)) {
      const at = Math.floor(t);
      const spam = rng.chance(0.4);
      const id = w.arrival(at, { sender: spam ? forged(rng) : outside(rng), ip: rng.pick(MTA_IPS), helo: 'mail.example.net', subject: spam ? rng.pick(SPAM_SUBJECTS) : rng.pick(HAM_SUBJECTS), to: [f.source] });
      w.remoteDelivery(at + 2000, id, f.destination, f.source);
      w.completed(at + 2000, id);
    }
  }
}

/** Mailboxes on explained relay IPs sending without SMTP AUTH after their logins. */
function relianceTraffic(w: EximWriter, world: DemoWorld, rng: Random, from: number): void {
  const hosts = world.relayHosts.filter((h) => h.status === 'explained' && h.logins.some((l) => l.user.includes('@')));
  const chosen: typeof hosts = [];
  for (const owner of ['resellera', 'resellerb', 'root']) {
    const h = hosts.find((x) => !chosen.includes(x) && accountOfLogin(world, x.logins[0].user)?.owner === owner);
    if (h) chosen.push(h);
  }
  chosen.forEach((h, index) => {
    const identified = world.generation === 'modern' && index < 2;
    const logins = h.logins.filter((l) => l.at >= from && l.user.includes('@'));
    if (index === 0 && logins.length > 0) {
      // The client sent before it had checked mail: the IP was not (yet) in the list, Exim refused.
      const first = logins[0];
      const at = first.at - rng.int(35 * MIN, 55 * MIN);
      const rcpt = outside(rng);
      if (at >= from) w.add(at, `H=(desktop-${accountOfLogin(world, first.user)?.user ?? 'pc'}) [${h.ip}]:${rng.int(49152, 65000)} F=<${first.user}> rejected RCPT <${rcpt}>: Rejected relay attempt: '${h.ip}' From: '${first.user}' To: '${rcpt}'`);
    }
    let sent = 0;
    logins.forEach((l, i) => {
      if (!(rng.chance(0.35) || (i === logins.length - 1 && sent < 2))) return;
      const at = Math.min(l.at + rng.int(1 * MIN, 20 * MIN), world.nowMs - 30_000);
      const acct = accountOfLogin(world, l.user);
      const port = rng.int(49152, 65000);
      const recipient = outside(rng);
      const id = w.id(at);
      if (identified) {
        w.add(at, `${id} SMTP connection identification H=(desktop-${acct?.user ?? 'pc'}) A=${h.ip} P=${port} M=${id} U=${acct?.user ?? ''} ID=${acct?.uid ?? ''} S=${l.user} B=get_recent_authed_mail_ips_entry`);
      }
      w.add(at, `${id} <= ${l.user} H=(desktop-${acct?.user ?? 'pc'}) [${h.ip}]:${port} P=esmtp S=${rng.int(1500, 90000)} id=${rng.token(12, BASE62)}@${l.user.split('@')[1]} T="${rng.pick(HAM_SUBJECTS)}" for ${recipient}`);
      w.remoteDelivery(at + 1500, id, recipient);
      w.completed(at + 1500, id);
      sent++;
    });
  });
}

function backgroundTraffic(w: EximWriter, world: DemoWorld, rng: Random, from: number, to: number): void {
  const boxes = world.accounts.flatMap((a) => a.mailboxes);
  // Inbound mail, delivered to mailboxes.
  for (let t = from + rng.exponential(HOUR / 8); t < to; t += rng.exponential(HOUR / 8)) {
    const at = Math.floor(t);
    const rcpt = rng.pick(boxes);
    const id = w.arrival(at, { sender: outside(rng), ip: rng.pick(MTA_IPS), helo: 'mail.example.net', subject: rng.pick(HAM_SUBJECTS), to: [rcpt] });
    w.localDelivery(at + 800, id, rcpt);
    w.completed(at + 800, id);
  }
  // Clients that send with SMTP AUTH, as they should.
  for (let t = from + rng.exponential(HOUR / 2); t < to; t += rng.exponential(HOUR / 2)) {
    const at = Math.floor(t);
    const c = rng.pick(world.roamingClients);
    if (!c.user.includes('@')) continue;
    const rcpt = outside(rng);
    const id = w.arrival(at, { sender: c.user, ip: c.ip, helo: 'laptop', auth: c.user, subject: rng.pick(HAM_SUBJECTS), to: [rcpt] });
    w.remoteDelivery(at + 1200, id, rcpt);
    w.completed(at + 1200, id);
  }
  // Scanners trying to relay through the server.
  for (let t = from + rng.exponential(DAY / 6); t < to; t += rng.exponential(DAY / 6)) {
    const at = Math.floor(t);
    const ip = rng.pick(world.scanners);
    const fromAddr = rng.pick(boxes);
    const rcpt = outside(rng);
    w.add(at, `H=(${rng.token(8, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')}) [${ip}]:${rng.int(32768, 60999)} F=<${fromAddr}> rejected RCPT <${rcpt}>: Rejected relay attempt: '${ip}' From: '${fromAddr}' To: '${rcpt}'`);
  }
}

export interface WrittenEximLog {
  files: string[];
  lines: number;
  listingTime: string;
}

/** Plans and writes the mail routing, the autoresponders and the exim log with its rotation. */
export async function writeMailEvidence(tree: DemoTree, world: DemoWorld, rng: Random): Promise<WrittenEximLog> {
  const routing = planMailRouting(world, rng.fork('routing'));
  await writeMailRouting(tree, routing);

  const from = Math.max(world.logStartMs, world.nowMs - SPAN_MS);
  const to = world.nowMs - MIN;
  const w = new EximWriter(rng.fork('ids'));
  backgroundTraffic(w, world, rng.fork('background'), from, to);
  relianceTraffic(w, world, rng.fork('reliance'), from);
  autoresponderTraffic(w, world, routing, rng.fork('autoresponders'), from);
  bounceTraffic(w, routing, rng.fork('bounces'), from, to);
  forwarderTraffic(w, routing, rng.fork('forwarders'), from, to);

  const lines = w.lines.filter((l) => l.at >= from && l.at <= world.nowMs).sort((a, b) => a.at - b.at);
  const rotatedAt = world.rotations[0];
  const older = lines.filter((l) => l.at < rotatedAt).map((l) => `${l.text}\n`).join('');
  const newer = lines.filter((l) => l.at >= rotatedAt).map((l) => `${l.text}\n`).join('');
  const rotated = `${EXIM_MAINLOG}-${dateExt(rotatedAt)}.gz`;
  await tree.write(rotated, zlib.gzipSync(older), 0o640);
  await tree.setMtime(rotated, rotatedAt);
  await tree.write(EXIM_MAINLOG, newer, 0o640);
  await tree.setMtime(EXIM_MAINLOG, world.nowMs);
  return { files: [EXIM_MAINLOG, rotated], lines: lines.length, listingTime: new Date(routing.listingMs).toISOString() };
}
