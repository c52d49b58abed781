/**
 * Runs cPanel's programs. Only programs on the allowlist run, always through execFile with an
 * argument array (never a shell), with a timeout, and one at a time: two state changes must never
 * interleave (tailwatchd restarts itself on every change).
 *
 * Programs are host paths resolved under the host root, so the demo host and the tests run their
 * stand-ins and a real server runs the real programs.
 */
import { execFile } from 'node:child_process';
import { AppError } from '../http/appError';
import { Host } from './host';

export interface CommandResult {
  /** host path of the program that ran */
  program: string;
  args: string[];
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
  startedAt: string;
}

/** Which arguments a program accepts: each argument must match one of the patterns. */
export interface AllowedProgram {
  /** candidate host paths, first existing one is used */
  paths: string[];
  args: RegExp[];
}

export const ALLOWED_PROGRAMS: Record<string, AllowedProgram> = {
  tailwatchd: {
    paths: ['/usr/local/cpanel/libexec/tailwatchd', '/usr/local/cpanel/bin/tailwatchd'],
    args: [/^--status$/, /^--verbose$/, /^--(enable|disable)=Cpanel::TailWatch::(Antirelayd|RecentAuthedMailIpTracker)$/],
  },
  whmapi1: {
    paths: ['/usr/local/cpanel/bin/whmapi1'],
    args: [/^--output=json$/, /^--output=jsonpretty$/, /^(get_tweaksetting|set_tweaksetting)$/, /^key=popbeforesmtp$/, /^value=[01]$/],
  },
};

const MAX_OUTPUT = 1024 * 1024;

export class CommandRunner {
  private queue: Promise<unknown> = Promise.resolve();
  /** every command that ran, newest last (kept short; for status pages and tests) */
  readonly history: CommandResult[] = [];

  constructor(
    private readonly host: Host,
    private readonly timeoutMs: number,
    private readonly allowed: Record<string, AllowedProgram> = ALLOWED_PROGRAMS,
  ) {}

  /** The host path of a program, or null when none of its candidates exists. */
  async locate(name: string): Promise<string | null> {
    const spec = this.allowed[name];
    if (!spec) return null;
    for (const p of spec.paths) if (await this.host.exists(p)) return p;
    return null;
  }

  /** Runs an allowlisted program; resolves with the result even when it fails (check exitCode/timedOut). */
  async run(name: string, args: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<CommandResult> {
    const spec = this.allowed[name];
    if (!spec) throw AppError.badRequest(`"${name}" is not a program relaywatch may run.`);
    for (const a of args) {
      if (!spec.args.some((re) => re.test(a))) throw AppError.badRequest(`Argument "${a}" is not allowed for ${name}.`);
    }
    const program = await this.locate(name);
    if (!program) throw AppError.unavailable(`${name} was not found (looked for ${spec.paths.join(', ')}).`);
    const job = this.queue.then(() => this.exec(program, args, opts.timeoutMs ?? this.timeoutMs, opts.input));
    this.queue = job.catch(() => undefined);
    return job;
  }

  private exec(program: string, args: string[], timeoutMs: number, input?: string): Promise<CommandResult> {
    const startedAt = new Date();
    return new Promise((resolve) => {
      const child = execFile(
        this.host.real(program),
        args,
        { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: MAX_OUTPUT, env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' } },
        (error, stdout, stderr) => {
          const err = error as (NodeJS.ErrnoException & { killed?: boolean; signal?: string; code?: number | string }) | null;
          const timedOut = !!err && err.killed === true && err.signal === 'SIGKILL';
          const result: CommandResult = {
            program,
            args,
            exitCode: err ? (typeof err.code === 'number' ? err.code : null) : 0,
            signal: err?.signal ?? null,
            stdout: String(stdout),
            stderr: String(stderr) || (err && typeof err.code === 'string' ? `${err.code}: ${err.message}` : ''),
            timedOut,
            durationMs: Date.now() - startedAt.getTime(),
            startedAt: startedAt.toISOString(),
          };
          this.history.push(result);
          if (this.history.length > 50) this.history.shift();
          resolve(result);
        },
      );
      // A program that exits without reading all of its input (EPIPE) is judged by its exit status.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(input ?? '');
    });
  }
}
