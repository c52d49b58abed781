#!/usr/bin/env node
/**
 * The relaywatch command line. Global options may stand before or after the command:
 * --root DIR, --config FILE, --as USER, --json.
 */
import { parseArgs } from 'node:util';
import type { Config } from '../config/config';
import type { Viewer } from '../domain/scope';
import { isAppError } from '../http/appError';
import type { CoreContext } from '../services/context';
import { CliCommand, CliIo, EXIT, OptionSpec } from './command';
import { COMMANDS } from './commands';
import { terminalSafe } from './terminal';

const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  root: { type: 'string' },
  config: { type: 'string' },
  as: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

function helpText(): string {
  const lines = [
    'relaywatch: explains cPanel\'s relay list, the POP-before-SMTP switch and blacklist listings.',
    '',
    'Usage: relaywatch <command> [options] [--root DIR] [--config FILE] [--as USER] [--json]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(15)} ${c.summary}`),
    '',
    'Global options:',
    '  --root DIR      host root every cPanel path is read under (default /)',
    '  --config FILE   configuration file (default <root>/etc/relaywatch/config.yaml)',
    '  --as USER       answer as this WHM user sees it (root or a reseller; default root)',
    '  --json          machine-readable output',
    '',
    'Exit status: 0 fine, 1 warning, 2 needs attention, 3 could not decide, 64 usage error.',
  ];
  return lines.join('\n');
}

/** The command is the first argument that is neither an option nor a global option's value. */
function findCommand(argv: string[]): { command: CliCommand | null; name: string | null } {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') break;
    if (a.startsWith('-')) {
      const key = a.replace(/^--?/, '').split('=')[0];
      if (GLOBAL_OPTIONS[key]?.type === 'string' && !a.includes('=')) i++;
      continue;
    }
    return { command: COMMANDS.find((c) => c.name === a) ?? null, name: a };
  }
  return { command: null, name: null };
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const { command, name } = findCommand(argv);
  if (!command) {
    if (name === null || argv.includes('--help') || argv.includes('-h')) {
      io.out(`${helpText()}\n`);
      return name === null && !(argv.includes('--help') || argv.includes('-h')) ? EXIT.usage : EXIT.ok;
    }
    io.err(`relaywatch: unknown command "${terminalSafe(name)}" (see relaywatch --help)\n`);
    return EXIT.usage;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
  } catch (e) {
    io.err(`relaywatch ${command.name}: ${terminalSafe((e as Error).message)}\nUsage: ${command.usage}\n`);
    return EXIT.usage;
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (values.help) {
    io.out(`${command.summary}\nUsage: ${command.usage}\n`);
    return EXIT.ok;
  }
  const positionals = parsed.positionals.slice(parsed.positionals.indexOf(command.name) + 1);

  let config: Config | null = null;
  let ctx: CoreContext | null = null;
  // The config, the context and the account list are loaded when a command asks for them: a
  // command answered by the running daemon (explain) needs none of them, nor their modules.
  const getConfig = (): Config => (config ??= (require('../config/config') as typeof import('../config/config')).loadConfig({ root: values.root as string | undefined, configFile: values.config as string | undefined }));
  const getContext = (): CoreContext => (ctx ??= (require('../services/context') as typeof import('../services/context')).createContext(getConfig()));
  let viewer: Viewer | null = null;
  // root sees every account whatever the account files say (viewerFor reads none for root): its
  // view costs no reading and parsing of files. Another user's view reads the shared account list,
  // which the command's answer then reuses.
  const getViewer = async (user: string): Promise<Viewer> => {
    const { viewerFor } = require('../domain/scope') as typeof import('../domain/scope');
    const { Accounts } = require('../domain/accounts') as typeof import('../domain/accounts');
    const { sharedAccounts } = require('../services/accountsService') as typeof import('../services/accountsService');
    return viewerFor(user, user === 'root' ? Accounts.empty() : await sharedAccounts(getContext()));
  };
  try {
    return await command.run({
      values,
      positionals,
      json: values.json === true,
      io,
      config: getConfig,
      context: getContext,
      viewer: async () => (viewer ??= await getViewer((values.as as string | undefined) ?? 'root')),
    });
  } catch (e) {
    if (isAppError(e)) {
      if (values.json) io.out(`${JSON.stringify({ error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } }, null, 2)}\n`);
      io.err(`relaywatch ${command.name}: ${terminalSafe(e.message)}\n`);
      return e.status === 400 ? EXIT.usage : EXIT.unknown;
    }
    io.err(`relaywatch ${command.name}: unexpected error: ${terminalSafe((e as Error).stack ?? String(e))}\n`);
    return EXIT.unknown;
  }
}

if (require.main === module) {
  // `relaywatch status | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  const io: CliIo = {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    errIsTty: process.stderr.isTTY === true,
    // Opened when a command reads it: making the stream costs milliseconds every run would pay.
    get stdin() {
      return process.stdin;
    },
  };
  runCli(process.argv.slice(2), io).then(
    (code) => {
      // Let stdout drain before exiting (large JSON answers to a pipe).
      if (process.stdout.writableLength > 0) process.stdout.once('drain', () => process.exit(code));
      else process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`relaywatch: ${String(e)}\n`);
      process.exit(EXIT.unknown);
    },
  );
}
