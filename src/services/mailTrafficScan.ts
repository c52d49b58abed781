/**
 * One pass over the exim log for the backscatter questions: autoresponder hits and replies, bounces
 * per domain, forwarded messages, and the traffic around a given moment (see domain/mailTraffic.ts).
 */
import { MailTrafficTally, TrafficOptions } from '../domain/mailTraffic';
import { CoreContext } from './context';
import { scanExim } from './eximScan';
import { ScanProgress } from '../scan/loginScan';
import { Problems } from './problems';

export async function scanMailTraffic(
  ctx: CoreContext,
  opts: TrafficOptions & { since: Date; problems: Problems; onProgress?: (p: ScanProgress) => void },
): Promise<{ tally: MailTrafficTally; files: string[]; found: boolean; startsAfterSince: number | null }> {
  const tally = new MailTrafficTally(opts);
  const r = await scanExim(ctx, {
    kinds: ['arrival', 'bounce', 'autoresponder-pipe', 'delivery', 'failure'],
    since: opts.since,
    problems: opts.problems,
    onProgress: opts.onProgress,
    onEvent: (e) => {
      switch (e.kind) {
        case 'arrival':
        case 'bounce':
          tally.arrival(e);
          break;
        case 'autoresponder-pipe':
          tally.autoresponderPipe(e);
          break;
        case 'delivery':
          tally.delivery(e);
          break;
        case 'failure':
          tally.failure(e);
          break;
        default:
          break;
      }
    },
  });
  return { tally, files: r.files, found: r.found, startsAfterSince: r.startsAfterSince };
}
