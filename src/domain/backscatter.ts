/**
 * Backscatter sources other than autoresponders (cpanel-facts §7), judged from the alias files. Pure.
 *
 * - Forwarders to outside domains pass spam on to a big provider, which then rates this server.
 * - A domain's default address (the `*:` line of /etc/valiases/<domain>) that delivers (a catch-all)
 *   accepts every message to any made-up address; one that answers with `:fail:` turns a message
 *   Exim has already accepted into a bounce to its (usually forged) sender. `:blackhole:` drops it.
 */
import { AppError } from '../http/appError';
import { AliasEntry, AliasTarget } from '../parsers/valiases';

export type DefaultKind = 'blackhole' | 'fail' | 'defer' | 'deliver' | 'forward' | 'pipe' | 'autoresponder' | 'other';

export interface DefaultAddressJudgement {
  kind: DefaultKind;
  /** the destinations as written */
  target: string;
  risky: boolean;
  reason: string;
}

function targetText(t: AliasTarget): string {
  switch (t.kind) {
    case 'address': return t.address;
    case 'local-user': return t.user;
    case 'pipe': return `|${t.command}`;
    case 'file': return t.path;
    case 'include': return `:include:${t.path}`;
    case 'fail': return `:fail: ${t.message}`.trim();
    case 'defer': return `:defer: ${t.message}`.trim();
    case 'blackhole': return ':blackhole:';
  }
}

export function judgeDefaultAddress(entry: AliasEntry, isLocalDomain: (d: string) => boolean): DefaultAddressJudgement {
  const target = entry.targets.map(targetText).join(', ');
  const ts = entry.targets;
  const outside = ts.filter((t) => t.kind === 'address' && !isLocalDomain(t.address.slice(t.address.lastIndexOf('@') + 1)));
  if (ts.some((t) => t.kind === 'pipe' && t.autoresponder)) {
    return { kind: 'autoresponder', target, risky: true, reason: 'every message to any address of the domain reaches an autoresponder, which answers the (forged) senders of all spam' };
  }
  if (outside.length > 0) {
    return { kind: 'forward', target, risky: true, reason: 'catch-all forwarded outside: all spam to made-up addresses is passed on to another provider' };
  }
  if (ts.length === 1 && ts[0].kind === 'blackhole') {
    return { kind: 'blackhole', target, risky: false, reason: 'mail to unknown addresses is dropped without an answer' };
  }
  if (ts.some((t) => t.kind === 'fail')) {
    return { kind: 'fail', target, risky: true, reason: 'mail to unknown addresses is answered with a failure: a message Exim has already accepted becomes a bounce to its (usually forged) sender' };
  }
  if (ts.some((t) => t.kind === 'defer')) {
    return { kind: 'defer', target, risky: false, reason: 'mail to unknown addresses gets a temporary error; the sending server keeps it' };
  }
  if (ts.some((t) => t.kind === 'pipe')) {
    return { kind: 'pipe', target, risky: true, reason: 'every message to any address is handed to a program; if it answers, it answers forged senders' };
  }
  if (ts.some((t) => t.kind === 'address' || t.kind === 'local-user' || t.kind === 'file' || t.kind === 'include')) {
    return { kind: 'deliver', target, risky: true, reason: 'catch-all: every message to any made-up address is accepted and delivered, spam included (and answered, if an autoresponder or forwarder sits behind the mailbox)' };
  }
  return { kind: 'other', target, risky: false, reason: 'not understood; check the line by hand' };
}

/** The outside destinations of a forwarder (addresses whose domain is not the server's). */
export function outsideDestinations(entry: AliasEntry, isLocalDomain: (d: string) => boolean): string[] {
  const out: string[] = [];
  for (const t of entry.targets) {
    if (t.kind !== 'address') continue;
    const d = t.address.slice(t.address.lastIndexOf('@') + 1);
    if (!isLocalDomain(d)) out.push(t.address);
  }
  return out;
}

/**
 * The moment a blacklist says it saw the hit. Accepted: ISO 8601 with a zone
 * (`2026-08-11T01:35:09Z`, `…+02:00`), a local server time (`2026-08-11 01:35[:09]` or with `T`),
 * or unix seconds / milliseconds.
 */
export function parseListingTime(text: string): Date {
  const t = text.trim();
  let d: Date | null = null;
  if (/^\d{9,10}$/.test(t)) d = new Date(Number(t) * 1000);
  else if (/^\d{12,13}$/.test(t)) d = new Date(Number(t));
  else {
    const m = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,6}))?)?\s*(Z|[+-]\d\d:?\d\d|UTC)?$/i.exec(t);
    if (m) {
      const [y, mo, da, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number);
      const ms = m[7] ? Number(m[7].padEnd(3, '0').slice(0, 3)) : 0;
      const zone = m[8];
      if (zone) {
        const off = /^(?:Z|UTC)$/i.test(zone) ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
        d = new Date(Date.UTC(y, mo - 1, da, h, mi, s, ms) - off * 60_000);
      } else {
        d = new Date(y, mo - 1, da, h, mi, s, ms);
      }
      const probe = new Date(Date.UTC(y, mo - 1, da));
      if (probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== da || h > 23 || mi > 59 || s > 59) d = null; // 2026-02-31 and the like
    }
  }
  if (!d || Number.isNaN(d.getTime())) {
    throw AppError.badRequest(`"${t.slice(0, 60)}" is not a time: use ISO 8601 (2026-08-11T01:35:09Z), the server's local time (2026-08-11 01:35:09) or unix seconds.`);
  }
  return d;
}
