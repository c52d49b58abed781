/**
 * The daemon's metrics listener (`serve --metrics-listen HOST:PORT`, or metrics.listen in the
 * configuration): GET /metrics only, on an address the admin chooses. It has no login, so it says
 * only counts and states, never an IP address or a user name; every other path is 404 and every
 * other method 405.
 */
import http from 'node:http';
import net from 'node:net';
import { parseListen } from '../server';
import { CoreContext } from '../services/context';
import { createWatchMetrics } from './metrics';

export interface MetricsListener {
  /** "http://HOST:PORT/metrics" */
  url: string;
  close(): Promise<void>;
}

export async function listenMetrics(ctx: CoreContext, address: string): Promise<MetricsListener> {
  const addr = parseListen(address);
  const metrics = createWatchMetrics({ processMetrics: true });
  const server = http.createServer((req, res) => {
    const pathname = (req.url ?? '').split('?')[0];
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (pathname !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Only /metrics is served here.\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('Only GET.\n');
      return;
    }
    metrics.render(ctx).then(
      (text) => {
        res.writeHead(200, { 'Content-Type': metrics.registry.contentType, 'Cache-Control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (e: unknown) => {
        console.error(`relaywatch: /metrics failed: ${(e as Error).message}`);
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('The metrics could not be read; the daemon log says why.\n');
      },
    );
  });
  server.requestTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(addr.port, addr.host, () => resolve());
  });
  const a = server.address() as net.AddressInfo;
  return {
    url: `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}/metrics`,
    close: () =>
      new Promise((resolve) => {
        metrics.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
