/**
 * IP addresses in canonical form, so that the same address written by different programs compares
 * equal: IPv4-mapped IPv6 (`::ffff:1.2.3.4`, as Courier and Dovecot log) becomes IPv4, IPv6 is
 * compressed per RFC 5952 (cPanel writes it fully expanded and quoted in the relay list).
 */
import ipaddr from 'ipaddr.js';

/** Canonical text of an address, or null when the text is not an IP address. */
export function canonicalIp(text: string): string | null {
  let t = text.trim();
  if (t.startsWith('"') && t.endsWith('"') && t.length >= 2) t = t.slice(1, -1);
  if (t.startsWith('[') && t.endsWith(']')) t = t.slice(1, -1);
  if (t.length === 0 || t.length > 45 || t.includes('%')) return null;
  // ipaddr.js accepts shorthand IPv4 ("1.2.3", "0x7f.1"); logs and cPanel files never use it.
  if (!t.includes(':') && !/^\d{1,3}(\.\d{1,3}){3}$/.test(t)) return null;
  if (!ipaddr.isValid(t)) return null;
  const addr = ipaddr.parse(t);
  if (addr.kind() === 'ipv6') {
    const v6 = addr as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
    return v6.toRFC5952String();
  }
  return addr.toString();
}

export type IpRange = 'public' | 'private' | 'loopback' | 'linkLocal' | 'reserved';

/** What kind of address this is, for deciding whether it can be on a blacklist or a local login. */
export function ipRange(canonical: string): IpRange {
  const addr = ipaddr.parse(canonical);
  const r = addr.range();
  if (r === 'unicast') return 'public';
  if (r === 'loopback') return 'loopback';
  if (r === 'linkLocal') return 'linkLocal';
  if (r === 'private' || r === 'uniqueLocal' || r === 'carrierGradeNat') return 'private';
  return 'reserved';
}

export function isIpv6(canonical: string): boolean {
  return canonical.includes(':');
}

/** Fully expanded IPv6 (8 groups of 4 hex digits), as cPanel writes it in the relay list. */
export function expandedIpv6(canonical: string): string {
  return (ipaddr.parse(canonical) as ipaddr.IPv6).parts.map((p) => p.toString(16).padStart(4, '0')).join(':');
}

/** Sort key: IPv4 before IPv6, numerically within each. */
export function compareIps(a: string, b: string): number {
  const pa = ipaddr.parse(a).toByteArray();
  const pb = ipaddr.parse(b).toByteArray();
  if (pa.length !== pb.length) return pa.length - pb.length;
  for (let i = 0; i < pa.length; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}
