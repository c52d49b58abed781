/**
 * The exim_mainlog sample lines (test/fixtures/samples/exim-samples.log): the comment above each
 * line says which pattern must match and what it must yield. Every pattern must have a sample.
 */
import fs from 'node:fs';
import path from 'node:path';
import { EximEvent, parseEximLine } from '../../src/parsers/eximLine';
import { EXIM_PATTERNS } from '../../src/parsers/patterns/eximPatterns';

const file = path.resolve(__dirname, '../fixtures/samples/exim-samples.log');
const text = fs.readFileSync(file, 'utf8');

interface Case { at: number; pattern: string; expect: Record<string, string>; line: string }

/** `key=value key="v a l" key="with \"escape\""` */
function parseExpectations(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([A-Za-z]+)=(?:"((?:[^"\\]|\\.)*)"|(\S*))/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out[m[1]] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3];
  return out;
}

function cases(): Case[] {
  const lines = text.split('\n');
  const out: Case[] = [];
  for (let i = 0; i < lines.length - 1; i++) {
    const m = /^# ([a-z-]+)((?: .*)?)$/.exec(lines[i]);
    if (!m || lines[i + 1].startsWith('#') || lines[i + 1] === '') continue;
    const known = m[1] === 'none' || EXIM_PATTERNS.some((p) => p.name === m[1]);
    if (!known) continue;
    out.push({ at: i + 2, pattern: m[1], expect: parseExpectations(m[2]), line: lines[i + 1] });
  }
  return out;
}

const yesNo = (b: boolean): string => (b ? 'yes' : 'no');
const orDash = (v: string | number | null | undefined): string => (v === null || v === undefined || v === '' ? '-' : String(v));

/** The fields a sample comment may name, as text. */
function summary(e: EximEvent): Record<string, string> {
  const s: Record<string, string> = { kind: e.kind, id: orDash(e.id) };
  switch (e.kind) {
    case 'arrival':
    case 'bounce':
      Object.assign(s, {
        sender: orDash(e.sender), ip: orDash(e.host?.ip), helo: orDash(e.host?.helo), port: orDash(e.host?.port), protocol: orDash(e.protocol),
        auth: orDash(e.auth?.id), authenticated: yesNo(e.authenticated), user: orDash(e.localUser), size: orDash(e.size),
        subject: orDash(e.subject), recipients: e.recipients.join(',') || '-', bounceOf: orDash(e.bounceOf),
      });
      break;
    case 'delivery':
      Object.assign(s, { address: e.address, original: orDash(e.original), router: orDash(e.router), transport: orDash(e.transport), ip: orDash(e.host?.ip) });
      break;
    case 'autoresponder-pipe':
      Object.assign(s, { address: e.address, dir: e.dir, original: orDash(e.original), router: orDash(e.router), transport: orDash(e.transport), cagefs: yesNo(e.cagefs) });
      break;
    case 'failure':
      Object.assign(s, { address: e.address, original: orDash(e.original), router: orDash(e.router), error: orDash(e.error) });
      break;
    case 'identification':
      Object.assign(s, { ip: e.ip, cpuser: orDash(e.cpuser), sender: orDash(e.sender), method: e.method, port: orDash(e.port), messageRef: orDash(e.messageRef) });
      break;
    case 'rejected-relay':
      Object.assign(s, { ip: e.ip, sender: orDash(e.sender), recipient: orDash(e.recipient) });
      break;
  }
  return s;
}

const all = cases();

test('the sample file has samples and look-alikes', () => {
  expect(all.filter((c) => c.pattern !== 'none').length).toBeGreaterThanOrEqual(30);
  expect(all.filter((c) => c.pattern === 'none').length).toBeGreaterThanOrEqual(6);
});

test.each(EXIM_PATTERNS.map((p) => [p.name]))('pattern "%s" is proven by at least one sample', (name) => {
  expect(all.some((c) => c.pattern === name)).toBe(true);
});

test.each(all.map((c) => [c.at, c.pattern, c]))('sample line %i yields %s', (_at, _pattern, c) => {
  const { pattern, expect: want, line } = c as Case;
  const ev = parseEximLine(line);
  if (pattern === 'none') {
    expect(ev).toBeNull();
    return;
  }
  expect(ev?.pattern).toBe(pattern);
  const got = summary(ev!);
  for (const [k, v] of Object.entries(want)) {
    expect([k, got[k]]).toEqual([k, v]);
  }
});
