/**
 * What every core function needs: the configuration, the host, the clock and the command runner.
 * Built once per process (CLI run or daemon) and passed down; nothing here is global.
 */
import { Config } from '../config/config';
import type { CommandRunner } from '../host/commandRunner';
import { Host } from '../host/host';

export interface CoreContext {
  config: Config;
  host: Host;
  now: () => Date;
  commands: CommandRunner;
}

export function createContext(config: Config, opts: { now?: () => Date } = {}): CoreContext {
  const host = new Host(config.root);
  let commands: CommandRunner | null = null;
  return {
    config,
    host,
    now: opts.now ?? (() => new Date()),
    // Made on first use: most answers run no program, and a CLI run should not pay for loading
    // child_process. One runner per context all the same (it runs one program at a time); a copy
    // of the context (withHost) keeps the getter and so shares it.
    get commands(): CommandRunner {
      commands ??= new (require('../host/commandRunner') as typeof import('../host/commandRunner')).CommandRunner(host, config.commands.timeoutMs);
      return commands;
    },
  };
}

/**
 * The context with another host (answerCache's recording one). Not `{ ...ctx, host }`: the spread
 * would read the `commands` getter, loading child_process and making a runner for every copy.
 */
export function withHost(ctx: CoreContext, host: Host): CoreContext {
  return Object.defineProperties({}, { ...Object.getOwnPropertyDescriptors(ctx), host: { value: host, enumerable: true, writable: true, configurable: true } }) as CoreContext;
}
