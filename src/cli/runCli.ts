/**
 * The whole relaywatch command line: every command, help and usage errors. Global options may stand
 * before or after the command: --root DIR, --config FILE, --as USER, --json; `relaywatch help
 * [COMMAND]` and `--version`. The process entry (cli/main.ts) answers `explain` from the running
 * daemon without loading this file, and comes here for everything else.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../config/config';
import type { Viewer } from '../domain/scope';
import { AppError, isAppError } from '../http/appError';
import type { CoreContext } from '../services/context';
import { CliCommand, CliIo, EXIT, OptionSpec } from './command';
import { COMMANDS } from './commands';
import { askDaemon, DaemonAnswer, ReceivedAnswer } from './daemonClient';
import { terminalSafe } from './terminal';

const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  root: { type: 'string' },
  config: { type: 'string' },
  as: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
};

function helpText(): string {
  const lines = [
    'relaywatch: explains cPanel\'s relay list, the POP-before-SMTP switch and blacklist listings.',
    '',
    'Usage: relaywatch <command> [options] [--root DIR] [--config FILE] [--as USER] [--json]',
    '       relaywatch help [COMMAND] | --version',
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
    'Exit status: 0 fine; 1 something to act on; 2 needs attention (an unexplained IP, a listing,',
    'a failed change); 3 could not decide or could not run; 64 usage error.',
  ];
  return lines.join('\n');
}

function commandHelp(c: CliCommand): string {
  return `${c.summary}\nUsage: ${c.usage}\n`;
}

/** The version in package.json (installed next to dist/), or null when it cannot be read. */
function version(): string | null {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as { name?: string; version?: unknown };
    return pkg.name === 'relaywatch' && typeof pkg.version === 'string' ? pkg.version : null;
  } catch {
    return null;
  }
}

/** The command is the first argument that is neither an option nor a global option's value. */
function findCommand(argv: string[]): { command: CliCommand | null; name: string | null; at: number } {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') break;
    if (a.startsWith('-')) {
      const key = a.replace(/^--?/, '').split('=')[0];
      if (GLOBAL_OPTIONS[key]?.type === 'string' && !a.includes('=')) i++;
      continue;
    }
    return { command: COMMANDS.find((c) => c.name === a) ?? null, name: a, at: i };
  }
  return { command: null, name: null, at: -1 };
}

const NOT_A_HOST = 'not_a_cpanel_host';

export async function runFullCli(argv: string[], io: CliIo, received?: ReceivedAnswer): Promise<number> {
  const { command, name, at } = findCommand(argv);
  if (!command) {
    if (name === 'help') {
      // `relaywatch help` and `relaywatch help CMD`
      const topic = findCommand(argv.slice(at + 1));
      if (topic.name === null) {
        io.out(`${helpText()}\n`);
        return EXIT.ok;
      }
      if (!topic.command) {
        io.err(`relaywatch help: unknown command "${terminalSafe(topic.name)}" (see relaywatch --help)\n`);
        return EXIT.usage;
      }
      io.out(commandHelp(topic.command));
      return EXIT.ok;
    }
    if (name === null && argv.includes('--version')) {
      io.out(`relaywatch ${version() ?? '(version unknown)'}\n`);
      return EXIT.ok;
    }
    if (name === null || argv.includes('--help') || argv.includes('-h')) {
      io.out(`${helpText()}\n`);
      return name === null && !(argv.includes('--help') || argv.includes('-h')) ? EXIT.usage : EXIT.ok;
    }
    io.err(`relaywatch: unknown command "${terminalSafe(name)}" (see relaywatch --help)\n`);
    return EXIT.usage;
  }
  const usageExit = command.usageExit ?? EXIT.usage;
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
  } catch (e) {
    io.err(`relaywatch ${command.name}: ${terminalSafe((e as Error).message)}\nUsage: ${command.usage}\n`);
    return usageExit;
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (values.help) {
    io.out(commandHelp(command));
    return EXIT.ok;
  }
  if (values.version) {
    io.out(`relaywatch ${version() ?? '(version unknown)'}\n`);
    return EXIT.ok;
  }
  // (an empty --as is refused by viewerFor: "No WHM user")
  for (const key of ['root', 'config'] as const) {
    if (values[key] === '') {
      io.err(`relaywatch ${command.name}: --${key} needs a value; it was given as an empty string.\nUsage: ${command.usage}\n`);
      return usageExit;
    }
  }
  const positionals = parsed.positionals.slice(parsed.positionals.indexOf(command.name) + 1);

  let config: Config | null = null;
  let ctx: CoreContext | null = null;
  // The config, the context and the account list, and their modules, are loaded when a command asks
  // for them: a command answered by the running daemon (explain) needs none of them.
  const getConfig = (): Config => (config ??= (require('../config/config') as typeof import('../config/config')).loadConfig({ root: values.root as string | undefined, configFile: values.config as string | undefined }));
  // The host is checked when a command first needs it (after its own arguments are checked): a
  // folder that is not a cPanel host is refused with a sentence, and a run as another user than
  // root says once what that user cannot read.
  const getContext = (): CoreContext => {
    if (ctx) return ctx;
    const made = (require('../services/context') as typeof import('../services/context')).createContext(getConfig());
    if (command.readsHost !== false) {
      const notHost = (require('../services/hostCheck') as typeof import('../services/hostCheck')).notACpanelHost(made);
      if (notHost) throw new AppError(503, NOT_A_HOST, notHost);
      const notRoot = (require('./systemErrors') as typeof import('./systemErrors')).notRootLine(made);
      if (notRoot) io.err(`relaywatch ${command.name}: ${terminalSafe(notRoot)}\n`);
    }
    return (ctx = made);
  };
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
  // The running daemon is this run's to ask only for the host it serves with its own config: never
  // with --config (cli/daemonClient.ts says which daemon is trusted).
  const root = path.resolve((values.root as string | undefined) ?? '/');
  const user = (values.as as string | undefined) ?? 'root';
  let given = received;
  const daemon = async (route: string): Promise<DaemonAnswer | null> => {
    if (values.config !== undefined) return null;
    const mine = given && given.root === root && given.user === user && given.route === route ? given : null;
    given = undefined;
    return mine ? mine.answer : askDaemon(root, route, user);
  };
  const failureExit = command.failureExit ?? EXIT.unknown;
  try {
    return await command.run({
      values,
      positionals,
      json: values.json === true,
      io,
      config: getConfig,
      context: getContext,
      viewer: async () => (viewer ??= await getViewer(user)),
      daemon,
    });
  } catch (e) {
    if (isAppError(e)) {
      if (values.json) io.out(`${JSON.stringify({ error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } }, null, 2)}\n`);
      io.err(`relaywatch ${command.name}: ${terminalSafe(e.message)}\n`);
      // Nothing was tried when the host or the configuration is wrong: 3 for every command alike.
      return e.status === 400 ? usageExit : e.code === NOT_A_HOST || e.code === 'bad_config' ? EXIT.unknown : failureExit;
    }
    const line = (require('./systemErrors') as typeof import('./systemErrors')).systemErrorLine(e);
    if (line) {
      const err = e as NodeJS.ErrnoException;
      if (values.json) io.out(`${JSON.stringify({ error: { code: err.code, message: line } }, null, 2)}\n`);
      io.err(`relaywatch ${command.name}: ${terminalSafe(line)}\n`);
      return failureExit;
    }
    io.err(`relaywatch ${command.name}: unexpected error: ${terminalSafe((e as Error).stack ?? String(e))}\n`);
    return failureExit;
  }
}
