/**
 * The blacklist check of the server's IPs: the one core function behind `relaywatch blacklist`,
 * GET /api/v1/blacklist, the blacklist page and the tests.
 *
 * - checkBlacklists() finds the server's IPs, asks every list in the zone catalogue (plus each list's
 *   self-test) and explains the answers. It waits on DNS; only the CLI and the background job call it.
 * - BlacklistMonitor keeps the last result on disk (<stateDir>/blacklist.json, with its time), runs the
 *   check in the background on a schedule and on demand, and reports progress while it runs. The page
 *   and the GET route only read what it has: they never wait on DNS.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  BlacklistCounts,
  BlacklistResult,
  BlacklistVerdict,
  blacklistExitCode,
  blacklistSummary,
  blacklistVerdict,
  buildResult,
  countResults,
  distrust,
  notQueriedFor,
  NotQueried,
  SelfTestResult,
  selfTestResult,
  zonesToAsk,
} from '../domain/blacklist';
import { requireRoot, Viewer } from '../domain/scope';
import { createDnsblResolver } from '../host/dnsResolver';
import { ensureStateDir } from '../host/stateDir';
import { Host, HostPathError } from '../host/host';
import { readInterfaceAddresses } from '../host/interfaces';
import { AppError, isAppError } from '../http/appError';
import { classifyAnswer, cleanTxt, DnsOutcome } from '../parsers/dnsblAnswer';
import { dnsblQueryName, SELF_TEST } from '../parsers/dnsblQuery';
import { applyZoneOverrides, Impact, parseZoneCatalogue, ZoneEntry } from '../parsers/dnsblZones';
import { canonicalIp, ipOrder } from '../parsers/ip';
import { blacklistSkipReason, parseAddressList, parseEtcIps, parseMainIp, parseMailIps, ParsedIps } from '../parsers/serverIps';
import { CoreContext } from './context';
import { cachedAnswer } from '../cache/answerCache';

export const SERVER_IP_FILES = { mainip: '/var/cpanel/mainip', ips: '/etc/ips', mailips: '/etc/mailips' } as const;
export const DEFAULT_ZONES_FILE = path.join(__dirname, '../data/dnsbl-zones.yaml');
export const CACHE_NAME = 'blacklist.json';

export interface BlacklistProblem {
  path: string;
  message: string;
  /** true when the list of the server's IPs may be incomplete because of it */
  blocking: boolean;
}

export interface IpReport {
  ip: string;
  /** where the address was found (cPanel files, interfaces, --ip) */
  sources: string[];
  /** domains sending from it according to /etc/mailips */
  domains: string[];
  skipped: string | null;
  results: BlacklistResult[];
  notQueried: NotQueried[];
}

export interface ZoneSummary {
  zone: string;
  name: string;
  query: boolean;
  ipv6: boolean;
  impact: Impact;
  providerNetwork: boolean;
  defunct: string | null;
  expiry: string;
}

export interface BlacklistReport {
  checkedAt: string;
  durationMs: number;
  /** the resolver that answered */
  resolver: string;
  /** "server": the server's own IPs; "given": only the IPs asked for with --ip */
  scope: 'server' | 'given';
  verdict: BlacklistVerdict;
  summary: string;
  counts: BlacklistCounts;
  ips: IpReport[];
  selfTest: SelfTestResult[];
  zones: ZoneSummary[];
  /** where the catalogue came from (defaults, and the admin's file when present) */
  zoneSources: string[];
  problems: BlacklistProblem[];
}

export interface CheckOptions {
  /** "IP:PORT" of the resolver; undefined = the config's (null there = the server's own) */
  resolver?: string | null;
  /** check only these addresses instead of the server's */
  ips?: string[];
  onProgress?: (p: { done: number; total: number }) => void;
}

let defaultCatalogue: ZoneEntry[] | null = null;

/** The shipped defaults and the admin's /etc/relaywatch/zones.yaml over them (strictly validated). */
export async function loadZoneCatalogue(ctx: CoreContext): Promise<{ zones: ZoneEntry[]; sources: string[] }> {
  defaultCatalogue ??= parseZoneCatalogue(fs.readFileSync(DEFAULT_ZONES_FILE, 'utf8'), 'defaults (dnsbl-zones.yaml)');
  const file = ctx.config.blacklist.zonesFile;
  let text: string | null;
  try {
    text = await ctx.host.readOptional(file);
  } catch (e) {
    throw new AppError(500, 'bad_zones', `Blacklist zones ${file}: ${(e as Error).message}`);
  }
  if (text === null) return { zones: defaultCatalogue, sources: ['defaults'] };
  return { zones: applyZoneOverrides(defaultCatalogue, text, file), sources: ['defaults', file] };
}

