/**
 * The development server (`serve --listen 127.0.0.1:PORT`) against DNS rebinding: a web page on a
 * name its owner points at 127.0.0.1 runs in the browser of someone on this machine, and its
 * requests reach the loopback server as that page's own origin. Two rules close that door:
 *
 * - Only the listen address's own Host values are answered (`127.0.0.1:PORT`, `[::1]:PORT`, and
 *   `localhost:PORT`, a name no outsider can point anywhere); any other Host is refused with 421
 *   before anything is read, so such a page can read neither data nor a form token.
 * - A state change must come from the same origin: its Origin header (or, without one, its Referer)
 *   must be `http://` plus one of those Host values. A request with neither is refused too.
 *
 * Every refusal is written to the audit log (refusalAudit.ts, which bounds repeated ones).
 * The WHM socket needs none of this: only root can connect to it.
 */
import type { NextFunction, Request, Response } from 'express';
import { AppError } from './appError';
import { auditRefusedRequest } from './refusalAudit';
import { CoreContext } from '../services/context';

/** The Host values a loopback listener answers to, from the address it is bound to. */
export function listenHostValues(address: string, port: number): string[] {
  const literal = address.includes(':') ? `[${address}]` : address;
  const names = [literal, 'localhost'];
  return names.flatMap((n) => (port === 80 ? [`${n}:${port}`, n] : [`${n}:${port}`]));
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function hostGuard(ctx: CoreContext, allowedHosts: readonly string[]) {
  const hosts = new Set(allowedHosts.map((h) => h.toLowerCase()));
  const origins = new Set(allowedHosts.map((h) => `http://${h.toLowerCase()}`));
  const shown = (v: unknown): string => String(v ?? '').slice(0, 200);
  return (req: Request, _res: Response, next: NextFunction): void => {
    const host = typeof req.headers.host === 'string' ? req.headers.host.toLowerCase() : '';
    if (!hosts.has(host)) {
      void auditRefusedRequest(ctx, req, {
        action: 'http.refused',
        summary: 'a request for another host name was refused (DNS rebinding protection)',
        details: { host: shown(req.headers.host) },
      });
      return next(new AppError(421, 'wrong_host', `This development server answers only as http://${allowedHosts[0]}/; the host name "${shown(req.headers.host)}" is refused.`));
    }
    if (SAFE_METHODS.has(req.method)) return next();
    const origin = req.headers.origin;
    const referer = req.headers.referer;
    let from: string | null = null;
    if (typeof origin === 'string') from = origin.toLowerCase();
    else if (typeof referer === 'string') {
      try {
        from = new URL(referer).origin.toLowerCase();
      } catch {
        from = 'invalid';
      }
    }
    if (from === null || !origins.has(from)) {
      void auditRefusedRequest(ctx, req, {
        action: 'http.refused',
        summary: from === null ? 'a change without Origin or Referer was refused' : 'a change from another origin was refused',
        details: { origin: shown(origin), referer: shown(referer) },
      });
      return next(new AppError(403, 'cross_origin', 'Changes are accepted only from relaywatch\'s own pages (the request\'s Origin is not this server).'));
    }
    next();
  };
}
