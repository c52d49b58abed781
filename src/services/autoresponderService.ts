/**
 * `relaywatch autoresponders`: every autoresponder on the server (routed from /etc/valiases or
 * lying in an account's ~/.autorespond), its settings, whether it answers now, the mail that
 * reached it and the replies and bounces that went out, and why it may cause backscatter.
 * The one core function behind the CLI command, the JSON route and the page.
 */
import path from 'node:path';
import { Accounts } from '../domain/accounts';
import { activeState, autoresponderRisks, Risk } from '../domain/autoresponderRisk';
import { canSeeAccount, Viewer } from '../domain/scope';
import {
  AutoresponderMessage, AutoresponderSettings, parseAutoresponderConf, parseAutoresponderJson, parseAutoresponderMessage,
} from '../parsers/autoresponderFiles';
import { sharedAccounts } from './accountsService';
import { CoreContext } from './context';
import type { UserFolder } from '../host/userFolder';
import { DomainAliases, homeOf, isSafeDir, loadValiases, MAX_USER_FILE_BYTES, openAccountFolder, systemUids } from './mailRouting';
import { scanMailTraffic } from './mailTrafficScan';
import { ScanProgress } from '../scan/loginScan';
import { Problems } from './problems';
import { sinceFor } from './relianceService';
import { lookBackText } from '../domain/reliance';
import { cachedAnswer } from '../cache/answerCache';
import { viewerKey } from '../domain/scope';

export interface AutoresponderRow {
  address: string;
  account: string | null;
  owner: string | null;
  /** the reply's subject, null when there is no message file */
  subject: string | null;
  /** hours between replies to one sender (0 = every message); null = could not be determined */
  interval: number | null;
  intervalNote: string | null;
  start: string | null;
  stop: string | null;
  active: boolean;
  activeWhy: string;
  /** messages delivered to it in the period */
  received: number;
  /** replies recognised in the log; null when replies cannot be recognised on this server */
  replies: number | null;
  /** bounces of messages that were addressed to it */
  bounces: number;
  spamReceived: number;
  lastReceived: string | null;
  risks: Risk[];
  routed: boolean;
  /** where the settings came from */
  settingsFile: 'json' | 'conf' | null;
  /** host path of the ~/.autorespond directory */
  dir: string | null;
  problems: string[];
}

export interface AutoresponderReport {
  since: string;
  days: number;
  /** when the exim log begins, if after `since` (the counts cover less than asked); else null */
  logsFrom: string | null;
  /** the period the traffic counts cover, in words */
  period: string;
  autoresponders: AutoresponderRow[];
  counts: { total: number; active: number; risky: number };
  /** why reply counts are unknown, when they are */
  repliesNote: string | null;
  problems: Array<{ path: string; problem: string; message: string; blocking: boolean }>;
  notes: string[];
}

/** An autoresponder as found on disk, before its traffic is counted. */
export interface AutoresponderFound {
  address: string;
  domain: string | null;
  account: string | null;
  owner: string | null;
  routed: boolean;
  dir: string | null;
  message: AutoresponderMessage | null;
  settings: AutoresponderSettings | null;
  settingsFile: 'json' | 'conf' | null;
  problems: string[];
}

function domainOf(address: string): string | null {
  const at = address.lastIndexOf('@');
  return at > 0 ? address.slice(at + 1).toLowerCase() : null;
}

const ADDRESS = /^[^\s@/]{1,128}@[a-z0-9.-]{1,253}$/i;

