/**
 * `relaywatch serve` as a child process of the benchmark, the one way both the serving figures
 * (serving.ts) and the load figures (load.ts) start and stop it. Each waits for readiness in its
 * own way: the serving figures for the login index, the load figures for the socket or port.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { benchEnv } from './procs';

export interface DaemonProcess {
  child: ChildProcess;
  /** the last 2,000 characters the daemon wrote to stderr */
  stderr(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves when it has exited */
  stop(): Promise<void>;
}

export function spawnDaemon(cli: string, serveArgs: string[]): DaemonProcess {
  // Without NODE_OPTIONS and NODE_EXTRA_CA_CERTS from the caller's environment: the daemon runs with
  // Node's defaults, as in production.
  const child = spawn(process.execPath, [cli, 'serve', ...serveArgs], { env: benchEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-2000)));
  return {
    child,
    stderr: () => err,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Waits until `ready()` says the daemon is ready (its login index built), polling every 200 ms for up
 * to five minutes; a daemon that exits or never gets ready is stopped and named in the error.
 */
export async function waitUntilReady(daemon: DaemonProcess, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (daemon.child.exitCode !== null) throw new Error(`relaywatch serve exited: ${daemon.stderr()}`);
    if (Date.now() > deadline) {
      await daemon.stop();
      throw new Error('relaywatch serve did not get ready in time');
    }
    if (await ready()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}
