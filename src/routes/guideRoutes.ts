import type { Express } from 'express';
import { guide } from '../services/dashboardService';
import { whmPrefix } from './dashboardRoutes';
import type { RouteDeps } from './deps';

export function guideRoutes(app: Express, { ctx, pages }: RouteDeps): void {
  app.get('/api/v1/guide', async (req, res) => {
    res.json(await guide(ctx, req.identity!.viewer));
  });

  app.get('/guide', async (req, res, next) => {
    const g = await guide(ctx, req.identity!.viewer);
    pages.render(req, res, next, 'pages/guide', { title: 'Guided check', g, whm: whmPrefix(req) }, g.version);
  });
}
