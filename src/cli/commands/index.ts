/**
 * Every CLI command, in the order `relaywatch --help` lists them.
 */
import { CliCommand } from '../command';
import { auditCommand } from './auditCommand';
import { autorespondersCommand } from './autorespondersCommand';
import { backscatterCommand } from './backscatterCommand';
import { blacklistCommand } from './blacklistCommand';
import { demoCommand } from './demoCommand';
import { demoDnsblCommand } from './demoDnsblCommand';
import { disableCommand } from './disableCommand';
import { enableCommand } from './enableCommand';
import { explainCommand } from './explainCommand';
import { indexCommand } from './indexCommand';
import { ipCommand } from './ipCommand';
import { loginsCommand } from './loginsCommand';
import { relianceCommand } from './relianceCommand';
import { searchCommand } from './searchCommand';
import { serveCommand } from './serveCommand';
import { statusCommand } from './statusCommand';

export const COMMANDS: CliCommand[] = [
  explainCommand,
  ipCommand,
  loginsCommand,
  relianceCommand,
  autorespondersCommand,
  backscatterCommand,
  blacklistCommand,
  demoCommand,
  demoDnsblCommand,
  statusCommand,
  disableCommand,
  enableCommand,
  auditCommand,
  searchCommand,
  indexCommand,
  serveCommand,
];
