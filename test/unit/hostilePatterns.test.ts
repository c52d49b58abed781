/**
 * Every pattern of every table in src/parsers/patterns/ on 100 KiB adversarial lines: each must
 * finish in under 10 ms (no catastrophic backtracking). The tables are found generically (any
 * exported array of objects with a `regex`), so a pattern added to any table, or a new table, is
 * timed without touching this test.
 *
 * Adversarial lines are grown from a line the pattern matches (a sample from test/fixtures/samples,
 * a hostile line from src/demo/hostileLines.ts): cut at each field boundary, then a 100 KiB run of
 * the next character, of the next field with its separator, or of the whole rest of the line, so
 * that every repetition in the pattern is driven to its limit and made to fail late. Generic runs
 * (spaces, quotes, brackets, the needle) are added to every pattern.
 *
 * The line parsers that wrap the tables (login, exim, tailwatchd, syslog split) are timed on the same
 * lines, so the patterns that live inside them are covered too.
 */
import fs from 'node:fs';
import path from 'node:path';
import { adversarialLine, hostileLines } from '../../src/demo/hostileLines';
import { parseEximLine, splitEximLine } from '../../src/parsers/eximLine';
import { parseLoginLine } from '../../src/parsers/loginLine';
import { splitLogLine } from '../../src/parsers/syslogLine';
import { parseTailwatchdLogLine } from '../../src/parsers/tailwatchdLog';
import { cpuMs } from '../helpers/cpuTime';

const PATTERNS_DIR = path.resolve(__dirname, '../../src/parsers/patterns');
const SAMPLES_DIR = path.resolve(__dirname, '../fixtures/samples');
const LINE_BYTES = 100 * 1024;
const LIMIT_MS = 10;

interface TablePattern {
  table: string;
  name: string;
  regex: RegExp;
  needle?: string;
}

/** Every exported array of `{ regex }` objects in src/parsers/patterns/*.ts. */
function patternTables(): TablePattern[] {
  const out: TablePattern[] = [];
  for (const file of fs.readdirSync(PATTERNS_DIR).filter((f) => f.endsWith('.ts')).sort()) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(PATTERNS_DIR, file)) as Record<string, unknown>;
    for (const [exportName, value] of Object.entries(mod)) {
      if (!Array.isArray(value) || !value.some((e) => e && typeof e === 'object' && (e as { regex?: unknown }).regex instanceof RegExp)) continue;
      value.forEach((e: { name?: string; regex?: RegExp; needle?: string }, i: number) => {
        if (!(e.regex instanceof RegExp)) throw new Error(`${file} ${exportName}[${i}] has no regex`);
        out.push({ table: `${file.replace(/\.ts$/, '')}.${exportName}`, name: e.name ?? String(i), regex: e.regex, needle: e.needle });
      });
    }
  }
  return out;
}

/** Seed lines: every sample line of the fixtures and the short hostile lines. */
function seedLines(): string[] {
  const lines: string[] = [];
  for (const f of fs.readdirSync(SAMPLES_DIR).filter((n) => n.endsWith('.log'))) {
    for (const l of fs.readFileSync(path.join(SAMPLES_DIR, f), 'utf8').split('\n')) if (l && !l.startsWith('#')) lines.push(l);
  }
  for (const h of hostileLines({ count: 2000, longLines: 0 })) if (h.bytes.length < 400) lines.push(h.bytes.toString('utf8'));
  // tailwatchd's own forms (cpanel-facts §2), as the demo host writes them
  const s = '[2024-08-16 17:40:46 +0000]';
  lines.push(
    `[1234] ${s} [Cpanel::TailWatch::Utils::EnableDisable] [1234] ${s} [main] Cpanel::TailWatch::RecentAuthedMailIpTracker was successfully disabled`,
    `[1234] ${s} [Cpanel::TailWatch::Utils::EnableDisable] [1234] ${s} [main] Cpanel::TailWatch::ChkServd is already enabled`,
    `[1234] ${s} [Cpanel::TailWatch::Utils::EnableDisable] [1234] ${s} [main] Cpanel::TailWatch::Antirelayd could not be enabled: because`,
    `[1234] ${s} [main] [INFO] Skipping restart since no changes resulted from arguments`,
    `[ERR] Unknown driver 'Cpanel::TailWatch::Nope' passed via --enable, ignoring`,
    '[START] 4242 1723830046',
    '[STOP Ok] 4242',
  );
  return lines;
}

