/**
 * Every CLI command, in the order `relaywatch --help` lists them.
 */
import { CliCommand } from '../command';
import { demoCommand } from './demoCommand';
import { explainCommand } from './explainCommand';
import { ipCommand } from './ipCommand';
import { loginsCommand } from './loginsCommand';
import { searchCommand } from './searchCommand';
import { serveCommand } from './serveCommand';

export const COMMANDS: CliCommand[] = [
  explainCommand,
  ipCommand,
  loginsCommand,
  demoCommand,
  searchCommand,
  serveCommand,
];
