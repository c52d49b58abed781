/**
 * `relaywatch ip IP`: everything the server's logs and files say about one address. Is it in the relay
 * list and why (the explainer's verdict), every log line that names it in the mail logs and
 * exim_mainlog with their rotations (plain and gzipped), the successful logins from it, the logins
 * over time, and its reverse DNS. The one core function behind the CLI command, the JSON route and
 * the IP page.
 *
 * A reseller gets an answer only for an address tied to their own accounts (a login or a failed login
 * by one of their mailboxes, or cPanel's user map naming one); for any other address the answer says
 * exactly that (status `not-tied`), the same whether the address is in the relay list, in the logs or
 * nowhere, so it reveals nothing about it.
 */
import { explainHost, HostStatus, RelayHost } from '../domain/explain';
import { ipNeedles, lineMentionsIp, usersInLine } from '../domain/ipMentions';
import { canSeeAccount, Viewer } from '../domain/scope';
import { ipNextSteps, NextStep } from '../domain/ipNextSteps';
import { loginTimelines, Timeline } from '../domain/timeline';
import { findLogFiles, LogFile } from '../host/logFiles';
import { scanLines } from '../scan/lineScanner';
import { reverseLookup } from '../host/reverseDns';
import { AppError } from '../http/appError';
import { parseEximLine } from '../parsers/eximLine';
import { canonicalIp } from '../parsers/ip';
import { parseLoginLine } from '../parsers/loginLine';
import { MailProtocol } from '../parsers/patterns/loginPatterns';
import { makeStampResolver, splitLogLine } from '../parsers/syslogLine';
import { sharedAccounts } from './accountsService';
import { queryLoginIndex } from '../scan/loginIndex';
import { CoreContext } from './context';
import { addLogin } from './loginEvidence';
import { mailLogFiles } from '../scan/loginScan';
import { Problem, Problems } from './problems';
import { explainInputFrom, readGeneration, readRelaying, readRelayList } from './relayState';
import { IpLoginEvidence } from '../domain/explain';
import { addFailedLogin, FailedLogins, failedLoginsFor, IpFailedEvidence } from '../domain/failedLogins';
import { parseFailedLoginLine } from '../parsers/failedLoginLine';

/** `not-tied`: a reseller asked about an address nothing ties to their accounts. */
export type IpStatus = HostStatus | 'not-listed' | 'not-tied';

/** A failed login from this IP (a line of the mail logs). */
export interface IpFailedLogin {
  file: string;
  line: number;
  time: string | null;
  /** the name tried; null when the line names none */
  user: string | null;
  protocol: MailProtocol;
  /** failed attempts the line stands for */
  attempts: number;
}

export interface IpLogin {
  file: string;
  line: number;
  time: string | null;
  user: string;
  protocol: MailProtocol;
}

export interface IpLogLine {
  file: string;
  line: number;
  /** the line as written (shortened when very long); escape it wherever it is shown */
  text: string;
  truncated: boolean;
  /** a successful login from this IP */
  login: boolean;
  /** a failed login from this IP */
  failed: boolean;
}

/** A message Exim accepted from this IP (an arrival line). */
export interface IpRelayed {
  file: string;
  line: number;
  time: string | null;
  /** Exim's message id */
  id: string | null;
  /** envelope sender ('' for a bounce) */
  sender: string;
  recipients: string[];
  /** SMTP AUTH was used (A= or P=esmtpa) */
  authenticated: boolean;
  /** the SMTP AUTH login, when logged */
  authUser: string | null;
  subject: string | null;
}

