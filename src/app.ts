/**
 * Builds the relaywatch Express app from a core context and an identity source. No side effects on
 * import and no listening here: src/server.ts does that.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { AppError, isAppError } from './http/appError';
import { csrfTokens, verifyCsrf } from './http/csrf';
import { IdentitySource, identityMiddleware } from './http/identity';
import { linkTo } from './http/links';
import { traversalProbe } from './http/pathProbe';
import { auditRefusedRequest } from './http/refusalAudit';
import { nextNonce } from './http/nonce';
import { createPageCache } from './http/pageCache';
import { whmChromeMiddleware } from './http/whmChrome';
import { devDocroot } from './http/devDocroot';
import { assetRoutes, assetSet, assetUrl } from './http/assets';
import { registerRoutes } from './routes';
import { NAV_ITEMS } from './routes/nav';
import { CoreContext } from './services/context';

export const TEMPLATES_DIR = path.resolve(__dirname, '../templates');
export const ASSETS_DIR = path.join(TEMPLATES_DIR, 'assets');

export interface AppOptions {
  identity: IdentitySource;
  /** secret for CSRF tokens; random per process when not given */
  secret?: Buffer;
}

export function createApp(ctx: CoreContext, opts: AppOptions): express.Express {
  const app = express();
  const secret = opts.secret ?? crypto.randomBytes(32);
  const devSession = `dev-${crypto.randomBytes(8).toString('hex')}`;
  const tokenFor = csrfTokens(secret);
  const assets = assetSet(ASSETS_DIR);

  app.disable('x-powered-by');
  app.set('view engine', 'ejs');
  app.set('views', TEMPLATES_DIR);
  app.set('query parser', 'simple');

  app.use((_req, res, next) => {
    const nonce = nextNonce();
    res.locals.nonce = nonce;
    res.setHeader(
      'Content-Security-Policy',
      `default-src 'none'; script-src 'self' 'nonce-${nonce}'; style-src 'self' 'nonce-${nonce}'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'`,
    );
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'same-origin');
    res.setHeader('Cache-Control', 'no-store');
    // Defaults for pages rendered before the user is known (error pages); replaced below.
    res.locals.url = (route: string, query?: Record<string, string | number | undefined>) => linkTo(null, route, query);
    res.locals.asset = (name: string) => assetUrl(assets, name, null);
    res.locals.base = null;
    res.locals.identity = { user: 'unknown', viewer: { isRoot: false } };
    res.locals.currentRoute = '';
    res.locals.hostRoot = ctx.config.root;
    next();
  });

  // Static assets need no identity (they hold no data), so the daemon-down page can use them too.
  // Linked under content-hashed names (assets.ts); inside WHM cpsrvd serves them from the plugin's docroot folder.
  app.use('/assets', assetRoutes(ASSETS_DIR));

  // On loopback only: WHM's own scripts that its header loads, as cpsrvd would serve them.
  if (opts.identity.kind === 'dev') app.use(devDocroot(ctx));

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true, root: ctx.config.root });
  });

  app.use(identityMiddleware(ctx, opts.identity, devSession));
  // Bodies are read for state changes only: a GET (every page and report) has none to parse.
  const forms = express.urlencoded({ extended: false, limit: '64kb' });
  const json = express.json({ limit: '64kb' });
  app.use((req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    forms(req, res, (err?: unknown) => (err ? next(err) : json(req, res, next)));
  });
  app.use((req, res, next) => {
    const id = req.identity!;
    res.locals.identity = id;
    res.locals.csrf = tokenFor(id.user, id.session);
    res.locals.url = (route: string, query?: Record<string, string | number | undefined>) => linkTo(id.base, route, query);
    res.locals.asset = (name: string) => assetUrl(assets, name, id.base ? id.session : null);
    res.locals.base = id.base;
    res.locals.currentRoute = req.path;
    res.locals.navItems = NAV_ITEMS.filter((i) => id.viewer.isRoot || !i.rootOnly);
    next();
  });
  app.use(whmChromeMiddleware(ctx));
  // Every state change needs the session-bound form token, whatever route it reaches (routes check it too).
  const csrfGate = verifyCsrf(secret);
  app.use((req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    csrfGate(req, res, (err?: unknown) => {
      if (!err) return next();
      // A refused state change is recorded like any other attempt.
      void auditRefusedRequest(ctx, req, { action: 'http.refused', summary: isAppError(err) ? err.message : 'refused' }).then(() => next(err));
    });
  });

  registerRoutes(app, { ctx, secret, pages: createPageCache() });

  app.use((_req, _res, next) => next(AppError.notFound('No such page.')));
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = isAppError(err)
      ? err
      : (err as { type?: string }).type === 'entity.parse.failed'
        ? AppError.badRequest('The request body is not valid.')
        : (err as { type?: string }).type === 'entity.too.large'
          ? new AppError(413, 'too_large', 'The request body is too large.')
          : AppError.internal('Something went wrong inside relaywatch; the daemon log has the details.');
    if (!isAppError(err) && e.status === 500) console.error(err);
    // A refused attempt to reach files outside the routes is recorded (the refusal itself was the route's).
    // (State changes are audited by their own routes, refusals included.)
    const probe = (req.method === 'GET' || req.method === 'HEAD') && (e.status === 400 || e.status === 404) ? traversalProbe(req.originalUrl) : null;
    if (probe) void auditRefusedRequest(ctx, req, { action: 'http.refused', summary: `path traversal (${probe}): ${e.message}`, details: { url: req.originalUrl.slice(0, 500) } });
    res.status(e.status);
    const wantsJson = req.path.startsWith('/api/') || req.accepts(['html', 'json']) === 'json';
    if (wantsJson) {
      res.json({ error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } });
      return;
    }
    res.render('pages/error', { title: 'Error', error: e });
  });
  return app;
}
