import type { Express } from 'express';
import { requireRoot } from '../domain/scope';
import { verifyCsrf } from '../http/csrf';
import { linkTo } from '../http/links';
import { blacklistMonitor, BlacklistView } from '../services/blacklistService';
import type { RouteDeps } from './deps';

/** The JSON answer: the last result in the CLI's shape (or an empty one), its age and the running check. */
function apiBody(v: BlacklistView): Record<string, unknown> {
  const report = v.report ?? { checkedAt: null, verdict: null, summary: 'No blacklist check has finished yet.', ips: [], selfTest: [] };
  return { ...report, stale: v.stale, progress: v.progress, problem: v.problem };
}

/**
 * The blacklist results are about the server's own IPs, so only root (or a reseller with "all")
 * sees them; other resellers get 403. Reading never waits on DNS: a check runs in the background.
 */
export function blacklistRoutes(app: Express, { ctx, secret }: RouteDeps): void {
  const monitor = blacklistMonitor(ctx);

  app.get('/api/v1/blacklist', async (req, res) => {
    res.json(apiBody(await monitor.view(req.identity!.viewer)));
  });

  app.post('/api/v1/blacklist/refresh', verifyCsrf(secret), (req, res) => {
    requireRoot(req.identity!.viewer, 'start a blacklist check');
    monitor.ensureScheduled();
    const r = monitor.refresh();
    res.status(202).json({ started: r.started, progress: r.progress });
  });

  app.get('/blacklist', async (req, res) => {
    const v = await monitor.view(req.identity!.viewer);
    res.render('pages/blacklist', { title: 'Blacklists', v });
  });

  app.post('/blacklist/refresh', verifyCsrf(secret), (req, res) => {
    requireRoot(req.identity!.viewer, 'start a blacklist check');
    monitor.ensureScheduled();
    monitor.refresh();
    res.redirect(303, linkTo(req.identity!.base, '/blacklist'));
  });
}
