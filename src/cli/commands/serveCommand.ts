import { AppError } from '../../http/appError';
import { listenTcp, parseListen } from '../../server';
import { CliCommand, EXIT } from '../command';

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Serve the web interface (loopback TCP for development, or the WHM socket)',
  usage: 'relaywatch serve --listen 127.0.0.1:PORT --dev-user USER',
  options: { listen: { type: 'string' }, 'dev-user': { type: 'string' } },
  async run(r) {
    const listen = r.values.listen as string | undefined;
    const devUser = r.values['dev-user'] as string | undefined;
    if (!listen) throw AppError.badRequest('serve needs --listen HOST:PORT.');
    if (!devUser) throw AppError.badRequest('Serving on TCP needs --dev-user USER (the WHM user every request is taken to come from); inside WHM relaywatch listens on a Unix socket instead.');
    const ctx = r.context();
    const running = await listenTcp(ctx, parseListen(listen), devUser);
    r.io.err(
      `relaywatch: DEVELOPMENT MODE: every request is treated as WHM user "${devUser}".\n` +
        `relaywatch: serving host root ${ctx.config.root} at ${running.address}\n`,
    );
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        running.close().then(resolve, resolve);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return EXIT.ok;
  },
};