/** The texts a pattern may be run on, from one line: the line, its syslog body, its exim body, its tailwatchd message. */
function inputsOf(line: string): string[] {
  const out = new Set<string>([line, splitLogLine(line).body]);
  const exim = splitEximLine(line);
  if (exim) out.add(exim.body);
  out.add(parseTailwatchdLogLine(line).message);
  return [...out];
}

const fill = (prefix: string, unit: string, suffix = ''): string => adversarialLine(prefix, unit, suffix, LINE_BYTES);
const SEPARATORS = ' =<[(,:"\'';

/** Stress lines grown from a seed the pattern matches (a generator: only the line being timed is alive). */
function* grownFrom(seed: string, maxCuts = 24): Generator<string> {
  const cuts: number[] = [];
  for (let i = 1; i < seed.length; i++) if (SEPARATORS.includes(seed[i - 1])) cuts.push(i);
  const step = Math.max(1, Math.ceil(cuts.length / maxCuts));
  for (let c = 0; c < cuts.length; c += step) {
    const i = cuts[c];
    const prefix = seed.slice(0, i);
    const rest = seed.slice(i);
    const token = /^[^ =<>[\](),:"']*/.exec(rest)![0];
    yield fill(prefix, rest[0]);
    if (token) yield fill(prefix, token + seed[i - 1]);
    yield fill(prefix, rest);
    yield fill(prefix, rest[0], '\u0000');
  }
}

function* generic(p: TablePattern): Generator<string> {
  for (const unit of [' ', 'a', '<', '"', ':', '[', '(', ', ', '\\', '1.', 'ff:', '\u202e', '\r']) yield fill('', unit);
  if (p.needle) {
    yield fill('', p.needle);
    yield fill(p.needle, 'a');
  }
}

/**
 * Worst of 3 timed runs after a warm-up. Wall-clock time also counts garbage-collector pauses and the
 * scheduler (suites run in parallel), so a round over the limit is measured again, up to 8 rounds,
 * and the best round counts: catastrophic backtracking is slow in every round; a pause is not.
 */
function worstMs(run: () => unknown, reps = 3, rounds = 8): number {
  run();
  let best = Infinity;
  for (let round = 0; round < rounds && best >= LIMIT_MS; round++) {
    let worst = 0;
    for (let i = 0; i < reps; i++) {
      worst = Math.max(worst, cpuMs(run));
    }
    best = Math.min(best, worst);
  }
  return best;
}

interface Timing {
  what: string;
  ms: number;
}

const PATTERNS = patternTables();
const SEEDS = seedLines();
const all: Timing[] = [];

afterAll(() => {
  const ms = all.map((t) => t.ms).sort((a, b) => a - b);
  const worst = all.filter((t) => !t.what.startsWith('parse') && !t.what.startsWith('split')).reduce((a, b) => (b.ms > a.ms ? b : a), { what: '-', ms: 0 });
  const parsers = all.filter((t) => t.what.startsWith('parse') || t.what.startsWith('split')).reduce((a, b) => (b.ms > a.ms ? b : a), { what: '-', ms: 0 });
  if (ms.length) {
    console.log(
      `adversarial timing over every pattern table: ${PATTERNS.length} patterns, ${ms.length} runs on 100 KiB lines; ` +
        `median ${ms[Math.floor(ms.length / 2)].toFixed(3)} ms, worst pattern ${worst.ms.toFixed(3)} ms (${worst.what}; limit ${LIMIT_MS} ms), ` +
        `worst whole-line parser ${parsers.ms.toFixed(3)} ms (${parsers.what}; limit ${PARSER_LIMIT_MS} ms)`,
    );
  }
});

test('the pattern tables are found: login, exim and tailwatchd tables, each pattern with a name', () => {
  const tables = new Set(PATTERNS.map((p) => p.table));
  expect(tables.size).toBeGreaterThanOrEqual(4);
  expect([...tables].join(' ')).toMatch(/LOGIN_PATTERNS/);
  expect([...tables].join(' ')).toMatch(/EXIM_PATTERNS/);
  expect([...tables].join(' ')).toMatch(/TAILWATCHD_ENVELOPES/);
  expect([...tables].join(' ')).toMatch(/TAILWATCHD_MESSAGES/);
  expect(PATTERNS.length).toBeGreaterThanOrEqual(25);
});

test('the measurement can fail: a backtracking pattern is caught on a grown line', () => {
  const bad = /^(?<user>(?:a|a)+)b/;
  const line = fill('', 'a');
  expect(worstMs(() => bad.exec(line.slice(0, 23)), 1, 1)).toBeGreaterThanOrEqual(LIMIT_MS);
});

describe.each(PATTERNS.map((p) => [`${p.table} ${p.name}`, p] as const))('%s', (_id, p) => {
  test('100 KiB adversarial lines grown from a matching line, and generic runs: each under 10 ms', () => {
    const seeds: string[] = [];
    for (const line of SEEDS) {
      for (const input of inputsOf(line)) if (p.regex.test(input) && !seeds.includes(input)) seeds.push(input);
      if (seeds.length >= 2) break;
    }
    // A pattern no sample matches is still timed on lines grown from its needle.
    if (seeds.length === 0) seeds.push(p.needle ?? '');
    const mine: Timing[] = [];
    const time = (line: string, what: string): void => {
      expect(line.length).toBeGreaterThanOrEqual(LINE_BYTES);
      mine.push({ what: `${p.table} ${p.name}: ${what}`, ms: worstMs(() => p.regex.exec(line)) });
    };
    seeds.forEach((seed, s) => {
      let i = 0;
      for (const line of grownFrom(seed)) time(line, `seed ${s} line ${i++}`);
    });
    let g = 0;
    for (const line of generic(p)) time(line, `generic ${g++}`);
    all.push(...mine);
    expect(mine.filter((t) => t.ms >= LIMIT_MS)).toEqual([]);
  });
});

/**
 * The whole line parsers do more than one pattern (split, tokenize, canonical IPs), so they get a looser
 * bound that still catches quadratic work: a 100 KiB line of short quoted values took 60-180 ms when the
 * exim tokenizer searched to the end of the line for each value.
 */
const PARSER_LIMIT_MS = 40;

test('the line parsers around the tables: 100 KiB lines grown from every kind of sample, each under 40 ms', () => {
  const parsers: Array<[string, (l: string) => unknown]> = [
    ['parseLoginLine', parseLoginLine],
    ['parseEximLine', (l) => parseEximLine(l)],
    ['parseTailwatchdLogLine', parseTailwatchdLogLine],
    ['splitLogLine', splitLogLine],
  ];
  // one seed per kind of line: a login line, an exim line, a tailwatchd line
  const seeds = [
    SEEDS.find((l) => parseLoginLine(l) !== null)!,
    ...SEEDS.filter((l) => parseEximLine(l) !== null).slice(0, 3),
    SEEDS.find((l) => l.startsWith('[1234]'))!,
  ];
  const mine: Timing[] = [];
  for (const seed of seeds) {
    let i = 0;
    for (const line of grownFrom(seed, 12)) {
      for (const [name, parse] of parsers) mine.push({ what: `${name} on ${seed.slice(0, 30)}… #${i}`, ms: worstMs(() => parse(line)) });
      i++;
    }
  }
  all.push(...mine);
  expect(mine.filter((t) => t.ms >= PARSER_LIMIT_MS)).toEqual([]);
});
