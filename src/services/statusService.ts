/**
 * `relaywatch status`: is POP-before-SMTP really on, and why (cpanel-facts §1-3). The one core
 * function behind the CLI command, GET /api/v1/status and the status page.
 *
 * Runs `tailwatchd --status`, cross-checks every driver against the files that switch it off,
 * reads the relay switch (/etc/popbeforesmtp and the cpanel.config key), the enable/disable history
 * from tailwatchd_log and the static allowlists Exim reads. What cannot be read is said, not guessed.
 */
import { driverDiskState, DriverDiskState, decideRelaying } from '../domain/relaySwitch';
import { Generation, LEGACY_DRIVER, MODERN_DRIVER } from '../domain/generation';
import { SwitchState } from '../domain/popBeforeSmtpPlan';
import { requireRoot, Viewer } from '../domain/scope';
import { CommandResult } from '../host/commandRunner';
import { isAppError } from '../http/appError';
import { parseHostList } from '../parsers/allowlistFiles';
import { parseAlwaysRelay, parseAntirelaydConf } from '../parsers/relayFiles';
import { driverHistory, DriverHistoryEntry, parseTailwatchdLog } from '../parsers/tailwatchdLog';
import { parseTailwatchdStatus, TailwatchdStatus } from '../parsers/tailwatchdStatus';
import { CoreContext } from './context';
import { sharedRun } from '../cache/answerCache';
import { Problem, Problems } from './problems';
import { readFrom } from './readFrom';
import { readCpanelConfig, readGeneration, readRelayingFacts, readRelayList, RELAY_FILES } from './relayState';

export const SENDERS_FILE = '/etc/eximpopbeforesmtpwarning';

/** How much of the end of tailwatchd_log is read for the history. */
const HISTORY_TAIL = 512 * 1024;

export interface TailwatchdInfo {
  /** host path of the program that ran, null when none was found */
  program: string | null;
  /** `tailwatchd --status` ran and its output was understood */
  ran: boolean;
  /** why the status could not be read, null when it could */
  error: string | null;
  enabled: boolean | null;
  running: boolean | null;
  pid: number | null;
  /** the whole daemon on disk: skiptailwatchd=1 or /etc/tailwatchddisable */
  disk: DriverDiskState;
  /** the lines `tailwatchd --status` printed (stdout, then stderr) */
  output: string[];
}

export interface DriverStatus {
  name: string;
  active: boolean;
  /** what the files on disk say */
  disk: { off: boolean; reasons: string[] };
  /** the status and the disk agree */
  agrees: boolean;
}

export interface AllowlistFile {
  path: string;
  exists: boolean;
  /** true when an IP listed here may relay (alwaysrelay, skipsmtpcheckhosts) */
  relays: boolean;
  description: string;
  entries: Array<{ line: number; text: string; kind: 'ip' | 'network' | 'host' | 'other'; value: string | null; user: string | null }>;
}

export interface StatusReport {
  checkedAt: string;
  generation: Generation;
  generationEvidence: string[];
  cpanelVersion: string | null;
  tailwatchd: TailwatchdInfo;
  drivers: DriverStatus[];
  popBeforeSmtp: {
    driver: string;
    driverActive: boolean;
    /** where driverActive comes from */
    driverActiveFrom: 'tailwatchd --status' | 'files on disk';
    driverDisk: { off: boolean; reasons: string[] };
    /** modern: popbeforesmtp=1 in cpanel.config (null when absent, and on legacy servers) */
    tweak: boolean | null;
    /** modern: /etc/popbeforesmtp exists (null on legacy servers) */
    flagFile: boolean | null;
    /** modern: popbeforesmtpsenders (cpanel.config) and /etc/eximpopbeforesmtpwarning */
    senders: { tweak: boolean | null; flagFile: boolean } | null;
    relayingAllowed: boolean;
    why: string;
    disagreements: string[];
  };
  relayList: { path: string; linkTarget: string | null; exists: boolean; ips: number };
  /** newest first */
  history: DriverHistoryEntry[];
  allowlists: AllowlistFile[];
  notes: string[];
  problems: Problem[];
  /** the state the disable/enable plan works from */
  switchState: SwitchState;
}

function commandError(r: CommandResult, what: string): string | null {
  if (r.timedOut) return `${what} did not answer within ${r.durationMs} ms and was stopped.`;
  if (r.signal) return `${what} was killed by ${r.signal}.`;
  if (r.exitCode !== 0) return `${what} failed (exit status ${r.exitCode ?? 'unknown'})${r.stderr.trim() ? `: ${r.stderr.trim().split('\n')[0]}` : '.'}`;
  return null;
}

function outputLines(r: CommandResult): string[] {
  return [...r.stdout.split('\n'), ...r.stderr.split('\n')].map((l) => l.replace(/\s+$/, '')).filter((l) => l !== '').slice(0, 200);
}

