/**
 * Turns one exim_mainlog line into a typed event, or null. Pure.
 *
 * Line shape: `2026-08-11 01:35:09[.123][ +0200] [[pid] ][message-id ]body`. The stamp carries a year;
 * it is in the server's local time unless Exim's log_timezone adds a zone.
 *
 * The `key=value` fields after an event's frame are read by a small tokenizer that knows Exim's
 * quoting: `T="…"` (with `\"` escapes) is one value, `H=name (helo) [ip]:port` is one value, and
 * everything after a bare `for` is the recipient list. A field name written inside a subject, a
 * HELO name or a quoted sender is therefore never taken for a field, and the first occurrence of a
 * field wins (Exim writes its own fields before the message's header data).
 */
import { TextDecoder } from 'node:util';
import { decodeEncodedWords } from './encodedWords';
import { canonicalIp as canonicalIpUncached } from './ip';
import { EXIM_PATTERNS, EximEventKind, EximPattern, RELAY_IDENTIFICATION_METHODS } from './patterns/eximPatterns';
import { EXIM_MESSAGE_ID } from './patterns/fragments';
import { Stamp } from './syslogLine';

export interface EximHost {
  name: string | null;
  helo: string | null;
  /** canonical IP, null when the field held none */
  ip: string | null;
  port: number | null;
}

interface EximBase {
  pattern: string;
  stamp: Stamp | null;
  /** Exim's message id of the line, when it has one */
  id: string | null;
}

export interface EximArrival extends EximBase {
  kind: 'arrival' | 'bounce';
  /** envelope sender; '' for the null sender `<>` */
  sender: string;
  /** for bounces: the id of the message that bounced (R=) */
  bounceOf: string | null;
  host: EximHost | null;
  /** P= */
  protocol: string | null;
  /** A=mechanism:id */
  auth: { mechanism: string; id: string | null } | null;
  /** true when A= is present or P= says so (esmtpa, esmtpsa: RFC 3848) */
  authenticated: boolean;
  /** U= (the local user for local submissions, or an ident answer) */
  localUser: string | null;
  size: number | null;
  subject: string | null;
  /** id= (the Message-ID header) */
  messageId: string | null;
  /** recipients after `for` (+received_recipients); [] when not logged */
  recipients: string[];
}

export interface EximDelivery extends EximBase {
  kind: 'delivery';
  arrow: '=>' | '->';
  address: string;
  parent: string | null;
  original: string | null;
  router: string | null;
  transport: string | null;
  host: EximHost | null;
}

export interface EximAutoresponderPipe extends EximBase {
  kind: 'autoresponder-pipe';
  arrow: '=>' | '->';
  /** the autoresponder's address (the first argument of autorespond) */
  address: string;
  /** the directory argument (~user/.autorespond) */
  dir: string;
  original: string | null;
  router: string | null;
  transport: string | null;
  /** delivered through CageFS's pipe transport */
  cagefs: boolean;
}

export interface EximFailure extends EximBase {
  kind: 'failure';
  address: string;
  original: string | null;
  router: string | null;
  error: string | null;
}

export interface EximIdentification extends EximBase {
  kind: 'identification';
  /** canonical IP of the sending client (A= on this line) */
  ip: string;
  host: string | null;
  port: number | null;
  /** U=: the cPanel user the relay list names */
  cpuser: string | null;
  /** S=: the envelope sender */
  sender: string | null;
  /** B= */
  method: string;
  /** M=, when cPanel writes it */
  messageRef: string | null;
}

export interface EximRejectedRelay extends EximBase {
  kind: 'rejected-relay';
  ip: string;
  sender: string;
  recipient: string;
}

export type EximEvent = EximArrival | EximDelivery | EximAutoresponderPipe | EximFailure | EximIdentification | EximRejectedRelay;

/** The same few thousand client and MTA addresses recur on every line: remember their canonical form. */
const ipCache = new Map<string, string | null>();
function canonicalIp(text: string): string | null {
  let v = ipCache.get(text);
  if (v === undefined) {
    v = canonicalIpUncached(text);
    if (ipCache.size >= 10_000) ipCache.clear();
    ipCache.set(text, v);
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// The line prefix

const PREFIX = new RegExp(
  String.raw`^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(?: ([+-])(\d\d)(\d\d))? (?:\[(\d{1,10})\] )?(?:(${EXIM_MESSAGE_ID}) )?`,
);

export interface EximSplit {
  stamp: Stamp;
  pid: number | null;
  id: string | null;
  body: string;
}

export function splitEximLine(line: string): EximSplit | null {
  const m = PREFIX.exec(line);
  if (!m) return null;
  const offset = m[8] ? (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10])) : null;
  return {
    stamp: {
      year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: Number(m[4]), minute: Number(m[5]), second: Number(m[6]),
      millis: m[7] ? Number(m[7].padEnd(3, '0').slice(0, 3)) : 0,
      offsetMinutes: offset,
    },
    pid: m[11] ? Number(m[11]) : null,
    id: m[12] ?? null,
    body: line.slice(m[0].length),
  };
}

