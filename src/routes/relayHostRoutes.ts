import type { Express } from 'express';
import { explain } from '../services/explainService';
import type { RouteDeps } from '.';

export function relayHostRoutes(app: Express, { ctx }: RouteDeps): void {
  app.get('/api/v1/relay-hosts', async (req, res) => {
    res.json(await explain(ctx, req.identity!.viewer));
  });

  app.get('/', async (req, res) => {
    const report = await explain(ctx, req.identity!.viewer);
    res.render('pages/dashboard', { title: 'Relay hosts', report });
  });
}
