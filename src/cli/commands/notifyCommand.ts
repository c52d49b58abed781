import { notifyView } from '../../watch/notifyView';
import { CliCommand, EXIT, printJson } from '../command';
import { table, terminalSafe } from '../terminal';

const when = (iso: string | null): string => (iso ? `${iso.replace('T', ' ').slice(0, 16)} UTC` : '-');

/** Where the daemon's notices go, what it sent, what failed (the monitoring page's mail section). */
export const notifyCommand: CliCommand = {
  name: 'notify',
  summary: 'Where the daemon mails the server\'s notices, what it sent and what failed',
  usage: 'relaywatch notify [--json]   (exit 0: mail works or is off; 1: the last attempt failed or nobody to mail)',
  options: {},
  async run(r) {
    const v = await notifyView(r.context(), await r.viewer());
    const code = v.enabled && v.failing ? EXIT.warning : EXIT.ok;
    if (r.json) {
      printJson(r.io, v);
      return code;
    }
    const out: string[] = [];
    if (!v.enabled) out.push('Mail to the server\'s contact is off (notify: off in the configuration).');
    else {
      out.push(`Notices go to ${v.contact.to.length ? v.contact.to.join(', ') : 'nobody'} (${v.contact.source}), from ${v.contact.from}; events: ${v.events.join(', ')}; at most ${v.maxPerHour} an hour.`);
      if (v.contact.problem) out.push(`Problem: ${v.contact.problem}`);
      if (v.failing && v.state.lastFailure) out.push(`The last attempt failed at ${when(v.state.lastFailure.time)}: ${v.state.lastFailure.message}${v.state.retryAfter ? `; next attempt after ${when(v.state.retryAfter)}` : ''}`);
      if (v.state.pending) out.push(`${v.state.pending} notice(s) waiting.`);
      out.push(`${v.state.sentTotal} message(s) sent so far; the last ${when(v.state.lastSent)}.`);
    }
    r.io.out(`${out.map(terminalSafe).join('\n')}\n`);
    if (v.state.log.length) r.io.out(`\n${table([['TIME', 'OUTCOME', 'SUBJECT'], ...v.state.log.slice(0, 20).map((n) => [when(n.time), n.outcome, n.subject + (n.error ? ` (${n.error})` : '')])])}\n`);
    return code;
  },
};
