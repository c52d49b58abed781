/**
 * Proof of the login-pattern table (src/parsers/patterns/loginPatterns.ts).
 *
 * Every sample line — the shared real lines (maillog-real.log) and relaywatch's own
 * (test/fixtures/samples/login-samples.log) — must yield exactly what the annotation above it says, and
 * a tagged sample must be found by the tagged pattern. The table cannot grow a pattern without proof:
 * a pattern with no positive sample, no look-alike or no hand-built stress line fails here.
 * Every pattern must also stay linear: 100 KiB hostile lines are matched in well under 10 ms.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LOGIN_NEEDLES, parseLoginLine } from '../../src/parsers/loginLine';
import { LOGIN_PATTERNS, LoginPattern } from '../../src/parsers/patterns/loginPatterns';
import { splitLogLine } from '../../src/parsers/syslogLine';
import { cpuMs } from '../helpers/cpuTime';

// ---------------------------------------------------------------------------------------------------
// Reading the sample files
// ---------------------------------------------------------------------------------------------------

interface Expected { protocol: string; user: string; ip: string }
interface Sample {
  source: string;
  at: number; // 1-based line number of the sample
  line: string;
  login: Expected | null;
  tags: string[];
}

/** `# login <proto> <user> <ip> [tag] note` or `# not-login [tag,tag] note`; <user> may be JSON-quoted. */
const ANNOTATION = /^# (?:login (\S+) ("(?:[^"\\]|\\.)*"|\S+) (\S+)|not-login)(?: \[([\w,-]+)\])?(?: .*)?$/;

function readSamples(file: string, label: string, strict: boolean): { samples: Sample[]; problems: string[] } {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const samples: Sample[] = [];
  const problems: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '' || line.startsWith('#')) continue;
    const m = i > 0 ? ANNOTATION.exec(lines[i - 1]) : null;
    if (!m) {
      if (strict) problems.push(`${label}:${i + 1} has no annotation line directly above it`);
      continue;
    }
    const login = m[1] === undefined ? null : { protocol: m[1], user: m[2].startsWith('"') ? JSON.parse(m[2]) : m[2], ip: m[3] };
    samples.push({ source: label, at: i + 1, line, login, tags: m[4] ? m[4].split(',') : [] });
  }
  return { samples, problems };
}

const sharedFile = path.resolve(__dirname, '../../../shared/samples/maillog-real.log');
const sharedCopy = path.resolve(__dirname, '../fixtures/samples/maillog-real.log');
const ownFile = path.resolve(__dirname, '../fixtures/samples/login-samples.log');

const shared = readSamples(fs.existsSync(sharedFile) ? sharedFile : sharedCopy, 'maillog-real.log', false);
const own = readSamples(ownFile, 'login-samples.log', true);
const all = [...shared.samples, ...own.samples];
const positives = all.filter((s) => s.login);
const patternNames = LOGIN_PATTERNS.map((p) => p.name);

function describeHit(line: string): string {
  const hit = parseLoginLine(line);
  return hit ? `login ${hit.protocol} ${JSON.stringify(hit.user)} ${hit.ip} [${hit.pattern}]` : 'not-login';
}

// ---------------------------------------------------------------------------------------------------
// The samples themselves
// ---------------------------------------------------------------------------------------------------

describe('sample files', () => {
  test('our sample file is fully annotated, and every tag names a pattern of the table', () => {
    expect(own.problems).toEqual([]);
    const bad: string[] = [];
    for (const s of own.samples) {
      if (s.login && s.tags.length !== 1) bad.push(`${s.source}:${s.at} a login sample needs exactly one pattern tag`);
      for (const t of s.tags) if (!patternNames.includes(t)) bad.push(`${s.source}:${s.at} unknown pattern tag "${t}"`);
    }
    expect(bad).toEqual([]);
  });

  test('both files have samples of both kinds', () => {
    expect(shared.samples.filter((s) => s.login).length).toBeGreaterThanOrEqual(7);
    expect(shared.samples.filter((s) => !s.login).length).toBeGreaterThanOrEqual(20);
    expect(own.samples.filter((s) => s.login).length).toBeGreaterThanOrEqual(40);
    expect(own.samples.filter((s) => !s.login).length).toBeGreaterThanOrEqual(40);
  });
});

