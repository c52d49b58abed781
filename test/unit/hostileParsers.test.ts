/**
 * Every exported function of src/parsers/ on the hostile lines of src/demo/hostileLines.ts (10,000
 * lines: markup, terminal escapes, bidi overrides, invalid UTF-8, NUL, CR/LF injection, 1 MiB lines,
 * very long IPv6-looking tokens), line by line and as whole files: no crash, and an IP that comes out
 * is in canonical form.
 *
 * The functions are found by importing every module of src/parsers/ and the scan engine's byte search
 * (src/scan/candidateKernel.ts, candidateLines.ts, wasmEmitter.ts); PARSERS says how to call each
 * one. The test fails when an exported function is missing from PARSERS, so a new parser has to be
 * given its hostile inputs (or a reason why it takes none).
 */
import fs from 'node:fs';
import path from 'node:path';
import { hostileFile, hostileLines, HOSTILE_KINDS, HOSTILE_TARGETS, HostileTarget } from '../../src/demo/hostileLines';
import { canonicalIp } from '../../src/parsers/ip';
import { parseZoneCatalogue, ZoneEntry } from '../../src/parsers/dnsblZones';
import { terminalSafe } from '../../src/cli/terminal';
import { cpuMs } from '../helpers/cpuTime';

const PARSERS_DIR = path.resolve(__dirname, '../../src/parsers');
/** The scan engine's byte search reads the same bytes before any parser does: it gets the same inputs. */
const BYTE_SEARCH = ['candidateKernel.ts', 'candidateLines.ts', 'wasmEmitter.ts'].map((f) => path.resolve(__dirname, '../../src/scan', f));

const LINES = hostileLines();
const text = (b: Buffer): string => b.toString('utf8');
/** Per target: each line as UTF-8 text (invalid bytes become U+FFFD, as a reader decodes them) and as latin1. */
const linesOf = (t: HostileTarget): string[] => LINES.filter((l) => l.target === t).flatMap((l) => [text(l.bytes), l.bytes.toString('latin1')]);
const fileOf = (t: HostileTarget): string => text(hostileFile(LINES, t));
const ALL_LINES = LINES.map((l) => text(l.bytes));
const ALL_FILE = text(Buffer.concat(LINES.flatMap((l) => [l.bytes, Buffer.from('\n')])));
const SHORT = ALL_LINES.filter((l) => l.length < 70_000);

const zones: ZoneEntry[] = parseZoneCatalogue(fs.readFileSync(path.resolve(__dirname, '../../src/data/dnsbl-zones.yaml'), 'utf8'), 'dnsbl-zones.yaml');

type Call = () => unknown;
/** How a parser is called on hostile input: the calls to make, or why it takes no text from strangers. */
type Spec = { calls: () => Iterable<Call> } | { notText: string };

function* each<T>(items: readonly T[], f: (x: T) => unknown): Iterable<Call> {
  for (const x of items) yield () => f(x);
}

function* concat(...parts: Iterable<Call>[]): Iterable<Call> {
  for (const p of parts) yield* p;
}

const fn = (mod: Record<string, unknown>, name: string) => mod[name] as (...a: unknown[]) => unknown;

