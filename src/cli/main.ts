#!/usr/bin/env node
/**
 * The relaywatch program. Before anything else of relaywatch is loaded it turns on the code cache
 * (codeCache.ts), then runs the command line (cli.ts). Importing this file runs nothing.
 */
import path from 'node:path';
import type { CliIo } from './command';
import { startCodeCache } from './codeCache';

/** The command line in this process (tests; see cli.ts). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  return (require('./cli') as typeof import('./cli')).runCli(argv, io);
}

if (require.main === module) {
  startCodeCache(path.resolve(__dirname, '../..'), process.argv.slice(2));
  (require('./cli') as typeof import('./cli')).runAsProgram();
}
