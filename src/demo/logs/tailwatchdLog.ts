/**
 * /usr/local/cpanel/logs/tailwatchd_log (cpanel-facts §2): a restart at the last log rotation, the
 * enable/disable lines with their doubled stamp, and the unstamped [START]/[STOP Ok] lines.
 */
import { DemoTree } from '../demoTree';
import { Random } from '../random';
import { tailwatchdStamp } from './syslogStamp';
import { DemoWorld } from '../world';

export const TAILWATCHD_LOG = '/usr/local/cpanel/logs/tailwatchd_log';

const ENABLE_DISABLE = 'Cpanel::TailWatch::Utils::EnableDisable';

export function tailwatchdDrivers(world: DemoWorld): string[] {
  const relay = world.generation === 'modern' ? 'RecentAuthedMailIpTracker' : 'Antirelayd';
  const others = world.generation === 'modern' ? ['APNSPush', 'ChkServd', 'Eximstats', 'JailManager', 'MailHealth', 'ModSecLog', 'cPBandwd'] : ['ChkServd', 'Eximstats', 'cPBandwd'];
  return [relay, ...others].map((d) => `Cpanel::TailWatch::${d}`);
}

export function tailwatchdLog(world: DemoWorld, rng: Random): { text: string; lastMs: number } {
  const out: string[] = [];
  const drivers = tailwatchdDrivers(world);
  const relayDriver = drivers[0];
  const stamp = (ms: number): string => `[${tailwatchdStamp(ms)}]`;

  // An admin ran `tailwatchd --enable=…` some days ago: the relay driver was enabled, ChkServd was already on.
  const adminAt = world.rotations[world.rotations.length - 1] + rng.int(3600_000, 3 * 86400_000);
  const cli = rng.int(2000, 30000);
  const twice = (ms: number, msg: string): string => `[${cli}] ${stamp(ms)} [${ENABLE_DISABLE}] [${cli}] ${stamp(ms)} [main] ${msg}`;
  out.push(twice(adminAt, `${relayDriver} was successfully enabled`));
  out.push(twice(adminAt, `${drivers[1]} is already enabled`));

  // Restarts: after the admin's change and at each weekly log rotation since.
  const restarts = [adminAt + 2000, ...world.rotations.filter((r) => r > adminAt).sort((a, b) => a - b)];
  let pid = rng.int(1000, 9000);
  let lastMs = adminAt;
  for (const at of restarts) {
    out.push(`[STOP Ok] ${pid}`);
    pid += rng.int(50, 4000);
    const started = at + rng.int(1000, 4000);
    out.push(`[START] ${pid} ${Math.floor(started / 1000)}`);
    out.push(`[${pid}] ${stamp(started)} [main] [INFO] tailwatchd started with ${drivers.length} drivers`);
    for (const d of rng.shuffle(drivers)) out.push(`[${pid}] ${stamp(started)} [main] [INFO] Driver ${d} is active`);
    lastMs = started;
  }
  // One transient error since the last restart, as busy servers log now and then.
  const errAt = Math.min(world.nowMs - 60_000, lastMs + rng.int(60_000, 3600_000));
  out.push(`[${pid}] ${stamp(errAt)} [main] [ERR] Could not open /var/log/chkservd.log for reading: No such file or directory`);
  lastMs = Math.max(lastMs, errAt);
  return { text: `${out.join('\n')}\n`, lastMs };
}

export async function writeTailwatchdLog(tree: DemoTree, world: DemoWorld, rng: Random): Promise<void> {
  const { text, lastMs } = tailwatchdLog(world, rng);
  await tree.write(TAILWATCHD_LOG, text, 0o600);
  await tree.setMtime(TAILWATCHD_LOG, lastMs);
}
