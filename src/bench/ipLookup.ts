/**
 * The IP-lookup figure, in a fresh process as `relaywatch ip` would run it: the time loginsForIp()
 * takes from the index for each given IP (the first call includes opening the index).
 *   node dist/bench/ipLookup.js ROOT IP...
 * Prints JSON: { lookups: [{ ip, ms, logins, files }] }.
 */
import { loadConfig } from '../config/config';
import { createContext } from '../services/context';
import { loginsForIp } from '../services/loginIndex';

async function main(): Promise<void> {
  const [root, ...ips] = process.argv.slice(2);
  const ctx = createContext(loadConfig({ root }));
  const lookups: Array<{ ip: string; ms: number; logins: number; files: number }> = [];
  for (const ip of ips) {
    const t = process.hrtime.bigint();
    const rows = await loginsForIp(ctx, ip);
    lookups.push({ ip, ms: Number(process.hrtime.bigint() - t) / 1e6, logins: rows.length, files: new Set(rows.map((r) => r.file)).size });
  }
  process.stdout.write(`${JSON.stringify({ lookups })}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