// ---------------------------------------------------------------------------------------------
// The field tokenizer

export interface EximFields {
  /** first occurrence of each KEY=value */
  values: Map<string, string>;
  host: EximHost | null;
  /** after a bare `for`; null when the line has none */
  recipients: string[] | null;
}

const HOST_VALUE = /(?:([^\s()[\]"]{1,255}) )?(?:\(([^)\n]{0,255})\) )?\[([0-9A-Fa-f:.]{2,45})\](?::(\d{1,5}))?/y;

/** The end of a `KEY=` at i (the index of '='), or -1: a letter, then up to 15 letters, digits or '_'. */
function keyEnd(text: string, i: number): number {
  const c0 = text.charCodeAt(i);
  if (!((c0 >= 65 && c0 <= 90) || (c0 >= 97 && c0 <= 122))) return -1;
  for (let j = i + 1; j < text.length && j <= i + 16; j++) {
    const c = text.charCodeAt(j);
    if (c === 61) return j;
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95)) return -1;
  }
  return -1;
}

const BACKSLASH = 0x5c;

/** Index of the first `code` in text[from, end), or -1; never looks past `end`. */
function indexBefore(text: string, code: number, from: number, end: number): number {
  for (let j = from; j < end; j++) if (text.charCodeAt(j) === code) return j;
  return -1;
}

/**
 * Exim's one-letter escapes (string_printing() in Exim's string.c) that are read as the character:
 * line breaks (a folded header) and tab. `\b`, `\v` and `\f` stay as written, like the octal
 * escapes of other control characters.
 */
const LETTER_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\\b', v: '\\v', f: '\\f' };
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The text of a run of Exim's `\ooo` escapes: the bytes as UTF-8 (Exim's headers_charset), each
 * character whose bytes are not valid UTF-8 (an 8-bit charset Exim did not convert, or a character
 * cut off where Exim shortened the subject) left as the escapes that were written: shown as it is, not
 * guessed at.
 */
function octalRun(bytes: readonly number[], escapes: readonly string[]): string {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    // C0 controls and DEL stay escaped: a subject shows no raw control characters
    const n = b < 0x80 ? (b < 0x20 || b === 0x7f ? 0 : 1) : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (n > 0 && i + n <= bytes.length) {
      try {
        out += UTF8.decode(Uint8Array.from(bytes.slice(i, i + n)));
        i += n;
        continue;
      } catch {
        // not a valid sequence: the lead byte is shown as written
      }
    }
    out += escapes[i];
    i++;
  }
  return out;
}

function readQuoted(text: string, at: number): { value: string; end: number } {
  // text[at] === '"'. Copies the runs between escapes in one slice each; each search starts where the
  // last ended (the closing-quote search only again when an escaped quote consumed it): linear.
  // The backslash search stops at the closing quote: searched to the end of the line, a line of many
  // short quoted values without a backslash cost a whole-line scan per value (quadratic).
  // Escapes are Exim's (string_printing()): `\"` and `\\`, `\n` `\t` ..., and `\ooo` for any other
  // byte that is not printable ASCII; a run of `\ooo` is one UTF-8 byte string (`\342\200\234` is a
  // curly quote).
  let out = '';
  let i = at + 1;
  let q = text.indexOf('"', i);
  let b = indexBefore(text, BACKSLASH, i, q === -1 ? text.length : q);
  while (b !== -1) {
    out += text.slice(i, b);
    i = b + 1;
    if (i >= text.length) break;
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x37) {
      // a run of octal escapes: \o, \oo or \ooo each (Exim writes three digits)
      const bytes: number[] = [];
      const escapes: string[] = [];
      let j = b;
      while (j < text.length && text.charCodeAt(j) === BACKSLASH && text.charCodeAt(j + 1) >= 0x30 && text.charCodeAt(j + 1) <= 0x37) {
        let k = j + 1;
        let v = 0;
        while (k < j + 4 && k < text.length && text.charCodeAt(k) >= 0x30 && text.charCodeAt(k) <= 0x37) v = v * 8 + (text.charCodeAt(k++) - 0x30);
        bytes.push(v & 0xff);
        escapes.push(text.slice(j, k));
        j = k;
      }
      out += octalRun(bytes, escapes);
      i = j;
    } else {
      out += LETTER_ESCAPES[text[i]] ?? text[i];
      i++;
    }
    if (q !== -1 && q < i) q = text.indexOf('"', i);
    b = indexBefore(text, BACKSLASH, i, q === -1 ? text.length : q);
  }
  if (q === -1) return { value: out + text.slice(i), end: text.length };
  return { value: out + text.slice(i, q), end: q + 1 };
}

