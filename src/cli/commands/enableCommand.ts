import { CliCommand } from '../command';
import { switchCommand } from './disableCommand';

export const enableCommand: CliCommand = switchCommand('enable');
