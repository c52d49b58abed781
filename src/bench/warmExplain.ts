/**
 * The warm figure inside a running process (the daemon's case: Node is up, the index is open, the
 * code is compiled, the scan workers are running): three untimed rounds of "append, explain" to get there, then RUNS times append
 * BYTES of log lines and time the next explain.
 *   node dist/bench/warmExplain.js ROOT RUNS BYTES
 * Prints JSON: { ms: [...] } (one per run).
 */
import { loadConfig } from '../config/config';
import { createContext } from '../services/context';
import { explain } from '../services/explainService';
import { keepScanWorkersWarm } from '../scan/scanWorkers';
import { appendLines } from './logs';

async function main(): Promise<void> {
  const [root, runsText, bytesText] = process.argv.slice(2);
  const ctx = createContext(loadConfig({ root }));
  // As the daemon does (startBackgroundWork): its scan workers stay up between scans.
  keepScanWorkersWarm();
  const viewer = { user: 'root', isRoot: true, accounts: new Set<string>() };
  await explain(ctx, viewer);
  const ms: number[] = [];
  const warmUp = 3;
  for (let i = 0; i < warmUp + Number(runsText); i++) {
    appendLines(root, Number(bytesText));
    const t = process.hrtime.bigint();
    const r = await explain(ctx, viewer);
    if (i >= warmUp) ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.verdict === 'unknown') throw new Error(`explain could not decide: ${JSON.stringify(r.problems)}`);
    // The daemon is not answering all the time: let it write the new logins to the index, as it
    // does between requests.
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  process.stdout.write(`${JSON.stringify({ ms })}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