interface FoundIps {
  ips: Array<{ ip: string; sources: string[]; domains: string[] }>;
  problems: BlacklistProblem[];
}

/** The server's IPs from cPanel's files and the interfaces (cpanel-facts §6), deduplicated. */
export async function findServerIps(ctx: CoreContext): Promise<FoundIps> {
  const byIp = new Map<string, { ip: string; sources: string[]; domains: string[] }>();
  const problems: BlacklistProblem[] = [];
  const add = (parsed: ParsedIps, source: string, domains: Record<string, string[]> = {}): void => {
    for (const ip of parsed.ips) {
      const e = byIp.get(ip) ?? { ip, sources: [], domains: [] };
      if (!e.sources.includes(source)) e.sources.push(source);
      for (const d of domains[ip] ?? []) if (!e.domains.includes(d)) e.domains.push(d);
      byIp.set(ip, e);
    }
    for (const r of parsed.rejected) {
      problems.push({ path: source, message: `${source} line ${r.line} holds no IP address: "${r.text}"`, blocking: false });
    }
  };
  const read = async (file: string, required: boolean): Promise<string | null> => {
    const r = await ctx.host.readText(file);
    if (r.ok) return r.value;
    if (r.problem === 'missing' && !required) return null;
    const why = r.problem === 'missing' ? `${file} does not exist (every cPanel server has it)` : r.message;
    problems.push({ path: file, message: `${why}; the server's IP list may be incomplete`, blocking: true });
    return null;
  };

  const main = await read(SERVER_IP_FILES.mainip, true);
  if (main !== null) add(parseMainIp(main), SERVER_IP_FILES.mainip);
  const extra = await read(SERVER_IP_FILES.ips, false);
  if (extra !== null) add(parseEtcIps(extra), SERVER_IP_FILES.ips);
  const mail = await read(SERVER_IP_FILES.mailips, false);
  if (mail !== null) {
    const parsed = parseMailIps(mail);
    add(parsed, SERVER_IP_FILES.mailips, parsed.domains);
  }
  try {
    const ifs = await readInterfaceAddresses(ctx.host);
    if (ifs.text !== null) add(parseAddressList(ifs.text), ifs.source);
    else add({ ips: ifs.addresses.map(canonicalIp).filter((ip): ip is string => ip !== null), rejected: [] }, ifs.source);
  } catch (e) {
    const message = e instanceof HostPathError ? e.issue.message : String(e);
    problems.push({ path: 'interfaces', message: `${message}; the server's IP list may be incomplete`, blocking: true });
  }
  return { ips: [...byIp.values()], problems };
}

function zoneSummary(z: ZoneEntry): ZoneSummary {
  return { zone: z.zone, name: z.name, query: z.query, ipv6: z.ipv6, impact: z.impact, providerNetwork: z.providerNetwork, defunct: z.defunct, expiry: z.expiry };
}

