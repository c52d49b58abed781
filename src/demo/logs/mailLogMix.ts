/**
 * The kinds of mail log the demo can write. Each is a table of background event kinds with weights
 * (what mailLogNoise.ts draws from) and the mail clients that log in:
 *
 * - `demo`: a busy shared server's maillog, Dovecot and spamd together; about 3 % of the lines are
 *   successful logins, from 160 roaming clients.
 * - `many-ips`: the same server with mobile clients. Phones and laptops on mobile networks get a new
 *   address all day (IPv6 privacy addresses, carrier NAT pools), so logins come from well over a
 *   hundred thousand distinct addresses in half a gigabyte of log; about 5 % of the lines are
 *   successful logins.
 * - `dense`: a maillog that holds almost only Dovecot, as on a cPanel server whose spamd and Exim
 *   log elsewhere: a fifth of the lines are successful logins.
 *
 * Every mix keeps the demo's rule: ordinary clients stop logging in two hours before `now`, so the
 * relay list's IPs (and webmail over loopback) are the only recent logins.
 */
export type MailLogMix = 'demo' | 'many-ips' | 'dense';

export const MAIL_LOG_MIXES: readonly MailLogMix[] = ['demo', 'many-ips', 'dense'];

export type NoiseKind = 'spam' | 'delivery' | 'imapLogin' | 'popSession' | 'webmail' | 'logout' | 'noAuth' | 'guess' | 'aborted' | 'unknownUser' | 'prefork';

export interface MixPlan {
  weights: ReadonlyArray<readonly [NoiseKind, number]>;
  /**
   * Share of client logins from a fresh mobile address (drawn from an IPv6 space far larger than
   * any log, so nearly every one is new) instead of one of the world's roaming clients.
   */
  freshAddressShare: number;
}

/** Lines per event: spam 5, delivery 3, popSession 2, webmail 2, guess 1.5, the others 1. */
const PLANS: Record<MailLogMix, MixPlan> = {
  // about 3 % of the lines are successful logins
  demo: {
    weights: [['spam', 14], ['delivery', 18], ['imapLogin', 3], ['popSession', 1], ['webmail', 1], ['logout', 9], ['noAuth', 10], ['guess', 6], ['aborted', 2], ['unknownUser', 3], ['prefork', 2]],
    freshAddressShare: 0,
  },
  // about 5 % (7 + 1 + 1 login lines in 170 lines)
  'many-ips': {
    weights: [['spam', 14], ['delivery', 18], ['imapLogin', 7], ['popSession', 1], ['webmail', 1], ['logout', 9], ['noAuth', 10], ['guess', 6], ['aborted', 2], ['unknownUser', 3], ['prefork', 2]],
    freshAddressShare: 0.95,
  },
  // about 20 %, no spamd (16 + 4 + 3 login lines in 115 lines)
  dense: {
    weights: [['delivery', 10], ['imapLogin', 16], ['popSession', 4], ['webmail', 3], ['logout', 24], ['noAuth', 12], ['guess', 8], ['aborted', 3], ['unknownUser', 4]],
    freshAddressShare: 0,
  },
};

export function mixPlan(mix: MailLogMix): MixPlan {
  const plan = PLANS[mix];
  if (!plan) throw new Error(`mix must be one of ${MAIL_LOG_MIXES.join(', ')}, got "${String(mix)}"`);
  return plan;
}
