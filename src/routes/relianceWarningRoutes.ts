/**
 * Warning the mailboxes that rely on POP-before-SMTP (root only):
 *
 *   GET  /api/v1/reliance/warning   the plan: recipients and messages (?when=YYYY-MM-DD&again=1&days=N); nothing sent
 *   POST /api/v1/reliance/warning   { when?, again?, days?, csrf }: send, one message per mailbox, each audited
 *   GET  /reliance/warn, POST /reliance/warn: the page before confirming, and the result
 */
import type { Express, Request } from 'express';
import { AppError } from '../http/appError';
import { verifyCsrf } from '../http/csrf';
import { Actor } from '../audit/audit';
import { parseDays } from '../services/relianceService';
import { planWarning, sendWarnings, WarningOptions } from '../watch/relianceWarning';
import type { RouteDeps } from './deps';

function field(source: unknown, name: string): string | undefined {
  const v = (source && typeof source === 'object' ? (source as Record<string, unknown>)[name] : undefined);
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  if (typeof v !== 'string') throw AppError.badRequest(`"${name}" must be given once.`);
  return v;
}

function optionsOf(source: unknown, fallbackDays: number): WarningOptions {
  const again = field(source, 'again');
  return { when: field(source, 'when') || undefined, again: again === '1' || again === 'true' || again === 'on', days: parseDays(field(source, 'days'), fallbackDays) };
}

function actorOf(req: Request): Actor {
  return { user: req.identity!.user, via: 'web', from: req.identity!.remoteAddr ? `address ${req.identity!.remoteAddr}` : undefined };
}

export function relianceWarningRoutes(app: Express, deps: RouteDeps): void {
  const { ctx } = deps;
  const days = ctx.config.evidence.days;
  app.get('/api/v1/reliance/warning', async (req, res) => {
    res.json({ dryRun: true, ...(await planWarning(ctx, req.identity!.viewer, optionsOf(req.query, days))) });
  });
  app.post('/api/v1/reliance/warning', verifyCsrf(deps.secret), async (req, res) => {
    const result = await sendWarnings(ctx, actorOf(req), req.identity!.viewer, optionsOf(req.body, days));
    res.status(result.failed ? 502 : 200).json(result);
  });
  app.get('/reliance/warn', async (req, res) => {
    const opts = optionsOf(req.query, days);
    const plan = await planWarning(ctx, req.identity!.viewer, opts);
    res.render('pages/relianceWarn', { title: 'Warn the mailboxes first', plan, again: opts.again === true });
  });
  app.post('/reliance/warn', verifyCsrf(deps.secret), async (req, res) => {
    const result = await sendWarnings(ctx, actorOf(req), req.identity!.viewer, optionsOf(req.body, days));
    res.status(result.failed ? 502 : 200);
    res.render('pages/relianceWarnResult', { title: 'Warnings sent', result });
  });
}