export interface IpReport {
  ip: string;
  /** null for a reseller asking about an address not tied to their accounts: not theirs to know */
  inRelayList: boolean | null;
  status: IpStatus;
  /** the last login is older than the relay window */
  stale: boolean;
  summary: string;
  /** the explainer's row, when the IP is in the relay list and visible to the viewer */
  host: RelayHost | null;
  accounts: string[];
  users: string[];
  logins: IpLogin[];
  /** failed logins from this IP: the totals (as explain gives them per relay IP) and the lines, newest first */
  failedLogins: FailedLogins;
  failed: IpFailedLogin[];
  /** what to do about it, in order */
  nextSteps: NextStep[];
  /** messages Exim accepted from this IP (newest first); null when no exim_mainlog exists */
  relayed: IpRelayed[] | null;
  lines: IpLogLine[];
  /** more lines named the IP than are listed */
  linesTruncated: boolean;
  /** files read, newest first */
  files: string[];
  ptr: string | null;
  timeline: { day: Timeline; week: Timeline };
  /** failed attempts over time, on the same buckets as the logins */
  failedTimeline: { day: Timeline; week: Timeline };
  checkedAt: string;
  problems: Problem[];
}

/** Lines kept per report: enough for any honest investigation, bounded against a flood. */
export const MAX_LINES = 5000;
const MAX_LINE_CHARS = 2000;

export function parseIpArgument(text: string): string {
  const ip = canonicalIp(String(text ?? ''));
  if (!ip) throw AppError.badRequest(`"${String(text).slice(0, 80)}" is not an IP address (IPv4 like 203.0.113.7 or IPv6 like 2001:db8::7).`);
  return ip;
}

/** Every log file that can name an IP: the mail logs (and Dovecot's own) and exim_mainlog, with rotations. */
async function logFilesForIp(ctx: CoreContext, problems: Problems): Promise<{ mail: LogFile[]; exim: LogFile[] }> {
  return { mail: await mailLogFiles(ctx, problems), exim: await findLogFiles(ctx.host, ctx.config.logs.eximMainlog) };
}

const ARRIVALS = new Set(['arrival', 'bounce'] as const);

interface Scanned {
  lines: (IpLogLine & { users: string[] })[];
  logins: IpLogin[];
  failed: IpFailedLogin[];
  relayed: (IpRelayed & { users: string[] })[];
  eximFound: boolean;
  truncated: boolean;
  files: string[];
}

async function scanForIp(ctx: CoreContext, ip: string, problems: Problems): Promise<Scanned> {
  const { mail, exim } = await logFilesForIp(ctx, problems);
  const files = [...mail, ...exim];
  const eximPaths = new Set(exim.map((f) => f.path));
  const needles = ipNeedles(ip);
  const out: Scanned = { lines: [], logins: [], failed: [], relayed: [], eximFound: exim.length > 0, truncated: false, files: files.map((f) => f.path) };
  for (const f of files) {
    const resolve = makeStampResolver(f.mtime);
    const isExim = eximPaths.has(f.path);
    try {
      await scanLines(ctx.host, f.path, {
        needles,
        gz: f.gz,
        includePartialLastLine: f.rotated,
        onLine: (c) => {
          if (!lineMentionsIp(c.text, ip)) return;
          const ev = isExim ? parseEximLine(c.text, ARRIVALS) : null;
          let relayedUsers: string[] | null = null;
          if (ev && (ev.kind === 'arrival' || ev.kind === 'bounce') && ev.host?.ip === ip) {
            const t = ev.stamp ? resolve(ev.stamp) : null;
            const authUser = ev.auth?.id ?? null;
            relayedUsers = [ev.sender, ...(authUser ? [authUser] : []), ...(ev.localUser ? [ev.localUser] : [])].filter((u) => u !== '');
            out.relayed.push({
              file: f.path, line: c.line, time: t ? t.toISOString() : null, id: ev.id, sender: ev.sender, recipients: ev.recipients,
              authenticated: ev.authenticated, authUser, subject: ev.subject, users: relayedUsers,
            });
          }
          const hit = isExim ? null : parseLoginLine(c.text);
          const isLogin = hit !== null && hit.ip === ip;
          if (isLogin) {
            const t = hit.stamp ? resolve(hit.stamp) : null;
            out.logins.push({ file: f.path, line: c.line, time: t ? t.toISOString() : null, user: hit.user, protocol: hit.protocol });
          }
          const miss = isExim || isLogin ? null : parseFailedLoginLine(c.text);
          const isFailed = miss !== null && miss.ip === ip;
          if (isFailed) {
            const t = miss.stamp ? resolve(miss.stamp) : null;
            out.failed.push({ file: f.path, line: c.line, time: t ? t.toISOString() : null, user: miss.user, protocol: miss.protocol, attempts: miss.attempts });
          }
          if (out.lines.length >= MAX_LINES) {
            out.truncated = true;
            return;
          }
          out.lines.push({
            file: f.path,
            line: c.line,
            text: c.text.length > MAX_LINE_CHARS ? c.text.slice(0, MAX_LINE_CHARS) : c.text,
            truncated: c.text.length > MAX_LINE_CHARS,
            login: isLogin,
            failed: isFailed,
            users: isLogin ? [hit.user] : isFailed ? (miss.user ? [miss.user] : []) : relayedUsers ?? usersInLine(isExim ? c.text : splitLogLine(c.text).body),
          });
        },
      });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      problems.add({ path: f.path, problem: err.code === 'ENOENT' ? 'missing' : 'unreadable', message: `${f.path}: ${err.code === 'Z_DATA_ERROR' || err.code === 'Z_BUF_ERROR' ? 'corrupt or truncated gzip data' : err.message}` }, false);
    }
  }
  return out;
}

