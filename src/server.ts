/**
 * Starts the HTTP server: on loopback TCP for development and the demo (with a fixed --dev-user),
 * or on a root-only Unix socket behind WHM's CGI bridge.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { createApp } from './app';
import { AppError } from './http/appError';
import { listenHostValues } from './http/hostGuard';
import { IdentitySource } from './http/identity';
import { CoreContext } from './services/context';

export interface ListenAddress {
  host: string;
  port: number;
}

export function parseListen(text: string): ListenAddress {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw AppError.badRequest(`--listen must be HOST:PORT (e.g. 127.0.0.1:8080), got "${text}"`);
  return { host: m[1] ?? m[2], port };
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  return host === '::1';
}

export interface RunningServer {
  server: http.Server;
  address: string;
  close(): Promise<void>;
}

export async function listenTcp(ctx: CoreContext, addr: ListenAddress, devUser: string): Promise<RunningServer> {
  if (!isLoopback(addr.host)) {
    throw AppError.badRequest(`relaywatch serves TCP on loopback only (got ${addr.host}); inside WHM it listens on a Unix socket.`);
  }
  const identity: IdentitySource = { kind: 'dev', user: devUser };
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(addr.port, addr.host, () => resolve());
  });
  const a = server.address() as net.AddressInfo;
  // The app is made once the port is known: it answers only to this address's own Host values.
  server.on('request', createApp(ctx, { identity, allowedHosts: listenHostValues(a.address, a.port) }));
  return {
    server,
    address: `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Where the daemon listens inside WHM (the systemd unit's RuntimeDirectory, mode 0700). */
export { DEFAULT_SOCKET } from './http/daemonHeaders';

export interface SocketOptions {
  /** CSRF secret; random per process when not given (tests pass one to mint tokens) */
  secret?: Buffer;
}

/**
 * Serves the WHM bridge on a Unix socket. Whoever can connect to the socket can claim any WHM user
 * (that is what the CGI does), so the socket is root only: its directory is private (created 0700,
 * or refused when others could write to it) and the socket itself is 0600.
 */
export async function listenSocket(ctx: CoreContext, socketPath: string, opts: SocketOptions = {}): Promise<RunningServer> {
  const sock = path.resolve(socketPath);
  await preparePrivateDir(path.dirname(sock));
  await removeStaleSocket(sock);
  const server = http.createServer(createApp(ctx, { identity: { kind: 'socket' }, secret: opts.secret }));
  // The directory already keeps others out; the umask closes the moment between bind and chmod too.
  const oldMask = trySetUmask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(sock, () => resolve());
    });
  } finally {
    if (oldMask !== null) trySetUmask(oldMask);
  }
  await fsp.chmod(sock, 0o600);
  return {
    server,
    address: `unix:${sock}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          fsp.rm(sock, { force: true }).then(() => resolve(), () => resolve());
        });
        server.closeAllConnections();
      }),
  };
}

function trySetUmask(mask: number): number | null {
  try {
    return process.umask(mask);
  } catch {
    return null; // worker threads cannot change the umask; the private directory still protects the socket
  }
}

async function preparePrivateDir(dir: string): Promise<void> {
  const created = await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await fsp.lstat(dir);
  if (!st.isDirectory()) throw AppError.badRequest(`socket directory ${dir} is not a directory`);
  if (created !== undefined) {
    await fsp.chmod(dir, 0o700);
    return;
  }
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw AppError.badRequest(`socket directory ${dir} belongs to uid ${st.uid}, not to this process (uid ${uid}); use a private directory such as /run/relaywatch`);
  }
  if ((st.mode & 0o022) !== 0) {
    throw AppError.badRequest(`socket directory ${dir} is writable by other users; use a private directory such as /run/relaywatch`);
  }
}

/** A socket left by a daemon that died is removed; a live one, or anything that is not a socket, stops start-up. */
async function removeStaleSocket(sock: string): Promise<void> {
  let st: fs.Stats;
  try {
    st = await fsp.lstat(sock);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (!st.isSocket()) throw AppError.badRequest(`${sock} exists and is not a socket; refusing to replace it`);
  const alive = await new Promise<boolean>((resolve) => {
    const c = net.connect(sock);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
  if (alive) throw AppError.conflict(`another process is already serving on ${sock} (is relaywatch running already?)`);
  await fsp.rm(sock, { force: true });
}
