/**
 * Who is asking. In WHM the CGI bridge passes the WHM user and session over the root-only Unix socket
 * (see the socket server); on TCP only a fixed development user on loopback exists. Identity is never
 * read from a TCP request's headers.
 */
import { isIP } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import { viewerFor, Viewer } from '../domain/scope';
import { AppError } from './appError';
import { sharedAccounts } from '../services/accountsService';
import { auditRefusedRequest } from './refusalAudit';
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
  /** the browser's address as cpsrvd saw it (REMOTE_ADDR), for the audit log */
  remoteAddr: 'x-relaywatch-remote-addr',
} as const;

/** The WHM ACLs that open the plugin (the AppConfig's `acls`); viewerFor checks them again. */
export { PLUGIN_ACL, PLUGIN_ACLS } from '../domain/pluginAcl';

/** `/cpsess` and digits, as cpsrvd sets `cp_security_token`. */
const SECURITY_TOKEN = /^\/cpsess\d{1,32}$/;
/** The CGI's own URL under the token (`/cpsess…/cgi/relaywatch/index.cgi`). */
const BRIDGE_BASE = /^\/cpsess\d{1,32}\/cgi\/[A-Za-z0-9_.\/-]{1,200}$/;

export interface RequestIdentity {
  user: string;
  viewer: Viewer;
  /** WHM session token (`/cpsess0123456789`), or a per-process one in development */
  session: string;
  /** base URL of the CGI for links (`/cpsess…/cgi/relaywatch/index.cgi`), null when served directly */
  base: string | null;
  /** the browser's address: cpsrvd's REMOTE_ADDR through the bridge, else the TCP peer */
  remoteAddr?: string | null;
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
      let remoteAddr: string | null = req.socket.remoteAddress ?? null;
      if (source.kind === 'dev') {
        user = source.user;
        session = devSession;
        // Only the CGI bridge may say who is asking, and only on the root-only socket: on TCP the
        // headers change nothing, and someone sending them is recorded.
        const sent = Object.values(BRIDGE_HEADERS).filter((h) => req.headers[h] !== undefined);
        if (sent.length > 0) {
          void auditRefusedRequest(ctx, req, {
            action: 'http.identity-ignored',
            user: source.user,
            summary: `identity headers sent over TCP were ignored (${sent.join(', ')})`,
            details: { claimedUser: header(req, BRIDGE_HEADERS.user)?.slice(0, 64) ?? null },
          });
        }
      } else {
        user = header(req, BRIDGE_HEADERS.user);
        const token = header(req, BRIDGE_HEADERS.token);
        // Without the WHM session there is nothing to bind form tokens to: refuse rather than share one.
        if (!token || !SECURITY_TOKEN.test(token)) throw new AppError(401, 'no_session', 'No valid WHM security token came with this request.');
        session = token;
        base = header(req, BRIDGE_HEADERS.base);
        if (base !== null && !(BRIDGE_BASE.test(base) && base.startsWith(`${token}/`))) throw AppError.badRequest('The CGI base URL is not valid.');
        const addr = header(req, BRIDGE_HEADERS.remoteAddr);
        remoteAddr = addr !== null && isIP(addr) !== 0 ? addr : null;
      }
      // Read once per change of the account files, not once per request (answerCache.ts).
      const accounts = await sharedAccounts(ctx);
      // refuses users who are neither root nor a reseller with one of PLUGIN_ACLS (domain/pluginAcl.ts)
      const viewer = viewerFor(user, accounts);
      req.identity = { user: viewer.user, viewer, session, base, remoteAddr };
      next();
    } catch (e) {
      next(e);
    }
  };
}
