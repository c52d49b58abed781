/**
 * A byte-level test for "this line may hold one of these IP addresses", much cheaper than parsing
 * it, for a scan that only wants logins from a few thousand IPs (a cold `explain` wants only the
 * relay list's). Sound: whenever parseLoginLine() would find an address of the set in a line, the
 * line passes; lines that pass for another reason are simply parsed.
 *
 * Why it is sound (see canonicalIp() in ip.ts, whose strict syntax makes this possible):
 * - an IPv4 address `a.b.c.d` is written either as itself (no leading zeros are accepted, so its
 *   text is unique) or IPv4-mapped in IPv6 form, whose sixth group must be written `ffff` (in any
 *   case): the line holds `a.b.c.d` or `ffff`;
 * - an IPv6 address is written with each group as 1 to 4 hex digits, so its longest non-zero group
 *   among the first six (the last two may be written as a dotted quad) appears without its leading
 *   zeros, in some case; an address with no such group (`::1`, `::a.b.c.d`) makes every line with a
 *   colon pass.
 * Matching ignores the case of hex letters. All strings are found at once with an Aho-Corasick
 * automaton over the 18 bytes addresses are written with (digits, a-f, `.`, `:`).
 */
import ipaddr from 'ipaddr.js';

const SYMBOLS = 18;

/** byte -> symbol (0-9 digits, 10-15 hex letters in either case, 16 '.', 17 ':'), -1 for any other */
const SYMBOL = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) SYMBOL[0x30 + c] = c;
for (let c = 0; c < 6; c++) {
  SYMBOL[0x61 + c] = 10 + c;
  SYMBOL[0x41 + c] = 10 + c;
}
SYMBOL[0x2e] = 16;
SYMBOL[0x3a] = 17;

/** The strings that any way of writing this (canonical) address in a log must contain one of. */
export function ipWitnesses(canonical: string): string[] {
  if (!canonical.includes(':')) return [canonical, 'ffff:'];
  return [ipv6Witness((ipaddr.parse(canonical) as ipaddr.IPv6).parts)];
}

/**
 * The longest text every spelling of an IPv6 address must contain. Among the first six groups (the
 * last two may be written as a dotted quad), each group is followed by a colon, and two non-zero
 * groups next to each other stay next to each other (`::` stands for zero groups only). A group is
 * written as 1 to 4 hex digits, so a non-zero one may carry leading zeros; one of four digits
 * cannot. Hence "g:" for a non-zero group, continued by "h:" for every following group of four
 * digits: `4a1:7c00:` in 2001:db8:4a1:7c00::2e, where `2001` alone would be in every line the
 * server's own 2001:db8:: address is in. No non-zero group: ":" (every line with a colon passes).
 */
function ipv6Witness(parts: readonly number[]): string {
  let best = '';
  for (let i = 0; i < 6; i++) {
    if (parts[i] === 0) continue;
    let w = `${parts[i].toString(16)}:`;
    for (let j = i + 1; j < 6 && parts[j] >= 0x1000; j++) w += `${parts[j].toString(16)}:`;
    if (w.length > best.length) best = w;
  }
  return best === '' ? ':' : best;
}

/** Letters allowed in one witness needle: each doubles the case variants the kernel must look for. */
const MAX_NEEDLE_LETTERS = 4;
/** The byte-search kernel's limit on needles (scan/candidateKernel.ts), less a margin. */
const MAX_NEEDLES = 240;
/** Shorter needles would find too many lines to be worth searching for. */
const MIN_NEEDLE = 4;

/** Every spelling of `w` with its letters in either case. */
function caseVariants(w: string): string[] {
  let out = [''];
  for (const ch of w) {
    const lower = ch.toLowerCase();
    const upper = ch.toUpperCase();
    out = lower === upper ? out.map((o) => o + ch) : out.flatMap((o) => [o + lower, o + upper]);
  }
  return out;
}

