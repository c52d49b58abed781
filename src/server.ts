/**
 * Starts the HTTP server: on loopback TCP for development and the demo (with a fixed --dev-user),
 * or on a root-only Unix socket behind WHM's CGI bridge.
 */
import http from 'node:http';
import net from 'node:net';
import { createApp } from './app';
import { AppError } from './http/appError';
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
  const server = http.createServer(createApp(ctx, { identity }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(addr.port, addr.host, () => resolve());
  });
  const a = server.address() as net.AddressInfo;
  return {
    server,
    address: `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
