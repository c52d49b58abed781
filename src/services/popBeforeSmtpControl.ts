/**
 * Turning POP-before-SMTP off or on, with proof that it took (cpanel-facts §1-3). The one core
 * function behind `relaywatch disable|enable`, POST /api/v1/pop-before-smtp and the confirmation page.
 *
 * 1. Root only: anyone else is refused with 403, and the refusal is audited.
 * 2. Under one lock per host, so two changes never interleave: read the status, plan, act, verify.
 * 3. Act only through the CommandRunner (allowlisted program and arguments, execFile, timeout).
 * 4. Verify: re-read the status, and for tailwatchd find the "was successfully disabled|enabled" line
 *    written to tailwatchd_log after the command (the log is read from its size before acting).
 * 5. Audit every attempt as one JSON line; an audit log that cannot take the line stops the change
 *    before it is made (checked first) or is reported as an error after it.
 */
import { RelianceUser } from '../domain/reliance';
import { ChangePlan, planChange, PlannedStep, SwitchAction, targetReached } from '../domain/popBeforeSmtpPlan';
import { Viewer } from '../domain/scope';
import { CommandResult } from '../host/commandRunner';
import { acquireLockFile, LockBusyError } from '../host/host';
import { AppError, isAppError } from '../http/appError';
import { parseTailwatchdLog, parseTailwatchdMessage, TailwatchdLogRecord } from '../parsers/tailwatchdLog';
import { Actor, appendAudit, AuditEntry, checkAuditWritable } from '../audit/audit';
import { relayListSnapshot } from './relaySnapshot';
import { CoreContext } from './context';
import { readFrom } from './readFrom';
import { relianceReport } from './relianceService';
import { currentStatus, readStatus, StatusReport } from './statusService';

export interface ChangeRequest {
  action: SwitchAction;
  /** modern disable: turn RecentAuthedMailIpTracker off as well */
  driverToo?: boolean;
}

export interface StepResult {
  program: string;
  args: string[];
  /** the command as an admin would type it */
  command: string;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  ok: boolean;
  error: string | null;
  output: string[];
}

export interface SwitchSnapshot {
  relayingAllowed: boolean;
  why: string;
  driverActive: boolean;
  tweak: boolean | null;
  flagFile: boolean | null;
  disagreements: string[];
}

export interface ChangeResult {
  action: SwitchAction;
  outcome: 'changed' | 'unchanged' | 'failed';
  verified: boolean;
  evidence: string[];
  summary: string;
  /** what went wrong, null when nothing did */
  error: string | null;
  plan: ChangePlan;
  steps: StepResult[];
  before: SwitchSnapshot;
  after: SwitchSnapshot;
  /** the audit entry (its id finds the result page again: /status/result?id=…) */
  audit: { path: string; time: string; id: string };
}

/** Who would notice the change: the reliance report, summarised for the confirmation. */
export interface AffectedUsers {
  days: number;
  /** the period the counts cover, in words (shorter than `days` when the exim log is) */
  period: string;
  since: string;
  /** mailboxes that sent mail through POP-before-SMTP (without SMTP AUTH) in that time */
  users: RelianceUser[];
  /** mailboxes that already send with SMTP AUTH */
  authenticated: number;
  /** false when a log could not be read completely (the list may be short) */
  complete: boolean;
  /** why it is incomplete: the logs that could not be read */
  gaps: string[];
  notes: string[];
}

export interface ChangePreview {
  action: SwitchAction;
  plan: ChangePlan;
  /** the commands that would run */
  commands: string[];
  current: SwitchSnapshot;
  generation: StatusReport['generation'];
  /** disable: who relies on POP-before-SMTP (null for enable, or when it could not be worked out) */
  affected: AffectedUsers | null;
  /** why `affected` is null for a disable */
  affectedError: string | null;
  /** expire_host_mins: how long an IP may relay after a login once it is on */
  expireHostMins: number;
}

const ACTION_NAME = (a: SwitchAction): string => `pop-before-smtp.${a}`;
const LOG_AFTER_MAX = 1024 * 1024;