function summaryOf(r: Pick<IpReport, 'inRelayList' | 'status' | 'stale' | 'logins' | 'lines'>, host: RelayHost | null): string {
  if (r.status === 'not-tied') return NOT_TIED;
  if (host) return host.summary;
  if (r.logins.length > 0) return `Not in the relay list now; ${r.logins.length} successful login${r.logins.length === 1 ? '' : 's'} from this IP in the logs.`;
  if (r.lines.length > 0) return 'Not in the relay list now, and no successful POP3/IMAP login from it in the logs.';
  return 'Not in the relay list, and no log line names this IP.';
}

const NOT_TIED = 'This IP is not tied to your accounts: no successful login, failed login or entry of cPanel\'s relay map names one of their mailboxes, so relaywatch shows you nothing about it.';

export async function ipReport(ctx: CoreContext, viewer: Viewer, ipText: string): Promise<IpReport> {
  const ip = parseIpArgument(ipText);
  const problems = new Problems();
  const accounts = await sharedAccounts(ctx, problems);
  const gen = await readGeneration(ctx);
  const list = await readRelayList(ctx, gen.generation, problems);
  const scanned = await scanForIp(ctx, ip, problems);
  // The persistent login index answers "which logins came from this IP" when it exists; without
  // one, the logins found by the scan above are the answer (no second pass over the logs).
  const indexed = await queryLoginIndex(ctx, (v) => v.loginsForIp(ip)).catch(() => null);
  if (indexed) scanned.logins = indexed.value.map((r) => ({ file: r.file, line: r.line, time: r.time, user: r.user, protocol: r.protocol }));

  const visibleUser = (u: string): boolean => canSeeAccount(viewer, accounts.accountOfMailUser(u));
  const mapUsers = list.userMap.get(ip) ?? [];
  const tied = viewer.isRoot || scanned.logins.some((l) => visibleUser(l.user)) || mapUsers.some(visibleUser)
    || scanned.failed.some((l) => l.user !== null && visibleUser(l.user));

  const evidence = new Map<string, IpLoginEvidence>();
  for (const l of scanned.logins) addLogin(evidence, { ip, user: l.user, time: l.time, protocol: l.protocol });
  const failedEvidence = new Map<string, IpFailedEvidence>();
  for (const l of scanned.failed) addFailedLogin(failedEvidence, ip, l.user, l.attempts, l.time ? Date.parse(l.time) : NaN);
  const listed = list.ips.includes(ip);
  const host = listed && tied
    ? explainHost(ip, explainInputFrom(ctx, viewer, list, accounts, evidence, failedEvidence))
    : null;

  const logins = tied ? scanned.logins.filter((l) => visibleUser(l.user)) : [];
  const failed = tied ? scanned.failed.filter((l) => viewer.isRoot || (l.user !== null && visibleUser(l.user))) : [];
  failed.sort((a, b) => (b.time ?? '').localeCompare(a.time ?? ''));
  const failedLogins = tied
    ? failedLoginsFor(failedEvidence.get(ip), accounts, viewer.isRoot ? null : visibleUser)
    : failedLoginsFor(undefined, accounts, null);
  const failedTimes: number[] = [];
  for (const l of failed) {
    const t = l.time ? Date.parse(l.time) : NaN;
    if (!Number.isNaN(t)) for (let i = 0; i < l.attempts; i++) failedTimes.push(t);
  }
  const lines = tied ? scanned.lines.filter((l) => viewer.isRoot || l.users.some(visibleUser)) : [];
  const relayed = tied ? scanned.relayed.filter((m) => viewer.isRoot || m.users.some(visibleUser)).map(({ users: _u, ...m }) => m) : [];
  relayed.sort((a, b) => (b.time ?? '').localeCompare(a.time ?? ''));
  const users = [...new Set([...(host?.users ?? []), ...logins.map((l) => l.user)])];
  const accts = [...new Set([...users, ...failedLogins.users].map((u) => accounts.accountOfMailUser(u)).filter((a): a is string => a !== null))].sort();
  const times = logins.map((l) => (l.time ? Date.parse(l.time) : NaN)).filter((t) => !Number.isNaN(t));
  // The relay window: from the last login until cPanel should drop the IP; for a listed IP with no
  // login, from the relay list's last change (it was in the list by then) until now.
  const nowMs = ctx.now().getTime();
  const relayWindow = host?.lastLogin && host.expiresAt
    ? { start: Date.parse(host.lastLogin), end: Date.parse(host.expiresAt), label: 'relay window: last login until cPanel drops the IP' }
    : listed && tied && list.mtime
      ? { start: Math.min(Date.parse(list.mtime), nowMs), end: nowMs, label: 'in the relay list (at least since the list last changed)' }
      : null;
  // Newest first reads best; files are already newest first, lines within a file oldest first.
  logins.sort((a, b) => (b.time ?? '').localeCompare(a.time ?? ''));

  const inRelayList = viewer.isRoot ? listed : tied ? host !== null : null;
  const status: IpStatus = host ? host.status : viewer.isRoot && listed ? 'unexplained' : tied ? 'not-listed' : 'not-tied';
  const base = { inRelayList, status, stale: host?.stale ?? false, logins, lines };
  return {
    ip,
    ...base,
    summary: summaryOf(base, host),
    host,
    accounts: accts,
    users,
    relayed: scanned.eximFound || !viewer.isRoot ? relayed : null,
    failedLogins,
    failed,
    nextSteps: ipNextSteps({
      ip,
      isRoot: viewer.isRoot,
      status,
      inRelayList: inRelayList === true,
      failedLogins,
      users: [...new Set(logins.map((l) => l.user))],
      mapUsers: tied ? mapUsers.filter(visibleUser) : [],
      accountOf: (u) => accounts.accountOfMailUser(u),
      relayingAllowed: viewer.isRoot ? (await readRelaying(ctx, gen.generation)).allowed : null,
    }),
    lines: lines.map(({ users: _u, ...l }) => l),
    linesTruncated: tied && scanned.truncated,
    files: viewer.isRoot ? scanned.files : [],
    ptr: await reverseLookup(ip, { root: ctx.config.root }),
    // Logins and failed attempts on one chart, with the relay window; failedTimeline is the failures alone.
    timeline: loginTimelines(times, nowMs, failed.filter((l) => l.time).map((l) => ({ time: Date.parse(l.time!), weight: l.attempts })), relayWindow),
    failedTimeline: loginTimelines(failedTimes, nowMs),
    checkedAt: new Date(nowMs).toISOString(),
    problems: viewer.isRoot ? problems.list : [],
  };
}

/**
 * Exit status of `relaywatch ip`, as explain's for the same IP: 2 when the IP is in the relay list
 * and nothing explains it, 3 when that cannot be decided (the relay list could not be read, or the
 * logs behind an unexplained verdict were not all read), else 0.
 */
export function ipExitCode(r: Pick<IpReport, 'status' | 'problems'>): number {
  if (r.problems.some((p) => p.blocking)) return 3;
  if (r.status !== 'unexplained') return 0;
  return r.problems.length > 0 ? 3 : 2;
}
