/**
 * The DNS blacklist zone catalogue: shipped defaults (src/data/dnsbl-zones.yaml) plus the admin's
 * overrides (/etc/relaywatch/zones.yaml). Pure: YAML text in, validated entries out.
 *
 * Validation is strict, as for the config: an unknown key, a misspelt impact or a return code outside
 * 127.0.0.0/8 stops the check with a message naming the file and the entry, because a catalogue that
 * silently drops a field would explain listings wrongly.
 */
import ipaddr from 'ipaddr.js';
import yaml from 'js-yaml';
import { AppError } from '../http/appError';
import { canonicalIp } from './ip';

export type Impact = 'low' | 'medium' | 'high';
export type EvidenceKind = 'backscatter' | 'provider' | 'none';

export interface ZoneEntry {
  zone: string;
  name: string;
  query: boolean;
  ipv6: boolean;
  impact: Impact;
  /** what a listing means, in plain words */
  listing: string;
  /** return code (canonical IPv4 in 127/8) -> meaning */
  codes: Record<string, string>;
  /** answer or CIDR range (in 127/8) -> why it is an error code, not a listing */
  errorCodes: Record<string, string>;
  delisting: string;
  expiry: string;
  evidence: EvidenceKind;
  providerNetwork: boolean;
  caveat: string | null;
  defunct: string | null;
}

const IMPACTS: readonly Impact[] = ['low', 'medium', 'high'];
const EVIDENCE: readonly EvidenceKind[] = ['backscatter', 'provider', 'none'];
const REQUIRED = ['zone', 'name', 'query', 'ipv6', 'impact', 'listing', 'codes', 'delisting', 'expiry'] as const;
const OPTIONAL_DEFAULTS = { errorCodes: {}, evidence: 'none', providerNetwork: false, caveat: null, defunct: null } as const;
const KEYS = new Set<string>([...REQUIRED, ...Object.keys(OPTIONAL_DEFAULTS)]);