/** Checks the server's IPs (or the given ones) against every list in the catalogue. Waits on DNS. */
export async function checkBlacklists(ctx: CoreContext, viewer: Viewer, opts: CheckOptions = {}): Promise<BlacklistReport> {
  requireRoot(viewer, "see the blacklist check of the server's IPs");
  const started = ctx.now();
  const t0 = Date.now();
  const catalogue = await loadZoneCatalogue(ctx);

  let found: FoundIps;
  if (opts.ips && opts.ips.length > 0) {
    found = { ips: [], problems: [] };
    for (const text of opts.ips) {
      const ip = canonicalIp(text);
      if (ip === null) throw AppError.badRequest(`"${text}" is not an IP address.`);
      if (!found.ips.some((e) => e.ip === ip)) found.ips.push({ ip, sources: ['--ip'], domains: [] });
    }
  } else {
    found = await findServerIps(ctx);
  }
  const byIp = ipOrder();
  const entries = found.ips
    .map((e) => ({ ...e, skipped: blacklistSkipReason(e.ip) }))
    .sort((a, b) => byIp(a.ip, b.ip));

  const checked = entries.filter((e) => e.skipped === null);
  const usedZones = catalogue.zones.filter((z) => checked.some((e) => zonesToAsk([z], e.ip).length > 0));
  const resolver = createDnsblResolver({
    server: opts.resolver !== undefined ? opts.resolver : ctx.config.blacklist.resolver,
    timeoutMs: ctx.config.blacklist.timeoutMs,
    concurrency: ctx.config.blacklist.concurrency,
  });

  const total = usedZones.length + checked.reduce((n, e) => n + zonesToAsk(catalogue.zones, e.ip).length, 0);
  let done = 0;
  const tick = (): void => {
    done++;
    opts.onProgress?.({ done, total });
  };
  opts.onProgress?.({ done, total });

  try {
    const selfTests = new Map<string, Promise<SelfTestResult>>();
    for (const z of usedZones) {
      selfTests.set(
        z.zone,
        Promise.all([resolver.a(dnsblQueryName(SELF_TEST.listed, z.zone)), resolver.a(dnsblQueryName(SELF_TEST.notListed, z.zone))]).then(([two, one]) => {
          tick();
          return selfTestResult(z, two, one);
        }),
      );
    }
    const ipReports = await Promise.all(
      entries.map(async (e): Promise<IpReport> => {
        const base = { ip: e.ip, sources: e.sources, domains: e.domains, skipped: e.skipped, notQueried: e.skipped ? [] : notQueriedFor(catalogue.zones, e.ip) };
        if (e.skipped !== null) return { ...base, results: [] };
        const results = await Promise.all(
          zonesToAsk(catalogue.zones, e.ip).map(async (z) => {
            const name = dnsblQueryName(e.ip, z.zone);
            const answer = await resolver.a(name);
            let classified = classifyAnswer(z, answer);
            let txt: string[] = [];
            if (classified.status === 'listed') {
              const t: DnsOutcome<string[][]> = await resolver.txt(name);
              if (t.kind === 'answer') txt = cleanTxt(t.values);
            }
            classified = distrust(classified, await selfTests.get(z.zone)!);
            tick();
            return buildResult(z, classified, txt);
          }),
        );
        return { ...base, results };
      }),
    );
    const selfTest = await Promise.all([...selfTests.values()]);
    const verdictInput = { ips: ipReports, incomplete: found.problems.some((p) => p.blocking) };
    const verdict = blacklistVerdict(verdictInput);
    return {
      checkedAt: started.toISOString(),
      durationMs: Date.now() - t0,
      resolver: resolver.describe,
      scope: opts.ips && opts.ips.length > 0 ? 'given' : 'server',
      verdict,
      summary: blacklistSummary(verdictInput, usedZones.length),
      counts: countResults(verdictInput),
      ips: ipReports,
      selfTest,
      zones: catalogue.zones.map(zoneSummary),
      zoneSources: catalogue.sources,
      problems: found.problems,
    };
  } finally {
    resolver.close();
  }
}

export function blacklistReportExitCode(r: BlacklistReport): number {
  return blacklistExitCode({ ips: r.ips, incomplete: r.problems.some((p) => p.blocking) });
}

export interface CheckProgress {
  running: boolean;
  startedAt: string | null;
  done: number;
  total: number;
  /** why the last background check failed (e.g. a bad zones file), null when it did not */
  lastError: string | null;
}

export interface BlacklistView {
  /** the last result, null when no check has finished yet */
  report: BlacklistReport | null;
  /** true when the result is older than the refresh interval (or missing) */
  stale: boolean;
  progress: CheckProgress;
  /** a problem reading the cached result or the zone catalogue */
  problem: string | null;
}

const SCHEDULE_TICK_MS = 60_000;

/**
 * The cached result and the background check, one per core context (one per daemon). A check runs at
 * most once at a time; asking again while it runs returns the running one.
 */
