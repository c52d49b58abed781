/**
 * The audit entry for a request relaywatch refused before any route acted on it: a state change
 * without its form token, a path traversal, identity headers sent over TCP. Never rejects: a failed
 * record must not change or hide the refusal.
 */
import type { Request } from 'express';
import { appendAudit } from '../audit/audit';
import { CoreContext } from '../services/context';

export function auditRefusedRequest(
  ctx: CoreContext,
  req: Request,
  refusal: { action: string; summary: string; user?: string; details?: Record<string, unknown> },
): Promise<void> {
  return appendAudit(ctx, {
    user: refusal.user ?? req.identity?.user ?? 'unknown',
    via: 'web',
    action: refusal.action,
    target: `${req.method} ${req.path}`.slice(0, 300),
    outcome: 'refused',
    summary: refusal.summary,
    details: { from: req.identity?.remoteAddr ?? req.socket.remoteAddress ?? null, ...refusal.details },
  }).then(
    () => undefined,
    () => undefined,
  );
}
