/**
 * The server's own IP addresses, from cPanel's files (cpanel-facts §6). Pure: text in, addresses out.
 * - `/var/cpanel/mainip`: the main IP, alone (usually without a newline);
 * - `/etc/ips`: additional IPs, `ip:netmask:broadcast` per line (IPv4 only in practice);
 * - `/etc/mailips`: the IP each domain sends from, `domain: ip` per line (`*: ip` = the default);
 * - the interface list (see host/interfaces.ts): one address per line, optionally with `/prefix`.
 * Lines that hold no address are returned as `rejected`, to be shown, never guessed at.
 */
import ipaddr from 'ipaddr.js';
import { canonicalIp } from './ip';

export interface ParsedIps {
  ips: string[];
  rejected: Array<{ line: number; text: string }>;
}

function lines(text: string): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const t = raw.trim();
    if (t !== '' && !t.startsWith('#')) out.push({ line: i + 1, text: t });
  });
  return out;
}

function collect(text: string, pick: (line: string) => string | null): ParsedIps {
  const ips: string[] = [];
  const rejected: ParsedIps['rejected'] = [];
  for (const l of lines(text)) {
    const candidate = pick(l.text);
    const ip = candidate === null ? null : canonicalIp(candidate);
    if (ip === null) rejected.push({ line: l.line, text: l.text.slice(0, 200) });
    else if (!ips.includes(ip)) ips.push(ip);
  }
  return { ips, rejected };
}

/** `/var/cpanel/mainip`: one address. */
export function parseMainIp(text: string): ParsedIps {
  return collect(text, (t) => t);
}

/** `/etc/ips`: `ip:netmask:broadcast`. An IPv6 address (it has colons itself) is taken whole. */
export function parseEtcIps(text: string): ParsedIps {
  return collect(text, (t) => {
    if (canonicalIp(t) !== null) return t;
    const m = /^(\d{1,3}(?:\.\d{1,3}){3})(?::|\s|$)/.exec(t);
    return m ? m[1] : null;
  });
}

/**
 * `/etc/mailips`: `domain: ip` (also `*: ip`, the default for every other domain). Only the part
 * after the first ": " is the address; `domains` says which domains send from each address.
 */
export function parseMailIps(text: string): ParsedIps & { domains: Record<string, string[]> } {
  const domains: Record<string, string[]> = {};
  const parsed = collect(text, (t) => {
    const m = /^([^\s:]+)\s*:\s*(\S+)$/.exec(t);
    if (!m) return null;
    const ip = canonicalIp(m[2]);
    const domain = m[1].toLowerCase();
    if (ip !== null && !(domains[ip] ??= []).includes(domain)) domains[ip].push(domain);
    return m[2];
  });
  return { ...parsed, domains };
}

/** The interface list file: `ADDR` or `ADDR/PREFIX` per line. */
export function parseAddressList(text: string): ParsedIps {
  return collect(text, (t) => t.replace(/\/\d{1,3}$/, ''));
}

/**
 * Why an address is not checked against blacklists, or null when it is. Only addresses no one on the
 * internet can receive mail from are skipped: private, loopback, link-local (and the non-unicast
 * ones). Documentation and other reserved public-looking ranges are checked: they harm nothing.
 */
export function blacklistSkipReason(ip: string): string | null {
  const r: string = ipaddr.parse(ip).range();
  switch (r) {
    case 'private':
    case 'uniqueLocal':
    case 'carrierGradeNat':
    case 'deprecatedSiteLocal':
      return 'private address: not reachable from the internet, so no blacklist can list it';
    case 'loopback':
      return 'loopback address: never seen by other mail servers';
    case 'linkLocal':
      return 'link-local address: never seen by other mail servers';
    case 'unspecified':
    case 'broadcast':
    case 'multicast':
      return `${r} address: mail is never sent from it`;
    default:
      return null;
  }
}
