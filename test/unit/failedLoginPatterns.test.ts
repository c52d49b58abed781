/**
 * Proof of the failed-login table (src/parsers/patterns/failedLoginPatterns.ts): every line of the
 * shared real samples (maillog-real.log) yields exactly the failure written next to it below, or none;
 * every pattern has a real sample; a line that is a successful login is never a failure; and the
 * fields a client chooses (the user name) cannot move the address.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FAILED_LOGIN_NEEDLES, parseFailedLoginLine } from '../../src/parsers/failedLoginLine';
import { parseLoginLine } from '../../src/parsers/loginLine';
import { FAILED_LOGIN_PATTERNS } from '../../src/parsers/patterns/failedLoginPatterns';

const shared = path.resolve(__dirname, '../../../shared/samples/maillog-real.log');
const copy = path.resolve(__dirname, '../fixtures/samples/maillog-real.log');
const realLines = fs.readFileSync(fs.existsSync(shared) ? shared : copy, 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));

/** What each real line must yield: "pattern protocol user ip attempts", keyed by a unique part of the line. */
const EXPECTED: Record<string, string> = {
  'Disconnected (auth failed, 1 attempts): user=<testuser>': 'dovecot-auth-failed pop3 testuser 10.0.0.2 1',
  'user=<baduser>': 'dovecot-auth-failed imap baduser 172.16.0.1 1',
  'LOGIN FAILED, ip=[::ffff:193.68.217.36]': 'courier-login-failed pop3 - 193.68.217.36 1',
  'password fail (pass:': 'vpopmail-password-fail pop3 user@my_domain 1.2.3.4 1',
  '(auth failed, 2 attempts): user=<username.bob>': 'dovecot-auth-failed imap username.bob 49.176.98.87 2',
  'Login aborted: Connection closed (auth failed, 3 attempts': 'dovecot-auth-failed imap test 192.0.2.241 3',
  'Aborted login (auth failed, 1 attempts in 17 secs)': 'dovecot-auth-failed pop3 test 192.51.100.13 1',
  'Inactivity (auth failed': 'dovecot-auth-failed pop3 ivo 1.2.3.4 1',
  'user=<grace>': 'dovecot-auth-failed pop3 grace 212.9.180.3 1',
  'Too many invalid commands (auth failed': 'dovecot-auth-failed imap test 192.0.2.2 1',
  'user=sales@example.com': 'courier-login-failed imap sales@example.com 1.2.3.4 1',
  'user=tester': 'courier-login-failed imap tester 192.0.2.5 1',
  'badlogin: localhost [198.51.100.23]': 'cyrus-badlogin pop3 administrator 198.51.100.23 1',
  'Login failed user=lizdy': 'uw-login-failed imap lizdy 81.169.154.112 1',
  'Login excessive login failures user=user': 'uw-excessive-failures imap user 198.52.115.74 1',
};

function describeHit(line: string): string | null {
  const hit = parseFailedLoginLine(line);
  return hit ? `${hit.pattern} ${hit.protocol} ${hit.user ?? '-'} ${hit.ip} ${hit.attempts}` : null;
}

test('every real sample line yields the failure written for it, or none', () => {
  const got: Record<string, string | null> = {};
  const want: Record<string, string | null> = {};
  for (const line of realLines) {
    const keys = Object.keys(EXPECTED).filter((k) => line.includes(k));
    expect(keys.length).toBeLessThanOrEqual(1);
    got[line] = describeHit(line);
    want[line] = keys.length ? EXPECTED[keys[0]] : null;
  }
  expect(got).toEqual(want);
  // every expectation found its line
  expect(Object.keys(EXPECTED).filter((k) => !realLines.some((l) => l.includes(k)))).toEqual([]);
});

