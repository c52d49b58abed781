/**
 * Builds the relaywatch Express app from a core context and an identity source. No side effects on
 * import and no listening here: src/server.ts does that.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import ejs from 'ejs';
import express, { type NextFunction, type Request, type Response } from 'express';
import { AppError, isAppError } from './http/appError';
import { csrfTokens, verifyCsrf } from './http/csrf';
import { hostGuard } from './http/hostGuard';
import { htmlText } from './http/htmlText';
import { IdentitySource, identityMiddleware } from './http/identity';
import { linkTo } from './http/links';
import { traversalProbe } from './http/pathProbe';
import { auditRefusedRequest } from './http/refusalAudit';
import { nextNonce } from './http/nonce';
import { createPageCache } from './http/pageCache';
import { timeTag } from './http/timeTag';
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
  /**
   * The Host values a loopback development server answers to (hostGuard.ts): any other Host is
   * refused, and a change must come from one of them. Not set on the WHM socket.
   */
  allowedHosts?: readonly string[];
}

/** What a library's error means for the client: a body error or a missing static file is the client's, anything else ours. */
function appErrorOf(err: unknown): AppError {
  const type = (err as { type?: unknown }).type;
  const status = (err as { status?: unknown; statusCode?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
  if (type === 'entity.parse.failed') return AppError.badRequest('The request body is not valid.');
  if (type === 'entity.too.large') return new AppError(413, 'too_large', 'The request body is too large.');
  if (typeof type === 'string' && (status === 400 || status === 415)) return new AppError(status, 'bad_body', 'The request body cannot be read (its encoding or character set is not supported).');
  // serve-static's "not found" (a missing /assets/… file) or "forbidden" (a `..` in its path) is a
  // plain 404, not a fault with a stack trace.
  if (status === 404 || status === 403) return AppError.notFound('No such file.');
  if (typeof status === 'number' && status >= 400 && status < 500 && (err as { expose?: unknown }).expose === true) return new AppError(status, 'bad_request', 'The request cannot be answered.');
  return AppError.internal('Something went wrong inside relaywatch; the daemon log has the details.');
}

export function createApp(ctx: CoreContext, opts: AppOptions): express.Express {
  const app = express();
  const secret = opts.secret ?? crypto.randomBytes(32);
  const devSession = `dev-${crypto.randomBytes(8).toString('hex')}`;
  const tokenFor = csrfTokens(secret);
  const assets = assetSet(ASSETS_DIR);

  app.disable('x-powered-by');
  // Every template's `<%= %>` goes through one escaping that also shows control and bidi characters
  // as marks (htmlText.ts): no page has to remember to clean log text itself.
  app.engine('ejs', (file: string, data: object, done: (e: unknown, html?: string) => void) => {
    ejs.renderFile(file, data as ejs.Data, { escape: htmlText, cache: (data as { cache?: boolean }).cache === true }, done);
  });
  app.set('view engine', 'ejs');
  app.set('views', TEMPLATES_DIR);
  app.set('query parser', 'simple');
  // Templates print every time through it: <%- time(iso) %> (escaped inside).
  app.locals.time = timeTag;

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

  if (opts.allowedHosts) app.use(hostGuard(ctx, opts.allowedHosts));

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
    const e = isAppError(err) ? err : appErrorOf(err);
    if (!isAppError(err) && e.status === 500) console.error(err);
    // A request body refused before any route read it (not valid, too large, an unknown charset or
    // encoding) is recorded like any other refused state change. (Routes record their own refusals.)
    if (!isAppError(err) && typeof (err as { type?: unknown }).type === 'string' && req.method !== 'GET' && req.method !== 'HEAD' && e.status >= 400 && e.status < 500) {
      void auditRefusedRequest(ctx, req, { action: 'http.refused', summary: `${e.message} (${e.status})`, details: { bodyError: String((err as { type: string }).type).slice(0, 60) } });
    }
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