describe('every sample yields what its annotation says', () => {
  test.each(all.map((s) => [`${s.source}:${s.at}`, s] as const))('%s', (_name, s) => {
    const got = describeHit(s.line);
    const tag = s.tags[0];
    const want = s.login ? `login ${s.login.protocol} ${JSON.stringify(s.login.user)} ${s.login.ip}${s.login && tag ? ` [${tag}]` : ''}` : 'not-login';
    // untagged shared samples do not say which pattern must find them
    expect(s.login && !tag ? got.replace(/ \[[^\]]*\]$/, '') : got).toBe(want);
  });

  test('a CRLF line ending (a file written on Windows) changes nothing', () => {
    const changed = all.filter((s) => describeHit(`${s.line}\r`) !== describeHit(s.line)).map((s) => `${s.source}:${s.at}`);
    expect(changed).toEqual([]);
  });
});

describe('the table is proven', () => {
  test('every pattern has at least one positive sample that it matches', () => {
    const proven = new Set(positives.map((s) => parseLoginLine(s.line)?.pattern).filter(Boolean));
    const tagged = new Set(own.samples.filter((s) => s.login).flatMap((s) => s.tags));
    expect(patternNames.filter((n) => !proven.has(n) || !tagged.has(n))).toEqual([]);
  });

  test('every pattern has at least one look-alike that it must not match', () => {
    const imitated = new Set(own.samples.filter((s) => !s.login).flatMap((s) => s.tags));
    expect(patternNames.filter((n) => !imitated.has(n))).toEqual([]);
  });

  test('a look-alike is not matched by the pattern it imitates, run directly on its body', () => {
    const matched: string[] = [];
    for (const s of own.samples.filter((x) => !x.login)) {
      const body = splitLogLine(s.line).body;
      for (const t of s.tags) {
        const p = LOGIN_PATTERNS.find((x) => x.name === t);
        if (!p) continue; // unknown tags fail the file test above
        const m = p.regex.exec(body);
        // a regex hit is tolerable only when the captured address or user is then refused
        if (m && parseLoginLine(s.line) !== null) matched.push(`${s.source}:${s.at} [${t}]`);
      }
    }
    expect(matched).toEqual([]);
  });

  test('pattern names are unique and every pattern has a needle, a description and user/ip groups', () => {
    expect(new Set(patternNames).size).toBe(patternNames.length);
    for (const p of LOGIN_PATTERNS) {
      expect(p.needle.length).toBeGreaterThanOrEqual(5);
      expect(p.description.length).toBeGreaterThan(10);
      expect(p.regex.source).toContain('(?<user>');
      expect(p.regex.source).toContain('(?<ip>');
      expect(p.regex.source.startsWith('^')).toBe(true); // anchored at the program: message text cannot pose as a login
      expect(p.regex.flags).not.toMatch(/[gmy]/); // no lastIndex state, ^ means the body start
    }
  });

  test("each pattern's needle occurs in each of its positive samples (the scanner relies on it)", () => {
    const missing: string[] = [];
    for (const s of positives) {
      const hit = parseLoginLine(s.line);
      const p = LOGIN_PATTERNS.find((x) => x.name === hit?.pattern);
      if (p && !s.line.includes(p.needle)) missing.push(`${s.source}:${s.at} lacks "${p.needle}"`);
    }
    expect(missing).toEqual([]);
  });

  test('LOGIN_NEEDLES holds every needle once, and the needles are plain ASCII (searched as bytes)', () => {
    expect([...LOGIN_NEEDLES].sort()).toEqual([...new Set(LOGIN_PATTERNS.map((p) => p.needle))].sort());
    for (const n of LOGIN_NEEDLES) expect(n).toMatch(/^[\x20-\x7e]+$/);
  });
});