export function parseAction(value: unknown): SwitchAction {
  if (value === 'enable' || value === 'disable') return value;
  throw AppError.badRequest('The action must be "enable" or "disable".');
}

function snapshot(s: StatusReport): SwitchSnapshot {
  const p = s.popBeforeSmtp;
  return { relayingAllowed: p.relayingAllowed, why: p.why, driverActive: p.driverActive, tweak: p.tweak, flagFile: p.flagFile, disagreements: p.disagreements };
}

async function commandLine(ctx: CoreContext, step: PlannedStep): Promise<string> {
  const program = (await ctx.commands.locate(step.program)) ?? step.program;
  return [program, ...step.args].join(' ');
}

/** What `disable`/`enable` would do now, without doing it. Root only. */
export async function previewChange(ctx: CoreContext, viewer: Viewer, req: ChangeRequest): Promise<ChangePreview> {
  if (!viewer.isRoot) throw AppError.forbidden('Only root (or a reseller with the "all" privilege) can change POP-before-SMTP.');
  const action = parseAction(req.action);
  const status = await currentStatus(ctx);
  const plan = planChange(status.switchState, action, { driverToo: req.driverToo });
  const commands: string[] = [];
  for (const st of plan.steps) commands.push(await commandLine(ctx, st));
  let affected: AffectedUsers | null = null;
  let affectedError: string | null = null;
  if (action === 'disable' && !plan.alreadySo) {
    const days = ctx.config.evidence.days;
    try {
      const r = await relianceReport(ctx, viewer, { days });
      affected = {
        days,
        period: r.period ?? `in the last ${days} days`,
        since: r.since,
        users: r.users,
        authenticated: r.authenticated.length,
        complete: !(r.problems ?? []).some((p) => p.blocking),
        gaps: (r.problems ?? []).filter((p) => p.blocking).map((p) => p.message),
        notes: r.notes ?? [],
      };
    } catch (e) {
      if (!isAppError(e)) throw e;
      affectedError = `Who relies on POP-before-SMTP could not be worked out: ${e.message}`;
    }
  }
  return { action, plan, commands, current: snapshot(status), generation: status.generation, affected, affectedError, expireHostMins: status.switchState.expireHostMins };
}

const locks = new Map<string, Promise<unknown>>();

/** Runs `fn` when no other change on this host is running in this process. */
async function withControlLock<T>(ctx: CoreContext, fn: () => Promise<T>): Promise<T> {
  const key = ctx.host.root;
  const previous = locks.get(key) ?? Promise.resolve();
  // In this process, changes queue; across processes (the daemon and a CLI run), a lock file decides.
  const run = previous.then(async () => {
    let release: () => Promise<void>;
    try {
      release = await acquireLockFile(ctx.host, `${ctx.config.stateDir}/control.lock`, ctx.config.commands.timeoutMs * 2);
    } catch (e) {
      if (e instanceof LockBusyError) throw AppError.conflict(`Another POP-before-SMTP change is running (${e.message}); try again when it has finished.`);
      throw e;
    }
    try {
      return await fn();
    } finally {
      await release();
    }
  });
  const tail = run.catch(() => undefined);
  locks.set(key, tail);
  try {
    return await run;
  } finally {
    if (locks.get(key) === tail) locks.delete(key);
  }
}

