/**
 * Monitoring: the Nagios check and the notifier, as JSON and as a page (root only).
 *
 *   GET /api/v1/check     what `relaywatch check --json` prints
 *   GET /api/v1/notify    where the server's notices go, what was sent, what failed
 *   GET /monitoring       both, with the set-up for Nagios/Icinga and Prometheus
 *
 * The Prometheus metrics are not served here: `serve --metrics-listen` serves them on an address
 * of their own, without the WHM login.
 */
import type { Express } from 'express';
import { checkReport } from '../watch/checkService';
import { notifyView } from '../watch/notifyView';
import type { RouteDeps } from './deps';

export function watchRoutes(app: Express, { ctx }: RouteDeps): void {
  app.get('/api/v1/check', async (req, res) => {
    res.json(await checkReport(ctx, req.identity!.viewer));
  });
  app.get('/api/v1/notify', async (req, res) => {
    res.json(await notifyView(ctx, req.identity!.viewer));
  });
  app.get('/monitoring', async (req, res) => {
    const viewer = req.identity!.viewer;
    const notify = await notifyView(ctx, viewer);
    const check = await checkReport(ctx, viewer);
    res.render('pages/monitoring', { title: 'Monitoring', check, notify, metricsListen: ctx.config.metrics.listen });
  });
}
