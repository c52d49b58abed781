/**
 * A POP-before-SMTP change as its audit entry keeps it: what the result page shows. The page is
 * found again by the entry's id (/status/result?id=…), so it can be reloaded, bookmarked and gone
 * back to, and neither runs the change again: after the POST that made the change, the browser is
 * sent to this page (post/redirect/get).
 */
import { requireRoot, Viewer } from '../domain/scope';
import { AppError } from '../http/appError';
import { AUDIT_ID, findAuditEntry } from '../audit/audit';
import { CoreContext } from './context';
import { RelaySnapshot, snapshotOf } from './relaySnapshot';

export interface ChangeRecord {
  id: string;
  time: string;
  user: string;
  via: string;
  /** "disable" or "enable" */
  action: string;
  outcome: string;
  verified: boolean;
  summary: string;
  error: string | null;
  evidence: string[];
  /** the state read right after the change; null in entries written before it was kept */
  after: { relayingAllowed: boolean; why: string; disagreements: string[] } | null;
  undo: string[];
  generation: string | null;
  auditPath: string;
  /** the relay list as it was just before the change, when the entry kept it */
  relayListBefore: RelaySnapshot | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** The change with this audit id. Root only (as the change itself); 400 for a malformed id, 404 for an unknown one. */
export async function changeRecord(ctx: CoreContext, viewer: Viewer, id: unknown): Promise<ChangeRecord> {
  requireRoot(viewer, 'see the result of a POP-before-SMTP change');
  if (typeof id !== 'string' || !AUDIT_ID.test(id)) throw AppError.badRequest('The change id must be 16 hexadecimal digits.');
  const e = await findAuditEntry(ctx, id);
  if (!e || !e.action.startsWith('pop-before-smtp.')) throw AppError.notFound(`No POP-before-SMTP change with id ${id} in the audit log ${ctx.config.auditLog}.`);
  const d = (e.details ?? {}) as Record<string, unknown>;
  const after = d.after && typeof d.after === 'object' ? (d.after as Record<string, unknown>) : null;
  return {
    id,
    time: e.time,
    user: e.user,
    via: e.via,
    action: e.action.slice('pop-before-smtp.'.length),
    outcome: e.outcome,
    verified: d.verified === true,
    summary: e.summary,
    error: str(d.error),
    evidence: e.evidence,
    after: after && typeof after.relayingAllowed === 'boolean' && typeof after.why === 'string'
      ? { relayingAllowed: after.relayingAllowed, why: after.why, disagreements: strings(after.disagreements) }
      : null,
    undo: strings(d.undo),
    generation: str(d.generation),
    auditPath: ctx.config.auditLog,
    relayListBefore: snapshotOf(e),
  };
}
