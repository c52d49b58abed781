import { Config } from '../../config/config';
import { AppError } from '../../http/appError';
import { DEFAULT_SOCKET, listenSocket, listenTcp, parseListen, RunningServer } from '../../server';
import { blacklistMonitor } from '../../services/blacklistService';
import { explainEncoded } from '../../services/explainService';
import { startBackgroundWork } from '../../scan/loginIndexDaemon';
import { listenMetrics, MetricsListener } from '../../watch/metricsServer';
import { startNotifier } from '../../watch/notifier';
import { CliCommand, EXIT } from '../command';

/**
 * Where Prometheus's GET /metrics is served: --metrics-listen, else metrics.listen in the
 * configuration, else nowhere. Checked before anything listens.
 */
export function metricsAddress(option: string | undefined, config: Config): string | null {
  const at = option ?? config.metrics.listen;
  if (at !== null && !/^(?:\[[^\]]+\]|[^:\s]+):\d{1,5}$/.test(at)) {
    throw AppError.badRequest(`--metrics-listen must be HOST:PORT (e.g. 127.0.0.1:9839), got "${at}"`);
  }
  return at;
}

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Serve the web interface (loopback TCP for development, or the WHM socket)',
  usage: `relaywatch serve --socket ${DEFAULT_SOCKET}   |   relaywatch serve --listen 127.0.0.1:PORT --dev-user USER   [--metrics-listen HOST:PORT]`,
  options: { listen: { type: 'string' }, 'dev-user': { type: 'string' }, socket: { type: 'string' }, 'metrics-listen': { type: 'string' } },
  async run(r) {
    const listen = r.values.listen as string | undefined;
    const devUser = r.values['dev-user'] as string | undefined;
    const socket = r.values.socket as string | undefined;
    let running: RunningServer;
    const ctx = () => r.context();
    const metricsAt = metricsAddress(r.values['metrics-listen'] as string | undefined, ctx().config);
    if (socket !== undefined) {
      if (listen || devUser) throw AppError.badRequest('--socket cannot be combined with --listen or --dev-user: on the socket the WHM user comes from the CGI bridge.');
      if (!socket) throw AppError.badRequest(`--socket needs a path (inside WHM: ${DEFAULT_SOCKET}).`);
      running = await listenSocket(ctx(), socket);
      // chkservd finds the daemon by this title (plugin/chkserv.d/relaywatch matches "relaywatch serve --socket"),
      // and so does `ps`; the CGI, the CLI and `journalctl -u relaywatch` never carry it.
      process.title = `relaywatch serve --socket ${socket}`;
      r.io.err(`relaywatch: serving host root ${ctx().config.root} for WHM on ${running.address}\n`);
    } else {
      if (!listen) throw AppError.badRequest('serve needs --socket PATH (inside WHM) or --listen HOST:PORT with --dev-user USER (development).');
      if (!devUser) throw AppError.badRequest('Serving on TCP needs --dev-user USER (the WHM user every request is taken to come from); inside WHM relaywatch listens on a Unix socket instead (--socket).');
      running = await listenTcp(ctx(), parseListen(listen), devUser);
      r.io.err(
        `relaywatch: DEVELOPMENT MODE: every request is treated as WHM user "${devUser}".\n` +
          `relaywatch: serving host root ${ctx().config.root} at ${running.address}\n`,
      );
    }
    let metrics: MetricsListener | null = null;
    if (metricsAt !== null) {
      try {
        metrics = await listenMetrics(ctx(), metricsAt);
      } catch (e) {
        await running.close();
        throw AppError.badRequest(`The metrics listener could not start on ${metricsAt}: ${(e as Error).message}`);
      }
      r.io.err(`relaywatch: Prometheus metrics at ${metrics.url}\n`);
    }
    // Keeps the login index warm (scan/loginIndexDaemon.ts), and root's relay report computed after
    // each change of the logs, and encoded as the JSON API sends it: the dashboard and `relaywatch
    // explain` find it ready.
    const rootReport = (): Promise<unknown> => explainEncoded(ctx(), { user: 'root', isRoot: true, accounts: new Set() });
    const background = startBackgroundWork(ctx(), { afterUpdate: rootReport });
    // Mail to the server's contact when something needs a look (watch/notifier.ts; `notify: off` stops it).
    const notifier = ctx().config.notify.enabled ? startNotifier(ctx()) : null;
    // Blacklist checks on their schedule: on a real server, or wherever a resolver is configured (the
    // demo host names its local stand-in); a folder-rooted host never sends queries to the world.
    if (ctx().config.root === '/' || ctx().config.blacklist.resolver !== null) blacklistMonitor(ctx()).ensureScheduled();
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        notifier?.stop();
        // The index update under way (and root's report after it) and the notifier's look finish before serve returns.
        background.stop();
        Promise.all([running.close(), metrics?.close(), background.idle(), notifier?.idle()]).then(() => resolve(), () => resolve());
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return EXIT.ok;
  },
};
