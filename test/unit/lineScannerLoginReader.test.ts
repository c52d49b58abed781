/**
 * LoginLineReader (the memoised parser the scanner uses) must give exactly what parseLoginLine gives,
 * and what parseFailedLoginLine gives for failed logins, line for line, in any order: on every sample
 * line, on a generated demo log, and on lines made to trip its prefix memo.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateDemoHost } from '../../src/demo/generateDemoHost';
import { parseFailedLoginLine } from '../../src/parsers/failedLoginLine';
import { parseLoginLine } from '../../src/parsers/loginLine';
import { LoginLineReader } from '../../src/parsers/loginLineReader';

const samples = ['maillog-real.log', 'login-samples.log', 'exim-samples.log'].flatMap((f) =>
  fs.readFileSync(path.join(__dirname, '../fixtures/samples', f), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')),
);

function expectSame(lines: readonly string[]): void {
  const reader = new LoginLineReader();
  for (const line of lines) {
    expect([line, reader.parse(line)]).toEqual([line, parseLoginLine(line)]);
    expect([line, reader.parseFailed(line)]).toEqual([line, parseFailedLoginLine(line)]);
  }
}

test('every sample line, in file order, twice over', () => {
  expect(samples.length).toBeGreaterThan(150);
  expectSame([...samples, ...samples]);
});

test('every sample line, each after every other kind of line', () => {
  const reversed = [...samples].reverse();
  const interleaved = samples.flatMap((l, i) => [l, reversed[i]]);
  expectSame(interleaved);
});

test('lines that share a stamp but not a host, or have no host, no space or no stamp', () => {
  const login = 'dovecot: imap-login: Login: user=<a@example.com>, method=PLAIN, rip=203.0.113.5, lip=192.0.2.1';
  const failed = 'dovecot: imap-login: Disconnected (auth failed, 2 attempts in 4 secs): user=<a@example.com>, method=PLAIN, rip=203.0.113.5, lip=192.0.2.1';
  expectSame([
    `Nov 27 10:00:00 server1 ${login}`,
    `Nov 27 10:00:00 server1x ${login}`,
    `Nov 27 10:00:00 server1: ${login}`,
    `Nov 27 10:00:00 ${login}`,
    `Nov 27 10:00:00 server1 ${login}`,
    `Nov 27 10:00:00 server1`,
    `Nov 27 10:00:00 server1 ${login}`,
    `Nov 27 10:00:00 server1 pop3-login: Login: user=<b>, rip=198.51.100.1`,
    `Nov 27 10:00:00 pop3-login: Login: user=<b>, rip=198.51.100.1`,
    `Nov 27 10:00:00 server1 ${login}`,
    `Nov 27 10:00:00 server1  ${login}`,
    `2025-11-12T05:41:22.537051+00:00 server1 ${login}`,
    `2025-11-12T05:41:22.537051+00:00 server1 ${login.replace('203.0.113.5', '::ffff:203.0.113.6')}`,
    `<22>2025-11-12T05:41:22+01:00 server1 ${login}`,
    `dovecot: 2008-10-02 23:34:07 Info: imap-login: Login: user=<c>, method=PLAIN, rip=192.0.2.77, lip=192.0.2.1`,
    `dovecot: 2008-10-02 23:34:07 server1 Info: imap-login: Login: user=<c>, rip=192.0.2.77`,
    login,
    `Nov 27 10:00:00 server1 ${login}`,
    `Nov 27 10:00:00 server1 ${failed}`,
    `Nov 27 10:00:00 server1x ${failed}`,
    `Nov 27 10:00:00 ${failed}`,
    `Nov 27 10:00:00 server1 ${failed.replace('203.0.113.5', '::FFFF:203.0.113.5')}`,
    failed,
    `Nov 27 10:00:00 server1 ${failed}`,
  ]);
});

test('RFC 5424 lines, whose body is rebuilt, and FreeBSD -v lines share no prefix with the lines around them', () => {
  const msg = 'imap-login: Login: user=<a@example.com>, method=PLAIN, rip=203.0.113.5, lip=192.0.2.1';
  expectSame([
    `<22>1 2025-11-12T05:41:22Z server1 dovecot 810 - - ${msg}`,
    `<22>1 2025-11-12T05:41:22Z server1 dovecot 811 - - ${msg.replace('203.0.113.5', '203.0.113.6')}`,
    `<22>1 2025-11-12T05:41:22Z server1 - - - - ${msg}`,
    `<22>1 2025-11-12T05:41:22Z server1 - - - - pop3-login: Login: user=<b>, rip=198.51.100.1`,
    `<22>1 2025-11-12T05:41:22Z server1 cyrus/imap 812 - - login: h [203.0.113.7] bob PLAIN User logged in`,
    `<22>1 2025-11-12T05:41:22Z server1 sshd 813 - - Invalid user ${msg}`,
    `Nov 27 10:00:00 <mail.info> server1 dovecot: ${msg}`,
    `Nov 27 10:00:00 <mail.info> server1 sshd[1]: Invalid user ${msg}`,
    `Nov 27 10:00:00 server1 dovecot: ${msg}`,
    `Fri 2025-12-05 12:00:05 CET server1 dovecot[810]: ${msg}`,
    `Fri 2025-12-05 12:00:05 CET server1 sshd[1]: ${msg}`,
    `1764932407.123456 server1 dovecot[810]: ${msg}`,
    `1764932407.123456 server1 - ${msg}`,
  ]);
});

test('lines a second apart: only the time of day is read anew, and look-alike prefixes are split whole', () => {
  const login = 'dovecot[2665]: imap-login: Login: user=<a@example.com>, method=PLAIN, rip=2001:db8:4a1:7c00::2e, lip=192.0.2.1';
  const failed = 'dovecot[2665]: pop3-login: Disconnected (auth failed, 3 attempts in 9 secs): user=<b@example.com>, rip=203.0.113.9, lip=192.0.2.1';
  const lines: string[] = [];
  for (let s = 0; s < 130; s++) {
    const hh = String(9 + Math.floor(s / 60)).padStart(2, '0');
    const mm = String(s % 60).padStart(2, '0');
    lines.push(`Nov 27 ${hh}:${mm}:${mm} server1 ${s % 3 === 0 ? failed : login}`);
  }
  expectSame([
    ...lines,
    // another day, month, host, or a host that only starts the same
    `Nov 28 10:00:01 server1 ${login}`,
    `Nov 28 10:00:02 server1 ${login}`,
    `Dec 28 10:00:03 server1 ${login}`,
    `Dec 28 10:00:04 server2 ${login}`,
    `Dec 28 10:00:05 server2x ${login}`,
    `Dec 28 10:00:06 server2: ${login}`,
    `Dec 28 10:00:07 server2 ${login}`,
    `Dec 28 10:00:08 ${login}`,
    `Dec 28 10:00:09 server2 ${login}`,
    // a day written with one space or two, then one digit
    `Feb  2 09:47:12 server1 ${login}`,
    `Feb  2 09:47:13 server1 ${login}`,
    `Feb 2 09:47:14 server1 ${login}`,
    `Feb 2 09:47:15 server1 ${failed}`,
    `Feb  2 09:47:16 server1 ${login}`,
    // times that are not two digits each, or out of range (the resolver, not the split, refuses them)
    `Feb  2 9:47:17 server1 ${login}`,
    `Feb  2 09:4:717 server1 ${login}`,
    `Feb  2 09-47-18 server1 ${login}`,
    `Feb  2 0x:47:19 server1 ${login}`,
    `Feb  2 99:99:99 server1 ${login}`,
    `Feb  2 09:47:20 server1 ${login}`,
    // a fraction, a <PRI>, a facility and level: the prefix is split whole
    `Feb  2 09:47:21.123456 server1 ${login}`,
    `Feb  2 09:47:22.5 server1 ${login}`,
    `Feb  2 09:47:23 server1 ${login}`,
    `<22>Feb  2 09:47:24 server1 ${login}`,
    `<22>Feb  2 09:47:25 server1 ${login}`,
    `Feb  2 09:47:26 <mail.info> server1 ${login}`,
    `Feb  2 09:47:27 <mail.info> server1 ${failed}`,
    `Feb  2 09:47:28 <mail.warn> server1 ${login}`,
    `Feb  2 09:47:29 server1 ${login}`,
    // a month name that is not one, and lines cut short
    `Fex  2 09:47:30 server1 ${login}`,
    `Feb  2 09:47:31 server1 ${login}`,
    'Feb  2 09:47:32 server1',
    'Feb  2 09:47:3',
    `Feb  2 09:47:33 server1 ${login}`,
    `Feb  2 09:47:34 server1  ${login}`,
    `Feb  2 09:47:35 server1 ${login}`,
    `2025-02-02T09:47:36+00:00 server1 ${login}`,
    `Feb  2 09:47:37 server1 ${login}`,
  ]);
});

describe('a generated demo log', () => {
  let root = '';
  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'relaywatch-reader-'));
    fs.rmSync(root, { recursive: true });
    await generateDemoHost({ out: root, generation: 'modern', sizeMb: 1, gzipRotations: false });
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('gives the same answers for every line', () => {
    const lines = fs.readFileSync(path.join(root, 'var/log/maillog'), 'utf8').split('\n');
    expect(lines.length).toBeGreaterThan(500);
    expectSame(lines);
    expect(lines.filter((l) => parseLoginLine(l) !== null).length).toBeGreaterThan(10);
    expect(lines.filter((l) => parseFailedLoginLine(l) !== null).length).toBeGreaterThan(10);
  });
});