/**
 * A subject as a person reads it: folded header lines joined with one space (as the autoresponder
 * files' headers are), RFC 2047 encoded words that Exim left as they were decoded.
 */
export function displaySubject(value: string): string {
  // a line break that is not a fold is shown as Exim wrote it
  const unfolded = /[\r\n]/.test(value) ? value.replace(/\r?\n[ \t]+/g, ' ').replace(/\r/g, '\\r').replace(/\n/g, '\\n') : value;
  return decodeEncodedWords(unfolded);
}

function nextSpace(text: string, at: number): number {
  const i = text.indexOf(' ', at);
  return i === -1 ? text.length : i;
}

/** Splits a recipient list on spaces, keeping quoted local parts whole. */
function splitRecipients(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (text[i] === ' ') i++;
    if (i >= text.length) break;
    let token = '';
    if (text[i] === '"') {
      const q = readQuoted(text, i);
      const end = nextSpace(text, q.end);
      token = `"${q.value}"${text.slice(q.end, end)}`;
      i = end;
    } else {
      const end = nextSpace(text, i);
      token = text.slice(i, end);
      i = end;
    }
    if (token) out.push(token);
  }
  return out;
}

export function tokenizeFields(text: string): EximFields {
  const values = new Map<string, string>();
  let host: EximHost | null = null;
  let recipients: string[] | null = null;
  let i = 0;
  while (i < text.length) {
    if (text[i] === ' ') {
      i++;
      continue;
    }
    if (text.startsWith('for ', i)) {
      recipients = splitRecipients(text.slice(i + 4));
      break;
    }
    const eq = keyEnd(text, i);
    if (eq === -1) {
      // a bare flag (K, L, PRDR), `from <addr>`, or a `(parent)`/`<original>` token
      if (text[i] === '"') i = readQuoted(text, i).end;
      else if (text[i] === '(') {
        const close = text.indexOf(')', i);
        i = close === -1 ? text.length : close + 1;
      } else i = nextSpace(text, i);
      continue;
    }
    const key = text.slice(i, eq);
    const at = eq + 1;
    if (key === 'H') {
      HOST_VALUE.lastIndex = at;
      const h = HOST_VALUE.exec(text);
      if (h && (at + h[0].length === text.length || text[at + h[0].length] === ' ')) {
        if (!values.has('H')) {
          host = { name: h[1] ?? null, helo: h[2] ?? null, ip: canonicalIp(h[3]), port: h[4] ? Number(h[4]) : null };
          values.set('H', h[0]);
        }
        i = at + h[0].length;
        continue;
      }
    }
    let value: string;
    if (text[at] === '"') {
      const q = readQuoted(text, at);
      value = q.value;
      i = q.end;
    } else if (text[at] === '(') {
      const close = text.indexOf(')', at);
      const end = close === -1 ? text.length : close + 1;
      value = text.slice(at, end);
      i = end;
    } else {
      const end = nextSpace(text, at);
      value = text.slice(at, end);
      i = end;
    }
    if (!values.has(key)) values.set(key, value);
  }
  return { values, host, recipients };
}

// ---------------------------------------------------------------------------------------------
// Events

/** RFC 3848 protocol names that mean the client authenticated (esmtpa, esmtpsa, utf8esmtpsa, lmtpa…). */
const AUTH_PROTOCOL = /^(?:utf8)?(?:e|l)?smtps?a$/i;

function parseAuth(value: string | undefined): EximArrival['auth'] {
  if (value === undefined || value === '') return null;
  const colon = value.indexOf(':');
  if (colon === -1) return { mechanism: value, id: null };
  return { mechanism: value.slice(0, colon), id: value.slice(colon + 1) || null };
}

function int(value: string | undefined): number | null {
  if (value === undefined || !/^\d{1,15}$/.test(value)) return null;
  return Number(value);
}

function unquoteSender(raw: string): string {
  return raw === '<>' ? '' : raw;
}

function arrivalFrom(p: EximPattern, base: EximBase, groups: Record<string, string | undefined>): EximArrival {
  const f = tokenizeFields(groups.fields ?? '');
  const auth = parseAuth(f.values.get('A'));
  const protocol = f.values.get('P') ?? null;
  return {
    pattern: base.pattern,
    stamp: base.stamp,
    id: base.id,
    kind: p.kind === 'bounce' ? 'bounce' : 'arrival',
    sender: p.kind === 'bounce' ? '' : unquoteSender(groups.sender ?? ''),
    bounceOf: p.kind === 'bounce' ? (groups.parent ?? null) : null,
    host: f.host,
    protocol,
    auth,
    authenticated: auth !== null || (protocol !== null && AUTH_PROTOCOL.test(protocol)),
    localUser: f.values.get('U') ?? null,
    size: int(f.values.get('S')),
    subject: f.values.has('T') ? displaySubject(f.values.get('T')!) : null,
    messageId: f.values.get('id') ?? null,
    recipients: f.recipients ?? [],
  };
}

