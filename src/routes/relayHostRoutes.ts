import type { Express } from 'express';
import { INDEX_BUILDING_HEADER, ROOT_HEADER } from '../http/daemonHeaders';
import { indexStillBuilding } from '../scan/loginIndexDaemon';
import { explainEncoded } from '../services/explainService';
import type { RouteDeps } from './deps';

// The page for these hosts is the dashboard (dashboardRoutes.ts).

export function relayHostRoutes(app: Express, { ctx }: RouteDeps): void {
  app.get('/api/v1/relay-hosts', async (req, res) => {
    // The report is encoded once per change (explainEncoded), not once per request.
    const r = await explainEncoded(ctx, req.identity!.viewer);
    res.set('ETag', r.etag).vary('Accept-Encoding').type('json');
    // For `relaywatch explain`, which asks the daemon (cli/daemonClient.ts): which host this is, and
    // whether the answer waits for the index's first build.
    res.set(ROOT_HEADER, encodeURIComponent(ctx.config.root));
    if (indexStillBuilding(ctx)) res.set(INDEX_BUILDING_HEADER, '1');
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    if (req.acceptsEncodings('gzip', 'identity') === 'gzip') res.set('Content-Encoding', 'gzip').send(r.gzip);
    else res.send(r.json);
  });
}
