/**
 * Addresses for the demo host. Nothing here may be somebody's real machine that a demo could point
 * a finger at, so the pools are:
 * - the IPv4 documentation ranges (RFC 5737) and IPv6 2001:db8::/32 (RFC 3849);
 * - a few small public ranges that are widely published as GeoIP *test data*: they look like the
 *   ISP addresses a mail client logs in from, and they are "public" to relaywatch's range checks
 *   (the documentation ranges count as reserved), so the blacklist pages have something to show.
 * Loopback appears only as webmail's `rip=::1` / `127.0.0.1`, never in the relay list.
 */
import { Random } from './random';

export const SERVER_IPV4 = '203.0.113.10';
export const SERVER_EXTRA_IPV4 = ['203.0.113.11', '203.0.113.12', '203.0.113.13'];
export const SERVER_IPV6 = '2001:db8:5e7::10';
export const SERVER_NETMASK = '255.255.255.0';
export const SERVER_BROADCAST = '203.0.113.255';

/** Addresses that must never be handed out (server addresses, the one a hostile user name mentions). */
const RESERVED = new Set<string>(['192.0.2.66', SERVER_IPV4, ...SERVER_EXTRA_IPV4]);

function range(prefix: string, from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i <= to; i++) out.push(`${prefix}.${i}`);
  return out;
}

/** Documentation ranges, less the server's own block (203.0.113.0–99). */
const DOCUMENTATION_V4 = [...range('192.0.2', 1, 254), ...range('198.51.100', 1, 254), ...range('203.0.113', 100, 254)];

/** Small public ranges known from GeoIP test data. */
const TEST_DATA_V4 = [
  ...range('81.2.69', 160, 191),
  ...range('89.160.20', 129, 254),
  ...range('175.16.199', 1, 254),
  ...range('216.160.83', 57, 62),
  ...range('2.125.160', 217, 222),
];

export type AddressKind = 'documentation' | 'isp-like' | 'ipv6';

/** Hands out each address once. */
export class AddressPool {
  private readonly used = new Set<string>(RESERVED);
  private readonly v4: Record<'documentation' | 'isp-like', string[]>;

  constructor(private readonly rng: Random) {
    this.v4 = { documentation: rng.shuffle(DOCUMENTATION_V4), 'isp-like': rng.shuffle(TEST_DATA_V4) };
  }

  take(kind: AddressKind): string {
    if (kind === 'ipv6') {
      for (;;) {
        // as Dovecot logs IPv6 (compressed, RFC 5952): 2001:db8:4a1:7c00::2e
        const ip = `2001:db8:${this.rng.int(1, 0xfff).toString(16)}:${(this.rng.int(1, 0xff) * 256).toString(16)}::${this.rng.int(1, 0xff).toString(16)}`;
        if (!this.used.has(ip)) {
          this.used.add(ip);
          return ip;
        }
      }
    }
    const other = kind === 'isp-like' ? 'documentation' : 'isp-like';
    for (const list of [this.v4[kind], this.v4[other]]) {
      while (list.length > 0) {
        const ip = list.pop()!;
        if (!this.used.has(ip)) {
          this.used.add(ip);
          return ip;
        }
      }
    }
    throw new Error('the demo ran out of IPv4 addresses');
  }

  takeMany(kind: AddressKind, n: number): string[] {
    return Array.from({ length: n }, () => this.take(kind));
  }
}
