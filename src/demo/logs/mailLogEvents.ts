/**
 * The mail-log lines that make the demo's story: every planned login and failure of the relay IPs,
 * their logouts, and webmail logins over loopback in the last minutes (which relaywatch must never
 * take for a relay IP's explanation). Background noise is added separately (mailLogNoise.ts).
 */
import { MailLogLines } from './mailLogLines';
import { Random } from '../random';
import { DemoWorld } from '../world';

export interface StoryEvent {
  at: number;
  /** renders the event's lines after the given syslog prefix */
  render(lines: MailLogLines, prefix: string): string;
}

const MIN = 60_000;

export function storyEvents(world: DemoWorld, rng: Random): StoryEvent[] {
  const events: StoryEvent[] = [];
  const addSession = (at: number, login: Parameters<MailLogLines['login']>[1], lengthMs: number): void => {
    const open = { mpid: 0, session: '' };
    events.push({
      at,
      render: (lines, prefix) => {
        const r = lines.login(prefix, login);
        open.mpid = r.mpid;
        open.session = r.session;
        return r.text;
      },
    });
    // A session still open at `now` has no logout yet.
    if (at + lengthMs < world.nowMs - 5_000) {
      events.push({ at: at + lengthMs, render: (lines, prefix) => lines.logout(prefix, login.user, login.protocol, open.mpid, open.session) });
    }
  };

  for (const host of world.relayHosts) {
    for (const l of host.logins) {
      addSession(l.at, { user: l.user, protocol: l.protocol, rip: l.rip, security: l.security, style: l.style }, rng.int(20_000, 25 * MIN));
    }
    for (const f of host.failures) {
      events.push({ at: f.at, render: (lines, prefix) => lines.failure(prefix, f.kind, f.user, f.protocol, f.rip) });
    }
  }

  // Webmail (Roundcube) logs in over loopback: recent, so they sit among the relay IPs' logins.
  const mailboxes = world.accounts.flatMap((a) => a.mailboxes);
  for (let k = 0; k < 6; k++) {
    const rip = k === 3 ? '127.0.0.1' : '::1';
    addSession(world.nowMs - rng.int(1 * MIN, 40 * MIN), { user: rng.pick(mailboxes), protocol: 'imap', rip, security: 'secured', style: 'login' }, rng.int(1_000, 5_000));
  }

  return events.sort((a, b) => a.at - b.at);
}
