/**
 * Who is asking. In WHM the CGI bridge passes the WHM user and session over the root-only Unix socket
 * (see the socket server); on TCP only a fixed development user on loopback exists. Identity is never
 * read from a TCP request's headers.
 */
import type { NextFunction, Request, Response } from 'express';
import { viewerFor, Viewer } from '../domain/scope';
import { loadAccounts } from '../services/accountsService';
import { CoreContext } from '../services/context';

export type IdentitySource =
  | { kind: 'dev'; user: string }
  /** requests arrive from the CGI bridge over the Unix socket; headers below are trusted */
  | { kind: 'socket' };

/** Headers the CGI bridge sets (only honoured on the socket). */
export const BRIDGE_HEADERS = {
  user: 'x-relaywatch-whm-user',
  token: 'x-relaywatch-security-token',
  base: 'x-relaywatch-base',
} as const;

export interface RequestIdentity {
  user: string;
  viewer: Viewer;
  /** WHM session token (`/cpsess0123456789`), or a per-process one in development */
  session: string;
  /** base URL of the CGI for links (`/cpsess…/cgi/relaywatch/index.cgi`), null when served directly */
  base: string | null;
}

declare module 'express-serve-static-core' {
  interface Request {
    identity?: RequestIdentity;
  }
}

function header(req: Request, name: string): string | null {
  const v = req.headers[name];
  return typeof v === 'string' && v.length > 0 ? v : null;
}

export function identityMiddleware(ctx: CoreContext, source: IdentitySource, devSession: string) {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    try {
      let user: string | null;
      let session: string;
      let base: string | null = null;
      if (source.kind === 'dev') {
        user = source.user;
        session = devSession;
      } else {
        user = header(req, BRIDGE_HEADERS.user);
        session = header(req, BRIDGE_HEADERS.token) ?? '';
        base = header(req, BRIDGE_HEADERS.base);
      }
      const viewer = viewerFor(user, await loadAccounts(ctx));
      req.identity = { user: viewer.user, viewer, session, base };
      next();
    } catch (e) {
      next(e);
    }
  };
}