/** Runs `tailwatchd --status` and parses it; never throws for a failing program. */
export async function runTailwatchdStatus(ctx: CoreContext): Promise<{ program: string | null; status: TailwatchdStatus | null; error: string | null; output: string[] }> {
  let r: CommandResult;
  try {
    r = await ctx.commands.run('tailwatchd', ['--status']);
  } catch (e) {
    if (isAppError(e)) return { program: null, status: null, error: e.message, output: [] };
    throw e;
  }
  const output = outputLines(r);
  const failed = commandError(r, `${r.program} --status`);
  const status = parseTailwatchdStatus(r.stdout);
  if (!status.understood) {
    const error = failed ?? `The output of ${r.program} --status was not understood${status.unrecognised.length ? `: "${status.unrecognised[0].slice(0, 120)}"` : ' (it printed nothing)'}.`;
    return { program: r.program, status: null, error, output };
  }
  return { program: r.program, status, error: failed, output };
}

async function diskState(ctx: CoreContext, name: string, cfg: Record<string, string>): Promise<DriverDiskState> {
  const short = name.split('::').pop()!.toLowerCase();
  return driverDiskState(name, cfg, {
    disable: await ctx.host.exists(`/etc/${short}disable`),
    isevil: await ctx.host.exists(`/etc/${short}isevil`),
  });
}

async function readHistory(ctx: CoreContext, problems: Problems, notes: string[]): Promise<DriverHistoryEntry[]> {
  const file = ctx.config.logs.tailwatchdLog;
  try {
    const part = await readFrom(ctx, file, { max: HISTORY_TAIL });
    if (!part) {
      notes.push(`${file} does not exist, so there is no enable/disable history to show.`);
      return [];
    }
    return driverHistory(parseTailwatchdLog(part.text), 20);
  } catch (e) {
    const r = await ctx.host.readText(file);
    problems.add(r.ok ? { path: file, problem: 'unreadable', message: `${file} cannot be read (${String(e)})` } : r, false);
    return [];
  }
}

async function readAllowlists(ctx: CoreContext, problems: Problems): Promise<AllowlistFile[]> {
  const conf = parseAntirelaydConf((await ctx.host.readText(RELAY_FILES.antirelaydConf).then((r) => (r.ok ? r.value : ''))) ?? '');
  const specs: Array<{ path: string; relays: boolean; description: string; always?: boolean }> = [
    {
      path: conf.alwaysrelay ?? RELAY_FILES.alwaysrelay,
      relays: true,
      always: true,
      description: 'Always allowed to relay, even when POP-before-SMTP is off (merged into the relay list as user -alwaysrelay-).',
    },
    { path: '/etc/skipsmtpcheckhosts', relays: true, description: 'Exim skips its relay checks for these hosts: a static open-relay list; every entry should be one of your own servers.' },
    { path: '/etc/trustedmailhosts', relays: false, description: 'Trusted mail hosts: skip spam checks and delays, but may not relay.' },
    { path: '/etc/neighbor_netblocks', relays: false, description: 'Neighbouring networks: skip the delay for unknown hosts, but may not relay.' },
  ];
  const out: AllowlistFile[] = [];
  for (const spec of specs) {
    const r = await ctx.host.readText(spec.path);
    if (!r.ok) {
      if (r.problem !== 'missing') problems.add(r, false);
      out.push({ path: spec.path, exists: r.problem !== 'missing', relays: spec.relays, description: spec.description, entries: [] });
      continue;
    }
    let entries: AllowlistFile['entries'];
    if (spec.always) {
      const parsed = parseAlwaysRelay(r.value);
      entries = [
        ...parsed.entries.map((e) => ({ line: e.line, text: e.user ? `${e.ip} ${e.user}` : e.ip, kind: 'ip' as const, value: e.ip, user: e.user })),
        ...parsed.rejected.map((e) => ({ line: e.line, text: e.text, kind: 'other' as const, value: null, user: null })),
      ].sort((a, b) => a.line - b.line);
    } else {
      entries = parseHostList(r.value).map((e) => ({ ...e, user: null }));
    }
    out.push({ path: spec.path, exists: true, relays: spec.relays, description: spec.description, entries });
  }
  return out;
}

