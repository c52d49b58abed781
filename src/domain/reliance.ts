/**
 * "If I turn POP-before-SMTP off, whose mail breaks?" Pure: the services feed it parsed exim events
 * and POP3/IMAP logins; it counts, per sending mailbox, the messages that reached Exim without SMTP
 * AUTH from an IP the relay list vouched for, and per login the messages that used SMTP AUTH.
 *
 * Two kinds of evidence, the first preferred:
 * - cPanel's own `SMTP connection identification … B=get_recent_authed_mail_ips_entry` line (or
 *   `B=recent_authed_mail_ips_domain`): Exim identified the sender through the relay list.
 * - An unauthenticated arrival from a remote IP that had a successful POP3/IMAP login within the
 *   relay window before it (expire_host_mins): the IP was in the list when the message came. Only
 *   messages from one of the server's own domains, or to an outside recipient (what needs relaying),
 *   count: ordinary inbound mail from an office that also reads its mail here does not.
 * A message counted by an identification line is not counted again by its arrival line.
 */
import { EximArrival, EximIdentification, EximRejectedRelay } from '../parsers/eximLine';
import { ipOrder, ipRange } from '../parsers/ip';
import { Accounts } from './accounts';
import { canSeeAccount, Viewer } from './scope';
import { RecentMap } from './recentMap';

export interface RelianceUser {
  /** the sending mailbox (envelope sender), or the login name / cPanel user when the sender is unknown */
  user: string;
  account: string | null;
  owner: string | null;
  messages: number;
  lastSeen: string | null;
  ips: string[];
}

export interface AuthenticatedUser {
  user: string;
  messages: number;
}

export interface RejectedRelaySender {
  sender: string;
  account: string | null;
  owner: string | null;
  attempts: number;
  lastSeen: string | null;
  ips: string[];
}

export interface RelianceReport {
  since: string;
  users: RelianceUser[];
  authenticated: AuthenticatedUser[];
  /** the look-back in days, as asked */
  days?: number;
  /** when the exim log begins, if after the look-back's start (it covers less than asked); else null */
  logsFrom?: string | null;
  /** the period the counts cover, in words: "in the last 30 days", or the shorter span the log holds */
  period?: string;
  /** the relay window used to match logins with arrivals (expire_host_mins) */
  windowMinutes?: number;
  /** how the rows were found: counts per kind of evidence (inside the viewer's scope) */
  evidence?: { identificationLines: number; loginMatches: number };
  /**
   * senders whose relaying was already refused ("Rejected relay attempt") from an IP that has POP3/IMAP
   * logins in the period: a real mail client whose mail is failing now
   */
  rejected?: RejectedRelaySender[];
  /** refused attempts from IPs no mailbox logged in from: usually spammers forging a local sender */
  rejectedOther?: { attempts: number; ips: number };
  /** what could not be read; the counts are incomplete when any is blocking */
  problems?: Array<{ path: string; problem: string; message: string; blocking: boolean }>;
  notes?: string[];
}

type Timed<T> = T & { time: number };

/**
 * The period a count covers, in words. When the log begins after the asked look-back started, the
 * span the log really holds is said, never the one asked for.
 */
export function lookBackText(days: number, logsFrom: number | null, now: number): string {
  if (logsFrom === null || logsFrom <= now - days * 86_400_000) return `in the last ${days} day${days === 1 ? '' : 's'}`;
  const whole = Math.floor((now - logsFrom) / 86_400_000);
  const span = whole < 1 ? 'less than a day' : `${whole} day${whole === 1 ? '' : 's'}`;
  return `in the ${span} the exim log covers (it begins ${new Date(logsFrom).toISOString().slice(0, 16).replace('T', ' ')} UTC; ${days} days were asked for)`;
}

// ---------------------------------------------------------------------------------------------

interface LoginInterval {
  start: number;
  end: number;
  /** login name -> its first and last login in this interval */
  users: Map<string, { first: number; last: number }>;
}

function addUser(users: LoginInterval['users'], user: string, first: number, last: number): void {
  const u = users.get(user);
  if (!u) users.set(user, { first, last });
  else {
    u.first = Math.min(u.first, first);
    u.last = Math.max(u.last, last);
  }
}

/**
 * When each IP had successful POP3/IMAP logins, kept as merged intervals (logins closer than the
 * relay window fuse into one), so a mail client polling every few minutes for a week costs one
 * entry, not thousands.
 */
export class LoginWindows {
  private readonly byIp = new Map<string, LoginInterval[]>();
  private readonly windowMs: number;

