/**
 * IP addresses in canonical form, so that the same address written by different programs compares
 * equal: IPv4-mapped IPv6 (`::ffff:1.2.3.4`, as Courier and Dovecot log) becomes IPv4, IPv6 is
 * compressed per RFC 5952 (cPanel writes it fully expanded and quoted in the relay list).
 *
 * The syntax is checked here, strictly, before ipaddr.js builds the address: ipaddr.js's parser is
 * lenient in ways that change the meaning of text no log or cPanel file ever writes — `010.1.1.1`
 * is read as octal (8.1.1.1), `0x7f.1` and `1.2.3` as shorthand, `::1.2.3.4` (IPv4-compatible) as if
 * it were IPv4-mapped, and `%zone` suffixes are kept. Such text is rejected (null), not guessed at.
 */
import ipaddr from 'ipaddr.js';

/** Dotted-quad IPv4, decimal octets without leading zeros (`1.2.3.4`, not `01.2.3.4`). */
const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4_STRICT = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

function ipv4Octets(t: string): number[] | null {
  return IPV4_STRICT.test(t) ? t.split('.').map(Number) : null;
}

/** The 8 16-bit groups of an IPv6 text (RFC 4291 §2.2 forms, IPv4 tail allowed), or null. */
function ipv6Parts(t: string): number[] | null {
  let text = t;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (lastColon < 0) return null;
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    const o = ipv4Octets(last);
    if (!o) return null;
    tail.push((o[0] << 8) | o[1], (o[2] << 8) | o[3]);
    text = text.slice(0, lastColon + 1);
    // "::1.2.3.4" leaves "::"; "1::ffff:1.2.3.4" leaves "1::ffff:" — drop the separator colon.
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (s: string): number[] | null => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!HEX_GROUP.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = groups(halves[0]);
  if (!head) return null;
  if (halves.length === 1) {
    const all = [...head, ...tail];
    return all.length === 8 ? all : null;
  }
  const rest = groups(halves[1]);
  if (!rest) return null;
  const known = head.length + rest.length + tail.length;
  if (known > 7) return null; // "::" stands for at least one zero group
  return [...head, ...new Array<number>(8 - known).fill(0), ...rest, ...tail];
}

/** Canonical text of an address, or null when the text is not an IP address. */
export function canonicalIp(text: string): string | null {
  let t = text.trim();
  if (t.startsWith('"') && t.endsWith('"') && t.length >= 2) t = t.slice(1, -1);
  if (t.startsWith('[') && t.endsWith(']')) t = t.slice(1, -1);
  if (t.length === 0 || t.length > 45) return null;
  // Strict dotted-quad text is already canonical (decimal octets, no leading zeros): the address
  // itself, without building it (a scan meets tens of thousands of distinct addresses).
  if (!t.includes(':')) return IPV4_STRICT.test(t) ? t : null;
  if (isCanonicalIpv6(t)) return t;
  // zone ids ("%eth0") and anything else off the grammar fail in ipv6Parts
  const parts = eightGroups(t) ?? ipv6Parts(t);
  if (!parts) return null;
  return ipv6Text(parts);
}

/**
 * Whether `text` is, as it stands, what canonicalIp() gives for it: a strict dotted quad, or IPv6
 * written as RFC 5952 writes it and not IPv4-mapped. Such text is its own answer, found in one pass
 * without building the address or a new string: Dovecot writes client addresses this way, and a
 * scan of a log of mobile clients meets tens of thousands of distinct ones.
 */
export function isCanonicalIp(text: string): boolean {
  return text.includes(':') ? isCanonicalIpv6(text) : IPV4_STRICT.test(text);
}

/** explicit groups of the IPv6 text isCanonicalIpv6 is reading */
const explicitGroups = new Int32Array(8);

/**
 * RFC 5952 text, read in one pass: 1 to 4 lower-case hex digits a group with no leading zero, "::"
 * once at most and for two or more zero groups, no zero group next to it, no other run of two zero
 * groups as long as it (nor one as long before it), and not ::ffff:0:0/96 (written as IPv4).
 * Anything else (upper case, leading zeros, an IPv4 tail, quotes, a zone) is read by the grammar.
 */
function isCanonicalIpv6(t: string): boolean {
  const n = t.length;
  if (n < 2 || n > 39) return false;
  let g = 0;
  /** explicit groups before the "::", -1 without one */
  let gap = -1;
  let i = 0;
  if (t.charCodeAt(0) === 0x3a) {
    if (t.charCodeAt(1) !== 0x3a) return false;
    if (n === 2) return true; // "::"
    gap = 0;
    i = 2;
  }
  for (;;) {
    const start = i;
    let v = 0;
    for (; i < n; i++) {
      const c = t.charCodeAt(i);
      if (c >= 0x30 && c <= 0x39) v = v * 16 + c - 0x30;
      else if (c >= 0x61 && c <= 0x66) v = v * 16 + c - 0x57;
      else break;
    }
    const len = i - start;
    if (len === 0 || len > 4 || (len > 1 && t.charCodeAt(start) === 0x30) || g === 8) return false;
    explicitGroups[g++] = v;
    if (i === n) break;
    if (t.charCodeAt(i++) !== 0x3a || i === n) return false;
    if (t.charCodeAt(i) === 0x3a) {
      if (gap >= 0) return false;
      gap = g;
      if (++i === n) break;
    }
  }
  if (gap < 0 ? g !== 8 : g > 6) return false;
  const gapLength = gap < 0 ? 0 : 8 - g;
  for (let k = 0; k < g;) {
    if (explicitGroups[k] !== 0) {
      k++;
      continue;
    }
    // a run of zero groups, up to the "::" at most (the groups on its two sides are not one run)
    let j = k + 1;
    while (j < g && j !== gap && explicitGroups[j] === 0) j++;
    if (j === gap || k === gap) return false; // its zeros belong to the "::"
    if (j - k >= 2 && (j - k > gapLength || (j - k === gapLength && k < gap))) return false;
    k = j;
  }
  return !(gap === 0 && g === 3 && explicitGroups[0] === 0xffff);
}

