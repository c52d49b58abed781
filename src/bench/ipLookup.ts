/**
 * The IP-lookup figure: the time loginsForIp() takes from the index for each given IP, in a fresh
 * process. The first call opens the index (reads the manifest and every segment's metadata), as a
 * lone `relaywatch ip` does; the others find it open, as the daemon does, and are timed on a second
 * round, as a daemon that has answered before (its code compiled) makes them. Each call still checks
 * the logs for new lines first.
 *   node dist/bench/ipLookup.js ROOT IP...
 * Prints JSON: { openMs, lookups: [{ ip, ms, logins, files }] }.
 */
import { loadConfig } from '../config/config';
import { createContext } from '../services/context';
import { loginsForIp } from '../scan/loginIndex';

async function main(): Promise<void> {
  const [root, ...ips] = process.argv.slice(2);
  const ctx = createContext(loadConfig({ root }));
  const lookups: Array<{ ip: string; ms: number; logins: number; files: number }> = [];
  const t0 = process.hrtime.bigint();
  await loginsForIp(ctx, '192.0.2.254');
  const openMs = Number(process.hrtime.bigint() - t0) / 1e6;
  // As in the daemon, which has answered before: its code compiled, each IP's records read once.
  for (const ip of ips) await loginsForIp(ctx, ip);
  for (const ip of ips) {
    const t = process.hrtime.bigint();
    const rows = await loginsForIp(ctx, ip);
    lookups.push({ ip, ms: Number(process.hrtime.bigint() - t) / 1e6, logins: rows.length, files: new Set(rows.map((r) => r.file)).size });
  }
  process.stdout.write(`${JSON.stringify({ openMs, lookups })}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