// ---------------------------------------------------------------------------------------------------
// Time stamps
// ---------------------------------------------------------------------------------------------------

const PREFIX_FORMS: Array<[string, RegExp]> = [
  ['classic syslog, two-digit day', /^[A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d \S+ /],
  ['classic syslog, one-digit day', /^[A-Z][a-z]{2} \d \d\d:\d\d:\d\d \S+ /],
  ['classic syslog, space-padded day', /^[A-Z][a-z]{2} {2}\d \d\d:\d\d:\d\d \S+ /],
  ['<PRI> prefix', /^<\d{1,3}>[A-Z][a-z]{2} /],
  ['RFC 3339 with fraction and offset', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+(?:Z|[+-]\d\d:\d\d) /],
  ['RFC 3339 without fraction', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:Z|[+-]\d\d:\d\d) /],
  ["Dovecot's own file, dated", /^dovecot: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d /],
  ["Dovecot's own file, classic stamp", /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d (?:imap|pop3)-login: Info: /],
  ['FreeBSD syslogd -vv (facility.level names)', /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d <[a-z]+\.[a-z]+> /],
  ['FreeBSD syslogd -v (facility.level numbers)', /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d <\d+\.\d+> /],
  ['RFC 5424 with <PRI>', /^<\d{1,3}>1 \d{4}-\d\d-\d\dT/],
  ['RFC 5424 without <PRI>', /^1 \d{4}-\d\d-\d\dT/],
  ['journalctl -o short-full / with-unit', /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{4}-\d\d-\d\d \d\d:\d\d:\d\d [A-Z]+ /],
  ['journalctl -o short-unix', /^\d{10}\.\d{6} /],
  ['journalctl -o short-iso (offset without colon)', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} /],
  ['journalctl -o short-precise', /^[A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d\.\d{6} /],
];

