/**
 * The shape of a relaywatch CLI command. Commands are thin: parse options, call one core function,
 * print JSON (`--json`) or text, return the exit status.
 */
import { Config } from '../config/config';
import { Viewer } from '../domain/scope';
import { CoreContext } from '../services/context';
import type { DaemonAnswer } from './daemonClient';

export type OptionSpec = { type: 'string' | 'boolean'; multiple?: boolean; short?: string };

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** true when stderr is a terminal (progress bars go there) */
  errIsTty: boolean;
  stdin: NodeJS.ReadableStream;
}

export interface CliRun {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  json: boolean;
  io: CliIo;
  /** loads the config (fails fast on a bad one) and builds the context, once */
  context(): CoreContext;
  config(): Config;
  /** the WHM user the answer is for (`--as`, default root), checked against the resellers file */
  viewer(): Promise<Viewer>;
  /**
   * GET `route` from the running daemon for this host, as this run's user (cli/daemonClient.ts);
   * null when there is none to trust, with --config, or when it does not answer.
   */
  daemon(route: string): Promise<DaemonAnswer | null>;
}

export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  options: Record<string, OptionSpec>;
  /**
   * The exit status when the command fails with an error (default 3, "could not decide"). A change
   * (disable, enable) that fails exits 2 however it failed: refused, blocked, not recorded, or a
   * program that failed.
   */
  failureExit?: number;
  /** the exit status of a usage error (default 64; a monitoring plugin's is 3, UNKNOWN) */
  usageExit?: number;
  /** false for commands that do not read a cPanel host under --root (demo, logins) */
  readsHost?: boolean;
  run(r: CliRun): Promise<number>;
}

/**
 * Exit statuses (monitoring-plugin convention for checks; 64 for usage errors as in sysexits). The
 * README's table says what each means for every command; test/component/exitCodes.test.ts holds
 * every row of it.
 */
export const EXIT = { ok: 0, warning: 1, critical: 2, unknown: 3, usage: 64 } as const;

export function printJson(io: CliIo, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}
