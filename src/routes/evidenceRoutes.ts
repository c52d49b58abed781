/**
 * Mail evidence: who relies on POP-before-SMTP (page, JSON, CSV for the warning mail), the
 * autoresponder inventory, and the backscatter sources with the traffic around a listing time.
 */
import type { Express, Request } from 'express';
import { parseListingTime } from '../domain/backscatter';
import { relianceCsv } from '../domain/relianceCsv';
import { AppError } from '../http/appError';
import { autoresponderReport } from '../services/autoresponderService';
import { backscatterReport, DEFAULT_WINDOW_MINUTES, emptyWindowText } from '../services/backscatterService';
import { parseDays, relianceReport } from '../services/relianceService';
import type { RouteDeps } from './deps';

function query(req: Request, name: string): string | undefined {
  const v = req.query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw AppError.badRequest(`The query parameter "${name}" must be given once.`);
  return v;
}

function windowOf(req: Request): number {
  const w = query(req, 'window');
  if (w === undefined || w === '') return DEFAULT_WINDOW_MINUTES;
  if (!/^\d{1,4}$/.test(w)) throw AppError.badRequest('window must be a whole number of minutes.');
  return Number(w);
}

function atOf(req: Request): Date | null {
  const at = query(req, 'at');
  return at === undefined || at.trim() === '' ? null : parseListingTime(at);
}

export function evidenceRoutes(app: Express, { ctx }: RouteDeps): void {
  const days = (req: Request): number => parseDays(query(req, 'days'), ctx.config.evidence.days);

  app.get('/api/v1/reliance', async (req, res) => {
    res.json(await relianceReport(ctx, req.identity!.viewer, { days: days(req) }));
  });
  app.get('/reliance.csv', async (req, res) => {
    const d = days(req);
    const report = await relianceReport(ctx, req.identity!.viewer, { days: d });
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="pop-before-smtp-users-${d}d.csv"`);
    res.send(relianceCsv(report));
  });
  app.get('/reliance', async (req, res) => {
    const d = days(req);
    const report = await relianceReport(ctx, req.identity!.viewer, { days: d });
    res.render('pages/reliance', { title: 'Who relies on POP-before-SMTP', report, days: d });
  });

  app.get('/api/v1/autoresponders', async (req, res) => {
    res.json(await autoresponderReport(ctx, req.identity!.viewer, { days: days(req) }));
  });
  app.get('/autoresponders', async (req, res) => {
    const d = days(req);
    const report = await autoresponderReport(ctx, req.identity!.viewer, { days: d });
    res.render('pages/autoresponders', { title: 'Autoresponders', report, days: d });
  });

  app.get('/api/v1/backscatter', async (req, res) => {
    res.json(await backscatterReport(ctx, req.identity!.viewer, { days: days(req), at: atOf(req), windowMinutes: windowOf(req) }));
  });
  app.get('/backscatter', async (req, res) => {
    const d = days(req);
    const windowMinutes = windowOf(req);
    const report = await backscatterReport(ctx, req.identity!.viewer, { days: d, at: atOf(req), windowMinutes });
    res.render('pages/backscatter', { title: 'Backscatter sources', report, days: d, at: query(req, 'at') ?? '', windowMinutes, emptyWindowText });
  });
}
