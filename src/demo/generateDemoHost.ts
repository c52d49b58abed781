/**
 * `relaywatch demo`: writes a realistic cPanel host tree into a folder, for trying relaywatch without
 * a server, for the component tests and for the benchmark. One seed gives the same host byte for byte
 * (for the same `now` and time zone); times are relative to `now`, so the relay list looks fresh.
 *
 * What it holds (see world.ts and worldRelayHosts.ts): ~300 accounts under root and three resellers
 * (and resellerc, a reseller without relaywatch's privilege, who is refused),
 * the relay list of the chosen generation with IPs of every status, the mail log and its rotations
 * with the logins that explain (or fail to explain) them, tailwatchd's log, the server's addresses,
 * the stand-ins of cPanel's programs, and a marker /etc/relaywatch/demo-host.json with the summary.
 */
import { writeAccountFiles } from './accountFiles';
import { writeDemoConfig } from './demoConfig';
import { DEMO_MARKER, DemoTree, prepareDemoRoot } from './demoTree';
import { writeMailEvidence } from './logs/eximLog';
import { installStandins } from './installStandins';
import { writeInterfaceList } from './interfaces';
import { MAILLOG, writeMailLogs } from './logs/mailLog';
import { MailLogMix, mixPlan } from './logs/mailLogMix';
import { Random } from './random';
import { writeRelayFiles } from './relayFiles';
import { writeServerFiles } from './serverFiles';
import { writeTailwatchdLog } from './logs/tailwatchdLog';
import { buildWorld, DemoWorld } from './world';
import { writeWhmChrome } from './whmChrome';

export interface DemoOptions {
  out: string;
  generation: 'legacy' | 'modern';
  /** total size of the mail logs in MiB (uncompressed); default about 2 */
  sizeMb?: number;
  seed?: number;
  now?: Date;
  /**
   * gzip the older rotations (all but the newest). Default: yes up to 64 MiB of logs, no above, so
   * that a benchmark host is written at disk speed and read without decompression.
   */
  gzipRotations?: boolean;
  /**
   * the mail log's mix (mailLogMix.ts): `demo` (default), `many-ips` (mobile clients, logins from
   * well over 100,000 addresses), `dense` (Dovecot only, a fifth of the lines are logins)
   */
  mix?: MailLogMix;
}

export interface DemoSummary {
  root: string;
  generation: 'legacy' | 'modern';
  accounts: number;
  resellers: string[];
  /** canonical IPs of the relay list by status */
  relayHosts: { explained: string[]; unexplained: string[]; alwaysrelay: string[]; stale: string[] };
  /** host paths, live log first, then rotations newest first */
  mailLogFiles: string[];
  /** bytes of mail-log text (uncompressed) */
  mailLogBytes: number;
  /** an attacker-chosen user name that appears in failed logins only */
  hostileUser: string;
}

export const DEFAULT_SEED = 20240816;
export const DEFAULT_SIZE_MB = 2;
const GZIP_UP_TO_MB = 64;
const MIB = 1024 * 1024;

function ipsOf(world: DemoWorld, status: string): string[] {
  return world.relayHosts.filter((h) => h.status === status).map((h) => h.ip);
}

export async function generateDemoHost(opts: DemoOptions): Promise<DemoSummary> {
  if (opts.generation !== 'legacy' && opts.generation !== 'modern') throw new Error(`generation must be "legacy" or "modern", got "${String(opts.generation)}"`);
  const sizeMb = opts.sizeMb ?? DEFAULT_SIZE_MB;
  if (!Number.isFinite(sizeMb) || sizeMb <= 0) throw new Error(`sizeMb must be a positive number, got ${String(opts.sizeMb)}`);
  const seed = opts.seed ?? DEFAULT_SEED;
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${String(opts.seed)}`);
  const now = opts.now ?? new Date();
  if (Number.isNaN(now.getTime())) throw new Error('now must be a valid date');
  const mix = opts.mix ?? 'demo';
  mixPlan(mix); // fails on an unknown mix before anything is written

  await prepareDemoRoot(opts.out);
  const tree = new DemoTree(opts.out);
  // The marker goes first, so a run that stops half way can be redone over its own leftovers.
  await tree.write(DEMO_MARKER, `${JSON.stringify({ relaywatchDemoHost: true, complete: false }, null, 2)}\n`);

  const world = buildWorld({ seed, now, generation: opts.generation });
  const rng = new Random(seed ^ 0x5eed);
  await writeServerFiles(tree, world);
  await writeInterfaceList(tree, world);
  await writeAccountFiles(tree, world);
  await writeRelayFiles(tree, world, rng.fork('relay-files'));
  const logs = await writeMailLogs(tree, world, rng.fork('maillog'), {
    targetBytes: sizeMb * MIB,
    gzipRotations: opts.gzipRotations ?? sizeMb <= GZIP_UP_TO_MB,
    mix,
  });
  await writeTailwatchdLog(tree, world, rng.fork('tailwatchd'));
  const mailEvidence = await writeMailEvidence(tree, world, rng.fork('mail-evidence'));
  await writeWhmChrome(tree, world);
  await writeDemoConfig(tree);
  const standins = await installStandins(tree.root);

  const byAge = [...logs].sort((a, b) => (a.hostPath === MAILLOG ? -1 : b.hostPath === MAILLOG ? 1 : b.endMs - a.endMs));
  const summary: DemoSummary = {
    root: tree.root,
    generation: opts.generation,
    accounts: world.accounts.length,
    resellers: world.resellers.map((r) => r.name),
    relayHosts: {
      explained: ipsOf(world, 'explained'),
      unexplained: ipsOf(world, 'unexplained'),
      alwaysrelay: ipsOf(world, 'alwaysrelay'),
      stale: ipsOf(world, 'stale'),
    },
    mailLogFiles: byAge.map((l) => l.hostPath),
    mailLogBytes: logs.reduce((n, l) => n + l.bytes, 0),
    hostileUser: world.hostileUser,
  };
  // Without `root`: the tree may be moved, and two runs with one seed must give identical files.
  const { root: _root, ...portable } = summary;
  const marker = {
    relaywatchDemoHost: true,
    complete: true,
    seed,
    mix,
    now: now.toISOString(),
    // the spam burst the demo's blacklist listing stands for: demo-dnsbl gives it as the last hit
    listingTime: mailEvidence.listingTime,
    ...portable,
    stories: world.relayHosts.map((h) => ({ ip: h.ip, status: h.status, story: h.story })),
    standins,
  };
  await tree.write(DEMO_MARKER, `${JSON.stringify(marker, null, 2)}\n`);
  return summary;
}