describe('time stamps of the samples', () => {
  test('every sample line has a parsed stamp', () => {
    expect(all.filter((s) => splitLogLine(s.line).stamp === null).map((s) => `${s.source}:${s.at}`)).toEqual([]);
  });

  test.each(PREFIX_FORMS)('prefix form "%s" occurs in a positive sample, and its login carries the stamp', (_name, form) => {
    const withForm = positives.filter((s) => form.test(s.line));
    expect(withForm.length).toBeGreaterThan(0);
    for (const s of withForm) {
      const hit = parseLoginLine(s.line);
      expect(hit?.stamp).toEqual(splitLogLine(s.line).stamp);
      expect(hit?.stamp).not.toBeNull();
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Hostile user names
// ---------------------------------------------------------------------------------------------------

describe('hostile bytes in user names do not crash the parser', () => {
  const invalidUtf8 = Buffer.from([0x61, 0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0x62]).toString('utf8');
  const nasty: Array<[string, string]> = [
    ['NUL bytes', 'a\u0000b\u0000'],
    ['terminal colour escape', '\u001b[31mred\u001b[0m'],
    ['terminal title escape', '\u001b]0;owned\u0007x'],
    ['invalid UTF-8 (decoded)', invalidUtf8],
    ['right-to-left override', 'abc\u202edef'],
    ['lone surrogate', 'x\ud800y'],
    ['backspaces and CR', 'a\b\b\rb'],
  ];

  test.each(nasty)('%s', (_name, user) => {
    const problems: string[] = [];
    for (const s of positives) {
      const line = s.line.split(s.login!.user).join(user);
      let hit: ReturnType<typeof parseLoginLine> = null;
      expect(() => { hit = parseLoginLine(line); }).not.toThrow();
      const h = hit as ReturnType<typeof parseLoginLine>;
      // the user is taken verbatim (escaping is the display's job) and the address is still the real one
      if (h && (h.ip !== s.login!.ip || !h.user.includes(user))) problems.push(`${s.source}:${s.at} -> ${describeHit(line)}`);
    }
    expect(problems).toEqual([]);
  });

  test('a whole line of invalid UTF-8, NULs and escapes is simply not a login', () => {
    const junk = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131) % 256)).toString('utf8');
    expect(parseLoginLine(junk)).toBeNull();
    expect(parseLoginLine(`Jan  1 00:00:00 host dovecot: imap-login: Login: ${junk}`)).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------------
// Adversarial timing: no catastrophic backtracking on 100 KiB hostile lines
// ---------------------------------------------------------------------------------------------------

const LINE_BYTES = 100 * 1024;
const LIMIT_MS = 10;

/** prefix + unit repeated to make a 100 KiB line (+ suffix). */
function fill(prefix: string, unit: string, suffix = ''): string {
  const n = Math.max(1, Math.ceil((LINE_BYTES - prefix.length - suffix.length) / unit.length));
  return prefix + unit.repeat(n) + suffix;
}

/**
 * A stress line as the arguments of fill(), built only when it is timed: holding every 100 KiB line at
 * once would make the garbage collector's pauses, not the patterns, the slowest thing measured.
 */
type Stress = [prefix: string, unit: string, suffix?: string];
const F = (prefix: string, unit: string, suffix = ''): Stress => [prefix, unit, suffix];

const D = 'dovecot[1]: imap-login: ';
const dovecotEvent = (event: string): Stress[] => [
  F(D + event, 'user=<'),
  F(D + event + 'user=<', 'a'),
  F(D + event + 'user=<', 'a', '>, rip=1.2.3.4'),
  F(D + event + 'user=<a>', ', rip=1'),
  F(D + event + 'user=<a>', ', rip=1.2.3.4 x'),
  F(D + event + 'user=<a>', ', rip=::ffff:'),
  F(D + event + 'user=<a>, rip=', '1'),
  F(D + event + 'user=<a>, rip=', ':'),
  F(D + event, ', '),
  F(D + event, 'user=<a', '>, rip=1.2.3.4'),
  F(D + event, 'user=<a>, rip=1.2.3.4, '),
  F(D + event, event),
  F('', 'dovecot: ', 'imap-login: ' + event + 'user=<a>, rip=1.2.3.4'),
  F('', 'Info: ', 'imap-login: ' + event + 'user=<a>, rip=1.2.3.4'),
  F('dovecot: Info: imap-login: Info: ' + event, 'user=<a>, '),
];

const P = D + 'proxy(a): started proxying to h:1: ';
const S = D + 'proxy(a,1.2.3.4:143): Started proxying to <1.2.3.4> (0.001 secs): ';
/** Hand-built stress lines (bodies, program onward) for each pattern; the test fails for a pattern without. */
const STRESS: Record<string, Stress[]> = {
  'dovecot-login': dovecotEvent('Login: '),
  'dovecot-logged-in': dovecotEvent('Logged in: '),
  'dovecot-proxy': [
    F(D + 'proxy(', 'a'),
    F(D + 'proxy(', '(a)'),
    F(D + 'proxy(a): started proxying to ', 'h:1'),
    F(D + 'proxy(a): started proxying to ', 'h:1: '),
    F(D + 'proxy(a): started proxying to h:1', ' (master m)'),
    F(P, 'user=<a>, '),
    F(P + 'user=<a>', ', x=<y>'),
    F(P + 'user=<a>', ', TLS with'),
    F(P + 'user=<a>', ', TLS', ' (256/256 bits)'),
    F(P + 'user=<a>', ', rip=1.2.3.4'),
    F(P + 'user=<a>', ', rip=1.2.3.4', ')'),
    F(P, 'x=<'),
    F(P + 'user=<a>, x=<', 'a'),
    F(P + 'user=<', 'a'),
    F(D, 'proxy(a): started proxying to h:1: '),
    F(P, 'user=<a>, method=PLAIN, ', 'rip=1.2.3.4)'),
    F(P + 'user=<a>, ', 'a '),
  ],
  'dovecot-proxy-started': [
    F(D + 'proxy(', 'a'),
    F(D + 'proxy(a', ',1'),
    F(D + 'proxy(a,', '[1:'),
    F(D + 'proxy(a): Started proxying to ', '<'),
    F(D + 'proxy(a): Started proxying to <', 'h'),
    F(D + 'proxy(a): Started proxying to <h>', ' (<h>)'),
    F(D + 'proxy(a): Started proxying to <h> from ', 'h'),
    F(D + 'proxy(a): Started proxying to <h> as user ', 'u'),
    F(D + 'proxy(a): Started proxying to <h> (', '1'),
    F(D + 'proxy(a): Started proxying to <h> (1.', '2'),
    F(S, 'user=<a>, '),
    F(S + 'user=<a>', ', x=<y>'),
    F(S + 'user=<a>', ', TLS with'),
    F(S + 'user=<a>', ', rip=1.2.3.4', ')'),
    F(S + 'user=<', 'a'),
    F(D, 'proxy(a): Started proxying to <h>: '),
    F(S, 'user=<a>, method=PLAIN, ', 'rip=1.2.3.4)'),
  ],
  'courier-login': [
    F('pop3d: LOGIN, user=', 'a'),
    F('pop3d: LOGIN, user=', 'a,'),
    F('pop3d: LOGIN, user=a, ip=[', '1'),
    F('pop3d: LOGIN, user=a, ip=[', ':'),
    F('pop3d: ', 'LOGIN, '),
    F('pop3d: LOGIN, ', 'user=a, '),
    F('pop3d: LOGIN, user=a, ', 'ip=['),
  ],
  'uw-login': [
    F('imapd[1]: Login user=', 'a'),
    F('imapd[1]: Login user=', 'a host=h '),
    F('imapd[1]: Login user=a host=', 'h'),
    F('imapd[1]: Login user=a host=', 'h '),
    F('imapd[1]: Login user=a host=h [', '1'),
    F('imapd[1]: Login user=a host=', '[1.2.3.4 '),
    F('imapd[1]: ', 'Login user='),
  ],
  'uw-authenticated': [
    F('imapd[1]: Authenticated user=', 'a'),
    F('imapd[1]: Authenticated user=', 'a host=h '),
    F('imapd[1]: Authenticated user=a host=', 'h'),
    F('imapd[1]: Authenticated user=a host=h [', ':'),
  ],
  'uw-pop-auth': [
    F('ipop3d[1]: Auth user=', 'a'),
    F('ipop3d[1]: Auth user=', 'a host=h '),
    F('ipop3d[1]: Auth user=a host=', 'h'),
    F('ipop3d[1]: Auth user=a host=h [', '1.'),
  ],
  'uw-apop': [
    F('ipop3d[1]: APOP user=', 'a'),
    F('ipop3d[1]: APOP user=', 'a host=h '),
    F('ipop3d[1]: APOP user=a host=', 'h'),
    F('ipop3d[1]: APOP user=a host=h [', '1.'),
  ],
  'cyrus-login': [
    F('cyrus/imap[1]: login: ', 'h'),
    F('cyrus/imap[1]: login: ', 'h '),
    F('cyrus/imap[1]: login: h [', '1'),
    F('cyrus/imap[1]: login: h [1.2.3.4] ', 'a'),
    F('cyrus/imap[1]: login: h [1.2.3.4] ', 'a '),
    F('cyrus/imap[1]: login: h [1.2.3.4] a ', 'PLAIN '),
    F('cyrus/imap[1]: login: ', '[1.2.3.4] '),
    F('cyrus/imap[1]: login: h [1.2.3.4] a PLAIN ', 'User logged in '),
  ],
  'cyrus-login-bare': [
    F('cyrus/imap[1]: login: ', 'h'),
    F('cyrus/imap[1]: login: h [', '1'),
    F('cyrus/imap[1]: login: h [1.2.3.4] ', 'a'),
    F('cyrus/imap[1]: login: h [1.2.3.4] a ', 'plaintext'),
    F('cyrus/imap[1]: login: h [1.2.3.4] a plaintext', ' '),
    F('cyrus/imap[1]: login: h [1.2.3.4] ', 'a '),
    F('', 'c', '/imap[1]: login: h [1.2.3.4] a plaintext'),
    F('cyrus/imap[1]: ', 'login: '),
  ],
  'cyrus-login-logfmt': [
    F('cyrus/imap[1]: event=login.good sessionid=', 'x'),
    F('cyrus/imap[1]: event=login.good r.clienthost="', 'h'),
    F('cyrus/imap[1]: event=login.good r.clienthost="h [', '1'),
    F('cyrus/imap[1]: event=login.good r.clienthost=[1.2.3.4] u.username=', 'a'),
    F('cyrus/imap[1]: event=login.good r.clienthost=[1.2.3.4] u.username=', 'a', '"'),
    F('cyrus/imap[1]: ', 'event=login.good '),
    F('', 'x', '/imap[1]: event=login.good r.clienthost=[1.2.3.4] u.username=a'),
  ],
  'vpopmail-login': [
    F('vpopmail[1]: vchkpw-pop3: (PLAIN) login success ', 'a'),
    F('vpopmail[1]: vchkpw-pop3: (PLAIN) login success a:', '1'),
    F('vpopmail[1]: vchkpw-pop3: (PLAIN) login success a:', ':'),
    F('vpopmail[1]: vchkpw-pop3: (PLAIN) login success a:1.2.3.4', ' '),
    F('vpopmail[1]: vchkpw-pop3: (', 'P'),
    F('', 'v', 'vchkpw-pop3: login success a:1.2.3.4'),
    F('vpopmail[1]: vchkpw-pop3: ', 'login success '),
  ],
  'qpopper-login': [
    F('in.qpopper[1]: (v4.0.9) POP login by user "', 'a'),
    F('in.qpopper[1]: (', 'v'),
    F('in.qpopper[1]: (v4.0.9) POP login by user "a" at (', 'h'),
    F('in.qpopper[1]: (v4.0.9) POP login by user "a" at (h) ', '1'),
    F('in.qpopper[1]: (v4.0.9) POP login by user "a" at (h) ', '1.2.3.4x'),
    F('in.qpopper[1]: ', 'POP login by user "a" at (h) '),
    F('in.', 'qpopper', '[1]: POP login by user "a" at (h) 1.2.3.4'),
  ],
};

/**
 * Lines generated from a real positive sample: cut at each field boundary, then a long run after the cut.
 * A generator, so that only the line being timed is alive (see Stress).
 */
function* generatedStress(body: string): Generator<string> {
  for (let i = 1; i < body.length; i++) {
    if (!' =<[(,:"'.includes(body[i - 1])) continue;
    const prefix = body.slice(0, i);
    const rest = body.slice(i);
    const token = /^[^ =<>[\](),:"]*/.exec(rest)![0];
    yield fill(prefix, rest[0]); // a run of what the next class accepts, never closed
    if (token) yield fill(prefix, token + body[i - 1]); // the field value repeated with its separator
    yield fill(prefix, rest); // the rest of the line repeated: repeated field names, many ", rip="
  }
}

/**
 * Worst of a few timed runs (CPU time, helpers/cpuTime.ts), after one warm-up run (the first run of a
 * regular expression compiles it). Even CPU time moves with the garbage collector and with caches
 * shared with other processes, so a round over the limit is measured again, up to 10 rounds, and
 * the best round's worst run is the result. Catastrophic backtracking is slow in every round (the
 * positive control below); a pause is not.
 */
function worstMs(run: () => unknown, reps = 3, rounds = 10): number {
  run();
  let best = Infinity;
  for (let round = 0; round < rounds && best >= LIMIT_MS; round++) {
    let worst = 0;
    for (let i = 0; i < reps; i++) {
      const ms = cpuMs(run);
      if (ms > worst) worst = ms;
    }
    best = Math.min(best, worst);
  }
  return best;
}

interface Timing { pattern: string; what: string; ms: number }

/** Times the given patterns' regular expressions on the body, and the whole parser once on the line. */
function timeLine(patterns: readonly LoginPattern[], body: string, what: string, into: Timing[]): void {
  expect(body.length).toBeGreaterThanOrEqual(LINE_BYTES);
  for (const p of patterns) into.push({ pattern: p.name, what: `${what}: regex`, ms: worstMs(() => p.regex.exec(body)) });
  const line = `Jan  1 00:00:00 host ${body}`;
  into.push({ pattern: '(all)', what: `${what}: parseLoginLine`, ms: worstMs(() => parseLoginLine(line)) });
}

describe('adversarial timing (100 KiB lines, limit 10 ms)', () => {
  const timings: Timing[] = [];

  afterAll(() => {
    const ms = timings.map((t) => t.ms).sort((x, y) => x - y);
    const worst = timings.reduce((x, y) => (y.ms > x.ms ? y : x), { pattern: '-', what: '-', ms: 0 });
    const at = (q: number) => (ms.length ? ms[Math.min(ms.length - 1, Math.floor(q * ms.length))].toFixed(3) : '-');
    console.log(
      `adversarial timing: ${ms.length} measurements of 100 KiB lines; median ${at(0.5)} ms, p99 ${at(0.99)} ms, ` +
        `worst ${worst.ms.toFixed(3)} ms (${worst.pattern}: ${worst.what}); limit ${LIMIT_MS} ms`,
    );
  });

  test('the measurement can fail: the user field as it was before (`[^>]`) is caught on its stress line', () => {
    // Positive control. The earlier DOVECOT_USER_FIELD let each of ~17,000 "user=<" run 256 characters
    // and back (70-90 ms); the fixed fragment stops at the next "<".
    const before = /^dovecot\[1\]: imap-login: Login: (?=.*?\buser=<(?<user>[^>]{1,256})>)/;
    const line = fill(...STRESS['dovecot-login'][0]);
    expect(worstMs(() => before.exec(line))).toBeGreaterThanOrEqual(LIMIT_MS);
  });

  test('every pattern has hand-built stress lines', () => {
    expect(patternNames.filter((n) => !STRESS[n] || STRESS[n].length < 4)).toEqual([]);
    expect(Object.keys(STRESS).filter((n) => !patternNames.includes(n))).toEqual([]);
  });

  test.each(patternNames)('%s: hand-built hostile lines, against every pattern', (name) => {
    const mine: Timing[] = [];
    (STRESS[name] ?? []).forEach((args, i) => timeLine(LOGIN_PATTERNS, fill(...args), `${name} stress #${i}`, mine));
    timings.push(...mine);
    expect(mine.filter((t) => t.ms >= LIMIT_MS)).toEqual([]);
  });

  test.each(patternNames)('%s: lines grown from its own samples', (name) => {
    const p = LOGIN_PATTERNS.find((x) => x.name === name)!;
    const bodies = positives
      .filter((s) => parseLoginLine(s.line)?.pattern === name)
      .slice(0, 2)
      .map((s) => splitLogLine(s.line).body);
    expect(bodies.length).toBeGreaterThan(0);
    const mine: Timing[] = [];
    bodies.forEach((body, b) => {
      let i = 0;
      for (const line of generatedStress(body)) timeLine([p], line, `sample ${b} line ${i++}`, mine);
    });
    timings.push(...mine);
    expect(mine.filter((t) => t.ms >= LIMIT_MS)).toEqual([]);
  });
});
