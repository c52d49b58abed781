import type { Express, Request } from 'express';
import { dashboard } from '../services/dashboardService';
import { sendEncodedJson } from '../http/encodedJson';
import type { RouteDeps } from './deps';

/** WHM's session prefix (`/cpsess0123456789`) when served inside WHM, for links to WHM's own pages. */
export function whmPrefix(req: Request): string | null {
  const m = /^(\/cpsess\d+)\//.exec(req.identity?.base ?? '');
  return m ? m[1] : null;
}

/**
 * The overview lists this many relay IPs (unexplained first); `?hosts=all` lists every one. A busy
 * server's list runs into thousands, and the first screen must stay quick to render and to read.
 */
const DASHBOARD_HOST_ROWS = 100;

export function dashboardRoutes(app: Express, { ctx, pages }: RouteDeps): void {
  app.get('/api/v1/dashboard', async (req, res) => {
    // The same object for as long as its data is the same: encoded once, not per request.
    sendEncodedJson(req, res, await dashboard(ctx, req.identity!.viewer));
  });

  app.get('/', async (req, res, next) => {
    const d = await dashboard(ctx, req.identity!.viewer);
    const showAllHosts = req.query.hosts === 'all';
    pages.render(req, res, next, 'pages/dashboard', { title: 'Overview', d, whm: whmPrefix(req), showAllHosts, hostRows: DASHBOARD_HOST_ROWS }, `${d.version}:${showAllHosts}`);
  });
}
