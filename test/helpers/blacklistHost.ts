/**
 * A host tree and a loopback DNS server for the blacklist component tests: the server's IPs in every
 * cPanel file (plus addresses that must be skipped), and lists that answer every case once.
 */
import { ACCOUNTS } from './cpanelHost';
import { DEFAULT_QUERIED_ZONES, DnsblRecord, RunningDnsblServer, selfTestEntries, startDnsblServer, ZoneMode } from './dnsServer';
import { makeHostTree } from './hostTree';

/** 2001:db8:5e7::10 reversed nibble by nibble (RFC 5782 §2.4), written out by hand. */
export const V6_MAIN = '2001:db8:5e7::10';
export const V6_NIBBLES = '0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.7.e.5.0.8.b.d.0.1.0.0.2';
export const HOSTILE_TXT = 'Listed since 2026-11-20 08:15:00 for backscatter <script>alert(1)</script>';

/** Every case: a listing with TXT, a provider listing, a Spamhaus error code, out-of-range and 127.0.0.1 answers, an IPv6 listing, a dead list, a refusing list. */
export function scenarioRecords(): Record<string, DnsblRecord> {
  return {
    ...selfTestEntries(DEFAULT_QUERIED_ZONES),
    '2.0.0.127.zen.spamhaus.org': { a: ['127.0.0.2', '127.0.0.4', '127.0.0.10'] },
    '10.113.0.203.ips.backscatterer.org': { a: ['127.0.0.2'], txt: [HOSTILE_TXT] },
    '10.113.0.203.dnsbl-3.uceprotect.net': { a: ['127.0.0.2'] },
    '11.113.0.203.zen.spamhaus.org': { a: ['127.255.255.254'] },
    '12.113.0.203.dnsbl-1.uceprotect.net': { a: ['198.51.100.53'] },
    '12.113.0.203.dnsbl-2.uceprotect.net': { a: ['127.0.0.1'] },
    [`${V6_NIBBLES}.zen.spamhaus.org`]: { a: ['127.0.0.3'], txt: ['IPv6 CSS listing'] },
  };
}

export function scenarioZones(): Record<string, ZoneMode> {
  const zones: Record<string, ZoneMode> = Object.fromEntries(DEFAULT_QUERIED_ZONES.map((z) => [z, 'answer' as ZoneMode]));
  zones['bl.spamcop.net'] = 'silent';
  zones['b.barracudacentral.org'] = 'REFUSED';
  return zones;
}

export async function startScenarioServer(): Promise<RunningDnsblServer> {
  return startDnsblServer({ zones: scenarioZones(), records: scenarioRecords() });
}

export interface BlacklistHostOptions {
  /** resolver in the config file ("IP:PORT"); omitted = none */
  resolver?: string;
  timeoutMs?: number;
  zonesYaml?: string;
  files?: Record<string, string>;
}

export function makeBlacklistHost(o: BlacklistHostOptions = {}): string {
  const config = ['blacklist:', `  timeoutMs: ${o.timeoutMs ?? 300}`, '  concurrency: 4', '  refreshMinutes: 60'];
  if (o.resolver) config.push(`  resolver: "${o.resolver}"`);
  return makeHostTree({
    files: {
      '/etc/trueuserowners': ACCOUNTS.trueuserowners,
      '/etc/userdomains': ACCOUNTS.userdomains,
      '/var/cpanel/resellers': ACCOUNTS.resellers,
      '/var/cpanel/mainip': '203.0.113.10',
      '/etc/ips': '203.0.113.11:255.255.255.0:203.0.113.255\n10.0.0.5:255.255.255.0:10.0.0.255\n',
      '/etc/mailips': 'shop.example: 203.0.113.12\n*: 203.0.113.10\n',
      '/etc/relaywatch/interfaces': `127.0.0.1/8\n::1/128\n203.0.113.10/24\n${V6_MAIN}/64\nfe80::5054:ff:fe12:3456/64\n192.168.1.4/24\n`,
      '/etc/relaywatch/config.yaml': `${config.join('\n')}\n`,
      ...(o.zonesYaml !== undefined ? { '/etc/relaywatch/zones.yaml': o.zonesYaml } : {}),
      ...o.files,
    },
  });
}