/** A DNS zone name: dot-separated LDH labels, lower-cased, no trailing dot. */
const ZONE_NAME = /^(?=.{1,200}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
const LOOPBACK_NET = ipaddr.parseCIDR('127.0.0.0/8');

function fail(source: string, message: string): never {
  throw new AppError(500, 'bad_zones', `Blacklist zones ${source}: ${message}`);
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function text(v: unknown, where: string, source: string, nullable = false): string | null {
  if (nullable && v === null) return null;
  if (typeof v !== 'string' || v.trim() === '') fail(source, `${where} must be a non-empty text${nullable ? ' or null' : ''}`);
  return v.trim();
}

/** A return code key: one IPv4 address in 127.0.0.0/8, in canonical form. */
function codeKey(key: string, where: string, source: string): string {
  const ip = canonicalIp(key);
  if (ip === null || ip.includes(':') || !ipaddr.parse(ip).match(LOOPBACK_NET)) {
    fail(source, `${where}: "${key}" is not an address in 127.0.0.0/8 (DNSBL answers are always there)`);
  }
  return ip;
}

/** An error code key: an address or a CIDR range inside 127.0.0.0/8, canonical. */
function errorKey(key: string, where: string, source: string): string {
  if (!key.includes('/')) return codeKey(key, where, source);
  const [addr, bits] = key.split('/');
  const ip = canonicalIp(addr);
  const n = /^\d{1,2}$/.test(bits) ? Number(bits) : NaN;
  if (ip === null || ip.includes(':') || !(n >= 8 && n <= 32) || !ipaddr.parse(ip).match(LOOPBACK_NET)) {
    fail(source, `${where}: "${key}" is not a CIDR range inside 127.0.0.0/8`);
  }
  const network = ipaddr.IPv4.networkAddressFromCIDR(`${ip}/${n}`).toString();
  return `${network}/${n}`;
}

function textMap(v: unknown, where: string, source: string, key: (k: string, w: string, s: string) => string): Record<string, string> {
  if (!isMapping(v)) fail(source, `${where} must be a mapping of answer -> meaning`);
  const out: Record<string, string> = {};
  for (const [k, meaning] of Object.entries(v)) {
    const canonical = key(k, where, source);
    if (canonical in out) fail(source, `${where}: "${k}" is given twice`);
    out[canonical] = text(meaning, `${where}."${k}"`, source)!;
  }
  return out;
}

/** Validates the fields present in one entry; returns them in typed form. */
function fields(raw: Record<string, unknown>, where: string, source: string): Partial<ZoneEntry> {
  const out: Partial<ZoneEntry> = {};
  for (const [key, v] of Object.entries(raw)) {
    const at = `${where}.${key}`;
    if (!KEYS.has(key)) fail(source, `unknown key "${at}" (known: ${[...KEYS].join(', ')})`);
    switch (key) {
      case 'zone': {
        const z = typeof v === 'string' ? v.trim().toLowerCase().replace(/\.$/, '') : '';
        if (!ZONE_NAME.test(z)) fail(source, `${at} must be a DNS zone name such as zen.spamhaus.org`);
        out.zone = z;
        break;
      }
      case 'query':
      case 'ipv6':
      case 'providerNetwork':
        if (typeof v !== 'boolean') fail(source, `${at} must be true or false`);
        out[key] = v;
        break;
      case 'impact':
        if (!IMPACTS.includes(v as Impact)) fail(source, `${at} must be one of ${IMPACTS.join(', ')}`);
        out.impact = v as Impact;
        break;
      case 'evidence':
        if (!EVIDENCE.includes(v as EvidenceKind)) fail(source, `${at} must be one of ${EVIDENCE.join(', ')}`);
        out.evidence = v as EvidenceKind;
        break;
      case 'codes':
        out.codes = textMap(v, at, source, codeKey);
        if (Object.keys(out.codes).length === 0) fail(source, `${at} must describe at least one return code`);
        break;
      case 'errorCodes':
        out.errorCodes = v === null ? {} : textMap(v, at, source, errorKey);
        break;
      case 'caveat':
      case 'defunct':
        out[key] = text(v, at, source, true);
        break;
      default:
        out[key as 'name' | 'listing' | 'delisting' | 'expiry'] = text(v, at, source)!;
    }
  }
  return out;
}

/** Reads the `zones:` list of one file; every entry must at least name its zone. */
function entries(textIn: string, source: string): Array<{ where: string; value: Partial<ZoneEntry> }> {
  // An empty file (or one with only comments) overrides nothing; js-yaml refuses empty input.
  if (textIn.split(/\r?\n/).every((l) => l.trim() === '' || l.trim().startsWith('#'))) return [];
  let doc: unknown;
  try {
    doc = yaml.load(textIn);
  } catch (e) {
    fail(source, `is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return [];
  if (!isMapping(doc)) fail(source, 'must be a mapping with one key, "zones"');
  for (const k of Object.keys(doc)) if (k !== 'zones') fail(source, `unknown top-level key "${k}" (only "zones")`);
  const list = doc.zones ?? [];
  if (!Array.isArray(list)) fail(source, '"zones" must be a list');
  const seen = new Set<string>();
  return list.map((raw, i) => {
    const where = `zones[${i}]`;
    if (!isMapping(raw)) fail(source, `${where} must be a mapping`);
    const value = fields(raw, where, source);
    if (!value.zone) fail(source, `${where} has no "zone"`);
    if (seen.has(value.zone)) fail(source, `${where}: zone ${value.zone} appears twice`);
    seen.add(value.zone);
    return { where: `${where} (${value.zone})`, value };
  });
}

function complete(value: Partial<ZoneEntry>, where: string, source: string): ZoneEntry {
  for (const k of REQUIRED) if (value[k] === undefined) fail(source, `${where} is a new zone and needs "${k}"`);
  const entry = { ...OPTIONAL_DEFAULTS, ...value } as ZoneEntry;
  return checkConsistent(entry, where, source);
}

function checkConsistent(entry: ZoneEntry, where: string, source: string): ZoneEntry {
  if (entry.defunct !== null && entry.query) fail(source, `${where} is marked defunct and cannot be queried; remove "defunct" to query it`);
  return entry;
}

/** Parses the shipped catalogue: every entry complete. */
export function parseZoneCatalogue(textIn: string, source: string): ZoneEntry[] {
  return entries(textIn, source).map((e) => complete(e.value, e.where, source));
}

/**
 * Applies the admin's file over the defaults: an entry for a known zone changes the fields it gives,
 * an entry for a new zone must be complete. Order: defaults first, new zones after.
 */
export function applyZoneOverrides(defaults: ZoneEntry[], overrideText: string, source: string): ZoneEntry[] {
  const out = defaults.map((z) => ({ ...z }));
  for (const { where, value } of entries(overrideText, source)) {
    const i = out.findIndex((z) => z.zone === value.zone);
    if (i >= 0) out[i] = checkConsistent({ ...out[i], ...value }, where, source);
    else out.push(complete(value, where, source));
  }
  return out;
}
