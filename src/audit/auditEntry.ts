/**
 * What one line of the audit log holds: a module of its own, so that the audit log (audit.ts) and the
 * limiter of refusals (refusalLimiter.ts), which read and write the same entries, share the type.
 */

/** Where a request came from: `web` (the WHM page or JSON route), `cli`, or `daemon` (its own notices). */
export type AuditVia = 'web' | 'cli' | 'daemon';

export interface AuditEntry {
  /** a random id (16 hex digits): a change's result page is found by it (absent in older lines) */
  id?: string;
  /** ISO time the entry was written */
  time: string;
  /** WHM user (or `root` on the command line) the change was made for */
  user: string;
  /** where the request came from: `web` (the WHM page or JSON route), `cli`, or `daemon` (its own notices) */
  via: AuditVia;
  /** what was attempted, dotted: `pop-before-smtp.disable` */
  action: string;
  /** what it acts on: a driver, a Tweak Setting, a file */
  target: string;
  /** `changed`, `unchanged`, `failed`, `refused` (or an area's own word) */
  outcome: string;
  /** one sentence for people */
  summary: string;
  /** the lines that prove the outcome (command output, log lines, file states) */
  evidence: string[];
  /** anything else worth keeping (commands run, exit codes, the remote address, the OS user) */
  details?: Record<string, unknown>;
}
