/**
 * What one DNSBL answer says (cpanel-facts §8). Pure: the outcome of an A lookup and the zone's
 * catalogue entry in, `listed` / `clean` / `unknown` out, with the reason whenever it is unknown.
 *
 * The rule that matters: only NXDOMAIN is "not listed", and only an answer inside 127.0.0.0/8 that is
 * neither 127.0.0.1 nor one of the list's error codes is "listed". Everything else (a timeout,
 * SERVFAIL, REFUSED, an empty answer, an answer a resolver rewrote, an error code) is "unknown".
 */
import ipaddr from 'ipaddr.js';
import { ZoneEntry } from './dnsblZones';
import { canonicalIp } from './ip';

/** The result of one DNS question, as the resolver adapter reports it. */
export type DnsOutcome<T> =
  | { kind: 'answer'; values: T }
  /** NXDOMAIN: the name does not exist */
  | { kind: 'nxdomain' }
  /** NOERROR with no record of the asked type */
  | { kind: 'nodata' }
  /** no usable answer: ETIMEOUT, ESERVFAIL, EREFUSED, ECONNREFUSED, … (Node's dns error codes) */
  | { kind: 'error'; code: string; attempts: number };

export type ListingStatus = 'listed' | 'clean' | 'unknown';

export interface ClassifiedAnswer {
  status: ListingStatus;
  /** the A answers, canonical and sorted (also for unknown answers, to show what came back) */
  codes: string[];
  reason: string | null;
}

const LOOPBACK_NET = ipaddr.parseCIDR('127.0.0.0/8');

/** Plain words for a DNS failure. */
export function describeDnsError(code: string, attempts: number): string {
  const tries = attempts > 1 ? ` (asked ${attempts} times)` : '';
  switch (code) {
    case 'ETIMEOUT':
      return `no answer: the query timed out${tries}`;
    case 'ESERVFAIL':
      return `the resolver answered SERVFAIL: it could not get an answer from the list${tries}`;
    case 'EREFUSED':
      return 'the query was refused (REFUSED)';
    case 'ECONNREFUSED':
      return `the resolver could not be reached (connection refused)${tries}`;
    case 'EBADRESP':
    case 'EFORMERR':
      return 'the answer was malformed';
    case 'ENOTIMP':
      return 'the resolver does not support this query (NOTIMP)';
    case 'EOTHERNAME':
      return 'the answer holds a record for another name than the one asked, so it cannot be trusted';
    case 'EWRONGCLASS':
      return 'the answer holds a record of another class than IN, so it cannot be trusted';
    case 'EWRONGTYPE':
      return 'the answer holds a record of another type than the one asked (a CNAME or other), so it cannot be trusted';
    case 'ECANCELLED':
    case 'EDESTRUCTION':
      return 'the query was cancelled';
    default:
      return `DNS error ${code}${tries}`;
  }
}

function withCaveat(reason: string, zone: ZoneEntry): string {
  return zone.caveat ? `${reason}. ${zone.caveat}` : reason;
}

/** The error-code reason for an answer, most specific entry first; null when it is not an error code. */
export function errorCodeReason(zone: ZoneEntry, address: string): string | null {
  if (zone.errorCodes[address] !== undefined) return zone.errorCodes[address];
  const addr = ipaddr.parse(address);
  let best: { bits: number; reason: string } | null = null;
  for (const [key, reason] of Object.entries(zone.errorCodes)) {
    if (!key.includes('/')) continue;
    const [net, bits] = ipaddr.parseCIDR(key);
    if (net.kind() === addr.kind() && addr.match(net, bits) && (best === null || bits > best.bits)) best = { bits, reason };
  }
  return best?.reason ?? null;
}

function sortCodes(codes: string[]): string[] {
  const key = (c: string): number[] => (ipaddr.isValid(c) ? ipaddr.parse(c).toByteArray() : [999]);
  return [...new Set(codes)].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < Math.max(ka.length, kb.length); i++) if ((ka[i] ?? -1) !== (kb[i] ?? -1)) return (ka[i] ?? -1) - (kb[i] ?? -1);
    return 0;
  });
}

/** Classifies the A answer for one IP in one zone. */
export function classifyAnswer(zone: ZoneEntry, outcome: DnsOutcome<string[]>): ClassifiedAnswer {
  switch (outcome.kind) {
    case 'nxdomain':
      return { status: 'clean', codes: [], reason: null };
    case 'nodata':
      return { status: 'unknown', codes: [], reason: withCaveat('the list answered with no address (an empty answer, not NXDOMAIN), which is not a DNSBL answer', zone) };
    case 'error':
      return { status: 'unknown', codes: [], reason: withCaveat(describeDnsError(outcome.code, outcome.attempts), zone) };
    case 'answer':
      break;
  }
  const codes = sortCodes(outcome.values.map((v) => canonicalIp(v) ?? v));
  if (codes.length === 0) return classifyAnswer(zone, { kind: 'nodata' });
  const reasons: string[] = [];
  for (const code of codes) {
    if (code.includes(':') || !ipaddr.isValid(code) || !ipaddr.parse(code).match(LOOPBACK_NET)) {
      reasons.push(`the answer ${code} is outside 127.0.0.0/8, so it is not a DNSBL answer (a resolver or network rewrote it)`);
    } else if (code === '127.0.0.1') {
      reasons.push('the answer 127.0.0.1 is never a listing (a resolver rewrites answers, or the list is broken)');
    } else {
      const err = errorCodeReason(zone, code);
      if (err !== null) reasons.push(err);
    }
  }
  if (reasons.length > 0) return { status: 'unknown', codes, reason: withCaveat([...new Set(reasons)].join('; '), zone) };
  return { status: 'listed', codes, reason: null };
}

/** TXT answers are written by the list (or anyone who controls the DNS path): keep them short and printable. */
export const MAX_TXT_LENGTH = 512;

export function cleanTxt(records: string[][]): string[] {
  const out: string[] = [];
  for (const chunks of records) {
    // C0/C1 controls and bidi overrides would act on a terminal; the page escapes text anyway.
    let t = chunks.join('').replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, ' ').trim();
    if (t.length > MAX_TXT_LENGTH) t = `${t.slice(0, MAX_TXT_LENGTH)}…`;
    if (t) out.push(t);
  }
  return out.slice(0, 10);
}
