/**
 * The one typed configuration of relaywatch. Every key has a default; the YAML file
 * (`/etc/relaywatch/config.yaml` under the host root, or `--config FILE`) may override any of them.
 * Validation is strict: an unknown key or a value of the wrong type stops the program at start-up
 * rather than being ignored, because a silently ignored setting on a root daemon is a trap.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError, isAppError } from '../http/appError';

export interface Config {
  /** Host root every cPanel path is resolved under ("/" on a real server). */
  root: string;
  /** Where the config came from, for status pages ("defaults" when no file existed). */
  source: string;
  logs: {
    /** Candidate mail logs, first existing one wins (RHEL: maillog, Debian/Ubuntu: mail.log). */
    maillog: string[];
    /** Dovecot's own log files, read in addition when they exist. */
    dovecot: string[];
    eximMainlog: string;
    tailwatchdLog: string;
  };
  /** Directory for the persistent index and cached results. */
  stateDir: string;
  auditLog: string;
  commands: {
    timeoutMs: number;
  };
  blacklist: {
    /** "HOST:PORT" of the resolver to ask; null = the server's own resolvers. */
    resolver: string | null;
    timeoutMs: number;
    concurrency: number;
    refreshMinutes: number;
    zonesFile: string;
  };
  evidence: {
    /** Default look-back for reliance and autoresponder reports. */
    days: number;
  };
}

export const CONFIG_FILE = '/etc/relaywatch/config.yaml';

export function defaultConfig(root = '/'): Config {
  return {
    root,
    source: 'defaults',
    logs: {
      maillog: ['/var/log/maillog', '/var/log/mail.log'],
      dovecot: ['/var/log/dovecot.log', '/var/log/dovecot-info.log'],
      eximMainlog: '/var/log/exim_mainlog',
      tailwatchdLog: '/usr/local/cpanel/logs/tailwatchd_log',
    },
    stateDir: '/var/lib/relaywatch',
    auditLog: '/var/log/relaywatch/audit.log',
    commands: { timeoutMs: 30000 },
    blacklist: {
      resolver: null,
      timeoutMs: 3000,
      concurrency: 8,
      refreshMinutes: 360,
      zonesFile: '/etc/relaywatch/zones.yaml',
    },
    evidence: { days: 7 },
  };
}

type Shape = { [k: string]: 'string' | 'string[]' | 'number' | 'string|null' | Shape };

const SHAPE: Shape = {
  logs: { maillog: 'string[]', dovecot: 'string[]', eximMainlog: 'string', tailwatchdLog: 'string' },
  stateDir: 'string',
  auditLog: 'string',
  commands: { timeoutMs: 'number' },
  blacklist: {
    resolver: 'string|null',
    timeoutMs: 'number',
    concurrency: 'number',
    refreshMinutes: 'number',
    zonesFile: 'string',
  },
  evidence: { days: 'number' },
};

function fail(file: string, message: string): never {
  throw new AppError(500, 'bad_config', `Configuration ${file}: ${message}`);
}

/** Copies `input` over `target` following SHAPE; rejects unknown keys and wrong types. */
function merge(target: Record<string, unknown>, input: unknown, shape: Shape, where: string, file: string): void {
  if (input === null || input === undefined) return;
  if (typeof input !== 'object' || Array.isArray(input)) fail(file, `${where || 'top level'} must be a mapping`);
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    const kind = shape[key];
    const at = where ? `${where}.${key}` : key;
    if (kind === undefined) fail(file, `unknown key "${at}"`);
    if (typeof kind === 'object') {
      merge(target[key] as Record<string, unknown>, value, kind, at, file);
      continue;
    }
    const ok =
      (kind === 'string' && typeof value === 'string' && value.length > 0) ||
      (kind === 'number' && typeof value === 'number' && Number.isFinite(value) && value > 0) ||
      (kind === 'string|null' && (value === null || (typeof value === 'string' && value.length > 0))) ||
      (kind === 'string[]' && Array.isArray(value) && value.every((v) => typeof v === 'string' && v.length > 0));
    if (!ok) fail(file, `"${at}" must be ${kind.replace('[]', ' list').replace('|null', ' or null')} (positive for numbers)`);
    target[key] = value;
  }
}

function requireAbsolute(cfg: Config, file: string): void {
  const paths = [
    ...cfg.logs.maillog,
    ...cfg.logs.dovecot,
    cfg.logs.eximMainlog,
    cfg.logs.tailwatchdLog,
    cfg.stateDir,
    cfg.auditLog,
    cfg.blacklist.zonesFile,
  ];
  for (const p of paths) if (!p.startsWith('/')) fail(file, `path "${p}" must be absolute (it is taken under the host root)`);
  if (cfg.blacklist.resolver !== null && !/^[^\s]+:\d{1,5}$/.test(cfg.blacklist.resolver)) {
    fail(file, `blacklist.resolver must be HOST:PORT, got "${cfg.blacklist.resolver}"`);
  }
}

export interface LoadConfigOptions {
  /** Host root; defaults to "/". */
  root?: string;
  /** Explicit config file (a real path, not under the root). Must exist. */
  configFile?: string;
}

/**
 * Loads the configuration. The default file under the root may be absent (defaults apply and
 * `source` says so); an explicit `--config` that is missing, any unreadable file, bad YAML or a bad
 * value is an error.
 */
export function loadConfig(opts: LoadConfigOptions = {}): Config {
  // An empty root would resolve to the working folder: a typo that must not read another tree.
  if (opts.root === '') throw AppError.badRequest('--root needs a folder (the host root, "/" on a cPanel server); it was given as an empty string.');
  if (opts.configFile === '') throw AppError.badRequest('--config needs a file; it was given as an empty string.');
  const root = path.resolve(opts.root ?? '/');
  let st: fs.Stats;
  try {
    st = fs.statSync(root);
  } catch {
    throw new AppError(500, 'bad_config', `Host root ${root} does not exist`);
  }
  if (!st.isDirectory()) throw new AppError(500, 'bad_config', `Host root ${root} is not a directory`);

  const cfg = defaultConfig(root);
  const file = opts.configFile ? path.resolve(opts.configFile) : path.join(root, CONFIG_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !opts.configFile) return cfg;
    if (code === 'ENOENT') fail(file, 'file not found');
    fail(file, `cannot be read (${code ?? String(e)})`);
  }
  let parsed: unknown;
  try {
    // Loaded only when there is a file to parse: the YAML parser is the largest module a CLI run
    // would otherwise load, and most servers run on the defaults.
    const yaml = require('js-yaml') as typeof import('js-yaml');
    // loadAll: an empty file or one of comments only holds no document, which means the defaults
    // (load() calls that an error).
    const docs = yaml.loadAll(text);
    if (docs.length > 1) fail(file, `holds ${docs.length} YAML documents; relaywatch reads one`);
    parsed = docs[0] ?? null;
  } catch (e) {
    if (isAppError(e)) throw e;
    fail(file, `is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  merge(cfg as unknown as Record<string, unknown>, parsed, SHAPE, '', file);
  requireAbsolute(cfg, file);
  cfg.source = file;
  return cfg;
}