/** module file -> export name -> how to call it */
function specs(mods: Record<string, Record<string, unknown>>): Record<string, Record<string, Spec>> {
  const f = (file: string, name: string) => fn(mods[file], name);
  const wholeFiles = (file: string, name: string, targets: HostileTarget[], ...rest: unknown[]): Spec => ({
    calls: () => concat(each([...targets.map(fileOf), ALL_FILE], (t) => f(file, name)(t, ...rest))),
  });
  const perLine = (file: string, name: string, targets: HostileTarget[] | 'all', ...rest: unknown[]): Spec => ({
    calls: () => each(targets === 'all' ? ALL_LINES : targets.flatMap(linesOf), (l) => f(file, name)(l, ...rest)),
  });
  const tokens = SHORT.flatMap((l) => l.split(/[\s,;]+/)).filter((t) => t.length > 0).slice(0, 20_000);
  return {
    'accountFiles.ts': {
      parseUserDomains: wholeFiles('accountFiles.ts', 'parseUserDomains', ['usermap', 'valiases']),
      parseTrueUserOwners: wholeFiles('accountFiles.ts', 'parseTrueUserOwners', ['usermap', 'valiases']),
      parseResellers: wholeFiles('accountFiles.ts', 'parseResellers', ['usermap', 'valiases']),
      parseKeyValue: wholeFiles('accountFiles.ts', 'parseKeyValue', ['autoresponder', 'usermap']),
      parsePasswdUids: wholeFiles('accountFiles.ts', 'parsePasswdUids', ['usermap', 'valiases']),
    },
    'allowlistFiles.ts': { parseHostList: wholeFiles('allowlistFiles.ts', 'parseHostList', ['relaylist', 'usermap']) },
    'encodedWords.ts': {
      decodeEncodedWords: perLine('encodedWords.ts', 'decodeEncodedWords', 'all'),
    },
    'autoresponderFiles.ts': {
      parseAutoresponderMessage: {
        calls: () => each([...linesOf('autoresponder').map((l) => `${l}\nFrom: ${l}\nContent-Type: text/plain; charset="${l.slice(0, 80)}"\n\n${l}\n`), fileOf('autoresponder')], (t) => f('autoresponderFiles.ts', 'parseAutoresponderMessage')(t)),
      },
      parseAutoresponderJson: { calls: () => each([...SHORT.slice(0, 2000), JSON.stringify({ start: ALL_LINES[0], interval: ALL_LINES[5] }), '{"interval":1e999}', '{"__proto__":{"x":1}}'], (t) => f('autoresponderFiles.ts', 'parseAutoresponderJson')(t)) },
      parseAutoresponderConf: wholeFiles('autoresponderFiles.ts', 'parseAutoresponderConf', ['autoresponder', 'usermap']),
    },
    'candidateKernel.ts': {
      chooseFingerprints: { notText: 'plans the byte search from the fixed needles of the pattern tables' },
      planBuckets: { notText: 'plans the byte search from the fixed needles of the pattern tables' },
      jsCandidateSpans: { calls: () => each([Buffer.from(ALL_FILE)], (b) => f('candidateKernel.ts', 'jsCandidateSpans')(b, [Buffer.from('Login: '), Buffer.from('<= ')], 0, b.length)) },
      countNewlines: { calls: () => each([Buffer.from(ALL_FILE)], (b) => f('candidateKernel.ts', 'countNewlines')(b, 0, b.length)) },
      createCandidateKernel: { notText: 'builds the search kernel from the fixed needles; the scanner tests run it on logs' },
      tunedPlansMade: { notText: "hands this thread's byte-search plans to a scan worker; reads no text" },
      adoptTunedPlans: { notText: "takes the plans the main thread made on the same logs; reads no text" },
      compiledKernelsMade: { notText: "hands this thread's compiled search modules to a scan worker; reads no text" },
      adoptCompiledKernels: { notText: 'takes the search modules the main thread compiled; reads no text' },
      gramCounts: { calls: () => each([Buffer.from(ALL_FILE)], (b) => f('candidateKernel.ts', 'gramCounts')(b, 0, b.length, 3)) },
    },
    'candidateLines.ts': {
      candidateLines: { calls: () => each([Buffer.concat(LINES.flatMap((l) => [l.bytes, Buffer.from('\n')]))], (b) => f('candidateLines.ts', 'candidateLines')(b, [Buffer.from('Login: '), Buffer.from('user=<'), Buffer.from('<= ')])) },
      countNewlines: { calls: () => each([Buffer.from(ALL_FILE)], (b) => f('candidateLines.ts', 'countNewlines')(b, 0, b.length)) },
    },
    'dnsblAnswer.ts': {
      describeDnsError: { calls: () => each(tokens.slice(0, 2000), (t) => f('dnsblAnswer.ts', 'describeDnsError')(t, 2)) },
      errorCodeReason: { notText: 'takes an A answer the resolver already parsed as an address (classifyAnswer is fed hostile answers below)' },
      classifyAnswer: {
        calls: () =>
          each(
            zones.flatMap((z) => [
              { z, o: { kind: 'answer', values: tokens.slice(0, 50) } },
              { z, o: { kind: 'answer', values: ['127.0.0.2', '127.255.255.254', '::1', '0.0.0.0', '1.2.3.4', ''] } },
              { z, o: { kind: 'error', code: ALL_LINES[3], attempts: 2 } },
              { z, o: { kind: 'nxdomain' } },
            ]),
            ({ z, o }) => f('dnsblAnswer.ts', 'classifyAnswer')(z, o),
          ),
      },
      cleanTxt: { calls: () => each([SHORT.slice(0, 500).map((l) => [l, l]), [ALL_LINES.slice(0, 4)]], (r) => f('dnsblAnswer.ts', 'cleanTxt')(r)) },
    },
    'dnsblQuery.ts': {
      reversedLabels: { calls: () => each(tokens, (t) => f('dnsblQuery.ts', 'reversedLabels')(t)) },
      dnsblQueryName: { calls: () => each(tokens.slice(0, 3000), (t) => { try { return f('dnsblQuery.ts', 'dnsblQueryName')(t, 'zen.spamhaus.org'); } catch (e) { expectClearError(e); return null; } }) },
    },
    'dnsblZones.ts': {
      parseZoneCatalogue: { calls: () => each(HOSTILE_TARGETS.map(fileOf), (t) => { try { return f('dnsblZones.ts', 'parseZoneCatalogue')(t, 'hostile.yaml'); } catch (e) { expectClearError(e); return null; } }) },
      applyZoneOverrides: {
        calls: () =>
          each([...HOSTILE_TARGETS.map(fileOf), ...SHORT.slice(0, 200).map((l) => `- zone: ${JSON.stringify(l)}\n  name: ${JSON.stringify(l)}\n`)], (t) => {
            try {
              return f('dnsblZones.ts', 'applyZoneOverrides')(zones, t, 'hostile.yaml');
            } catch (e) {
              expectClearError(e);
              return null;
            }
          }),
      },
    },
    'eximLine.ts': {
      splitEximLine: perLine('eximLine.ts', 'splitEximLine', 'all'),
      tokenizeFields: perLine('eximLine.ts', 'tokenizeFields', ['exim']),
      matchEximBody: { calls: () => each(linesOf('exim'), (l) => f('eximLine.ts', 'matchEximBody')(l.slice(20), { time: null, raw: l, id: null })) },
      parseEximLine: perLine('eximLine.ts', 'parseEximLine', 'all'),
      displaySubject: perLine('eximLine.ts', 'displaySubject', 'all'),
      eximNeedles: { notText: 'lists the fixed needles of the pattern table' },
    },
    'ip.ts': {
      canonicalIp: { calls: () => each(tokens, (t) => f('ip.ts', 'canonicalIp')(t)) },
      isCanonicalIp: { calls: () => each(tokens, (t) => f('ip.ts', 'isCanonicalIp')(t)) },
      ipRange: { notText: 'takes a canonical IP (canonicalIp output), never raw text' },
      isIpv6: { notText: 'takes a canonical IP (canonicalIp output), never raw text' },
      expandedIpv6: { notText: 'takes a canonical IP (canonicalIp output), never raw text' },
      compareIps: { notText: 'takes canonical IPs (canonicalIp output), never raw text' },
      ipOrder: { notText: 'makes a comparator of canonical IPs (canonicalIp output), never raw text' },
    },
    'failedLoginLine.ts': {
      matchFailedLoginBody: perLine('failedLoginLine.ts', 'matchFailedLoginBody', ['maillog']),
      parseFailedLoginLine: perLine('failedLoginLine.ts', 'parseFailedLoginLine', 'all'),
    },
    'loginLine.ts': {
      matchLoginBody: perLine('loginLine.ts', 'matchLoginBody', ['maillog']),
      parseLoginLine: perLine('loginLine.ts', 'parseLoginLine', 'all'),
    },
    'relayFiles.ts': {
      parseRelayList: wholeFiles('relayFiles.ts', 'parseRelayList', ['relaylist', 'usermap']),
      parseUserMap: wholeFiles('relayFiles.ts', 'parseUserMap', ['usermap', 'relaylist']),
      parseAlwaysRelay: wholeFiles('relayFiles.ts', 'parseAlwaysRelay', ['usermap', 'relaylist']),
      parseAntirelaydConf: wholeFiles('relayFiles.ts', 'parseAntirelaydConf', ['autoresponder', 'usermap']),
    },
    'serverIps.ts': {
      parseMainIp: wholeFiles('serverIps.ts', 'parseMainIp', ['relaylist']),
      parseEtcIps: wholeFiles('serverIps.ts', 'parseEtcIps', ['relaylist', 'usermap']),
      parseMailIps: wholeFiles('serverIps.ts', 'parseMailIps', ['usermap', 'valiases']),
      parseAddressList: wholeFiles('serverIps.ts', 'parseAddressList', ['relaylist']),
      blacklistSkipReason: { calls: () => each(tokens.map((t) => canonicalIp(t)).filter((x): x is string => x !== null).concat(['127.0.0.1', '::1']), (ip) => f('serverIps.ts', 'blacklistSkipReason')(ip)) },
    },
    'syslogLine.ts': {
      splitLogLine: perLine('syslogLine.ts', 'splitLogLine', 'all'),
      splitLogLineAt: perLine('syslogLine.ts', 'splitLogLineAt', 'all'),
      makeStampResolver: { notText: 'takes a file time' },
    },
    'tailwatchdLog.ts': {
      tailwatchdStampToIso: { calls: () => each(tokens.slice(0, 3000), (t) => f('tailwatchdLog.ts', 'tailwatchdStampToIso')(t)) },
      parseTailwatchdMessage: perLine('tailwatchdLog.ts', 'parseTailwatchdMessage', ['tailwatchd']),
      parseTailwatchdLogLine: perLine('tailwatchdLog.ts', 'parseTailwatchdLogLine', 'all'),
      parseTailwatchdLog: wholeFiles('tailwatchdLog.ts', 'parseTailwatchdLog', ['tailwatchd']),
      driverHistory: { calls: () => each([fileOf('tailwatchd')], (t) => f('tailwatchdLog.ts', 'driverHistory')(fn(mods['tailwatchdLog.ts'], 'parseTailwatchdLog')(t))) },
    },
    'tailwatchdStatus.ts': { parseTailwatchdStatus: wholeFiles('tailwatchdStatus.ts', 'parseTailwatchdStatus', ['tailwatchd', 'relaylist']) },
    'valiases.ts': {
      parseAliasTarget: perLine('valiases.ts', 'parseAliasTarget', ['valiases']),
      parseValiases: { calls: () => each([fileOf('valiases'), ALL_FILE], (t) => f('valiases.ts', 'parseValiases')(t, 'alice.example')) },
    },
    'wwwacct.ts': { parseWwwAcct: wholeFiles('wwwacct.ts', 'parseWwwAcct', ['usermap', 'relaylist', 'tailwatchd']) },
    'zoneAbbreviations.ts': {
      zoneOffset: { calls: () => each(tokens.slice(0, 3000), (t) => f('zoneAbbreviations.ts', 'zoneOffset')(t, 2025, 1, 1, 0, 0)) },
    },
    'ipTextFilter.ts': {
      ipWitnesses: { notText: 'takes an address already made canonical by canonicalIp, never log text' },
      witnessNeedles: { notText: 'takes addresses already made canonical by canonicalIp (the relay list), never log text' },
    },
    'wasmEmitter.ts': {
      uleb: { notText: 'encodes numbers of the search kernel' },
      sleb: { notText: 'encodes numbers of the search kernel' },
      buildModule: { notText: 'assembles the search kernel' },
    },
  };
}

