import type { Express } from 'express';
import { indexProgress } from '../scan/loginIndexDaemon';
import type { RouteDeps } from './deps';

/**
 * GET /api/v1/index/progress: how far the daemon is in reading the mail logs into the login index
 * (the dashboard shows it as a progress bar while the index is built). No paths or counts of
 * anyone's mail: state and percentage only, so every viewer may ask.
 */
export function indexRoutes(app: Express, { ctx }: RouteDeps): void {
  app.get('/api/v1/index/progress', (_req, res) => {
    const p = indexProgress(ctx);
    res.json({ state: p.state, percent: p.percent, startedAt: p.startedAt, finishedAt: p.finishedAt });
  });
}