/**
 * The groups of the commonest IPv6 text, eight groups of 1 to 4 hex digits with no "::" and no IPv4
 * tail, read in one pass; null for any other text (ipv6Parts then reads it by the whole grammar).
 */
function eightGroups(t: string): number[] | null {
  const out: number[] = [];
  let value = 0;
  let digits = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    let d: number;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
    else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
    else if (c === 0x3a && digits > 0 && out.length < 7) {
      out.push(value);
      value = 0;
      digits = 0;
      continue;
    } else return null;
    if (++digits > 4) return null;
    value = value * 16 + d;
  }
  if (digits === 0 || out.length !== 7) return null;
  out.push(value);
  return out;
}

/**
 * The canonical text of 8 IPv6 groups: IPv4-mapped (::ffff:0:0/96) as the IPv4 address, else
 * RFC 5952 (lower-case hex without leading zeros, the longest run of two or more zero groups, the
 * first of equals, as "::"). What ipaddr.js's toIPv4Address() and toRFC5952String() give (the test
 * holds them to it), without building the address and its strings: a scan meets many.
 */
function ipv6Text(p: readonly number[]): string {
  if (p[0] === 0 && p[1] === 0 && p[2] === 0 && p[3] === 0 && p[4] === 0 && p[5] === 0xffff) {
    return `${p[6] >> 8}.${p[6] & 255}.${p[7] >> 8}.${p[7] & 255}`;
  }
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (p[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && p[j] === 0) j++;
    if (j - i > bestLength) {
      best = i;
      bestLength = j - i;
    }
    i = j;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === best) {
      out += '::';
      i += bestLength - 1;
      continue;
    }
    if (out !== '' && !out.endsWith(':')) out += ':';
    out += p[i].toString(16);
  }
  return out;
}

export type IpRange = 'public' | 'private' | 'loopback' | 'linkLocal' | 'reserved';

/**
 * What kind of address this is, for deciding whether it can be on a blacklist or a local login.
 * Globally routed special blocks (6to4, Teredo, the NAT64 prefix, AS112, AMT) are public: a mail
 * client can really connect from them.
 */
export function ipRange(canonical: string): IpRange {
  // widened: the typings lag the library's range names (deprecatedSiteLocal)
  const r: string = ipaddr.parse(canonical).range();
  switch (r) {
    case 'unicast':
    case '6to4':
    case 'teredo':
    case 'rfc6052':
    case 'as112':
    case 'as112v6':
    case 'amt':
      return 'public';
    case 'loopback':
      return 'loopback';
    case 'linkLocal':
      return 'linkLocal';
    case 'private':
    case 'uniqueLocal':
    case 'carrierGradeNat':
    case 'deprecatedSiteLocal':
      return 'private';
    default:
      return 'reserved';
  }
}

export function isIpv6(canonical: string): boolean {
  return canonical.includes(':');
}

/** Fully expanded IPv6 (8 groups of 4 hex digits), as cPanel writes it in the relay list. */
export function expandedIpv6(canonical: string): string {
  const addr = ipaddr.parse(canonical);
  if (addr.kind() !== 'ipv6') throw new Error(`expandedIpv6: not an IPv6 address: ${canonical}`);
  return (addr as ipaddr.IPv6).parts.map((p) => p.toString(16).padStart(4, '0')).join(':');
}

/** Sort key: IPv4 before IPv6, numerically within each. */
export function compareIps(a: string, b: string): number {
  return compareBytes(ipaddr.parse(a).toByteArray(), ipaddr.parse(b).toByteArray());
}

function compareBytes(pa: number[], pb: number[]): number {
  if (pa.length !== pb.length) return pa.length - pb.length;
  for (let i = 0; i < pa.length; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}

/**
 * compareIps for one sort: each address is parsed once, not at every comparison (sorting 2,000 relay
 * IPs makes some 40,000 of them). Make a new one per sort; it remembers every address it saw.
 */
export function ipOrder(): (a: string, b: string) => number {
  const bytes = new Map<string, number[]>();
  const of = (ip: string): number[] => {
    let b = bytes.get(ip);
    if (!b) {
      b = ipaddr.parse(ip).toByteArray();
      bytes.set(ip, b);
    }
    return b;
  };
  return (a, b) => compareBytes(of(a), of(b));
}