function failureOf(r: CommandResult, command: string): string | null {
  if (r.timedOut) return `${command} did not finish within ${seconds(r.durationMs)} and was stopped.`;
  if (r.signal) return `${command} was killed by ${r.signal}.`;
  if (r.exitCode !== 0) {
    const first = r.stderr.trim().split('\n')[0] || r.stdout.trim().split('\n')[0] || '';
    return `${command} failed (exit status ${r.exitCode ?? 'unknown'})${first ? `: ${first.slice(0, 300)}` : '.'}`;
  }
  return null;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** Reads what the program said: tailwatchd's warnings, whmapi1's metadata. */
function judgeOutput(step: PlannedStep, r: CommandResult): string | null {
  if (step.program === 'tailwatchd') {
    for (const line of `${r.stdout}\n${r.stderr}`.split('\n')) {
      const e = parseTailwatchdMessage(line.trim());
      if (e?.kind === 'unknown-driver') return `tailwatchd ignored the driver: "${line.trim()}".`;
      if (e?.kind === 'driver-failed') return `tailwatchd: "${line.trim()}".`;
    }
    return null;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(r.stdout);
  } catch {
    return `whmapi1 answered with something that is not JSON: "${r.stdout.trim().slice(0, 120)}".`;
  }
  const meta = (parsed as { metadata?: { result?: unknown; reason?: unknown } } | null)?.metadata;
  if (!meta || typeof meta !== 'object') return 'whmapi1 answered without metadata, so the result is unknown.';
  if (Number(meta.result) !== 1) return `whmapi1 set_tweaksetting was refused: ${typeof meta.reason === 'string' ? meta.reason : 'no reason given'} (result ${String(meta.result)}).`;
  return null;
}

function stepOutput(step: PlannedStep, r: CommandResult): string[] {
  if (step.program === 'whmapi1') {
    try {
      const meta = (JSON.parse(r.stdout) as { metadata?: { result?: unknown; reason?: unknown } }).metadata;
      if (meta) return [`metadata: result ${String(meta.result)}${meta.reason ? ` (${String(meta.reason)})` : ''}`];
    } catch {
      // fall through: show what it printed
    }
  }
  return [...r.stdout.split('\n'), ...r.stderr.split('\n')].map((l) => l.trimEnd()).filter(Boolean).slice(0, 20);
}

async function runStep(ctx: CoreContext, step: PlannedStep): Promise<StepResult> {
  const command = await commandLine(ctx, step);
  let r: CommandResult;
  try {
    r = await ctx.commands.run(step.program, step.args);
  } catch (e) {
    if (!isAppError(e)) throw e;
    return { program: step.program, args: step.args, command, exitCode: null, signal: null, timedOut: false, durationMs: 0, ok: false, error: e.message, output: [] };
  }
  const error = failureOf(r, command) ?? judgeOutput(step, r);
  return {
    program: r.program,
    args: r.args,
    command,
    exitCode: r.exitCode,
    signal: r.signal,
    timedOut: r.timedOut,
    durationMs: r.durationMs,
    ok: error === null,
    error,
    output: stepOutput(step, r),
  };
}

async function logSize(ctx: CoreContext): Promise<number> {
  try {
    return (await ctx.host.stat(ctx.config.logs.tailwatchdLog))?.size ?? 0;
  } catch {
    return 0;
  }
}

async function logLinesSince(ctx: CoreContext, from: number): Promise<TailwatchdLogRecord[]> {
  try {
    const part = await readFrom(ctx, ctx.config.logs.tailwatchdLog, { from, max: LOG_AFTER_MAX });
    return part ? parseTailwatchdLog(part.text) : [];
  } catch {
    return [];
  }
}

/** The lines that show the switch's state now. */
function stateEvidence(s: StatusReport, plan: ChangePlan): string[] {
  const out: string[] = [];
  if (plan.knobs.includes('driver')) {
    const line = s.tailwatchd.output.find((l) => l.includes(`) ${plan.driver}`));
    if (line) out.push(`tailwatchd --status: ${line.trim()}`);
    else out.push(`tailwatchd --status: ${s.tailwatchd.error ?? `${plan.driver} not listed`}`);
    const disk = s.popBeforeSmtp.driverDisk;
    out.push(`on disk: ${plan.driver} is ${disk.off ? `off (${disk.reasons.join('; ')})` : 'on (no skip key, no disable or isevil file)'}`);
  }
  if (plan.knobs.includes('tweak')) {
    out.push(`/etc/popbeforesmtp: ${s.popBeforeSmtp.flagFile ? 'exists' : 'absent'}`);
    out.push(`/var/cpanel/cpanel.config: ${s.switchState.tweak === null ? 'no popbeforesmtp key' : `popbeforesmtp=${s.switchState.tweak}`}`);
  }
  out.push(`relaying by POP-before-SMTP: ${s.popBeforeSmtp.relayingAllowed ? 'allowed' : 'not allowed'}: ${s.popBeforeSmtp.why}`);
  return out;
}

function audited(ctx: CoreContext, actor: Actor, entry: Omit<Parameters<typeof appendAudit>[1], 'user' | 'via'>): Promise<AuditEntry> {
  return appendAudit(ctx, { ...entry, user: actor.user, via: actor.via, details: { ...(actor.from ? { from: actor.from } : {}), ...(entry.details ?? {}) } });
}

function targetName(plan: ChangePlan): string {
  if (plan.generation === 'legacy') return plan.driver;
  const driverTouched = plan.driverToo || plan.steps.some((s) => s.program === 'tailwatchd');
  return driverTouched ? `Tweak Setting popbeforesmtp and ${plan.driver}` : 'Tweak Setting popbeforesmtp';
}

/**
 * Turns POP-before-SMTP off or on and proves it. Resolves with the result even when the change
 * failed (outcome "failed", with the state as it really is now); throws AppError for a refusal
 * (403), a bad request (400), a plan relaywatch will not carry out (409) and an audit failure (500).
 */
export async function changePopBeforeSmtp(ctx: CoreContext, actor: Actor, viewer: Viewer, req: ChangeRequest): Promise<ChangeResult> {
  let action: SwitchAction;
  try {
    action = parseAction(req.action);
  } catch (e) {
    // A value that is neither "enable" nor "disable" (say "disable; rm -rf /" or "--enable=…") never
    // reaches a command, and the attempt is on record like any other refused change.
    await audited(ctx, actor, {
      action: 'pop-before-smtp.unknown',
      target: 'POP-before-SMTP',
      outcome: 'refused',
      summary: 'The action was neither "enable" nor "disable"; nothing was run.',
      evidence: [`action: ${JSON.stringify(req.action)?.slice(0, 500) ?? 'none'}`],
    });
    throw e;
  }
  if (!viewer.isRoot) {
    await audited(ctx, actor, {
      action: ACTION_NAME(action),
      target: 'POP-before-SMTP',
      outcome: 'refused',
      summary: `WHM user "${viewer.user}" is not root; turning POP-before-SMTP ${action === 'enable' ? 'on' : 'off'} needs root.`,
      evidence: [],
    });
    throw AppError.forbidden('Only root (or a reseller with the "all" privilege) can change POP-before-SMTP.');
  }
  await checkAuditWritable(ctx);

  return withControlLock(ctx, async () => {
    const before = await readStatus(ctx);
    // The list as it is now: turning the tracker off empties it, and with it the evidence.
    const relayListBefore = await relayListSnapshot(ctx);
    const plan = planChange(before.switchState, action, { driverToo: req.driverToo });
    if (plan.blocked) {
      await audited(ctx, actor, { action: ACTION_NAME(action), target: targetName(plan), outcome: 'refused', summary: plan.blocked, evidence: before.tailwatchd.output, details: { relayListBefore } });
      throw AppError.conflict(plan.blocked);
    }

    const logStart = await logSize(ctx);
    const steps: StepResult[] = [];
    for (const step of plan.steps) {
      const r = await runStep(ctx, step);
      steps.push(r);
      if (!r.ok) break; // later steps depend on this one; the state is re-read below either way
    }
    const after = plan.alreadySo ? before : await readStatus(ctx);
    const newLines = plan.steps.some((s) => s.program === 'tailwatchd') ? await logLinesSince(ctx, logStart) : [];

    // The log must confirm every tailwatchd step that ran and exited cleanly.
    const evidence: string[] = [];
    const logProblems: string[] = [];
    for (const [i, step] of plan.steps.entries()) {
      const r = steps[i];
      if (!r) break;
      evidence.push(`$ ${r.command}`, ...r.output.map((l) => `  ${l}`));
      if (r.error) evidence.push(`  error: ${r.error}`);
      if (step.program !== 'tailwatchd' || !r.ok) continue;
      const want = step.on ? 'enable' : 'disable';
      const proof = newLines.filter(
        (l) => l.event?.driver === plan.driver && l.event.action === want && (l.event.kind === 'driver-success' || (step.on && l.event.kind === 'driver-already')),
      );
      if (proof.length > 0) evidence.push(...proof.map((l) => `tailwatchd_log: ${l.line}`));
      else logProblems.push(`No "${plan.driver} was successfully ${want}d" line was written to ${ctx.config.logs.tailwatchdLog} after the command.`);
      const restarts = newLines.filter((l) => l.event && (l.event.kind === 'start' || l.event.kind === 'stop' || l.event.kind === 'restart-skipped'));
      evidence.push(...restarts.slice(0, 6).map((l) => `tailwatchd_log: ${l.line}`));
    }
    if (plan.alreadySo) evidence.push(`Nothing to do: POP-before-SMTP is already ${action === 'enable' ? 'on' : 'off'}.`);
    evidence.push(...stateEvidence(after, plan));

    const failedStep = steps.find((s) => !s.ok);
    const reached = targetReached(plan, after.switchState);
    let outcome: ChangeResult['outcome'];
    let verified: boolean;
    let error: string | null = null;
    if (failedStep) {
      outcome = 'failed';
      verified = false;
      error = failedStep.error;
    } else if (plan.alreadySo) {
      outcome = 'unchanged';
      verified = reached.reached;
      if (!verified) error = reached.missing.join(' ');
    } else if (!reached.reached) {
      outcome = 'failed';
      verified = false;
      error = `The commands reported success, but the state did not change. ${reached.missing.join(' ')}`;
    } else {
      outcome = 'changed';
      verified = logProblems.length === 0;
      if (!verified) error = logProblems.join(' ');
    }
    const now = after.popBeforeSmtp.relayingAllowed ? 'allowed' : 'not allowed';
    const word = action === 'enable' ? 'on' : 'off';
    const summary =
      outcome === 'changed'
        ? `POP-before-SMTP is now ${word}${verified ? ' (verified)' : ' (not confirmed by tailwatchd_log)'}; relaying by POP-before-SMTP is ${now}.`
        : outcome === 'unchanged'
          ? `POP-before-SMTP was already ${word}; nothing was run. Relaying by POP-before-SMTP is ${now}.`
          : `Turning POP-before-SMTP ${word} failed: ${error} Relaying by POP-before-SMTP is ${now} right now.`;

    const entry = await audited(ctx, actor, {
      action: ACTION_NAME(action),
      target: targetName(plan),
      outcome,
      summary,
      evidence,
      details: {
        relayListBefore,
        generation: plan.generation,
        driverToo: plan.driverToo,
        verified,
        error,
        commands: steps.map((s) => ({ program: s.program, args: s.args, exitCode: s.exitCode, signal: s.signal, timedOut: s.timedOut, durationMs: s.durationMs })),
        before: { relayingAllowed: before.popBeforeSmtp.relayingAllowed },
        // what the result page shows again, from this entry alone (a reload runs nothing)
        after: { relayingAllowed: after.popBeforeSmtp.relayingAllowed, why: after.popBeforeSmtp.why, disagreements: after.popBeforeSmtp.disagreements },
        undo: outcome === 'changed' ? plan.undo : [],
      },
    }).catch((e: unknown) => {
      // The change happened (or was tried); say so along with the audit failure.
      if (isAppError(e)) throw new AppError(e.status, e.code, `${e.message} The change itself: ${summary}`, { ...e.details, outcome, verified, evidence });
      throw e;
    });

    return {
      action,
      outcome,
      verified,
      evidence,
      summary,
      error,
      plan,
      steps,
      before: snapshot(before),
      after: snapshot(after),
      audit: { path: ctx.config.auditLog, time: entry.time, id: entry.id! },
    };
  });
}

/** CLI exit status: 0 changed/unchanged and verified, 1 changed but not confirmed, 2 failed. */
export function changeExitCode(r: ChangeResult): number {
  if (r.outcome === 'failed') return 2;
  return r.verified ? 0 : 1;
}