/** A refusal must be an ordinary error with a message, not the engine giving up (stack, memory, string length). */
function expectClearError(e: unknown): void {
  expect(e).toBeInstanceOf(Error);
  expect(e).not.toBeInstanceOf(RangeError);
  expect((e as Error).message.length).toBeGreaterThan(0);
}

function loadParsers(): Record<string, Record<string, unknown>> {
  const mods: Record<string, Record<string, unknown>> = {};
  const files = [...fs.readdirSync(PARSERS_DIR).filter((f) => f.endsWith('.ts')).map((f) => path.join(PARSERS_DIR, f)), ...BYTE_SEARCH];
  for (const file of files.sort((a, b) => path.basename(a).localeCompare(path.basename(b)))) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mods[path.basename(file)] = require(file) as Record<string, unknown>;
  }
  return mods;
}

/** Every IP-looking value of a parser's answer must be canonical (checked on keys named like IPs). */
function badIps(value: unknown, out: string[], depth = 0): void {
  if (depth > 8 || value === null || typeof value !== 'object') return;
  if (value instanceof Map) {
    for (const [k, v] of value) badIps(v, out, depth + 1), void k;
    return;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if ((k === 'ip' || k === 'address') && typeof v === 'string' && /^[0-9a-f:.]+$/i.test(v) && /[.:]/.test(v) && canonicalIp(v) !== v && canonicalIp(v) !== null) out.push(`${k}=${v}`);
    badIps(v, out, depth + 1);
  }
}

