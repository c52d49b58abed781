/**
 * Development server only: WHM's header loads same-origin scripts from WHM's own document root
 * (/cjt/…, /core/web-components/…), which cpsrvd serves on a real server. On loopback there is no
 * cpsrvd, so the development server serves those two folders of the host's WHM docroot itself
 * (the demo host holds small stand-ins there), scripts and style sheets only. Inside WHM the daemon
 * never sees these requests.
 */
import type { NextFunction, Request, Response } from 'express';
import { CoreContext } from '../services/context';

const DOCROOT = '/usr/local/cpanel/whostmgr/docroot';
const SERVED = /^\/(?:cjt|core)\/(?:[A-Za-z0-9_.-]+\/)*[A-Za-z0-9_-][A-Za-z0-9_.-]*\.(js|css)$/;
const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

export function devDocroot(ctx: CoreContext) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const m = SERVED.exec(req.path);
    if (!m || req.path.includes('..')) return next();
    ctx.host
      .readOptional(`${DOCROOT}${req.path}`)
      .then((text) => {
        if (text === null) return next();
        res.setHeader('Content-Type', TYPES[m[1]]);
        res.setHeader('Cache-Control', 'no-cache');
        res.send(text);
      })
      .catch(() => next());
  };
}
