/**
 * Every CLI command, in the order `relaywatch --help` lists them. A command's module is loaded only
 * when that command runs (or when --help lists them all): `relaywatch explain` does not load the web
 * server, the DNS code or the demo generator, which would add several hundred milliseconds to every
 * run. Add a command with one line: lazyCommand('name', () => (require('./nameCommand') as typeof
 * import('./nameCommand')).nameCommand).
 */
import { CliCommand } from '../command';

/** What runCli must know of a command before loading it. */
type Traits = Pick<CliCommand, 'failureExit' | 'readsHost' | 'usageExit'>;

function lazyCommand(name: string, load: () => CliCommand, traits: Traits = {}): CliCommand {
  let loaded: CliCommand | null = null;
  const get = (): CliCommand => {
    loaded ??= load();
    if (loaded.name !== name) throw new Error(`the module of command "${name}" holds command "${loaded.name}"`);
    return loaded;
  };
  return {
    name,
    ...traits,
    get summary() {
      return get().summary;
    },
    get usage() {
      return get().usage;
    },
    get options() {
      return get().options;
    },
    run: (r) => get().run(r),
  };
}

export const COMMANDS: CliCommand[] = [
  lazyCommand('overview', () => (require('./overviewCommand') as typeof import('./overviewCommand')).overviewCommand),
  lazyCommand('explain', () => (require('./explainCommand') as typeof import('./explainCommand')).explainCommand),
  lazyCommand('ip', () => (require('./ipCommand') as typeof import('./ipCommand')).ipCommand),
  lazyCommand('logins', () => (require('./loginsCommand') as typeof import('./loginsCommand')).loginsCommand, { readsHost: false }),
  lazyCommand('reliance', () => (require('./relianceCommand') as typeof import('./relianceCommand')).relianceCommand),
  lazyCommand('autoresponders', () => (require('./autorespondersCommand') as typeof import('./autorespondersCommand')).autorespondersCommand),
  lazyCommand('backscatter', () => (require('./backscatterCommand') as typeof import('./backscatterCommand')).backscatterCommand),
  lazyCommand('blacklist', () => (require('./blacklistCommand') as typeof import('./blacklistCommand')).blacklistCommand),
  lazyCommand('demo', () => (require('./demoCommand') as typeof import('./demoCommand')).demoCommand, { readsHost: false }),
  lazyCommand('demo-dnsbl', () => (require('./demoDnsblCommand') as typeof import('./demoDnsblCommand')).demoDnsblCommand),
  lazyCommand('status', () => (require('./statusCommand') as typeof import('./statusCommand')).statusCommand),
  lazyCommand('disable', () => (require('./disableCommand') as typeof import('./disableCommand')).disableCommand, { failureExit: 2 }),
  lazyCommand('enable', () => (require('./enableCommand') as typeof import('./enableCommand')).enableCommand, { failureExit: 2 }),
  lazyCommand('audit', () => (require('./auditCommand') as typeof import('./auditCommand')).auditCommand),
  lazyCommand('search', () => (require('./searchCommand') as typeof import('./searchCommand')).searchCommand),
  lazyCommand('index', () => (require('./indexCommand') as typeof import('./indexCommand')).indexCommand),
  // a monitoring plugin: whatever goes wrong is UNKNOWN (3) to Nagios, a usage error included
  lazyCommand('check', () => (require('./checkCommand') as typeof import('./checkCommand')).checkCommand, { usageExit: 3 }),
  lazyCommand('notify', () => (require('./notifyCommand') as typeof import('./notifyCommand')).notifyCommand),
  lazyCommand('metrics', () => (require('./metricsCommand') as typeof import('./metricsCommand')).metricsCommand),
  lazyCommand('serve', () => (require('./serveCommand') as typeof import('./serveCommand')).serveCommand),
];
