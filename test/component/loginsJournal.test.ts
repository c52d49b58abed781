/**
 * `journalctl -u dovecot -o <mode> | relaywatch logins -`: journal output on standard input, in each of
 * journalctl's modes that carry a time, gives every login at its true instant; the lines journalctl
 * adds of its own ("-- Boot … --") are simply not logins. Syslog files in the other new shapes
 * (RFC 5424, FreeBSD syslogd -v) are read as files, with the same answers.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCliCaptured } from '../helpers/hostTree';

const login = (user: string, ip: string, proto = 'imap'): string =>
  `${proto}-login: Login: user=<${user}>, method=PLAIN, rip=${ip}, lip=198.51.100.2, mpid=1, TLS, session=<AAAAAAAAAAAAAAAA>`;

interface Rec { time: string | null; ip: string; user: string; protocol: string; service: string; pattern: string; line: number }

async function logins(stdin: string, ...files: string[]): Promise<Rec[]> {
  const r = await runCliCaptured(['logins', ...(files.length ? files : ['-']), '--json'], stdin);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec);
}

test.each([
  ['short-iso', '2025-12-05T12:00:08+0100 mx1 dovecot[810]: ', '2025-12-05T11:00:08.000Z'],
  ['short-iso-precise', '2025-12-05T12:00:08.250000+01:00 mx1 dovecot[810]: ', '2025-12-05T11:00:08.250Z'],
  ['short-full', 'Fri 2025-12-05 12:00:08 CET mx1 dovecot[810]: ', '2025-12-05T11:00:08.000Z'],
  ['short-full --utc', 'Fri 2025-12-05 11:00:08 UTC mx1 dovecot[810]: ', '2025-12-05T11:00:08.000Z'],
  ['with-unit', 'Fri 2025-12-05 12:00:08 CET mx1 dovecot.service[810]: ', '2025-12-05T11:00:08.000Z'],
  ['short-unix', '1764932408.000000 mx1 dovecot[810]: ', '2025-12-05T11:00:08.000Z'],
])('journalctl -o %s on standard input', async (_mode, prefix, iso) => {
  const text = [
    '-- Boot 0123456789abcdef0123456789abcdef --',
    `${prefix}${login('ivy@example.com', '203.0.113.200')}`,
    `${prefix}imap(ivy@example.com)<1><AAAA>: Disconnected: Logged out in=10 out=20`,
    `${prefix}${login('ivy@example.com', '203.0.113.201', 'pop3')}`,
    '-- No entries --',
  ].join('\n');
  const recs = await logins(`${text}\n`);
  expect(recs.map((r) => [r.line, r.time, r.ip, r.user, r.protocol])).toEqual([
    [2, iso, '203.0.113.200', 'ivy@example.com', 'imap'],
    [4, iso, '203.0.113.201', 'ivy@example.com', 'pop3'],
  ]);
});

test('journalctl -o short-monotonic: the logins, without a time (time since boot is no instant)', async () => {
  const recs = await logins(`[ 1234.567890] mx1 dovecot[810]: ${login('ivy', '203.0.113.202')}\n`);
  expect(recs.map((r) => [r.time, r.ip, r.user])).toEqual([[null, '203.0.113.202', 'ivy']]);
});

test('files in RFC 5424 and FreeBSD syslogd -v form, and the other mail servers in them', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relaywatch-logins-'));
  try {
    const f = path.join(dir, 'maillog');
    fs.writeFileSync(f, [
      `<22>1 2025-12-05T12:00:02.5+01:00 mx1 dovecot 810 - [meta sequenceId="1"] ${login('ivy', '203.0.113.210')}`,
      `<22>1 2025-12-05T11:00:03Z node1 dovecot 1234 - - imap-login: proxy(alice,192.0.2.20:143): Started proxying to <192.0.2.20> (0.012 secs): user=<alice>, method=PLAIN, rip=203.0.113.211, lip=198.51.100.2, TLS`,
      `<22>1 2025-12-05T11:00:04Z mx1 cust7/imap 4242 - - login: client.example.net [203.0.113.212] bob PLAIN+TLS User logged in SESSIONID=<x>`,
      `Dec  5 12:00:05 <mail.info> mx1 vpopmail[20070]: vchkpw-pop3s: (PLAIN) login success user@example.com:203.0.113.213`,
      `Dec  5 12:00:06 <2.6> mx1 cyrus/imap[2521]: login: client.example.net [203.0.113.214] bob plaintext+TLS`,
    ].join('\n') + '\n');
    const recs = await logins('', f);
    expect(recs.map((r) => [r.line, r.ip, r.user, r.protocol, r.pattern])).toEqual([
      [1, '203.0.113.210', 'ivy', 'imap', 'dovecot-login'],
      [2, '203.0.113.211', 'alice', 'imap', 'dovecot-proxy-started'],
      [3, '203.0.113.212', 'bob', 'imap', 'cyrus-login'],
      [4, '203.0.113.213', 'user@example.com', 'pop3', 'vpopmail-login'],
      [5, '203.0.113.214', 'bob', 'imap', 'cyrus-login-bare'],
    ]);
    expect(recs.slice(0, 3).map((r) => r.time)).toEqual(['2025-12-05T11:00:02.500Z', '2025-12-05T11:00:03.000Z', '2025-12-05T11:00:04.000Z']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