export class BlacklistMonitor {
  private running: Promise<void> | null = null;
  private state: CheckProgress = { running: false, startedAt: null, done: 0, total: 0, lastError: null };
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly ctx: CoreContext) {}

  get cachePath(): string {
    return path.posix.join(this.ctx.config.stateDir, CACHE_NAME);
  }

  progress(): CheckProgress {
    return { ...this.state };
  }

  /**
   * The last finished check. Every page asks for it, so it is parsed once per change of the file
   * (the answer is shared: callers must not modify it).
   */
  async readCache(): Promise<{ report: BlacklistReport | null; problem: string | null }> {
    return cachedAnswer(this.ctx, 'blacklist:last-result', 60_000, (c) => this.readCacheFile(c.host));
  }

  private async readCacheFile(host: Host): Promise<{ report: BlacklistReport | null; problem: string | null }> {
    // A state folder others could write to is not believed: a planted result could hide a listing.
    // (The folder is looked at directly, not through the recording host: its own changes are not the answer's.)
    const state = ensureStateDir(path.join(host.root, this.ctx.config.stateDir), { create: false });
    if (!state.ok) return { report: null, problem: `The last result is not read: ${state.why}` };
    let text: string | null;
    try {
      text = await host.readOptional(this.cachePath);
    } catch (e) {
      return { report: null, problem: `The last result (${this.cachePath}) cannot be read: ${(e as Error).message}` };
    }
    if (text === null) return { report: null, problem: null };
    try {
      const report = JSON.parse(text) as BlacklistReport;
      if (typeof report?.checkedAt !== 'string' || !Array.isArray(report.ips)) throw new Error('not a blacklist result');
      return { report, problem: null };
    } catch (e) {
      return { report: null, problem: `The last result (${this.cachePath}) is damaged (${(e as Error).message}); it will be replaced by the next check.` };
    }
  }

  async saveCache(report: BlacklistReport): Promise<void> {
    if (report.scope !== 'server') return; // a check of hand-picked IPs is not the server's result
    const state = ensureStateDir(this.ctx.host.direct(this.ctx.config.stateDir));
    if (!state.ok) throw new Error(`the result was not kept: ${state.why}`);
    await this.ctx.host.writeAtomic(this.cachePath, `${JSON.stringify(report, null, 2)}\n`, 0o600);
  }

  isStale(report: BlacklistReport | null): boolean {
    if (!report) return true;
    const age = this.ctx.now().getTime() - Date.parse(report.checkedAt);
    return !(age >= 0 && age < this.ctx.config.blacklist.refreshMinutes * 60_000);
  }

  /** Starts a check in the background unless one is running; never waits for it. */
  refresh(): { started: boolean; progress: CheckProgress } {
    if (this.running) return { started: false, progress: this.progress() };
    this.state = { running: true, startedAt: this.ctx.now().toISOString(), done: 0, total: 0, lastError: null };
    const root: Viewer = { user: 'root', isRoot: true, accounts: new Set() };
    this.running = checkBlacklists(this.ctx, root, {
      onProgress: ({ done, total }) => {
        this.state.done = done;
        this.state.total = total;
      },
    })
      .then((report) => this.saveCache(report))
      .then(
        () => {
          this.state.running = false;
        },
        (e: unknown) => {
          this.state.running = false;
          this.state.lastError = isAppError(e) ? e.message : `The blacklist check failed: ${(e as Error).message ?? String(e)}`;
        },
      )
      .finally(() => {
        this.running = null;
      });
    return { started: true, progress: this.progress() };
  }

  async refreshIfStale(): Promise<void> {
    if (this.running) return;
    const { report } = await this.readCache();
    if (this.isStale(report)) this.refresh();
  }

  /**
   * The schedule: every minute, a check starts when the last result is older than
   * blacklist.refreshMinutes. Started by the first look at the results (or by the daemon), so that
   * merely building an app (tests, other tools) never sends DNS queries. The timer does not keep
   * the process alive.
   */
  ensureScheduled(): void {
    if (this.timer) return;
    // A host under a folder (demo, tests) is not this machine: without a resolver named for it, its
    // made-up addresses are never sent to the machine's own resolvers on a schedule.
    if (this.ctx.config.root !== '/' && this.ctx.config.blacklist.resolver === null) return;
    this.timer = setInterval(() => void this.refreshIfStale(), SCHEDULE_TICK_MS);
    this.timer.unref();
    void this.refreshIfStale();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Resolves when no check is running (for shutdown and tests). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** What the page and the GET route show: the cached result and the progress, without waiting on DNS. */
  async view(viewer: Viewer): Promise<BlacklistView> {
    requireRoot(viewer, "see the blacklist check of the server's IPs");
    this.ensureScheduled();
    const { report, problem } = await this.readCache();
    let catalogueProblem: string | null = null;
    try {
      await loadZoneCatalogue(this.ctx);
    } catch (e) {
      catalogueProblem = (e as Error).message;
    }
    return { report, stale: this.isStale(report), progress: this.progress(), problem: [problem, catalogueProblem].filter(Boolean).join(' ') || null };
  }
}

const monitors = new WeakMap<CoreContext, BlacklistMonitor>();

export function blacklistMonitor(ctx: CoreContext): BlacklistMonitor {
  let m = monitors.get(ctx);
  if (!m) {
    m = new BlacklistMonitor(ctx);
    monitors.set(ctx, m);
  }
  return m;
}