/** Autoresponders routed from valiases, plus those whose files lie in the visible accounts' homes. */
export async function findAutoresponders(
  ctx: CoreContext,
  accounts: Accounts,
  viewer: Viewer,
  aliases: DomainAliases[],
  problems: Problems,
): Promise<AutoresponderFound[]> {
  const found = new Map<string, AutoresponderFound>();
  const get = (address: string, account: string | null): AutoresponderFound => {
    let f = found.get(address);
    if (!f) {
      const domain = domainOf(address);
      const acct = (domain ? accounts.domains.get(domain) : undefined) ?? account;
      f = { address, domain, account: acct, owner: acct ? accounts.ownerOf(acct) : null, routed: false, dir: null, message: null, settings: null, settingsFile: null, problems: [] };
      found.set(address, f);
    }
    return f;
  };

  const dirs = new Map<string, string | null>(); // dir -> account whose home it is
  for (const file of aliases) {
    for (const entry of file.entries) {
      for (const t of entry.targets) {
        if (t.kind !== 'pipe' || !t.autoresponder) continue;
        const f = get(t.autoresponder.address, file.account);
        f.routed = true;
        if (isSafeDir(t.autoresponder.dir)) {
          f.dir = path.posix.normalize(t.autoresponder.dir);
          if (!dirs.has(f.dir)) dirs.set(f.dir, file.account);
        } else {
          f.problems.push(`the autoresponder directory in ${file.path} line ${entry.line} is not a plain absolute path`);
        }
      }
    }
  }
  const visibleAccounts = [...accounts.owners.keys()].filter((a) => canSeeAccount(viewer, a)).sort();
  for (const account of visibleAccounts) {
    const dir = `${await homeOf(ctx, account)}/.autorespond`;
    if (!dirs.has(dir)) dirs.set(dir, account);
  }

  const uids = await systemUids(ctx);
  for (const [dir, dirAccount] of dirs) {
    // Every folder here is the user's: opened without following their symlinks (host/userFolder.ts).
    const opened = await openAccountFolder(ctx, dirAccount, dir, uids);
    if (!opened.ok) {
      if (opened.problem !== 'missing') problems.add({ path: dir, problem: 'unreadable', message: opened.why }, false);
      continue;
    }
    const folder = opened.folder;
    try {
      await readAutoresponderFolder(folder, dir, dirAccount, get, viewer);
    } finally {
      folder.close();
    }
  }
  return [...found.values()].filter((f) => canSeeAccount(viewer, f.account));
}

async function readAutoresponderFolder(
  folder: UserFolder,
  dir: string,
  dirAccount: string | null,
  get: (address: string, account: string | null) => AutoresponderFound,
  viewer: Viewer,
): Promise<void> {
  const bases = new Map<string, { message?: string; json?: string; conf?: string }>();
  for (const name of folder.list()) {
    const m = /^(.+?)(\.json|\.conf)?$/.exec(name)!;
    const base = m[1].toLowerCase();
    if (!ADDRESS.test(base)) continue;
    const slot = bases.get(base) ?? {};
    if (m[2] === '.json') slot.json = name;
    else if (m[2] === '.conf') slot.conf = name;
    else slot.message = name;
    bases.set(base, slot);
  }
  for (const [address, slot] of bases) {
    const f = get(address, dirAccount);
    if (!canSeeAccount(viewer, f.account)) continue;
    if (f.dir === null) f.dir = dir;
    if (f.dir !== dir) continue; // files in another directory than the route names are not used
    if (slot.message) {
      const r = await folder.readSmallFile(slot.message, MAX_USER_FILE_BYTES);
      if (r.ok) f.message = parseAutoresponderMessage(r.text);
      else f.problems.push(r.why);
    }
    // The .json file is what current cPanel writes; the .conf is read only without it.
    const settingsName = slot.json ?? slot.conf;
    if (settingsName) {
      const r = await folder.readSmallFile(settingsName, MAX_USER_FILE_BYTES);
      if (r.ok) {
        f.settingsFile = slot.json ? 'json' : 'conf';
        f.settings = slot.json ? parseAutoresponderJson(r.text) : parseAutoresponderConf(r.text);
        f.problems.push(...f.settings.problems);
      } else f.problems.push(r.why);
    }
  }
}

/**
 * Answers are reused while none of the files they were computed from changed (see answerCache.ts).
 * What depends on the clock alone (replies and bounces of the last N days, an autoresponder's start
 * and stop time) may show up to five minutes late; recomputing reads every account's mail folders.
 */
const REUSE_MS = 300_000;

export async function autoresponderReport(
  ctx: CoreContext,
  viewer: Viewer,
  opts: { days: number; onProgress?: (p: ScanProgress) => void },
): Promise<AutoresponderReport> {
  return cachedAnswer(ctx, `autoresponders:${viewerKey(viewer)}:${opts.days}`, REUSE_MS, (c) => computeAutoresponderReport(c, viewer, opts));
}

