import type { Express } from 'express';
import { accountsOverview, accountView } from '../services/accountViewService';
import type { RouteDeps } from '.';

export function accountRoutes(app: Express, { ctx }: RouteDeps): void {
  app.get('/api/v1/accounts', async (req, res) => {
    res.json(await accountsOverview(ctx, req.identity!.viewer));
  });
  app.get('/api/v1/accounts/:name', async (req, res) => {
    res.json(await accountView(ctx, req.identity!.viewer, String(req.params.name)));
  });

  app.get('/accounts', async (req, res) => {
    const o = await accountsOverview(ctx, req.identity!.viewer);
    res.render('pages/accounts', { title: req.identity!.viewer.isRoot ? 'Accounts' : 'Your accounts', o });
  });
  app.get('/account/:name', async (req, res) => {
    const a = await accountView(ctx, req.identity!.viewer, String(req.params.name));
    res.render('pages/account', { title: `Account ${a.account}`, a });
  });
}
