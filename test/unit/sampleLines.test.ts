/**
 * The shared real sample lines (../shared/samples/maillog-real.log): the comment above each line says
 * what it must yield. When the shared folder is absent (a checkout on its own), the copy in
 * test/fixtures is used; the two are compared when both exist so the copy cannot drift.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseLoginLine } from '../../src/parsers/loginLine';

const shared = path.resolve(__dirname, '../../../shared/samples/maillog-real.log');
const copy = path.resolve(__dirname, '../fixtures/samples/maillog-real.log');

interface Case { expect: string; line: string; at: number }

function cases(text: string): Case[] {
  const lines = text.split('\n');
  const out: Case[] = [];
  for (let i = 0; i < lines.length - 1; i++) {
    const m = /^# (login \S+ \S+ \S+|not-login)\s*$/.exec(lines[i]);
    if (m && lines[i + 1] && !lines[i + 1].startsWith('#')) out.push({ expect: m[1], line: lines[i + 1], at: i + 2 });
  }
  return out;
}

const text = fs.readFileSync(fs.existsSync(shared) ? shared : copy, 'utf8');

test('the fixture copy matches the shared samples', () => {
  if (fs.existsSync(shared)) expect(fs.readFileSync(copy, 'utf8')).toBe(fs.readFileSync(shared, 'utf8'));
});

test('the sample file has both kinds of line', () => {
  const all = cases(text);
  expect(all.filter((c) => c.expect.startsWith('login')).length).toBeGreaterThanOrEqual(7);
  expect(all.filter((c) => c.expect === 'not-login').length).toBeGreaterThanOrEqual(20);
});

test.each(cases(text).map((c) => [c.at, c.expect, c.line]))('sample line %i yields "%s"', (_at, expected, line) => {
  const hit = parseLoginLine(line as string);
  const got = hit ? `login ${hit.protocol} ${hit.user} ${hit.ip}` : 'not-login';
  expect(got).toBe(expected);
});
