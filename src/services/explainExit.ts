/**
 * The exit status of `relaywatch explain`, in a module of its own: a CLI run answered by the daemon
 * needs it without loading the explain service.
 */
import type { Verdict } from '../domain/explain';

/** Monitoring-plugin exit status: 0 clear/empty, 2 unexplained, 3 undecided. */
export function explainExitCode(r: { verdict: Verdict }): number {
  if (r.verdict === 'unknown') return 3;
  return r.verdict === 'unexplained' ? 2 : 0;
}
