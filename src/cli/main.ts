#!/usr/bin/env node
/**
 * The relaywatch command line's entry. Kept small on purpose: `relaywatch explain` with a daemon
 * running is answered by explainFromDaemon.ts, loading a handful of small modules, and costs little
 * more than Node's own start; every other run loads the full CLI (runCli.ts).
 */
// First: the modules below, and every one after them, compile with the code cache (boot/codeCache.ts).
import '../boot/codeCacheHook';
import { CliIo, EXIT } from './command';
import type { ReceivedAnswer } from './daemonClient';
import { explainFromDaemon, quickExplainArgs } from './explainFromDaemon';

function fullCli(argv: string[], io: CliIo, received?: ReceivedAnswer): Promise<number> {
  return (require('./runCli') as typeof import('./runCli')).runFullCli(argv, io, received);
}

/** Runs the command line `argv` (without node and the script) and returns its exit status. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const quick = quickExplainArgs(argv);
  if (!quick) return fullCli(argv, io);
  const outcome = await explainFromDaemon(quick, io);
  if ('code' in outcome) return outcome.code;
  return fullCli(argv, io, outcome.declined);
}

/**
 * The process around runCli: standard streams, and an exit status that stays the command's own.
 * A reader that closes the pipe early (`relaywatch explain | head -1`) does not turn CRITICAL into
 * 0: the rest of the output is dropped and the command's status is the process's.
 */
export function main(argv: string[]): void {
  let pipeClosed = false;
  // The standard streams are made when first written to: each costs a run time it may not need
  // (an answer without problems writes nothing to stderr).
  let stdoutUsed = false;
  const stdout = (): NodeJS.WriteStream => {
    if (!stdoutUsed) {
      stdoutUsed = true;
      process.stdout.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EPIPE') {
          pipeClosed = true;
          return;
        }
        throw e;
      });
    }
    return process.stdout;
  };
  const io: CliIo = {
    out: (t) => {
      if (!pipeClosed) stdout().write(t);
    },
    err: (t) => process.stderr.write(t),
    get errIsTty() {
      return process.stderr.isTTY === true;
    },
    get stdin() {
      return process.stdin;
    },
  };
  runCli(argv, io).then(
    (code) => {
      // Let stdout drain before exiting (large JSON answers to a pipe); a closed pipe never drains.
      if (!pipeClosed && stdoutUsed && process.stdout.writableLength > 0) {
        process.stdout.once('drain', () => process.exit(code));
        process.stdout.once('error', () => process.exit(code));
      } else if (pipeClosed) process.exit(code);
      else process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`relaywatch: ${String(e)}\n`);
      process.exit(EXIT.unknown);
    },
  );
}

if (require.main === module) main(process.argv.slice(2));