  constructor(windowMinutes: number) {
    this.windowMs = windowMinutes * 60_000;
  }

  add(ip: string, time: number, user: string): void {
    let list = this.byIp.get(ip);
    if (!list) {
      list = [];
      this.byIp.set(ip, list);
    }
    // Find the first interval whose reach (end + window) is not before this login.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].end + this.windowMs < time) lo = mid + 1;
      else hi = mid;
    }
    const at = list[lo];
    if (at && at.start - this.windowMs <= time) {
      at.start = Math.min(at.start, time);
      at.end = Math.max(at.end, time);
      addUser(at.users, user, time, time);
      // A widened interval may now reach the next one.
      const next = list[lo + 1];
      if (next && next.start - this.windowMs <= at.end) {
        at.end = Math.max(at.end, next.end);
        for (const [u, r] of next.users) addUser(at.users, u, r.first, r.last);
        list.splice(lo + 1, 1);
      }
      return;
    }
    list.splice(lo, 0, { start: time, end: time, users: new Map([[user, { first: time, last: time }]]) });
  }

  /**
   * The login name seen from `ip` most recently at or before `time` within the window, or null.
   * Within an interval a user counts as logged in from their first to their last login there (plus
   * the window), which is what a polling mail client looks like.
   */
  userAt(ip: string, time: number): string | null {
    const list = this.byIp.get(ip);
    if (!list) return null;
    for (const iv of list) {
      if (iv.start > time) break;
      if (time > iv.end + this.windowMs) continue;
      let best: string | null = null;
      let bestT = -Infinity;
      for (const [u, r] of iv.users) {
        if (r.first > time || time - r.last > this.windowMs) continue;
        const seen = Math.min(r.last, time);
        if (seen > bestT) {
          best = u;
          bestT = seen;
        }
      }
      if (best) return best;
    }
    return null;
  }

  /** Whether any login from this IP was seen at all. */
  knows(ip: string): boolean {
    return this.byIp.has(ip);
  }

  get ipCount(): number {
    return this.byIp.size;
  }
}

// ---------------------------------------------------------------------------------------------

interface Row {
  user: string;
  account: string | null;
  messages: number;
  last: number;
  ips: Set<string>;
}

const MAX_IPS_PER_ROW = 50;
/** an arrival up to this long after an identification line without a message id is the same message */
const SAME_MESSAGE_MS = 5 * 60_000;
const REMEMBERED = 200_000;

function domainOf(address: string): string | null {
  const at = address.lastIndexOf('@');
  return at > 0 ? address.slice(at + 1).toLowerCase() : null;
}

export class RelianceTally {
  private readonly rows = new Map<string, Row>();
  private readonly auth = new Map<string, { user: string; account: string | null; messages: number }>();
  private readonly rejectedRows = new Map<string, Row>();
  /** account (or '' when none) -> refused attempts from IPs without logins */
  private readonly rejectedOther = new Map<string, { attempts: number; ips: Set<string> }>();
  private readonly identifiedIds = new RecentMap<string, true>(REMEMBERED);
  private readonly identifiedSenders = new RecentMap<string, number>(REMEMBERED);
  private readonly counts = { identification: new Map<string, number>(), login: new Map<string, number>() };

  constructor(
    private readonly accounts: Accounts,
    private readonly logins: LoginWindows | null,
  ) {}

  private isLocalDomain(address: string): boolean {
    const d = domainOf(address);
    return d !== null && this.accounts.domains.has(d);
  }

  private bump(map: Map<string, Row>, user: string, account: string | null, time: number, ip: string): Row {
    const key = user.toLowerCase();
    let row = map.get(key);
    if (!row) {
      row = { user, account, messages: 0, last: time, ips: new Set() };
      map.set(key, row);
    }
    if (!row.account && account) row.account = account;
    row.messages++;
    if (time > row.last) row.last = time;
    if (row.ips.size < MAX_IPS_PER_ROW) row.ips.add(ip);
    return row;
  }

  private accountFor(user: string, cpuser: string | null): string | null {
    if (cpuser && this.accounts.isAccount(cpuser)) return cpuser;
    return this.accounts.accountOfMailUser(user);
  }

  identification(e: Timed<EximIdentification>): void {
    const ref = e.id ?? e.messageRef;
    if (ref) {
      if (this.identifiedIds.get(ref)) return; // one message may be identified at several ACL stages
      this.identifiedIds.set(ref, true);
    }
    const user = e.sender ?? e.cpuser;
    if (!user) return;
    this.identifiedSenders.set(`${e.ip}|${(e.sender ?? '').toLowerCase()}`, e.time);
    const row = this.bump(this.rows, user, this.accountFor(user, e.cpuser), e.time, e.ip);
    this.counts.identification.set(row.user.toLowerCase(), (this.counts.identification.get(row.user.toLowerCase()) ?? 0) + 1);
  }

