/**
 * Finding an IP address in log lines written by different programs. Dovecot writes IPv4-mapped
 * addresses (`::ffff:1.2.3.4`), Courier brackets them, Exim appends `:port`, cPanel's list writes
 * IPv6 fully expanded. The byte search looks for a few literal needles; each candidate line is then
 * confirmed by reading its address-like tokens and comparing their canonical form, so `1.2.3.4`
 * never matches `11.2.3.45` and `2001:db8::5` never matches `2001:db8::55`. Pure.
 */
import { canonicalIp } from '../parsers/ip';

/** The 8 groups of a canonical IPv6 address. */
function groupsOf(canonical: string): string[] {
  const [head, tail = ''] = canonical.split('::');
  const h = head ? head.split(':') : [];
  const t = canonical.includes('::') ? (tail ? tail.split(':') : []) : [];
  const missing = 8 - h.length - t.length;
  return [...h, ...new Array<string>(Math.max(0, missing)).fill('0'), ...t];
}

/** Literal texts under which a log may write the (canonical) address. */
export function ipNeedles(canonical: string): string[] {
  if (!canonical.includes(':')) return [canonical]; // also inside ::ffff:1.2.3.4 and [1.2.3.4]:25
  const groups = groupsOf(canonical);
  const forms = [
    canonical,
    groups.map((g) => g.padStart(4, '0')).join(':'), // cPanel's fully expanded form
    groups.join(':'), // uncompressed, no leading zeros
  ];
  return [...new Set([...forms, ...forms.map((f) => f.toUpperCase())])];
}

// Address-like runs of characters; linear (one character class, no nesting).
const TOKEN = /[0-9A-Fa-f:.]{2,}/g;
// `1.2.3.4:2981`; Exim may write an IPv6 port after a dot (`2001:db8::5.25`), never an IPv4 one.
const PORT_SUFFIX = /:\d{1,5}$|(?<=^[0-9A-Fa-f:]+)\.\d{1,5}$/;

/** True when the line holds the address itself (any spelling), not just a longer one containing it. */
export function lineMentionsIp(text: string, canonical: string): boolean {
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m !== null; m = TOKEN.exec(text)) {
    const raw = m[0];
    if (raw.length > 64) continue;
    // as written, without a sentence's full stop, without a stray leading separator ("=:1.2.3.4")
    for (const t of [raw, raw.replace(/\.+$/, ''), raw.replace(/^[.:](?!:)/, '')]) {
      const c = canonicalIp(t) ?? (PORT_SUFFIX.test(t) ? canonicalIp(t.replace(PORT_SUFFIX, '')) : null);
      if (c === canonical) return true;
    }
  }
  return false;
}

// Who a log line is about: the login or authenticated name, Exim's local user, the sender.
const USER_HINTS: readonly RegExp[] = [
  /\buser=<([^>\s]{1,320})>/g,
  /\buser=([^,\s<>]{1,320})/g,
  /\bA=[a-z_]{1,40}:([^\s]{1,320})/g,
  /\bU=([^\s]{1,64})/g,
  / <= ([^\s@]{1,200}@[^\s]{1,200})/g,
];

/** The mail users or cPanel users a line names (for deciding whether a reseller may see it). */
export function usersInLine(text: string): string[] {
  const out = new Set<string>();
  for (const re of USER_HINTS) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) out.add(m[1]);
  }
  return [...out];
}