/** The status as the system sees it; callers check who may see it (see statusReport). */
export async function readStatus(ctx: CoreContext): Promise<StatusReport> {
  const problems = new Problems();
  const notes: string[] = [];
  const tw = await runTailwatchdStatus(ctx);
  const status = tw.status;

  const gen = await readGeneration(ctx, status ? status.drivers.map((d) => d.name) : null);
  const generation = gen.generation;
  const popDriver = generation === 'legacy' ? LEGACY_DRIVER : MODERN_DRIVER;
  const cfg = await readCpanelConfig(ctx);

  const drivers: DriverStatus[] = [];
  for (const d of status?.drivers ?? []) {
    const disk = await diskState(ctx, d.name, cfg);
    drivers.push({ name: d.name, active: d.active, disk: { off: disk.off, reasons: disk.reasons }, agrees: d.active !== disk.off });
  }
  const listed = status ? status.drivers.find((d) => d.name === popDriver) ?? null : null;
  const driverActiveNow = status ? (listed ? listed.active : false) : null;
  if (status && !listed) notes.push(`tailwatchd --status does not list ${popDriver}.`);
  const otherPop = generation === 'legacy' ? MODERN_DRIVER : LEGACY_DRIVER;
  if (status?.drivers.some((d) => d.name === otherPop)) notes.push(`tailwatchd also lists ${otherPop}, which belongs to the other generation.`);

  const facts = await readRelayingFacts(ctx, generation, driverActiveNow);
  const decision = decideRelaying(facts);
  const tailwatchdDisk = facts.tailwatchd;
  if (status && status.enabled !== null && status.enabled === tailwatchdDisk.off) {
    decision.disagreements.push(
      `tailwatchd --status says tailwatchd is ${status.enabled ? 'enabled' : 'disabled'}, but the files on disk say ${tailwatchdDisk.off ? `it is off (${tailwatchdDisk.reasons.join('; ')})` : 'it is on'}.`,
    );
  }
  if (status && status.running === false) {
    notes.push(
      generation === 'legacy'
        ? 'tailwatchd is not running: /etc/relayhosts is not being updated, and the IPs already in it stay there.'
        : 'tailwatchd is not running: the relay list is not being updated.',
    );
  }
  if (!status) notes.push('tailwatchd --status could not be read, so the driver state comes from the files on disk only.');

  const senders =
    generation === 'modern'
      ? { tweak: cfg.popbeforesmtpsenders === undefined ? null : cfg.popbeforesmtpsenders === '1', flagFile: await ctx.host.exists(SENDERS_FILE) }
      : null;
  if (senders && senders.tweak !== null && senders.tweak !== senders.flagFile) {
    decision.disagreements.push(`cpanel.config says popbeforesmtpsenders=${cfg.popbeforesmtpsenders}, but ${SENDERS_FILE} ${senders.flagFile ? 'exists' : 'does not exist'}.`);
  }

  const relayList = await readRelayList(ctx, generation, problems);
  const history = await readHistory(ctx, problems, notes);
  const allowlists = await readAllowlists(ctx, problems);

  const switchState: SwitchState = {
    generation,
    driver: popDriver,
    driverListed: status ? listed !== null : null,
    driverActiveNow,
    driverOffOnDisk: facts.driver.off,
    tailwatchdOff: facts.tailwatchd.off,
    tweak: facts.tweak,
    flagFile: facts.flagFile,
    expireHostMins: facts.expireHostMins,
  };

  return {
    checkedAt: ctx.now().toISOString(),
    generation,
    generationEvidence: gen.evidence,
    cpanelVersion: gen.version,
    tailwatchd: {
      program: tw.program,
      ran: status !== null,
      error: tw.error,
      enabled: status?.enabled ?? null,
      running: status?.running ?? null,
      pid: status?.pid ?? null,
      disk: tailwatchdDisk,
      output: tw.output,
    },
    drivers,
    popBeforeSmtp: {
      driver: popDriver,
      driverActive: driverActiveNow ?? !facts.driver.off,
      driverActiveFrom: driverActiveNow === null ? 'files on disk' : 'tailwatchd --status',
      driverDisk: { off: facts.driver.off, reasons: facts.driver.reasons },
      tweak: generation === 'modern' ? (facts.tweak === null ? null : facts.tweak === '1') : null,
      flagFile: generation === 'modern' ? facts.flagFile : null,
      senders,
      relayingAllowed: decision.allowed,
      why: decision.why,
      disagreements: decision.disagreements,
    },
    relayList: { path: relayList.path, linkTarget: relayList.linkTarget, exists: relayList.exists, ips: relayList.ips.length },
    history,
    allowlists,
    notes,
    problems: problems.list,
    switchState,
  };
}

/** The status for a WHM user: root (or a reseller with "all") only. */
export async function statusReport(ctx: CoreContext, viewer: Viewer): Promise<StatusReport> {
  requireRoot(viewer, 'see the POP-before-SMTP status');
  return currentStatus(ctx);
}

/**
 * readStatus() for those who only look: everyone asking while a read runs gets that read (its
 * commands run one at a time and take tens of milliseconds each). A change reads its own status,
 * before and after, never one that began before it.
 */
export function currentStatus(ctx: CoreContext): Promise<StatusReport> {
  return sharedRun(ctx, 'status', () => readStatus(ctx));
}

export type PublicStatus = Omit<StatusReport, 'switchState'>;

/** The report as the CLI and the JSON route give it (the planner's working state left out). */
export function publicStatus(report: StatusReport): PublicStatus {
  const { switchState: _internal, ...rest } = report;
  return rest;
}

/** CLI exit status: 0 when everything was read and agrees, 1 when something disagrees or could not be read. */
export function statusExitCode(r: StatusReport): number {
  return r.popBeforeSmtp.disagreements.length > 0 || r.tailwatchd.error !== null || r.problems.length > 0 ? 1 : 0;
}
