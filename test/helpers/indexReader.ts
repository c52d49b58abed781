/**
 * A second process for the index tests (run with registerTs.js): opens the login index of a host
 * root a number of times, as `explain` would, and prints every answer as one JSON line.
 *   node -r test/helpers/registerTs.js test/helpers/indexReader.ts ROOT ROUNDS
 */
import { loadConfig } from '../../src/config/config';
import { createContext } from '../../src/services/context';
import { openLoginIndex } from '../../src/scan/loginIndex';

async function main(): Promise<void> {
  const [root, roundsText] = process.argv.slice(2);
  const ctx = createContext(loadConfig({ root }));
  const rounds = Number(roundsText ?? '5');
  for (let i = 0; i < rounds; i++) {
    const view = await openLoginIndex(ctx);
    if (!view) {
      process.stdout.write(`${JSON.stringify({ round: i, index: null })}\n`);
      continue;
    }
    const logins: string[] = [];
    view.forEachLogin((l) => logins.push(`${l.file}:${l.line}:${l.ip}:${l.user}:${l.time}`));
    process.stdout.write(`${JSON.stringify({ round: i, inMemory: view.inMemory, logins: logins.sort() })}\n`);
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
