/**
 * POP-before-SMTP status and control, and the audit log: JSON routes and pages.
 *
 *   GET  /api/v1/status                 the status report (root only)
 *   GET  /api/v1/pop-before-smtp        what disable/enable would do (?action=…&driverToo=1), nothing changed
 *   POST /api/v1/pop-before-smtp        { action: "disable"|"enable", driverToo?, csrf }: do it (root only)
 *   GET  /api/v1/audit                  the audit log (?limit=N, root only)
 *   GET  /status, /status/confirm, POST /status/change (303 to GET /status/result?id=…), GET /audit: the pages
 *
 * A POST from a reseller is refused and audited. A POST without a valid CSRF token is refused by the
 * app-wide gate (app.ts) before it gets here; the routes check it again all the same.
 */
import type { Express, Request } from 'express';
import { requireRoot } from '../domain/scope';
import { AppError } from '../http/appError';
import { verifyCsrf } from '../http/csrf';
import { linkTo } from '../http/links';
import { Actor, readAudit } from '../audit/audit';
import { changeRecord } from '../services/changeRecord';
import { ChangeRequest, changePopBeforeSmtp, parseAction, previewChange } from '../services/popBeforeSmtpControl';
import { publicStatus, statusReport } from '../services/statusService';
import { snapshotOf } from '../services/relaySnapshot';
import { readWarnings } from '../watch/relianceWarning';
import type { RouteDeps } from './deps';
import { whmPrefix } from './dashboardRoutes';

/** WHM's own pages for the same switches (a link inside WHM, directions outside it). */
export const WHM_LINKS = {
  serviceManager: {
    kind: 'whm' as const,
    label: 'Service Manager',
    path: '/scripts/srvmng',
    where: 'Service Configuration » Service Manager » tailwatchd',
  },
  tweakSettings: {
    kind: 'whm' as const,
    label: 'Tweak Settings → Mail',
    path: '/scripts2/tweaksettings',
    query: { find: 'popbeforesmtp' },
    where: 'Server Configuration » Tweak Settings » Mail » Pop-before-SMTP',
  },
};

function actorOf(req: Request): Actor {
  return { user: req.identity!.user, via: 'web', from: req.identity!.remoteAddr ? `address ${req.identity!.remoteAddr}` : undefined };
}

function truthy(v: unknown): boolean {
  return v === true || v === '1' || v === 'on' || v === 'true' || v === 'yes';
}

function changeRequest(source: unknown): ChangeRequest {
  const body = (source && typeof source === 'object' ? source : {}) as Record<string, unknown>;
  return { action: parseAction(body.action), driverToo: truthy(body.driverToo) };
}

/**
 * For a change, the action goes to changePopBeforeSmtp unchecked: it refuses anything but
 * enable/disable itself and puts the refused value on record (checked here, it left no audit line).
 */
function uncheckedChangeRequest(source: unknown): ChangeRequest {
  const body = (source && typeof source === 'object' ? source : {}) as Record<string, unknown>;
  return { action: body.action as ChangeRequest['action'], driverToo: truthy(body.driverToo) };
}

export function statusRoutes(app: Express, deps: RouteDeps): void {
  const { ctx } = deps;

  app.get('/api/v1/status', async (req, res) => {
    res.json(publicStatus(await statusReport(ctx, req.identity!.viewer)));
  });

  app.get('/api/v1/pop-before-smtp', async (req, res) => {
    res.json(await previewChange(ctx, req.identity!.viewer, changeRequest(req.query)));
  });

  app.post('/api/v1/pop-before-smtp', verifyCsrf(deps.secret), async (req, res) => {
    const result = await changePopBeforeSmtp(ctx, actorOf(req), req.identity!.viewer, uncheckedChangeRequest(req.body));
    // A change that failed is answered 502: the cPanel program failed or did not take.
    res.status(result.outcome === 'failed' ? 502 : 200).json(result);
  });

  app.get('/api/v1/audit', async (req, res) => {
    requireRoot(req.identity!.viewer, 'read the audit log');
    res.json(await readAudit(ctx, { limit: limitOf(req.query.limit) }));
  });

  app.get('/status', async (req, res) => {
    const s = await statusReport(ctx, req.identity!.viewer);
    res.render('pages/status', { title: 'POP-before-SMTP', s, whm: whmPrefix(req), links: WHM_LINKS, warnings: await readWarnings(ctx) });
  });

  app.get('/status/confirm', async (req, res) => {
    const preview = await previewChange(ctx, req.identity!.viewer, changeRequest(req.query));
    res.render('pages/statusConfirm', {
      title: preview.action === 'disable' ? 'Turn POP-before-SMTP off?' : 'Turn POP-before-SMTP on?',
      p: preview,
      whm: whmPrefix(req),
      links: WHM_LINKS,
    });
  });

  // Post/redirect/get: the change answers 303 to its result page, which reads the audit entry.
  // Reloading, bookmarking or going back to that page shows the same result and runs nothing.
  app.post('/status/change', verifyCsrf(deps.secret), async (req, res) => {
    const result = await changePopBeforeSmtp(ctx, actorOf(req), req.identity!.viewer, uncheckedChangeRequest(req.body));
    res.redirect(303, linkTo(req.identity!.base, '/status/result', { id: result.audit.id }));
  });

  app.get('/status/result', async (req, res) => {
    const record = await changeRecord(ctx, req.identity!.viewer, req.query.id);
    res.render('pages/statusResult', { title: 'POP-before-SMTP', r: record, whm: whmPrefix(req), links: WHM_LINKS });
  });

  app.get('/audit', async (req, res) => {
    requireRoot(req.identity!.viewer, 'read the audit log');
    res.render('pages/audit', { title: 'Audit log', log: await readAudit(ctx, { limit: limitOf(req.query.limit) }), snapshotOf });
  });
}

function limitOf(v: unknown): number {
  if (v === undefined || v === '') return 100;
  if (typeof v !== 'string' || !/^\d{1,5}$/.test(v) || Number(v) < 1) throw AppError.badRequest('limit must be a whole number from 1 to 99999.');
  return Number(v);
}
