import type { Express } from 'express';
import { isAppError } from '../http/appError';
import { search } from '../services/searchService';
import type { RouteDeps } from './deps';

export function searchRoutes(app: Express, { ctx }: RouteDeps): void {
  app.get('/api/v1/search', async (req, res) => {
    res.json(await search(ctx, req.identity!.viewer, req.query.q));
  });

  app.get('/search', async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q : '';
    if (q.trim() === '') {
      res.render('pages/search', { title: 'Search', answer: null, error: null, query: '' });
      return;
    }
    try {
      const answer = await search(ctx, req.identity!.viewer, q);
      res.render('pages/search', { title: 'Search', answer, error: null, query: q });
    } catch (e) {
      // A too-short query is answered on the search page itself, not on an error page.
      if (!isAppError(e) || e.status !== 400) throw e;
      res.status(400).render('pages/search', { title: 'Search', answer: null, error: e.message, query: q });
    }
  });
}
