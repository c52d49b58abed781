/**
 * What `relaywatch demo-dnsbl` serves for a host: the lists of the zone catalogue, each with its
 * RFC 5782 test entry, and the cases a new user should see once:
 * - the main IP listed on Backscatterer (with a TXT answer giving the time of the last hit);
 * - Spamhaus answering the error code 127.255.255.254 for a second IPv4 address (not a listing);
 * - every IPv4 address listed on UCEPROTECT Level 3 (the provider's network);
 * - SpamCop never answering (a dead list), Barracuda refusing (an unregistered resolver).
 * Everything else is NXDOMAIN: not listed.
 */
import { dnsblQueryName, SELF_TEST } from '../parsers/dnsblQuery';
import { ZoneEntry } from '../parsers/dnsblZones';
import { blacklistSkipReason } from '../parsers/serverIps';
import { findServerIps, loadZoneCatalogue } from '../services/blacklistService';
import { CoreContext } from '../services/context';
import { DEMO_MARKER } from './demoTree';
import { DnsblRecord, ZoneMode } from './dnsblServer';

export interface DemoDnsblPlan {
  zones: Record<string, ZoneMode>;
  records: Record<string, DnsblRecord>;
  /** one line per deliberate case, for the operator */
  story: string[];
}

const BACKSCATTERER = 'ips.backscatterer.org';
const SPAMHAUS = 'zen.spamhaus.org';
const UCEPROTECT_3 = 'dnsbl-3.uceprotect.net';
const DEAD = 'bl.spamcop.net';
const REFUSING = 'b.barracudacentral.org';

function stamp(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * `ips`: the host's checkable addresses, main IP first. `lastHit`: the time of the burst of bounces
 * and autoresponder replies in the demo host's exim log, so that the listing's time and the traffic
 * the backscatter page finds around it agree (26 hours before `now` when the host does not say).
 */
export function demoDnsblPlan(zones: ZoneEntry[], ips: string[], now: Date, lastHit: Date | null = null): DemoDnsblPlan {
  const plan: DemoDnsblPlan = { zones: {}, records: {}, story: [] };
  for (const z of zones) {
    if (!z.query) continue;
    plan.zones[z.zone] = 'answer';
    plan.records[dnsblQueryName(SELF_TEST.listed, z.zone)] = {
      a: z.zone === SPAMHAUS ? ['127.0.0.2', '127.0.0.4', '127.0.0.10'] : ['127.0.0.2'],
      txt: [`Test entry of ${z.name} (RFC 5782)`],
    };
  }
  const v4 = ips.filter((ip) => !ip.includes(':'));
  const has = (zone: string): boolean => plan.zones[zone] !== undefined;
  if (v4[0] && has(BACKSCATTERER)) {
    const hit = lastHit ?? new Date(now.getTime() - 26 * 3600_000);
    plan.records[dnsblQueryName(v4[0], BACKSCATTERER)] = {
      a: ['127.0.0.2'],
      txt: [`Demo: ${v4[0]} sent backscatter (bounces and autoresponder replies to forged senders); last hit ${stamp(hit)} UTC`],
    };
    plan.story.push(`${BACKSCATTERER}: lists ${v4[0]} (backscatter)`);
  }
  if (v4[1] && has(SPAMHAUS)) {
    plan.records[dnsblQueryName(v4[1], SPAMHAUS)] = { a: ['127.255.255.254'] };
    plan.story.push(`${SPAMHAUS}: answers 127.255.255.254 for ${v4[1]} (a Spamhaus error code, not a listing)`);
  }
  if (v4.length && has(UCEPROTECT_3)) {
    for (const ip of v4) plan.records[dnsblQueryName(ip, UCEPROTECT_3)] = { a: ['127.0.0.2'], txt: [`Demo: the provider's network of ${ip} is listed`] };
    plan.story.push(`${UCEPROTECT_3}: lists every IPv4 address (the provider's network)`);
  }
  if (has(DEAD)) {
    plan.zones[DEAD] = 'silent';
    plan.story.push(`${DEAD}: never answers (a dead list)`);
  }
  if (has(REFUSING)) {
    plan.zones[REFUSING] = 'REFUSED';
    plan.story.push(`${REFUSING}: refuses every query (as for an unregistered resolver)`);
  }
  plan.story.push('every other name: NXDOMAIN (not listed)');
  return plan;
}

/** The plan for a host: its IPs that a list can be asked about (the main IP first) and its zone catalogue. */
export async function demoDnsblPlanFor(ctx: CoreContext): Promise<DemoDnsblPlan> {
  const found = await findServerIps(ctx);
  const ips = found.ips
    .filter((e) => blacklistSkipReason(e.ip) === null)
    .sort((a, b) => Number(b.sources.includes('/var/cpanel/mainip')) - Number(a.sources.includes('/var/cpanel/mainip')))
    .map((e) => e.ip);
  const { zones } = await loadZoneCatalogue(ctx);
  return demoDnsblPlan(zones, ips, ctx.now(), await demoListingTime(ctx));
}

/** The listing time the demo host's generator wrote into its marker, or null. */
async function demoListingTime(ctx: CoreContext): Promise<Date | null> {
  const text = await ctx.host.readOptional(DEMO_MARKER).catch(() => null);
  if (!text) return null;
  try {
    const t = Date.parse((JSON.parse(text) as { listingTime?: unknown }).listingTime as string);
    return Number.isNaN(t) ? null : new Date(t);
  } catch {
    return null;
  }
}