async function computeAutoresponderReport(
  ctx: CoreContext,
  viewer: Viewer,
  opts: { days: number; onProgress?: (p: ScanProgress) => void },
): Promise<AutoresponderReport> {
  const problems = new Problems();
  const since = sinceFor(ctx.now(), opts.days);
  const accounts = await sharedAccounts(ctx, problems);
  const aliases = await loadValiases(ctx, accounts, viewer, problems);
  const found = await findAutoresponders(ctx, accounts, viewer, aliases, problems);

  const traffic = await scanMailTraffic(ctx, {
    since,
    problems,
    onProgress: opts.onProgress,
    localDomains: new Set(accounts.domains.keys()),
    autoresponderSubjects: new Map(found.map((f) => [f.address, f.message?.subject ?? null])),
    forwarders: new Map(),
  });
  const t = traffic.tally;
  const totalReceived = found.reduce((n, f) => n + (t.autoresponders.get(f.address)?.received ?? 0), 0);
  // Replies are recognised server-wide or not at all: zero recognised while mail reached them means
  // this server logs replies in a form relaywatch does not know, not that none went out.
  const repliesKnown = t.repliesRecognised > 0 || totalReceived === 0;
  const nowSec = Math.floor(ctx.now().getTime() / 1000);

  const rows: AutoresponderRow[] = found.map((f) => {
    const tr = t.autoresponders.get(f.address) ?? { received: 0, spamReceived: 0, replies: 0, bounces: 0, lastReceived: null };
    const schedule = f.settings ? { start: f.settings.start, stop: f.settings.stop } : null;
    const state = activeState({ routed: f.routed, hasMessage: f.message !== null, schedule, nowSec });
    const interval = f.settings ? f.settings.interval : null;
    const intervalNote = f.settings ? f.settings.intervalNote : 'no settings file (.json or .conf) next to the message';
    const replies = repliesKnown ? tr.replies : null;
    const iso = (s: number | null): string | null => (s === null ? null : new Date(s * 1000).toISOString());
    return {
      address: f.address,
      account: f.account,
      owner: f.owner,
      subject: f.message?.subject ?? null,
      interval,
      intervalNote,
      start: iso(f.settings?.start ?? null),
      stop: iso(f.settings?.stop ?? null),
      active: state.active,
      activeWhy: state.why,
      received: tr.received,
      replies,
      bounces: tr.bounces,
      spamReceived: tr.spamReceived,
      lastReceived: tr.lastReceived === null ? null : new Date(tr.lastReceived).toISOString(),
      risks: autoresponderRisks({ active: state.active, interval, intervalNote, schedule, received: tr.received, spamReceived: tr.spamReceived, replies, days: opts.days }),
      routed: f.routed,
      settingsFile: f.settingsFile,
      dir: f.dir,
      problems: f.problems,
    };
  });
  rows.sort((a, b) => b.risks.length - a.risks.length || b.received - a.received || a.address.localeCompare(b.address));

  const notes = [
    `Traffic counted from ${traffic.files.length} exim log file(s) since ${since.toISOString()}. "received" counts deliveries to the autoresponder's pipe; spam is recognised by SpamAssassin's ***SPAM*** subject tag on the arrival.`,
    'A reply is recognised as a local submission from the autoresponder\'s address (or the null sender) to the sender of the message that reached it, within two minutes.',
  ];
  return {
    since: since.toISOString(),
    days: opts.days,
    logsFrom: traffic.startsAfterSince === null ? null : new Date(traffic.startsAfterSince).toISOString(),
    period: lookBackText(opts.days, traffic.startsAfterSince, ctx.now().getTime()),
    autoresponders: rows,
    counts: { total: rows.length, active: rows.filter((r) => r.active).length, risky: rows.filter((r) => r.risks.length > 0).length },
    repliesNote: repliesKnown
      ? null
      : `Mail reached autoresponders ${totalReceived} time(s), but no reply could be recognised in the exim log: how cPanel's autorespond logs its replies is not confirmed, so reply counts are shown as unknown rather than zero.`,
    problems: viewer.isRoot ? problems.list : problems.list.map((p) => ({ ...p, message: p.problem })),
    notes,
  };
}
