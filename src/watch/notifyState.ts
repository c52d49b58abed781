/**
 * What the notifier has sent, kept under the state dir (`<stateDir>/notify-state.json`, 0600) so that
 * a restart of the daemon sends nothing twice. Replaced whole by rename, never half-written.
 */
import path from 'node:path';
import { CoreContext } from '../services/context';

export interface NoticeRecord {
  time: string;
  key: string;
  event: string;
  outcome: 'sent' | 'failed' | 'held back';
  to: string[];
  subject: string;
  error?: string;
}

export interface NotifyState {
  version: 1;
  /** event key ("unexplained:203.0.113.7") -> when its mail went out and when the condition was last seen */
  sent: Record<string, { time: string; lastSeen: string }>;
  /** times of the mails of the last hour, for the rate limit */
  recent: string[];
  sentTotal: number;
  lastSent: string | null;
  lastFailure: { time: string; message: string } | null;
  /** after a failure, no new attempt before this time */
  retryAfter: string | null;
  /** notices waiting for the rate limit or a working sendmail at the last look */
  pending: number;
  /** the newest notices, newest first (for the monitoring page) */
  log: NoticeRecord[];
  /** the file could not be parsed and was set aside (shown once) */
  problem?: string;
}

export const NOTIFY_STATE_FILE = 'notify-state.json';

export function emptyNotifyState(): NotifyState {
  return { version: 1, sent: {}, recent: [], sentTotal: 0, lastSent: null, lastFailure: null, retryAfter: null, pending: 0, log: [] };
}

export function notifyStatePath(ctx: CoreContext): string {
  return path.posix.join(ctx.config.stateDir, NOTIFY_STATE_FILE);
}

export async function readNotifyState(ctx: CoreContext): Promise<NotifyState> {
  const file = notifyStatePath(ctx);
  let text: string | null;
  try {
    text = await ctx.host.readOptional(file);
  } catch (e) {
    return { ...emptyNotifyState(), problem: `${file} cannot be read (${(e as Error).message})` };
  }
  if (text === null) return emptyNotifyState();
  try {
    const s = JSON.parse(text) as NotifyState;
    if (s?.version !== 1 || typeof s.sent !== 'object' || !Array.isArray(s.recent) || !Array.isArray(s.log)) throw new Error('not a notifier state');
    return { ...emptyNotifyState(), ...s };
  } catch (e) {
    return { ...emptyNotifyState(), problem: `${file} is damaged (${(e as Error).message})` };
  }
}

export async function writeNotifyState(ctx: CoreContext, s: NotifyState): Promise<void> {
  const { problem: _shown, ...rest } = s;
  rest.log = rest.log.slice(0, 100);
  await ctx.host.writeAtomic(notifyStatePath(ctx), `${JSON.stringify(rest, null, 1)}\n`, 0o600);
}
