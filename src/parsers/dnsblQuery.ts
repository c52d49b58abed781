/**
 * DNSBL query names (RFC 5782 §2.1, §2.4): the address reversed, then the zone.
 * - IPv4: the four decimal octets in reverse order: 192.0.2.99 in zen.spamhaus.org is
 *   99.2.0.192.zen.spamhaus.org.
 * - IPv6: all 32 nibbles of the full 128-bit address, least significant first, lower-case hex, one
 *   per label: 2001:db8:1:2:3:4:567:89ab is b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.<zone>.
 */
import ipaddr from 'ipaddr.js';
import { canonicalIp } from './ip';

/** The reversed-address labels of an IP (without the zone), or null when the text is not an IP. */
export function reversedLabels(ip: string): string | null {
  const canonical = canonicalIp(ip);
  if (canonical === null) return null;
  const bytes = ipaddr.parse(canonical).toByteArray();
  if (bytes.length === 4) return bytes.reverse().join('.');
  const nibbles: string[] = [];
  for (const b of bytes) nibbles.push((b >> 4).toString(16), (b & 0x0f).toString(16));
  return nibbles.reverse().join('.');
}

/** The full DNSBL name to ask for `ip` in `zone`. Throws on text that is not an IP (a programming error). */
export function dnsblQueryName(ip: string, zone: string): string {
  const labels = reversedLabels(ip);
  if (labels === null) throw new Error(`dnsblQueryName: not an IP address: ${ip}`);
  return `${labels}.${zone.toLowerCase().replace(/\.$/, '')}`;
}

/** RFC 5782 §5: every list has the test entry 127.0.0.2 and never lists 127.0.0.1. */
export const SELF_TEST = { listed: '127.0.0.2', notListed: '127.0.0.1' } as const;
