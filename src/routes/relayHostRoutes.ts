import type { Express } from 'express';
import { explainEncoded } from '../services/explainService';
import type { RouteDeps } from './deps';

// The page for these hosts is the dashboard (dashboardRoutes.ts).

export function relayHostRoutes(app: Express, { ctx }: RouteDeps): void {
  app.get('/api/v1/relay-hosts', async (req, res) => {
    // The report is encoded once per change (explainEncoded), not once per request.
    const r = await explainEncoded(ctx, req.identity!.viewer);
    res.set('ETag', r.etag).vary('Accept-Encoding').type('json');
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    if (req.acceptsEncodings('gzip', 'identity') === 'gzip') res.set('Content-Encoding', 'gzip').send(r.gzip);
    else res.send(r.json);
  });
}
