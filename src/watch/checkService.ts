/**
 * The one core function behind `relaywatch check`, GET /api/v1/check and the monitoring page.
 */
import { requireRoot, Viewer } from '../domain/scope';
import { CoreContext } from '../services/context';
import { CheckResult, evaluateCheck } from './check';
import { gatherWatchFacts, WatchFacts } from './facts';

export interface CheckReport extends CheckResult {
  facts: WatchFacts;
}

export async function checkReport(ctx: CoreContext, viewer: Viewer): Promise<CheckReport> {
  requireRoot(viewer, 'run the monitoring check of the server');
  const { facts } = await gatherWatchFacts(ctx);
  return { ...evaluateCheck(facts, ctx.config.check), facts };
}
