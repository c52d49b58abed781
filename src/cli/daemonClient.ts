/**
 * Asking the running daemon (`relaywatch serve --socket`) instead of computing an answer in this
 * process. The daemon keeps the login index open and its answers warm, so a CLI run that finds it
 * costs little more than Node's own start: no config, accounts, index or log files are read here.
 *
 * The daemon is used only when it is certainly the one for this host, and trustworthy:
 * - its socket is `/run/relaywatch/http.sock` under the CLI's host root (where `serve --socket`
 *   listens in the systemd unit), and the CLI was given no --config of its own;
 * - the socket and its folder belong to this user (or root) and nobody else can write the folder:
 *   whoever can place a socket there could tell root anything;
 * - the daemon names the host root it serves (X-Relaywatch-Root) and it is the CLI's.
 * Anything else (no daemon, another host, an error status, a timeout) returns null, and the
 * command computes the answer itself, as it always could.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage } from 'node:http';
import { DEFAULT_SOCKET, INDEX_BUILDING_HEADER, ROOT_HEADER } from '../http/daemonHeaders';

/** How long an answer may take before the CLI computes its own (the daemon may be reading new lines). */
const TIMEOUT_MS = 30_000;

export interface DaemonAnswer {
  status: number;
  body: Buffer;
}

/** The socket of the daemon for this host root, when it exists and only its owner could have made it. */
export function trustedSocket(root: string): string | null {
  const uid = process.getuid?.();
  if (uid === undefined) return null;
  const socket = path.join(root, DEFAULT_SOCKET);
  try {
    const dir = fs.lstatSync(path.dirname(socket));
    const sock = fs.lstatSync(socket);
    const mine = (st: fs.Stats): boolean => st.uid === uid || st.uid === 0;
    if (!dir.isDirectory() || !mine(dir) || (dir.mode & 0o022) !== 0) return null;
    if (!sock.isSocket() || !mine(sock)) return null;
    return socket;
  } catch {
    return null;
  }
}

/**
 * GET `route` from the daemon as `user` (root, or a reseller: the daemon applies its scope), or
 * null when no suitable daemon answers (see the file comment).
 */
export async function askDaemon(root: string, route: string, user: string): Promise<DaemonAnswer | null> {
  const socketPath = trustedSocket(root);
  if (!socketPath) return null;
  const http = require('node:http') as typeof import('node:http');
  return new Promise<DaemonAnswer | null>((resolve) => {
    const req = http.request({
      socketPath,
      path: route,
      method: 'GET',
      headers: {
        'x-relaywatch-whm-user': user,
        // No WHM session: a fixed one, for the form tokens a GET never uses.
        'x-relaywatch-security-token': '/cpsess0',
        'accept-encoding': 'identity',
      },
      timeout: TIMEOUT_MS,
    }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', () => resolve(null));
      res.on('end', () => {
        const ok = res.headers[ROOT_HEADER] === encodeURIComponent(root) && res.headers[INDEX_BUILDING_HEADER] === undefined;
        resolve(ok ? { status: res.statusCode ?? 0, body: Buffer.concat(chunks) } : null);
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
    req.end();
  });
}
