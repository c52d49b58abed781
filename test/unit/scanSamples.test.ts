/**
 * The byte-search prefilter in front of the login patterns must let every login line through, in
 * every line shape: every annotated sample (all mail servers, all prefixes) is written into a log
 * between lines of noise, scanned as the login scan does it (scanLines with LOGIN_NEEDLES, SIMD and JS
 * kernels, small and large reads), and the logins found must be exactly the annotated ones.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Host } from '../../src/host/host';
import { LOGIN_NEEDLES } from '../../src/parsers/loginLine';
import { LoginLineReader } from '../../src/parsers/loginLineReader';
import { scanLines } from '../../src/scan/lineScanner';

const SAMPLES = path.resolve(__dirname, '../fixtures/samples');
const ANNOTATION = /^# (?:login (\S+) ("(?:[^"\\]|\\.)*"|\S+) (\S+)|not-login)(?: \[[\w,-]+\])?(?: .*)?$/;

/** Annotated sample lines, with what each must yield ("imap user ip" or null). */
function annotated(file: string): Array<{ line: string; want: string | null }> {
  const lines = fs.readFileSync(path.join(SAMPLES, file), 'utf8').split('\n');
  const out: Array<{ line: string; want: string | null }> = [];
  for (let i = 1; i < lines.length; i++) {
    const m = ANNOTATION.exec(lines[i - 1]);
    if (!m || lines[i] === '' || lines[i].startsWith('#')) continue;
    const user = m[2] === undefined ? '' : m[2].startsWith('"') ? (JSON.parse(m[2]) as string) : m[2];
    out.push({ line: lines[i], want: m[1] === undefined ? null : `${m[1]} ${user} ${m[3]}` });
  }
  return out;
}

const samples = [...annotated('login-samples.log'), ...annotated('maillog-real.log')];
const NOISE = [
  'Dec  5 10:00:00 mx1 postfix/smtpd[1]: connect from unknown[192.0.2.1]',
  'Dec  5 10:00:00 mx1 dovecot: imap(bob)<123><abc>: Disconnected: Logged out in=10 out=20',
  '-- Boot 0123456789abcdef0123456789abcdef --',
  '',
];

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'relaywatch-scan-samples-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

test('the samples hold logins in every new shape', () => {
  expect(samples.filter((s) => s.want).length).toBeGreaterThan(90);
});

describe.each([true, false])('simd=%s', (simd) => {
  test.each([64, 4096, 128 * 1024])('reads of %i bytes: every login sample is found, and nothing else', async (chunkSize) => {
    const lines = samples.flatMap((s, i) => [NOISE[i % NOISE.length], s.line]);
    fs.writeFileSync(path.join(root, 'maillog'), `${lines.join('\n')}\n`);
    const reader = new LoginLineReader();
    const found: string[] = [];
    await scanLines(new Host(root), '/maillog', {
      needles: LOGIN_NEEDLES,
      chunkSize,
      simd,
      onLine: (c) => {
        const hit = reader.parse(c.text);
        if (hit) found.push(`${c.line}: ${hit.protocol} ${hit.user} ${hit.ip}`);
      },
    });
    const expected = samples.flatMap((s, i) => (s.want ? [`${2 * i + 2}: ${s.want}`] : []));
    expect(found).toEqual(expected);
  });
});
