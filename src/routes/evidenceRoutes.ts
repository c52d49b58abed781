/**
 * Mail evidence: who relies on POP-before-SMTP (page, JSON, CSV for the warning mail), the
 * autoresponder inventory, and the backscatter sources with the traffic around a listing time.
 */
import type { Express, Request } from 'express';
import { parseListingTime } from '../domain/backscatter';
import { relianceCsv } from '../domain/relianceCsv';
import { AppError } from '../http/appError';
import { traversalProbe } from '../http/pathProbe';
import { auditRefusedRequest } from '../http/refusalAudit';
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

/** A form field's value that could not be used: the page shows the message beside that field. */
interface FieldError {
  field: string;
  message: string;
}

/**
 * Reads one form field for a page: a bad value does not replace the page with an error; the page is
 * shown with the default in its place and the message beside the field (HTTP 400). JSON routes
 * still refuse bad values outright.
 */
function fieldOr<T>(errors: FieldError[], field: string, read: () => T, fallback: T): T {
  try {
    return read();
  } catch (e) {
    if (!(e instanceof AppError) || e.status !== 400) throw e;
    errors.push({ field, message: e.message });
    return fallback;
  }
}

export function evidenceRoutes(app: Express, { ctx }: RouteDeps): void {
  /** A page shown with its bad fields refused answers 400; an attempt to reach files that way is audited, as the error handler does. */
  const refused = (req: Request, errors: FieldError[]): void => {
    const probe = traversalProbe(req.originalUrl);
    if (probe) void auditRefusedRequest(ctx, req, { action: 'http.refused', summary: `path traversal (${probe}): ${errors.map((e) => e.message).join(' ')}`, details: { url: req.originalUrl.slice(0, 500) } });
  };
  const days = (req: Request): number => parseDays(query(req, 'days'), ctx.config.evidence.days);
  const pageDays = (req: Request, errors: FieldError[]): number => fieldOr(errors, 'days', () => days(req), ctx.config.evidence.days);
  const raw = (req: Request, name: string): string => (typeof req.query[name] === 'string' ? (req.query[name] as string) : '');

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
    const errors: FieldError[] = [];
    const d = pageDays(req, errors);
    const report = await relianceReport(ctx, req.identity!.viewer, { days: d });
    if (errors.length) {
      res.status(400);
      refused(req, errors);
    }
    res.render('pages/reliance', { title: 'Who relies on POP-before-SMTP', report, days: d, errors, given: { days: raw(req, 'days') } });
  });

  app.get('/api/v1/autoresponders', async (req, res) => {
    res.json(await autoresponderReport(ctx, req.identity!.viewer, { days: days(req) }));
  });
  app.get('/autoresponders', async (req, res) => {
    const errors: FieldError[] = [];
    const d = pageDays(req, errors);
    const report = await autoresponderReport(ctx, req.identity!.viewer, { days: d });
    if (errors.length) {
      res.status(400);
      refused(req, errors);
    }
    res.render('pages/autoresponders', { title: 'Autoresponders', report, days: d, errors, given: { days: raw(req, 'days') } });
  });

  app.get('/api/v1/backscatter', async (req, res) => {
    res.json(await backscatterReport(ctx, req.identity!.viewer, { days: days(req), at: atOf(req), windowMinutes: windowOf(req) }));
  });
  app.get('/backscatter', async (req, res) => {
    const errors: FieldError[] = [];
    const d = pageDays(req, errors);
    const windowMinutes = fieldOr(errors, 'window', () => windowOf(req), DEFAULT_WINDOW_MINUTES);
    const at = fieldOr(errors, 'at', () => atOf(req), null);
    const report = await backscatterReport(ctx, req.identity!.viewer, { days: d, at, windowMinutes });
    if (errors.length) {
      res.status(400);
      refused(req, errors);
    }
    res.render('pages/backscatter', {
      title: 'Backscatter sources', report, days: d, at: raw(req, 'at'), windowMinutes, errors, emptyWindowText,
      given: { days: raw(req, 'days'), window: raw(req, 'window') },
    });
  });
}
