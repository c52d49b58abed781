/**
 * Parsers for the relay list and its companions (cpanel-facts §1). Pure: text in, records out.
 * Lines that are not understood are returned as `rejected` with their line number, never dropped
 * silently: an admin auditing a relay list must see every line.
 */
import { canonicalIp } from './ip';

export interface Rejected {
  line: number;
  text: string;
  reason: string;
}

export interface RelayList {
  ips: string[];
  rejected: Rejected[];
}

function contentLines(text: string): Array<{ n: number; text: string }> {
  const out: Array<{ n: number; text: string }> = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const t = raw.trim();
    if (t === '' || t.startsWith('#')) return;
    out.push({ n: i + 1, text: t });
  });
  return out;
}

/** `/etc/relayhosts` / `/etc/recent_authed_mail_ips`: one IP per line, IPv6 maybe quoted and expanded. */
export function parseRelayList(text: string): RelayList {
  const ips = new Set<string>();
  const rejected: Rejected[] = [];
  for (const { n, text: t } of contentLines(text)) {
    const ip = canonicalIp(t);
    if (ip) ips.add(ip);
    else rejected.push({ line: n, text: t, reason: 'not an IP address' });
  }
  return { ips: [...ips], rejected };
}

export interface UserMap {
  /** canonical IP -> users, most recent first */
  users: Map<string, string[]>;
  rejected: Rejected[];
}

/**
 * The IP → users map. Modern: `IP: user1, user2` (IPv6 quoted). Legacy `/etc/relayhostsusers`
 * is unconfirmed; old Exim code reads `IP user`, so both separators are accepted.
 */
export function parseUserMap(text: string): UserMap {
  const users = new Map<string, string[]>();
  const rejected: Rejected[] = [];
  for (const { n, text: t } of contentLines(text)) {
    const split = splitIpAndRest(t);
    if (!split) {
      rejected.push({ line: n, text: t, reason: 'expected "IP: user, user"' });
      continue;
    }
    const list = split.rest.split(/[,\s]+/).map((u) => u.trim()).filter(Boolean);
    const prev = users.get(split.ip) ?? [];
    users.set(split.ip, [...prev, ...list.filter((u) => !prev.includes(u))]);
  }
  return { users, rejected };
}

/**
 * Splits `IP: rest`, `"IPv6": rest`, `IP rest` (legacy) and `IP:rest`. An unquoted IPv6 holds colons
 * itself, so the first whitespace-separated token is tried as a whole before splitting at a colon.
 */
function splitIpAndRest(t: string): { ip: string; rest: string } | null {
  const quoted = /^"([^"]*)"\s*:?\s*(.*)$/.exec(t);
  if (quoted) {
    const ip = canonicalIp(quoted[1]);
    return ip ? { ip, rest: quoted[2] } : null;
  }
  const sp = t.search(/\s/);
  const first = (sp < 0 ? t : t.slice(0, sp)).replace(/:$/, '');
  const ipWhole = canonicalIp(first);
  if (ipWhole) return { ip: ipWhole, rest: sp < 0 ? '' : t.slice(sp + 1) };
  const colon = t.indexOf(':');
  if (colon > 0) {
    const ip = canonicalIp(t.slice(0, colon));
    if (ip) return { ip, rest: t.slice(colon + 1) };
  }
  return null;
}

export interface AlwaysRelayEntry {
  ip: string;
  user: string | null;
  line: number;
}

/** `/etc/alwaysrelay`: `IP`, `IP: user` or `IP user`; cPanel splits on `[=:\s]+` (IPv6 must be quoted). */
export function parseAlwaysRelay(text: string): { entries: AlwaysRelayEntry[]; rejected: Rejected[] } {
  const entries: AlwaysRelayEntry[] = [];
  const rejected: Rejected[] = [];
  for (const { n, text: t } of contentLines(text)) {
    let ipText: string;
    let rest: string;
    const quoted = /^"([^"]+)"\s*[=:\s]*\s*(.*)$/.exec(t);
    if (quoted) {
      ipText = quoted[1];
      rest = quoted[2];
    } else if (canonicalIp(t)) {
      ipText = t;
      rest = '';
    } else {
      const parts = t.split(/[=:\s]+/);
      ipText = parts[0];
      rest = parts.slice(1).join(' ');
    }
    const ip = canonicalIp(ipText);
    if (!ip) {
      rejected.push({ line: n, text: t, reason: 'not an IP address' });
      continue;
    }
    entries.push({ ip, user: rest.trim() || null, line: n });
  }
  return { entries, rejected };
}

export interface AntirelaydConf {
  expireHostMins: number;
  recentAuthedMailIps: string | null;
  recentAuthedMailIpsUsers: string | null;
  alwaysrelay: string | null;
  /** every key as written, for display */
  raw: Record<string, string>;
  rejected: Rejected[];
}

export const DEFAULT_EXPIRE_HOST_MINS = 30;

/** `/etc/antirelayd.conf`: `name = value ; comment`. */
export function parseAntirelaydConf(text: string): AntirelaydConf {
  const raw: Record<string, string> = {};
  const rejected: Rejected[] = [];
  for (const { n, text: t } of contentLines(text)) {
    const noComment = t.replace(/;.*$/, '').trim();
    if (noComment === '') continue;
    const m = /^([A-Za-z_][\w]*)\s*=\s*(.*)$/.exec(noComment);
    if (!m) {
      rejected.push({ line: n, text: t, reason: 'expected "name = value"' });
      continue;
    }
    raw[m[1]] = m[2].trim();
  }
  const mins = Number(raw.expire_host_mins);
  return {
    expireHostMins: Number.isFinite(mins) && mins > 0 ? mins : DEFAULT_EXPIRE_HOST_MINS,
    recentAuthedMailIps: raw.recent_authed_mail_ips || null,
    recentAuthedMailIpsUsers: raw.recent_authed_mail_ips_users || null,
    alwaysrelay: raw.alwaysrelay || null,
    raw,
    rejected,
  };
}
