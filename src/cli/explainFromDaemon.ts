/**
 * `relaywatch explain` answered by the running daemon before the rest of the CLI is loaded: the
 * command table, option parsing, config and services cost a warm run more than asking does. Only
 * the plainest command lines come here (explain with --json, --verbose, --root and --as); the
 * daemon is asked exactly as the full command asks it (cli/daemonClient.ts), and the answer is
 * printed by the same function (explainOutput.ts). Whatever else happens (no daemon, a refusal, an
 * answer that is not a report) is left to the full CLI, with the daemon's answer handed over so that
 * it is not asked twice.
 */
import path from 'node:path';
import type { CliIo } from './command';
import { askDaemon, ReceivedAnswer, RELAY_HOSTS_ROUTE } from './daemonClient';
import type { ExplainReport } from '../services/explainService';

export interface QuickExplain {
  root: string;
  user: string;
  json: boolean;
  verbose: boolean;
}

/**
 * The command line as the full CLI would read it (node:util parseArgs), when it is one this path
 * takes: `explain` once, --json / --verbose / -v, and --root / --as each at most once with a plain
 * value. null for anything else, which the full CLI then reads (and refuses, if it must).
 */
export function quickExplainArgs(argv: readonly string[]): QuickExplain | null {
  let command = false;
  let json = false;
  let verbose = false;
  const values: { root?: string; as?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === 'explain' && !command) command = true;
    else if (a === '--json') json = true;
    else if (a === '--verbose' || a === '-v') verbose = true;
    else if (a === '--root' || a === '--as' || a.startsWith('--root=') || a.startsWith('--as=')) {
      const eq = a.indexOf('=');
      const key = (eq < 0 ? a.slice(2) : a.slice(2, eq)) as 'root' | 'as';
      const value = eq < 0 ? argv[++i] : a.slice(eq + 1);
      // parseArgs refuses a separate value that looks like an option; an empty one is refused later
      if (value === undefined || value === '' || value.startsWith('-') || values[key] !== undefined) return null;
      values[key] = value;
    } else return null;
  }
  if (!command) return null;
  return { root: path.resolve(values.root ?? '/'), user: values.as ?? 'root', json, verbose };
}

export type QuickOutcome = { code: number } | { declined: ReceivedAnswer };

/**
 * Asks the daemon and prints its report. `declined` when this path does not answer: then nothing
 * was printed, and the full CLI gets the daemon's answer (or null: no daemon answered).
 */
export async function explainFromDaemon(q: QuickExplain, io: CliIo): Promise<QuickOutcome> {
  const asking = askDaemon(q.root, RELAY_HOSTS_ROUTE, q.user);
  // The printer's modules load while the daemon answers (once the request is on its way), not after.
  let printer: typeof import('./explainOutput') | null = null;
  const loading = new Promise<void>((resolve) => setImmediate(() => {
    printer = require('./explainOutput') as typeof import('./explainOutput');
    resolve();
  }));
  const answer = await asking;
  const declined = { declined: { root: q.root, user: q.user, route: RELAY_HOSTS_ROUTE, answer } };
  if (answer?.status !== 200) return declined;
  let report: ExplainReport;
  try {
    report = JSON.parse(answer.body.toString('utf8')) as ExplainReport;
  } catch {
    return declined;
  }
  if (!report) return declined;
  // Printed once the whole text is made: a report that fails to print (it would be no daemon's)
  // leaves the full CLI to say so in its own words, with nothing printed before.
  const written: Array<[out: boolean, text: string]> = [];
  let code: number;
  try {
    await loading;
    const { printExplain } = printer!;
    const held: CliIo = {
      out: (t) => written.push([true, t]),
      err: (t) => written.push([false, t]),
      // (not copied with a spread: each would open its stream, which costs a run milliseconds)
      get errIsTty() {
        return io.errIsTty;
      },
      get stdin() {
        return io.stdin;
      },
    };
    code = printExplain(held, report, q);
  } catch {
    return declined;
  }
  for (const [out, text] of written) (out ? io.out : io.err)(text);
  return { code };
}
