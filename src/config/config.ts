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
  /** What `relaywatch check` (Nagios/Icinga) counts as WARNING or CRITICAL. */
  check: CheckConfig;
  metrics: {
    /** "HOST:PORT" where `serve` answers GET /metrics; null = no metrics listener */
    listen: string | null;
  };
  /** Mail to the server's contact when something needs a look (`notify: off` to stop). */
  notify: NotifyConfig;
  reliance: {
    /** The message sent to each mailbox that relies on POP-before-SMTP (`relaywatch reliance --warn`). */
    warning: { subject: string; body: string; from: string | null };
  };
}

/** The state a finding puts the check in; `ok` ignores it. */
export type CheckLevel = 'ok' | 'warning' | 'critical';

export interface CheckConfig {
  /** a relay IP that no login explains */
  unexplained: CheckLevel;
  /** a server IP on a list that lists single servers */
  serverListed: CheckLevel;
  /** only provider-level listings (UCEPROTECT 2/3: the provider's network, not this server): never critical */
  providerListed: 'ok' | 'warning';
  /** POP-before-SMTP relaying is on */
  popBeforeSmtp: CheckLevel;
  /** relay IPs whose last login is past twice the relay window (tailwatchd is not dropping them) */
  staleHosts: CheckLevel;
  /** active autoresponders that may answer spam */
  riskyAutoresponders: CheckLevel;
  /** no blacklist result yet, or one older than twice blacklist.refreshMinutes */
  blacklistStale: CheckLevel;
  /** WARNING when more mail log than this (bytes) is not yet in the login index */
  indexLagBytes: number;
}

/** The events `notify` mails about. */
export const NOTIFY_EVENTS = ['unexplained', 'pop-before-smtp', 'listed'] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

export interface NotifyConfig {
  enabled: boolean;
  /** recipient; null = CONTACTEMAIL from /etc/wwwacct.conf */
  to: string | null;
  /** sender; null = relaywatch@<the server's host name> */
  from: string | null;
  events: NotifyEvent[];
  /** at most this many messages in any hour; the rest wait */
  maxPerHour: number;
  /** sendmail is stopped after this long */
  timeoutMs: number;
  /** the plugin's address in the messages; null = https://<HOST from wwwacct.conf>:2087/cgi/relaywatch/index.cgi */
  pageUrl: string | null;
}

/** Placeholders the reliance warning's subject and body may use. */
export const WARNING_PLACEHOLDERS = ['mailbox', 'when', 'host', 'port', 'messages', 'lastSeen', 'contact'] as const;

export const DEFAULT_WARNING_SUBJECT = 'Action needed: change one setting in your mail program before {{when}}';
export const DEFAULT_WARNING_BODY = `Hello,

this is a notice from the administrator of the mail server {{host}}.

On {{when}} the server stops accepting mail from {{mailbox}} that is sent without a password
("POP-before-SMTP"). In the last days {{messages}} message(s) from {{mailbox}} were sent that way,
the last one at {{lastSeen}}. After that date your mail program will get the error
"relay not permitted" unless you change one setting now (it works today as well):

  Outgoing mail server (SMTP):  {{host}}
  Port:                         {{port}} (STARTTLS)
  Authentication:               on ("My outgoing server requires authentication"),
                                with the same user name and password as for incoming mail

Receiving mail does not change.

Questions? Reply to {{contact}}.
`;

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
    check: {
      unexplained: 'critical',
      serverListed: 'critical',
      providerListed: 'warning',
      popBeforeSmtp: 'warning',
      staleHosts: 'warning',
      riskyAutoresponders: 'warning',
      blacklistStale: 'warning',
      indexLagBytes: 256 * 1024 * 1024,
    },
    metrics: { listen: null },
    notify: { enabled: true, to: null, from: null, events: [...NOTIFY_EVENTS], maxPerHour: 10, timeoutMs: 20000, pageUrl: null },
    reliance: { warning: { subject: DEFAULT_WARNING_SUBJECT, body: DEFAULT_WARNING_BODY, from: null } },
  };
}

