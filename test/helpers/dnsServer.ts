/**
 * A real DNS server on loopback for the blacklist tests (the same code `relaywatch demo-dnsbl` runs),
 * plus the records every list must have: the RFC 5782 test entry 127.0.0.2.
 */
import { DnsblRecord, startDnsblServer } from '../../src/demo/dnsblServer';
import type { RunningDnsblServer, ZoneMode } from '../../src/demo/dnsblServer';

export { startDnsblServer };
export type { RunningDnsblServer, DnsblRecord, ZoneMode };

/** 2.0.0.127.<zone> listed (127.0.0.2) in each zone; 1.0.0.127.<zone> is left NXDOMAIN. */
export function selfTestEntries(zones: string[]): Record<string, DnsblRecord> {
  const out: Record<string, DnsblRecord> = {};
  for (const z of zones) out[`2.0.0.127.${z}`] = { a: ['127.0.0.2'], txt: [`test entry of ${z}`] };
  return out;
}

/** The zones relaywatch queries by default (the catalogue in src/data/dnsbl-zones.yaml, less SORBS). */
export const DEFAULT_QUERIED_ZONES = [
  'ips.backscatterer.org',
  'dnsbl-1.uceprotect.net',
  'dnsbl-2.uceprotect.net',
  'dnsbl-3.uceprotect.net',
  'zen.spamhaus.org',
  'bl.spamcop.net',
  'b.barracudacentral.org',
];