describe('the hostile lines', () => {
  test('are at least 10,000, deterministic, and hold every kind in every target', () => {
    expect(LINES.length).toBeGreaterThanOrEqual(10_000);
    const again = hostileLines();
    expect(again.map((l) => l.bytes.toString('base64')).join()).toBe(LINES.map((l) => l.bytes.toString('base64')).join());
    for (const kind of HOSTILE_KINDS) {
      const targets = new Set(LINES.filter((l) => l.kind === kind).map((l) => l.target));
      expect([kind, targets.size]).toEqual([kind, kind === 'long-line' ? Math.min(4, HOSTILE_TARGETS.length) : HOSTILE_TARGETS.length]);
    }
    expect(LINES.filter((l) => l.bytes.length >= 1024 * 1024).length).toBeGreaterThanOrEqual(4);
    expect(LINES.some((l) => l.bytes.includes(0))).toBe(true);
    expect(LINES.some((l) => !Buffer.from(l.bytes.toString('utf8')).equals(l.bytes))).toBe(true); // invalid UTF-8
    expect(LINES.some((l) => /\u202e/.test(l.bytes.toString('utf8')))).toBe(true);
    expect(LINES.some((l) => l.bytes.includes(0x1b))).toBe(true);
    expect(LINES.some((l) => l.bytes.includes(0x0d))).toBe(true);
    expect(LINES.some((l) => /[0-9a-f:]{4000}/.test(l.bytes.toString('latin1')))).toBe(true);
  });

  test('terminalSafe leaves no control or bidi character in any of them', () => {
    const unsafe = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
    for (const l of ALL_LINES) expect(unsafe.test(terminalSafe(l))).toBe(false);
  });
});

