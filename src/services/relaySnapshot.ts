/**
 * The relay list as it was just before a change to POP-before-SMTP, for the change's audit entry.
 * Turning the tracker off empties the list, and the list is the evidence: afterwards nothing else
 * would say which IPs could relay, why, and for whom.
 */
import { HostStatus } from '../domain/explain';
import { Viewer } from '../domain/scope';
import { AuditEntry } from '../audit/audit';
import { CoreContext } from './context';
import { explain } from './explainService';

export interface RelaySnapshotHost {
  ip: string;
  status: HostStatus;
  users: string[];
  accounts: string[];
}

export interface RelaySnapshot {
  takenAt: string;
  relayList: string;
  /** explain's verdict at that moment */
  verdict: string;
  hosts: RelaySnapshotHost[];
  /** hosts left out to keep the audit line bounded (the first MAX_HOSTS, unexplained first, are kept) */
  omitted: number;
  /** what could not be read then (with verdict `unknown` the statuses are not to be trusted) */
  problems: string[];
  /** why no snapshot could be taken (the change goes ahead all the same) */
  error?: string;
}

/** Bounds that keep one audit line well under the audit reader's 2 MiB tail. */
const MAX_HOSTS = 2000;
const MAX_USERS = 10;

const ROOT: Viewer = { user: 'root', isRoot: true, accounts: new Set() };

export async function relayListSnapshot(ctx: CoreContext): Promise<RelaySnapshot> {
  const takenAt = ctx.now().toISOString();
  try {
    const r = await explain(ctx, ROOT);
    return {
      takenAt,
      relayList: r.relayList,
      verdict: r.verdict,
      hosts: r.hosts.slice(0, MAX_HOSTS).map((h) => ({ ip: h.ip, status: h.status, users: h.users.slice(0, MAX_USERS), accounts: h.accounts.slice(0, MAX_USERS) })),
      omitted: Math.max(0, r.hosts.length - MAX_HOSTS),
      problems: r.problems.slice(0, 20).map((p) => p.message),
    };
  } catch (e) {
    return { takenAt, relayList: '', verdict: 'unknown', hosts: [], omitted: 0, problems: [], error: `The relay list could not be read before the change: ${(e as Error).message}` };
  }
}

const strings = (x: unknown): string[] => (Array.isArray(x) ? x.filter((v): v is string => typeof v === 'string') : []);

/** The snapshot kept in an audit entry, if it has one of the expected shape (the log is a file anyone with root can edit). */
export function snapshotOf(entry: AuditEntry): RelaySnapshot | null {
  const s = (entry.details as Record<string, unknown> | undefined)?.relayListBefore as Record<string, unknown> | undefined;
  if (!s || typeof s !== 'object' || !Array.isArray(s.hosts)) return null;
  return {
    takenAt: String(s.takenAt ?? ''),
    relayList: String(s.relayList ?? ''),
    verdict: String(s.verdict ?? ''),
    hosts: s.hosts
      .filter((h): h is Record<string, unknown> => typeof h === 'object' && h !== null && typeof (h as { ip?: unknown }).ip === 'string')
      .map((h) => ({ ip: h.ip as string, status: String(h.status) as HostStatus, users: strings(h.users), accounts: strings(h.accounts) })),
    omitted: typeof s.omitted === 'number' ? s.omitted : 0,
    problems: strings(s.problems),
    ...(typeof s.error === 'string' ? { error: s.error } : {}),
  };
}
