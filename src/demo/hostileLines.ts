/**
 * Hostile log content, generated deterministically from a seed: the text strangers control (user
 * names in logins, subjects and senders in exim_mainlog, names in the relay user map, driver names in
 * tailwatchd's log, alias targets) filled with markup, terminal escapes, bidi overrides, invalid
 * UTF-8, NUL bytes, CR/LF injection, 1 MiB lines and very long IPv6-looking tokens.
 *
 * Tests feed these lines through every parser, page and CLI output; the benchmark feeds them through
 * the scanner. Each line says what it carries (`kind`) and which file it belongs in (`target`), and is
 * raw bytes: invalid UTF-8 must reach the reader as it would on disk.
 *
 * Every markup payload carries MARKUP_MARKER, so a page can be checked for any place where the marker
 * ends up inside live markup instead of text.
 */
import { Random } from './random';

export type HostileKind =
  | 'markup'
  | 'long-line'
  | 'invalid-utf8'
  | 'nul'
  | 'terminal-escape'
  | 'bidi'
  | 'crlf'
  | 'long-ipv6';

export const HOSTILE_KINDS: readonly HostileKind[] = ['markup', 'long-line', 'invalid-utf8', 'nul', 'terminal-escape', 'bidi', 'crlf', 'long-ipv6'];

/** Which file of a cPanel host a line belongs in. */
export type HostileTarget = 'maillog' | 'exim' | 'usermap' | 'relaylist' | 'tailwatchd' | 'valiases' | 'autoresponder';

export const HOSTILE_TARGETS: readonly HostileTarget[] = ['maillog', 'exim', 'usermap', 'relaylist', 'tailwatchd', 'valiases', 'autoresponder'];

export interface HostileLine {
  kind: HostileKind;
  target: HostileTarget;
  /** the line as it is on disk, without its newline (it may hold CR, NUL and invalid UTF-8) */
  bytes: Buffer;
}

/** Appears in every markup payload; must never appear inside live markup of a page. */
export const MARKUP_MARKER = 'rwxss';

/** HTML and script payloads: tags, attribute breakouts, URLs, template syntax. */
export const MARKUP_PAYLOADS: readonly string[] = [
  `<script>${MARKUP_MARKER}(1)</script>`,
  `<img/src=x/onerror=${MARKUP_MARKER}(2)>`,
  `"><svg/onload=${MARKUP_MARKER}(3)>`,
  `'><iframe/src=javascript:${MARKUP_MARKER}(4)>`,
  `"/onmouseover="${MARKUP_MARKER}(5)`,
  `</textarea><script>${MARKUP_MARKER}(6)</script>`,
  `javascript:${MARKUP_MARKER}(7)`,
  `<%= ${MARKUP_MARKER}(8) %>`,
  `&lt;b&gt;${MARKUP_MARKER}(9)&amp;`,
  `<!--${MARKUP_MARKER}(10)-->`,
  `<a href=//evil.example/${MARKUP_MARKER}>x</a>`,
  `${MARKUP_MARKER}<style>*{display:none}</style>`,
];

/** Terminal control sequences: colours, screen clears, title setting (OSC), cursor moves, a BEL. */
export const TERMINAL_PAYLOADS: readonly string[] = [
  '\u001b[31mRED\u001b[0m',
  '\u001b[2J\u001b[H',
  '\u001b]0;owned title\u0007',
  '\u001b]8;;http://evil.example/\u001b\\link\u001b]8;;\u001b\\',
  '\u001b[1A\u001b[2Kroot logged in',
  '\u009b31m',
  '\u0008\u0008\u0008\u007fX',
];

/** Bidi controls that reorder what is shown: overrides, embeddings, isolates, marks. */
export const BIDI_PAYLOADS: readonly string[] = [
  '\u202egpj.exe',
  'admin\u202d\u202c',
  '\u2066evil\u2069',
  '\u2067x\u2068y\u2069',
  '\u200f\u200e\u061c',
  '\u202bembedded\u202a\u202c',
];

/** CR/LF and other line breaks meant to forge a second log line or a header. */
export const CRLF_PAYLOADS: readonly string[] = [
  'x\rJan  1 00:00:00 host dovecot[1]: imap-login: Login: user=<root>, rip=6.6.6.6',
  'x\r\nSet-Cookie: a=b',
  'x\u2028rip=6.6.6.6',
  'x\u0085rip=6.6.6.6',
  'x%0d%0aLocation: http://evil.example/',
  'x\\r\\nforged',
];

/** Bytes that are not UTF-8: lone continuation bytes, overlongs, surrogates, truncated sequences. */
export const INVALID_UTF8: readonly Buffer[] = [
  Buffer.from([0x80, 0x81]),
  Buffer.from([0xc0, 0xaf]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xf4, 0x90, 0x80, 0x80]),
  Buffer.from([0xe2, 0x82]),
  Buffer.from([0xff, 0xfe, 0xfd]),
];