describe('every parser on the hostile lines', () => {
  const mods = loadParsers();
  const table = specs(mods);

  test('every exported function of src/parsers is in the table (give a new parser its hostile inputs)', () => {
    const exported = Object.entries(mods).flatMap(([file, m]) => Object.entries(m).filter(([, v]) => typeof v === 'function' && !/^[A-Z]/.test(String((v as { name?: string }).name ?? ''))).map(([name]) => `${file}:${name}`));
    // re-exports are classified where they are defined
    const defined = exported.filter((id) => {
      const [file, name] = id.split(':');
      return !Object.entries(mods).some(([other, m]) => other !== file && m[name] === mods[file][name] && table[other]?.[name]);
    });
    const missing = defined.filter((id) => {
      const [file, name] = id.split(':');
      return !table[file]?.[name];
    });
    expect(missing).toEqual([]);
  });

  const cases = Object.entries(table).flatMap(([file, fns]) => Object.entries(fns).map(([name, spec]) => [`${file}:${name}`, spec] as const));
  test.each(cases.filter(([, s]) => 'calls' in s))('%s: no crash, canonical IPs', (_id, spec) => {
    let n = 0;
    const ips: string[] = [];
    let slowest = 0;
    for (const call of (spec as { calls: () => Iterable<Call> }).calls()) {
      let out: unknown;
      slowest = Math.max(slowest, cpuMs(() => (out = call())));
      badIps(out, ips);
      n++;
    }
    expect(n).toBeGreaterThan(0);
    expect(ips.slice(0, 5)).toEqual([]);
    // Linear work: even a 1 MiB line or the whole 25 MiB file is parsed in well under two seconds.
    expect(slowest).toBeLessThan(2000);
  });
});
