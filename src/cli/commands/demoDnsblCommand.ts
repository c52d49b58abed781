import { AppError } from '../../http/appError';
import { isLoopback, parseListen } from '../../server';
import { CliCommand, EXIT } from '../command';
import { terminalSafe } from '../terminal';

export const demoDnsblCommand: CliCommand = {
  name: 'demo-dnsbl',
  summary: 'Demo only: a local DNS server playing the blacklists for the demo host',
  usage: 'relaywatch demo-dnsbl --root DEMO-HOST --listen 127.0.0.1:PORT',
  options: { listen: { type: 'string' } },
  async run(r) {
    const listen = r.values.listen as string | undefined;
    if (!listen) throw AppError.badRequest('demo-dnsbl needs --listen 127.0.0.1:PORT.');
    const addr = parseListen(listen);
    if (!isLoopback(addr.host) || addr.host === 'localhost') throw AppError.badRequest(`demo-dnsbl listens on a loopback address only (127.0.0.1 or ::1), got ${addr.host}.`);
    const ctx = r.context();
    // Loaded here, not at the top: the DNS server is demo-only code (its packet library is a development dependency).
    const { startDnsblServer } = await import('../../demo/dnsblServer');
    const { demoDnsblPlanFor } = await import('../../demo/dnsblDemo');
    const plan = await demoDnsblPlanFor(ctx);
    const server = await startDnsblServer({ host: addr.host, port: addr.port, zones: plan.zones, records: plan.records });
    const root = ctx.config.root;
    r.io.err(
      [
        `relaywatch: demo DNS blacklist server on ${server.address} (UDP) for host root ${root}`,
        ...plan.story.map((l) => `  ${terminalSafe(l)}`),
        'Try:',
        `  relaywatch blacklist --root ${root} --resolver ${server.address}`,
        ...(ctx.config.blacklist.resolver === server.address
          ? [`The host's configuration already points the blacklist page at this server.`]
          : [`For the page, set the resolver in ${root}/etc/relaywatch/config.yaml:`, `  blacklist:\n    resolver: "${server.address}"`]),
        'Stop with Ctrl-C.',
        '',
      ].join('\n'),
    );
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        server.close().then(resolve, resolve);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return EXIT.ok;
  },
};
