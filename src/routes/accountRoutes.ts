import type { Express } from 'express';
import { answerId } from '../cache/answerCache';
import { accountsOverview, accountView } from '../services/accountViewService';
import type { RouteDeps } from './deps';
import { sendEncodedJson } from '../http/encodedJson';

export function accountRoutes(app: Express, { ctx, pages }: RouteDeps): void {
  app.get('/api/v1/accounts', async (req, res) => {
    // A cached answer (the same object while its files are unchanged): 10,000 accounts encoded once.
    sendEncodedJson(req, res, await accountsOverview(ctx, req.identity!.viewer));
  });
  app.get('/api/v1/accounts/:name', async (req, res) => {
    res.json(await accountView(ctx, req.identity!.viewer, String(req.params.name)));
  });

  app.get('/accounts', async (req, res, next) => {
    const o = await accountsOverview(ctx, req.identity!.viewer);
    // A list of 10,000 accounts is rendered once per change of the overview, not per request.
    pages.render(req, res, next, 'pages/accounts', { title: req.identity!.viewer.isRoot ? 'Accounts' : 'Your accounts', o }, String(answerId(o)));
  });
  app.get('/account/:name', async (req, res) => {
    const a = await accountView(ctx, req.identity!.viewer, String(req.params.name));
    res.render('pages/account', { title: `Account ${a.account}`, a });
  });
}
