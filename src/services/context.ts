/**
 * What every core function needs: the configuration, the host, the clock and the command runner.
 * Built once per process (CLI run or daemon) and passed down; nothing here is global.
 */
import { Config } from '../config/config';
import { CommandRunner } from '../host/commandRunner';
import { Host } from '../host/host';

export interface CoreContext {
  config: Config;
  host: Host;
  now: () => Date;
  commands: CommandRunner;
}

export function createContext(config: Config, opts: { now?: () => Date } = {}): CoreContext {
  const host = new Host(config.root);
  return { config, host, now: opts.now ?? (() => new Date()), commands: new CommandRunner(host, config.commands.timeoutMs) };
}