  arrival(e: Timed<EximArrival>): void {
    if (e.kind !== 'arrival') return;
    if (e.authenticated) {
      const user = e.auth?.id ?? (e.sender || null);
      if (!user) return;
      const key = user.toLowerCase();
      const row = this.auth.get(key) ?? { user, account: this.accounts.accountOfMailUser(user), messages: 0 };
      row.messages++;
      this.auth.set(key, row);
      return;
    }
    const ip = e.host?.ip;
    if (!ip || !this.logins || e.sender === '') return;
    const range = ipRange(ip);
    if (range === 'loopback') return;
    if (e.id && this.identifiedIds.get(e.id)) return;
    const seen = this.identifiedSenders.get(`${ip}|${e.sender.toLowerCase()}`);
    if (seen !== undefined && e.time >= seen && e.time - seen <= SAME_MESSAGE_MS) return;
    const loginUser = this.logins.userAt(ip, e.time);
    if (!loginUser) return;
    const localSender = this.isLocalDomain(e.sender);
    const needsRelay = e.recipients.some((r) => !this.isLocalDomain(r));
    if (!localSender && !needsRelay && e.recipients.length > 0) return;
    if (!localSender && e.recipients.length === 0) return;
    const user = localSender ? e.sender : loginUser;
    const row = this.bump(this.rows, user, this.accounts.accountOfMailUser(user) ?? this.accounts.accountOfMailUser(loginUser), e.time, ip);
    this.counts.login.set(row.user.toLowerCase(), (this.counts.login.get(row.user.toLowerCase()) ?? 0) + 1);
  }

  rejectedRelay(e: Timed<EximRejectedRelay>): void {
    const sender = e.sender || '<>';
    const account = this.accounts.accountOfMailUser(e.sender);
    if (this.logins?.knows(e.ip)) {
      this.bump(this.rejectedRows, sender, account, e.time, e.ip);
      return;
    }
    const key = account ?? '';
    const o = this.rejectedOther.get(key) ?? { attempts: 0, ips: new Set<string>() };
    o.attempts++;
    if (o.ips.size < 10_000) o.ips.add(e.ip);
    this.rejectedOther.set(key, o);
  }

  report(viewer: Viewer, since: Date, days: number, windowMinutes: number): RelianceReport {
    const visible = (account: string | null): boolean => canSeeAccount(viewer, account);
    const iso = (t: number): string => new Date(t).toISOString();
    const rowsOut = (m: Map<string, Row>) => [...m.values()]
      .filter((r) => visible(r.account))
      .sort((a, b) => b.messages - a.messages || b.last - a.last || a.user.localeCompare(b.user));
    const users = rowsOut(this.rows).map((r) => ({
      user: r.user,
      account: r.account,
      owner: r.account ? this.accounts.ownerOf(r.account) : null,
      messages: r.messages,
      lastSeen: iso(r.last),
      ips: [...r.ips].sort(ipOrder()),
    }));
    const shown = new Set(users.map((u) => u.user.toLowerCase()));
    const sum = (m: Map<string, number>): number => [...m].reduce((n, [k, v]) => n + (shown.has(k) ? v : 0), 0);
    return {
      since: since.toISOString(),
      users,
      authenticated: [...this.auth.values()]
        .filter((a) => visible(a.account))
        .sort((a, b) => b.messages - a.messages || a.user.localeCompare(b.user))
        .map((a) => ({ user: a.user, messages: a.messages })),
      days,
      windowMinutes,
      evidence: { identificationLines: sum(this.counts.identification), loginMatches: sum(this.counts.login) },
      rejected: rowsOut(this.rejectedRows).map((r) => ({
        sender: r.user,
        account: r.account,
        owner: r.account ? this.accounts.ownerOf(r.account) : null,
        attempts: r.messages,
        lastSeen: iso(r.last),
        ips: [...r.ips].sort(ipOrder()),
      })),
      rejectedOther: (() => {
        let attempts = 0;
        const ips = new Set<string>();
        for (const [account, o] of this.rejectedOther) {
          if (!visible(account || null)) continue;
          attempts += o.attempts;
          for (const ip of o.ips) ips.add(ip);
        }
        return { attempts, ips: ips.size };
      })(),
    };
  }
}
