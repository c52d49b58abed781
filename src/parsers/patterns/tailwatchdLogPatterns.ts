/**
 * The line forms of /usr/local/cpanel/logs/tailwatchd_log, as data (cpanel-facts §2). A line is an
 * *envelope* (how it is stamped) around a *message* (what it says); each table is tried in order and
 * the first match wins. Every entry is proven by sample lines in test/unit/tailwatchdLog.test.ts,
 * which fails when an entry has no sample.
 *
 * All patterns are linear: every repetition is bounded and stops at a character its class excludes,
 * and the free text is a single trailing `.*`, so a 100 KiB hostile line cannot make them backtrack.
 */

/** tailwatchd's stamp: `2024-08-16 17:40:46 +0000` (local time and its offset). */
export const TW_STAMP = String.raw`\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-]\d{4}`;

/** A Perl package in brackets: `[main]`, `[Cpanel::TailWatch::Utils::EnableDisable]`. */
export const TW_PACKAGE = String.raw`[\w:]{1,128}`;

/** A level tag some messages carry: `[INFO]`, `[ERR]`. */
export const TW_LEVEL = String.raw`(?:\[(?<level>INFO|ERR|ERROR|WARN|WARNING|DEBUG|NOTICE)\] )?`;

/**
 * A fully qualified driver name: `Cpanel::TailWatch::RecentAuthedMailIpTracker`. `\w` never matches
 * `:`, so the repetition cannot backtrack into itself.
 */
export const TW_DRIVER = String.raw`(?<driver>[A-Za-z_]\w{0,63}(?:::\w{1,64}){0,8})`;

export interface EnvelopePattern {
  name: 'double-stamp' | 'stamp' | 'level' | 'bare';
  description: string;
  /** groups: pid, stamp, package, level (optional), message */
  regex: RegExp;
}

export const TAILWATCHD_ENVELOPES: readonly EnvelopePattern[] = [
  {
    name: 'double-stamp',
    description:
      'enable/disable messages: "[PID] [stamp] [Cpanel::TailWatch::Utils::EnableDisable] [PID] [stamp] [main] message" (the stamp twice)',
    regex: new RegExp(
      String.raw`^\[(?<pid>\d{1,10})\] \[(?<stamp>${TW_STAMP})\] \[(?<package>${TW_PACKAGE})\] \[\d{1,10}\] \[${TW_STAMP}\] \[${TW_PACKAGE}\] ${TW_LEVEL}(?<message>.*)$`,
    ),
  },
  {
    name: 'stamp',
    description: 'ordinary lines: "[PID] [stamp] [package] message", the message maybe starting with [INFO] or [ERR]',
    regex: new RegExp(String.raw`^\[(?<pid>\d{1,10})\] \[(?<stamp>${TW_STAMP})\] \[(?<package>${TW_PACKAGE})\] ${TW_LEVEL}(?<message>.*)$`),
  },
  {
    name: 'level',
    description: 'unstamped level lines: "[INFO] message", "[ERR] message"',
    regex: new RegExp(String.raw`^\[(?<level>INFO|ERR|ERROR|WARN|WARNING|DEBUG|NOTICE)\] (?<message>.*)$`),
  },
  {
    name: 'bare',
    description: 'anything else (unstamped lines, [START]/[STOP] lines, and tailwatchd\'s printed output)',
    regex: /^(?<message>.*)$/,
  },
];

export type TailwatchdEventKind =
  | 'driver-success'
  | 'driver-already'
  | 'driver-failed'
  | 'unknown-driver'
  | 'restart-skipped'
  | 'start'
  | 'stop';

export interface MessagePattern {
  name: TailwatchdEventKind;
  description: string;
  /** a literal every matching message contains (cheap pre-filter) */
  needle: string;
  /** runs on the message part; groups as named in the description */
  regex: RegExp;
}

export const TAILWATCHD_MESSAGES: readonly MessagePattern[] = [
  {
    name: 'driver-success',
    description: '"<driver> was successfully enabled|disabled" (logged again when disabling a disabled driver)',
    needle: ' was successfully ',
    regex: new RegExp(String.raw`^${TW_DRIVER} was successfully (?<action>enabled|disabled)$`),
  },
  {
    name: 'driver-already',
    description: '"<driver> is already enabled"',
    needle: ' is already ',
    regex: new RegExp(String.raw`^${TW_DRIVER} is already (?<action>enabled|disabled)$`),
  },
  {
    name: 'driver-failed',
    description: '"<driver> could not be enabled|disabled", maybe followed by a reason',
    needle: ' could not be ',
    regex: new RegExp(String.raw`^${TW_DRIVER} could not be (?<action>enabled|disabled)(?!\w)(?<reason>.*)$`),
  },
  {
    name: 'unknown-driver',
    description: '"Unknown driver \'<x>\' passed via --enable, ignoring" (or --disable)',
    needle: 'Unknown driver ',
    regex: /^Unknown driver '(?<driver>[^']{0,256})' passed via --(?<action>enable|disable), ignoring$/,
  },
  {
    name: 'restart-skipped',
    description: '"Skipping restart since no changes resulted from arguments"',
    needle: 'Skipping restart',
    regex: /^Skipping restart since no changes resulted from arguments$/,
  },
  {
    name: 'start',
    description: '"[START] <pid> <epoch seconds>": tailwatchd (re)started',
    needle: '[START]',
    regex: /^\[START\] (?<pid>\d{1,10}) (?<epoch>\d{1,12})$/,
  },
  {
    name: 'stop',
    description: '"[STOP Ok] <pid>": tailwatchd stopped (the word after STOP is its result)',
    needle: '[STOP ',
    regex: /^\[STOP (?<result>[^\]]{1,32})\] (?<pid>\d{1,10})$/,
  },
];