/** The longest piece of `w` with at most MAX_NEEDLE_LETTERS letters (a piece of a witness is one too). */
function fewLetters(w: string): string {
  let best = '';
  let from = 0;
  let letters = 0;
  for (let to = 0; to < w.length; to++) {
    if (/[a-z]/i.test(w[to])) letters++;
    while (letters > MAX_NEEDLE_LETTERS) if (/[a-z]/i.test(w[from++])) letters--;
    if (to + 1 - from > best.length) best = w.slice(from, to + 1);
  }
  return best;
}

/**
 * The witnesses of these addresses as literal, case-exact needles for the byte-search kernel, so
 * that a scan can look for the addresses themselves instead of for login lines (a fifth of a
 * Dovecot-only log) and test each: every letter in either case, pieces of long witnesses kept to a
 * few letters. Null when that does not pay or does not fit: a witness of fewer than 4 bytes (`:`),
 * or more needles than the kernel takes (a relay list of hundreds of addresses).
 */
export function witnessNeedles(ips: Iterable<string>): string[] | null {
  const needles = new Set<string>();
  for (const ip of ips) {
    for (const w of ipWitnesses(ip)) {
      const piece = fewLetters(w.toLowerCase());
      if (piece.length < MIN_NEEDLE) return null;
      for (const v of caseVariants(piece)) needles.add(v);
      if (needles.size > MAX_NEEDLES) return null;
    }
  }
  return needles.size > 0 ? [...needles] : null;
}

export class IpTextFilter {
  private readonly delta: Int32Array;
  private readonly accept: Uint8Array;

  constructor(ips: Iterable<string>) {
    const words = new Set<string>();
    for (const ip of ips) for (const w of ipWitnesses(ip)) words.add(w.toLowerCase());
    // trie
    const next: number[][] = [new Array<number>(SYMBOLS).fill(-1)];
    const out: boolean[] = [false];
    for (const w of words) {
      let s = 0;
      for (let i = 0; i < w.length; i++) {
        const sym = SYMBOL[w.charCodeAt(i)];
        if (sym < 0) throw new Error(`ipTextFilter: unexpected character in "${w}"`);
        if (next[s][sym] === -1) {
          next[s][sym] = next.length;
          next.push(new Array<number>(SYMBOLS).fill(-1));
          out.push(false);
        }
        s = next[s][sym];
      }
      out[s] = true;
    }
    // failure links, breadth first, folded into a complete transition table
    const n = next.length;
    const delta = new Int32Array(n * SYMBOLS);
    const accept = new Uint8Array(n);
    const fail = new Int32Array(n);
    const queue: number[] = [];
    for (let sym = 0; sym < SYMBOLS; sym++) {
      const t = next[0][sym];
      if (t === -1) delta[sym] = 0;
      else {
        delta[sym] = t;
        fail[t] = 0;
        queue.push(t);
      }
    }
    accept[0] = out[0] ? 1 : 0;
    for (let head = 0; head < queue.length; head++) {
      const s = queue[head];
      accept[s] = out[s] || accept[fail[s]] ? 1 : 0;
      for (let sym = 0; sym < SYMBOLS; sym++) {
        const t = next[s][sym];
        if (t === -1) delta[s * SYMBOLS + sym] = delta[fail[s] * SYMBOLS + sym];
        else {
          delta[s * SYMBOLS + sym] = t;
          fail[t] = delta[fail[s] * SYMBOLS + sym];
          queue.push(t);
        }
      }
    }
    this.delta = delta;
    this.accept = accept;
  }

  /** Whether bytes [start, end) of buf contain one of the witness strings. */
  mayContain(buf: Uint8Array, start: number, end: number): boolean {
    const delta = this.delta;
    const accept = this.accept;
    let s = 0;
    for (let i = start; i < end; i++) {
      const sym = SYMBOL[buf[i]];
      if (sym < 0) {
        s = 0;
        continue;
      }
      s = delta[s * SYMBOLS + sym];
      if (accept[s] === 1) return true;
    }
    return false;
  }
}
