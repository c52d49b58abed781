/**
 * Mail through the host's own sendmail (`/usr/sbin/sendmail -t -i`, under the host root like every
 * cPanel program: Exim on a cPanel server). The message goes in on standard input; recipients come
 * from its To: header (-t), and a line holding a single dot does not end it (-i).
 *
 * Mail has a runner of its own, under the same rules as cPanel's programs (allowlist, execFile with
 * an argument array, a timeout, one run at a time): a sendmail that hangs then holds up other mail
 * only, never a status read or a POP-before-SMTP change.
 */
import { AllowedProgram, CommandResult, CommandRunner } from './commandRunner';
import { Host } from './host';

export const SENDMAIL: Record<string, AllowedProgram> = {
  sendmail: { paths: ['/usr/sbin/sendmail'], args: [/^-t$/, /^-i$/] },
};

export interface SendResult {
  ok: boolean;
  /** why it failed, in words; null when sent */
  error: string | null;
  /** what ran, for the audit log */
  command: string;
  durationMs: number;
}

const runners = new WeakMap<Host, CommandRunner>();

export function mailRunner(host: Host, timeoutMs: number): CommandRunner {
  let r = runners.get(host);
  if (!r) {
    r = new CommandRunner(host, timeoutMs, SENDMAIL);
    runners.set(host, r);
  }
  return r;
}

function failure(r: CommandResult): string | null {
  if (r.timedOut) return `${r.program} did not finish within ${r.durationMs} ms and was stopped`;
  if (r.signal) return `${r.program} was killed by ${r.signal}`;
  if (r.exitCode !== 0) return `${r.program} failed (exit status ${r.exitCode ?? 'unknown'})${r.stderr.trim() ? `: ${r.stderr.trim().split('\n')[0].slice(0, 300)}` : ''}`;
  return null;
}

/** Hands one complete message (headers, blank line, body) to sendmail. Never throws. */
export async function sendMail(host: Host, timeoutMs: number, message: string): Promise<SendResult> {
  const command = '/usr/sbin/sendmail -t -i';
  try {
    const r = await mailRunner(host, timeoutMs).run('sendmail', ['-t', '-i'], { input: message, timeoutMs });
    const error = failure(r);
    return { ok: error === null, error, command, durationMs: r.durationMs };
  } catch (e) {
    return { ok: false, error: (e as Error).message, command, durationMs: 0 };
  }
}
