/**
 * CSRF tokens bound to the WHM session: HMAC(secret, user + session). cpsrvd already checks the
 * cpsess token in the URL; this second check makes a state change need a token that only a page
 * rendered for this user in this session contains.
 */
import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from './appError';

export function csrfToken(secret: Buffer, user: string, session: string): string {
  return crypto.createHmac('sha256', secret).update(`${user}\n${session}`).digest('base64url');
}

/**
 * csrfToken for every request of a session: the HMAC is computed once per user and session (a page
 * answered from the page cache costs less than computing it). Bounded: the oldest are forgotten.
 */
export function csrfTokens(secret: Buffer, max = 1000): (user: string, session: string) => string {
  const known = new Map<string, string>();
  return (user, session) => {
    const key = `${user}\n${session}`;
    let token = known.get(key);
    if (token === undefined) {
      token = csrfToken(secret, user, session);
      if (known.size >= max) known.delete(known.keys().next().value!);
      known.set(key, token);
    }
    return token;
  };
}

export function verifyCsrf(secret: Buffer) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const id = req.identity;
    const sent = (req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>).csrf : undefined) ?? req.headers['x-csrf-token'];
    if (!id || typeof sent !== 'string') return next(new AppError(403, 'csrf', 'This change needs a valid form token; reload the page and try again.'));
    const want = Buffer.from(csrfToken(secret, id.user, id.session));
    const got = Buffer.from(sent);
    if (want.length !== got.length || !crypto.timingSafeEqual(want, got)) {
      return next(new AppError(403, 'csrf', 'The form token does not match this WHM session; reload the page and try again.'));
    }
    next();
  };
}
