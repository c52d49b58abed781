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
 * Anything else (no daemon, another host, an error status, a timeout, a response that cannot be
 * read) returns null, and the command computes the answer itself, as it always could.
 *
 * The request goes over node:net with a small HTTP/1.1 reader (httpResponseReader.ts): loading and
 * running node:http costs a CLI run several milliseconds, as much as all the rest of asking.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_SOCKET, INDEX_BUILDING_HEADER, ROOT_HEADER } from '../http/daemonHeaders';
import { HttpResponse, HttpResponseReader } from './httpResponseReader';

/** How long an answer may take before the CLI computes its own (the daemon may be reading new lines). */
const TIMEOUT_MS = 30_000;

/** What `relaywatch explain` asks for: the relay hosts' report, as the JSON API serves it. */
export const RELAY_HOSTS_ROUTE = '/api/v1/relay-hosts';

export interface DaemonAnswer {
  status: number;
  body: Buffer;
}

/**
 * The daemon's answer (or null: none) to one question this process already asked: the CLI's entry
 * asks before loading the full CLI, and hands what it got on rather than asking twice.
 */
export interface ReceivedAnswer {
  root: string;
  user: string;
  route: string;
  answer: DaemonAnswer | null;
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
 * A WHM user name as a header value: printable ASCII only. A name with anything else is no WHM
 * user's (the daemon would refuse it too), so the daemon is not asked and the command says why.
 */
const HEADER_SAFE = /^[\x21-\x7e]+$/;

/**
 * GET `route` from the daemon as `user` (root, or a reseller: the daemon applies its scope), or
 * null when no suitable daemon answers (see the file comment).
 */
export async function askDaemon(root: string, route: string, user: string): Promise<DaemonAnswer | null> {
  if (!HEADER_SAFE.test(user) || !HEADER_SAFE.test(route)) return null;
  const socketPath = trustedSocket(root);
  if (!socketPath) return null;
  const res = await getOverSocket(socketPath, [
    `GET ${route} HTTP/1.1`,
    'Host: localhost',
    `X-Relaywatch-Whm-User: ${user}`,
    // No WHM session: a fixed one, for the form tokens a GET never uses.
    'X-Relaywatch-Security-Token: /cpsess0',
    'Accept-Encoding: identity',
    'Connection: close',
    '',
    '',
  ].join('\r\n'));
  if (!res) return null;
  const ok = res.headers[ROOT_HEADER] === encodeURIComponent(root) && res.headers[INDEX_BUILDING_HEADER] === undefined
    && (res.headers['content-encoding'] ?? 'identity').toLowerCase() === 'identity';
  return ok ? { status: res.status, body: res.body } : null;
}

/** Sends `request` on the Unix socket and reads one response; null on any failure or after TIMEOUT_MS of silence. */
function getOverSocket(socketPath: string, request: string): Promise<HttpResponse | null> {
  const net = require('node:net') as typeof import('node:net');
  return new Promise((resolve) => {
    const reader = new HttpResponseReader();
    const socket = net.createConnection(socketPath);
    // (a timer of its own: the socket's idle timeout costs a CLI run more to set up)
    const silence = setTimeout(() => settle(null), TIMEOUT_MS);
    let settled = false;
    function settle(r: HttpResponse | null): void {
      if (settled) return;
      settled = true;
      clearTimeout(silence);
      // Closed at once, the whole response read or not: waiting for the daemon to close it (as
      // Connection: close asks) costs a CLI run more, before it may exit.
      socket.destroy();
      resolve(r);
    }
    const read = (step: () => HttpResponse | null): void => {
      try {
        const r = step();
        if (r) settle(r);
      } catch {
        settle(null);
      }
    };
    // Not a half-close after the request: the daemon drops a request whose client has ended.
    socket.write(request);
    socket.on('data', (d: Buffer) => {
      silence.refresh();
      read(() => reader.push(d));
    });
    socket.on('end', () => read(() => reader.end()));
    socket.on('error', () => settle(null));
    socket.on('close', () => settle(null));
  });
}