test('every pattern has a real sample, and every needle is in its pattern\'s samples', () => {
  const used = new Set(Object.values(EXPECTED).map((e) => e.split(' ')[0]));
  expect(FAILED_LOGIN_PATTERNS.map((p) => p.name).filter((n) => !used.has(n))).toEqual([]);
  for (const line of realLines) {
    const hit = parseFailedLoginLine(line);
    if (hit) expect(FAILED_LOGIN_NEEDLES.some((n) => line.includes(n))).toBe(true);
  }
});

test('a successful login is never a failure, and the look-alikes that are no POP3/IMAP failure are none', () => {
  for (const line of realLines) if (parseLoginLine(line)) expect([line, describeHit(line)]).toEqual([line, null]);
  const none = [
    // Dovecot's auth process repeats a failure the login process reports: counted once, there
    'Jan 29 05:32:50 mail dovecot: auth-worker(304): pam(username,1.2.3.4): pam_authenticate() failed: Authentication failure (password mismatch?)',
    'Jun 11 13:57:17 main dovecot: auth: sql(admin@example.ru,192.168.144.226,<6rXunFtu493AqJDi>): Password mismatch',
    // SMTP submission, not POP3/IMAP; no attempt at all
    'Aug 29 03:17:18 server dovecot: submission-login: Client has quit the connection (auth failed, 1 attempts in 2 secs): user=<user1>, method=LOGIN, rip=192.0.2.133, lip=0.0.0.0',
    'Jun 13 20:48:11 platypus dovecot: pop3-login: Disconnected (no auth attempts): rip=121.44.24.254, lip=113.212.99.194, TLS: Disconnected',
    // the wording after the program only: a user name cannot make a line a failure
    'Jan 20 10:15:30 server dovecot: imap(x)<1>: Disconnected: user=<(auth failed, 9 attempts)>, rip=6.6.6.6',
  ];
  for (const line of none) expect([line, describeHit(line)]).toEqual([line, null]);
});

test('a crafted user name cannot move the address', () => {
  const line = 'Jan 20 10:15:30 server dovecot: pop3-login: Disconnected (auth failed, 1 attempts): user=<x, rip=6.6.6.6>, method=PLAIN, rip=203.0.113.5, lip=192.0.2.1';
  expect(describeHit(line)).toBe('dovecot-auth-failed pop3 x, rip=6.6.6.6 203.0.113.5 1');
  const courier = 'Apr 23 21:59:01 dns2 imapd: LOGIN FAILED, user=a, ip=[6.6.6.6], ip=[203.0.113.5]';
  expect(describeHit(courier)).toBe('courier-login-failed imap a 6.6.6.6 1');
});

test('failures on the TLS ports and in the other line shapes the login patterns read', () => {
  const cases: Array<[string, string | null]> = [
    ['Jul  7 11:24:16 srv vpopmail[20076]: vchkpw-pop3s: password fail user@example.com:203.0.113.195', 'vpopmail-password-fail pop3 user@example.com 203.0.113.195 1'],
    ['Jul  7 11:24:17 srv vpopmail[20077]: vchkpw-imaps: vpopmail user not found user@example.com:203.0.113.196', 'vpopmail-password-fail imap user@example.com 203.0.113.196 1'],
    ['Jul  7 11:24:18 srv vpopmail[20078]: vchkpw-smtps: password fail user@example.com:203.0.113.197', null],
    ['Dec  5 11:00:20 mx mail2/pop3s[5357]: badlogin: client.example.net [203.0.113.198] plaintext bob SASL(-13): authentication failure: checkpass failed', 'cyrus-badlogin pop3 bob 203.0.113.198 1'],
    ['<22>1 2025-12-05T12:00:02Z mx1 dovecot 810 - - imap-login: Disconnected (auth failed, 2 attempts in 4 secs): user=<ivy>, method=PLAIN, rip=203.0.113.199, lip=198.51.100.2', 'dovecot-auth-failed imap ivy 203.0.113.199 2'],
  ];
  for (const [line, want] of cases) expect([line, describeHit(line)]).toEqual([line, want]);
});