const LEVELS = ['ok', 'warning', 'critical'];
const oneOf = (allowed: readonly string[]) => (v: unknown): string | null => (typeof v === 'string' && allowed.includes(v) ? null : `one of ${allowed.join(', ')}`);
/** A mail address relaywatch may put in a header: no spaces, quotes, angle brackets or line breaks. */
export const MAIL_ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
const addressOrNull = (v: unknown): string | null => (v === null || (typeof v === 'string' && v.length <= 254 && MAIL_ADDRESS.test(v)) ? null : 'a mail address (user@example.com) or null');
const template = (v: unknown): string | null => {
  if (typeof v !== 'string' || v.trim() === '') return 'a non-empty text';
  for (const m of v.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
    if (!(WARNING_PLACEHOLDERS as readonly string[]).includes(m[1])) return `a text whose placeholders are among {{${WARNING_PLACEHOLDERS.join('}}, {{')}}} (found {{${m[1]}}})`;
  }
  return null;
};
const oneLine = (v: unknown): string | null => template(v) ?? (/[\r\n]/.test(v as string) ? 'one line' : null);
const listenOrNull = (v: unknown): string | null => (v === null || (typeof v === 'string' && /^(?:\[[^\]]+\]|[^:\s]+):\d{1,5}$/.test(v)) ? null : 'HOST:PORT (e.g. 127.0.0.1:9839) or null');
const urlOrNull = (v: unknown): string | null => (v === null || (typeof v === 'string' && /^https?:\/\/[^\s]+$/.test(v)) ? null : 'an http(s) URL or null');
const events = (v: unknown): string | null =>
  Array.isArray(v) && v.every((e) => (NOTIFY_EVENTS as readonly string[]).includes(e)) ? null : `a list of ${NOTIFY_EVENTS.join(', ')}`;
const wholeNumber = (v: unknown): string | null => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? null : 'a whole number, 0 or more');

/** A value's validator: null when the value is good, else what it must be. */
type Check = (value: unknown) => string | null;
type Shape = { [k: string]: 'string' | 'string[]' | 'number' | 'string|null' | Check | Shape };

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
  check: {
    unexplained: oneOf(LEVELS),
    serverListed: oneOf(LEVELS),
    providerListed: oneOf(['ok', 'warning']),
    popBeforeSmtp: oneOf(LEVELS),
    staleHosts: oneOf(LEVELS),
    riskyAutoresponders: oneOf(LEVELS),
    blacklistStale: oneOf(LEVELS),
    indexLagBytes: wholeNumber,
  },
  metrics: { listen: listenOrNull },
  notify: {
    to: addressOrNull,
    from: addressOrNull,
    events,
    maxPerHour: 'number',
    timeoutMs: 'number',
    pageUrl: urlOrNull,
  },
  reliance: { warning: { subject: oneLine, body: template, from: addressOrNull } },
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
    if (typeof kind === 'function') {
      const wanted = kind(value);
      if (wanted !== null) fail(file, `"${at}" must be ${wanted}`);
      target[key] = value;
      continue;
    }
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
  // `notify: off` (or false) switches the mail off; a mapping sets its keys.
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const n = (parsed as Record<string, unknown>).notify;
    if (n === 'off' || n === false) {
      cfg.notify.enabled = false;
      delete (parsed as Record<string, unknown>).notify;
    } else if (n !== undefined && n !== null && (typeof n !== 'object' || Array.isArray(n))) {
      fail(file, '"notify" must be off or a mapping (to, from, events, maxPerHour, timeoutMs, pageUrl)');
    }
  }
  merge(cfg as unknown as Record<string, unknown>, parsed, SHAPE, '', file);
  requireAbsolute(cfg, file);
  cfg.source = file;
  return cfg;
}