function arrowOf(a: string | undefined): '=>' | '->' {
  return a === '->' ? '->' : '=>';
}

function eventFrom(p: EximPattern, base: EximBase, g: Record<string, string | undefined>): EximEvent | null {
  switch (p.kind) {
    case 'arrival':
    case 'bounce':
      return arrivalFrom(p, base, g);
    case 'autoresponder-pipe': {
      const f = tokenizeFields(g.fields ?? '');
      const transport = f.values.get('T') ?? null;
      return {
        pattern: base.pattern,
        stamp: base.stamp,
        id: base.id,
        kind: 'autoresponder-pipe',
        arrow: arrowOf(g.arrow),
        address: g.address!,
        dir: g.dir!,
        original: g.original ?? g.parent ?? g.leading ?? null,
        router: f.values.get('R') ?? null,
        transport,
        cagefs: transport !== null && /cagefs/i.test(transport),
      };
    }
    case 'delivery': {
      const f = tokenizeFields(g.fields ?? '');
      return {
        pattern: base.pattern,
        stamp: base.stamp,
        id: base.id,
        kind: 'delivery',
        arrow: arrowOf(g.arrow),
        address: g.address!,
        parent: g.parent ?? null,
        original: g.original ?? null,
        router: f.values.get('R') ?? null,
        transport: f.values.get('T') ?? null,
        host: f.host,
      };
    }
    case 'failure': {
      const rest = g.rest ?? '';
      const colon = rest.indexOf(': ');
      const fieldText = colon === -1 ? rest : rest.slice(0, colon);
      const f = tokenizeFields(fieldText);
      let address = g.address!;
      let error = colon === -1 ? null : rest.slice(colon + 2);
      if (address.endsWith(':')) {
        address = address.slice(0, -1);
        error = rest.trim() || error;
      }
      return { pattern: base.pattern, stamp: base.stamp, id: base.id, kind: 'failure', address, original: g.original ?? null, router: f.values.get('R') ?? null, error };
    }
    case 'identification': {
      const f = tokenizeFields(g.fields ?? '');
      const method = f.values.get('B');
      if (!method || !RELAY_IDENTIFICATION_METHODS.includes(method)) return null;
      const ip = canonicalIp(f.values.get('A') ?? '');
      if (!ip) return null;
      const sender = f.values.get('S');
      const cpuser = f.values.get('U');
      return {
        pattern: base.pattern,
        stamp: base.stamp,
        id: base.id,
        kind: 'identification',
        ip,
        host: f.values.get('H') || null,
        port: int(f.values.get('P')),
        cpuser: cpuser ? cpuser : null,
        sender: sender && sender !== '<>' ? sender : null,
        method,
        messageRef: f.values.get('M') || null,
      };
    }
    case 'rejected-relay': {
      const ip = canonicalIp(g.ip ?? '');
      if (!ip) return null;
      return { pattern: base.pattern, stamp: base.stamp, id: base.id, kind: 'rejected-relay', ip, sender: g.sender ?? '', recipient: g.recipient ?? '' };
    }
  }
}

/**
 * Matches a body against the patterns whose needle it contains. The first pattern that matches
 * decides what the line is, whatever kinds the caller wants: a subject quoting "Rejected relay
 * attempt" stays an arrival even for a caller that only wants refusals.
 */
export function matchEximBody(body: string, at: Omit<EximBase, 'pattern'>, kinds?: ReadonlySet<EximEventKind>): EximEvent | null {
  for (const p of EXIM_PATTERNS) {
    if (!body.includes(p.needle)) continue;
    const m = p.regex.exec(body);
    if (!m) continue;
    // (no object spread on this path: it costs more than the whole parse)
    const ev = eventFrom(p, { pattern: p.name, stamp: at.stamp, id: at.id }, m.groups ?? {});
    if (!ev) continue;
    return !kinds || kinds.has(p.kind) ? ev : null;
  }
  return null;
}

export function parseEximLine(line: string, kinds?: ReadonlySet<EximEventKind>): EximEvent | null {
  const split = splitEximLine(line);
  if (!split) return null;
  return matchEximBody(split.body, { stamp: split.stamp, id: split.id }, kinds);
}

/** The needles for the given kinds (all kinds when none are given), for the candidate-line search. */
export function eximNeedles(kinds?: ReadonlySet<EximEventKind>): string[] {
  return [...new Set(EXIM_PATTERNS.filter((p) => !kinds || kinds.has(p.kind)).map((p) => p.needle))];
}