const RELAY_IPS = ['203.0.113.10', '198.51.100.7', '2001:db8::b0'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function p2(n: number): string {
  return String(n).padStart(2, '0');
}

function syslogStamp(d: Date): string {
  return `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
}

function eximStamp(d: Date): string {
  return `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
}

function tailwatchdStamp(d: Date): string {
  return `${eximStamp(d)} +0000`;
}

/** A token that looks like an IPv6 address but runs on for `length` characters. */
export function longIpv6Token(length: number, rng?: Random): string {
  const groups: string[] = [];
  let n = 0;
  while (n < length) {
    const g = rng ? rng.token(rng.int(1, 4), '0123456789abcdef') : 'ffff';
    groups.push(g);
    n += g.length + 1;
  }
  return groups.join(':').slice(0, length);
}

/** `prefix` + `unit` repeated until the result is at least `bytes` long, + `suffix`. */
export function adversarialLine(prefix: string, unit: string, suffix = '', bytes = 100 * 1024): string {
  const n = Math.max(1, Math.ceil((bytes - prefix.length - suffix.length) / Math.max(1, unit.length)));
  return prefix + unit.repeat(n) + suffix;
}

interface Payload {
  kind: HostileKind;
  /** the payload as bytes (it may not be valid UTF-8) */
  bytes: Buffer;
}

function payloadFor(kind: HostileKind, rng: Random, longLineBytes: number): Payload {
  switch (kind) {
    case 'markup':
      return { kind, bytes: Buffer.from(rng.pick(MARKUP_PAYLOADS)) };
    case 'terminal-escape':
      return { kind, bytes: Buffer.from(`${rng.pick(TERMINAL_PAYLOADS)}${rng.pick(MARKUP_PAYLOADS)}`) };
    case 'bidi':
      return { kind, bytes: Buffer.from(rng.pick(BIDI_PAYLOADS)) };
    case 'crlf':
      return { kind, bytes: Buffer.from(rng.pick(CRLF_PAYLOADS)) };
    case 'nul':
      return { kind, bytes: Buffer.from(`a\u0000b${rng.pick(['', '\u0000\u0000', '%00', '\u0000<script>'])}`) };
    case 'invalid-utf8':
      return { kind, bytes: Buffer.concat([Buffer.from('u'), rng.pick(INVALID_UTF8), Buffer.from('<b>')]) };
    case 'long-ipv6':
      return { kind, bytes: Buffer.from(longIpv6Token(rng.weighted([[46, 4], [64, 4], [300, 3], [4096, 2], [65536, 0.1]] as const), rng)) };
    case 'long-line':
      return { kind, bytes: Buffer.from(`${rng.pick(MARKUP_PAYLOADS)}${'A'.repeat(longLineBytes)}`) };
  }
}

/** One line of the target file around the payload. */
function frame(target: HostileTarget, payload: Buffer, rng: Random, at: Date, ips: readonly string[]): Buffer {
  const ip = rng.pick(ips);
  const b = (s: string): Buffer => Buffer.from(s);
  const p = payload;
  const pid = rng.int(100, 99999);
  switch (target) {
    case 'maillog': {
      const stamp = syslogStamp(at);
      const form = rng.int(0, 6);
      if (form === 0) return Buffer.concat([b(`${stamp} host dovecot[${pid}]: imap-login: Login: user=<`), p, b(`>, method=PLAIN, rip=${ip}, lip=192.0.2.1, mpid=${pid}, TLS, session=<abc>`)]);
      if (form === 1) return Buffer.concat([b(`${stamp} host dovecot[${pid}]: pop3-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<`), p, b(`>, method=PLAIN, rip=${ip}, lip=192.0.2.1, TLS, session=<zz>`)]);
      if (form === 2) return Buffer.concat([b(`${stamp} host pop3d: LOGIN, user=`), p, b(`, ip=[::ffff:${ip.includes(':') ? '192.0.2.5' : ip}], port=[41000]`)]);
      if (form === 3) return Buffer.concat([b(`${stamp} host ipop3d[${pid}]: Login user=`), p, b(` host=h.example [${ip}] nmsgs=0/0`)]);
      if (form === 4) return Buffer.concat([b(`${stamp} host in.qpopper[${pid}]: (v4.0.9) POP login by user "`), p, b(`" at (h.example) ${ip} [pop_log.c:244]`)]);
      if (form === 5) return Buffer.concat([b(`${stamp} host dovecot[${pid}]: imap-login: proxy(`), p, b(`): started proxying to 127.0.0.1:143: user=<x>, rip=${ip}`)]);
      return Buffer.concat([b(`${stamp} `), p, b(` dovecot[${pid}]: imap-login: Login: user=<a>, rip=${ip}`)]);
    }
    case 'exim': {
      const stamp = eximStamp(at);
      const id = `1wt${rng.token(3, 'ABCDEFGH')}-0000000GRS${rng.token(1, 'ABCDEFGH')}-2tQh`;
      const form = rng.int(0, 5);
      if (form === 0) return Buffer.concat([b(`${stamp} ${id} <= a@alice.example H=(client) [${ip}]:50000 P=esmtp S=100 T="`), p, b(`" for info@alice.example`)]);
      if (form === 1) return Buffer.concat([b(`${stamp} ${id} <= `), p, b(`@x.example H=(`), p, b(`) [${ip}]:50000 P=esmtpa A=dovecot_login:`), p, b(` S=1 for b@bob.example`)]);
      if (form === 2) return Buffer.concat([b(`${stamp} ${id} => `), p, b(` <info@alice.example> R=virtual_user T=virtual_userdelivery`)]);
      if (form === 3) return Buffer.concat([b(`${stamp} SMTP connection identification H=(`), p, b(`) A=${ip} P=51234 U=`), p, b(` ID=1001 S=`), p, b(` B=get_recent_authed_mail_ips_entry`)]);
      if (form === 4) return Buffer.concat([b(`${stamp} H=(client) [${ip}]:50123 F=<x> rejected RCPT <y>: Rejected relay attempt: '${ip}' From: '`), p, b(`' To: '`), p, b(`'`)]);
      return Buffer.concat([b(`${stamp} ${id} => |/usr/local/cpanel/bin/autorespond info@alice.example /home/alice/.autorespond (`), p, b(`) <info@alice.example> R=virtual_aliases_nostar T=virtual_address_pipe`)]);
    }
    case 'usermap':
      return Buffer.concat([b(ip.includes(':') ? `"${ip}": ` : `${ip}: `), p, b(`@alice.example, `), p]);
    case 'relaylist':
      return rng.chance(0.5) ? p : Buffer.concat([b('"'), p, b('"')]);
    case 'tailwatchd': {
      const s = tailwatchdStamp(at);
      const form = rng.int(0, 3);
      if (form === 0) return Buffer.concat([b(`[${pid}] [${s}] [main] `), p]);
      if (form === 1) return Buffer.concat([b(`[${pid}] [${s}] [Cpanel::TailWatch::Utils::EnableDisable] [${pid}] [${s}] [main] Cpanel::TailWatch::`), p, b(' was successfully disabled')]);
      if (form === 2) return Buffer.concat([b(`Unknown driver '`), p, b(`' passed via --enable, ignoring`)]);
      return Buffer.concat([b('[START] '), p, b(' 1700000000')]);
    }
    case 'valiases':
      return Buffer.concat([p, b('@alice.example: "|/usr/local/cpanel/bin/autorespond '), p, b(' /home/alice/.autorespond",'), p]);
    case 'autoresponder':
      return Buffer.concat([b('Subject: '), p]);
  }
}

export interface HostileOptions {
  /** seed for the generator (same seed, same lines, byte for byte) */
  seed?: number;
  /** how many lines (at least 10,000 by default) */
  count?: number;
  /** how many of them are 1 MiB lines (default 4) */
  longLines?: number;
  /** bytes of a long line (default 1 MiB) */
  longLineBytes?: number;
  /** the IPs the lines are about (relay IPs of the host they go into) */
  ips?: readonly string[];
  /** time stamps are spread over the hour before this moment */
  now?: Date;
  /** only these targets */
  targets?: readonly HostileTarget[];
}

/**
 * The hostile lines: every kind in every target, round robin, then random mixes; `longLines` of them
 * are 1 MiB long. Deterministic for a given seed and options.
 */
export function hostileLines(o: HostileOptions = {}): HostileLine[] {
  const rng = new Random(o.seed ?? 9);
  const count = o.count ?? 10_000;
  const longLines = o.longLines ?? 4;
  const longLineBytes = o.longLineBytes ?? 1024 * 1024;
  const ips = o.ips && o.ips.length ? o.ips : RELAY_IPS;
  const now = (o.now ?? new Date(Date.UTC(2026, 0, 15, 12, 0, 0))).getTime();
  const targets = o.targets ?? HOSTILE_TARGETS;
  const shortKinds = HOSTILE_KINDS.filter((k) => k !== 'long-line');
  const out: HostileLine[] = [];
  for (let i = 0; i < count; i++) {
    // First every (kind, target) pair once, so that a small count still covers them all.
    const target = targets[i % targets.length];
    const kind: HostileKind =
      i < longLines ? 'long-line' : i < longLines + shortKinds.length * targets.length ? shortKinds[Math.floor((i - longLines) / targets.length) % shortKinds.length] : rng.pick(shortKinds);
    const at = new Date(now - Math.floor(((count - i) / count) * 3_600_000));
    let payload = payloadFor(kind, rng, longLineBytes);
    // Some lines carry two kinds at once (markup behind a bidi override, escapes in invalid UTF-8).
    if (kind !== 'long-line' && rng.chance(0.2)) payload = { kind, bytes: Buffer.concat([payload.bytes, payloadFor(rng.pick(shortKinds), rng, longLineBytes).bytes]) };
    out.push({ kind, target, bytes: frame(target, payload.bytes, rng, at, ips) });
  }
  return out;
}

/** The lines of one target as a file's content (one line each, newline-terminated). */
export function hostileFile(lines: readonly HostileLine[], target: HostileTarget): Buffer {
  const parts: Buffer[] = [];
  for (const l of lines) if (l.target === target) parts.push(l.bytes, Buffer.from('\n'));
  return Buffer.concat(parts);
}
