/**
 * The daemon as WHM runs it, for the warm CLI figures: `relaywatch serve --socket` on the socket the
 * CLI looks for under the host root (DEFAULT_SOCKET), ready once its login index is built.
 */
import http from 'node:http';
import path from 'node:path';
import { DEFAULT_SOCKET } from '../http/daemonHeaders';
import { DaemonProcess, spawnDaemon, waitUntilReady } from './daemonProcess';

function progress(socketPath: string): Promise<{ state?: string; finishedAt?: string | null } | null> {
  return new Promise((resolve) => {
    const req = http.request({
      socketPath,
      path: '/api/v1/index/progress',
      headers: { 'x-relaywatch-whm-user': 'root', 'x-relaywatch-security-token': '/cpsess0', accept: 'application/json' },
    }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => {
        try {
          resolve(res.statusCode === 200 ? JSON.parse(body) : null);
        } catch {
          resolve(null);
        }
      });
    });
    req.on('error', () => resolve(null));
    req.end();
  });
}

/** Starts the daemon for `root` on its socket and waits until its login index is ready. */
export async function startSocketDaemon(distDir: string, root: string): Promise<DaemonProcess> {
  const socketPath = path.join(root, DEFAULT_SOCKET);
  const daemon = spawnDaemon(path.join(distDir, 'cli/main.js'), ['--root', root, '--socket', socketPath]);
  await waitUntilReady(daemon, async () => {
    const p = await progress(socketPath);
    return p !== null && p.state === 'idle' && Boolean(p.finishedAt);
  });
  return daemon;
}
