import type { Express } from 'express';
import { explain } from '../services/explainService';
import type { RouteDeps } from '.';

// The page for these hosts is the dashboard (dashboardRoutes.ts).

export function relayHostRoutes(app: Express, { ctx }: RouteDeps): void {
  app.get('/api/v1/relay-hosts', async (req, res) => {
    res.json(await explain(ctx, req.identity!.viewer));
  });
}
