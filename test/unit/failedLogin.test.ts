import { countFailedAttempts, FAILED_LOGIN_PATTERNS, parseFailedLogin } from '../../src/parsers/failedLogin';

// Real lines (fail2ban's test logs, as in /work/shared/samples/maillog-real.log) and the demo host's wording.
const SAMPLES: Array<[line: string, pattern: string, user: string | null, attempts: number]> = [
  ['Jan 20 10:15:30 server dovecot: pop3-login: Disconnected (auth failed, 1 attempts): user=<testuser>, method=PLAIN, rip=10.0.0.2, lip=192.168.1.1', 'dovecot-auth-failed', 'testuser', 1],
  ['Jun 13 16:30:54 platypus dovecot: imap-login: Disconnected (auth failed, 2 attempts): user=<username.bob>, method=PLAIN, rip=49.176.98.87, lip=113.212.99.194, TLS', 'dovecot-auth-failed', 'username.bob', 2],
  ['Jun 12 19:07:29 hostname dovecot[241]: imap-login: Login aborted: Connection closed (auth failed, 3 attempts in 16 secs) (auth_failed): user=<test>, method=PLAIN, rip=192.0.2.241, lip=203.0.113.104, TLS, session=<9ZHq02g3J8S60fan>', 'dovecot-auth-failed', 'test', 3],
  ['Jul 02 13:49:31 hostname dovecot[442]: pop3-login: Aborted login (auth failed, 1 attempts in 17 secs): user=<test>, method=PLAIN, rip=192.51.100.13, lip=203.0.113.17, session=<YADINsQCDs5BH8Pg>', 'dovecot-auth-failed', 'test', 1],
  ['Jan 13 20:51:05 valhalla dovecot: pop3-login: Disconnected: Inactivity (auth failed, 1 attempts in 178 secs): user=<ivo>, method=PLAIN, rip=1.2.3.4, lip=1.1.2.2, session=<6brQWt/vCADDhP/+>', 'dovecot-auth-failed', 'ivo', 1],
  ['Aug 29 03:17:18 server dovecot: submission-login: Client has quit the connection (auth failed, 1 attempts in 2 secs): user=<user1>, method=LOGIN, rip=192.0.2.133, lip=0.0.0.0', 'dovecot-auth-failed', 'user1', 1],
  ['Jan 29 05:32:50 mail dovecot: auth-worker(304): pam(username,1.2.3.4): pam_authenticate() failed: Authentication failure (password mismatch?)', 'dovecot-password-mismatch', 'username', 1],
  ['Jun 11 13:57:17 main dovecot: auth: sql(admin@example.ru,192.168.144.226,<6rXunFtu493AqJDi>): Password mismatch', 'dovecot-password-mismatch', 'admin@example.ru', 1],
  ['Dec  5 10:00:00 host dovecot[12]: auth: dict(info@shop.example,192.0.2.7,<abc123>): unknown user', 'dovecot-password-mismatch', 'info@shop.example', 1],
  ['May 30 00:01:02 server2 courierpop3login: LOGIN FAILED, ip=[::ffff:193.68.217.36]', 'courier-login-failed', null, 1],
  ['Apr 23 21:59:01 dns2 imapd: LOGIN FAILED, user=sales@example.com, ip=[::ffff:1.2.3.4]', 'courier-login-failed', 'sales@example.com', 1],
  ['Jul 3 20:56:53 Linux2 imapd[666]: Login failed user=lizdy auth=lizdy host=h2066373.stratoserver.net [81.169.154.112]', 'uw-login-failed', 'lizdy', 1],
  ['Jan 14 20:28:07 grog imapd[19343]: Login excessive login failures user=user auth=user host=74-115-52-198-dedicated.multacom.com [198.52.115.74]', 'uw-login-failed', 'user', 1],
  ['Feb 20 17:23:32 domain cyrus/pop3[18635]: badlogin: localhost [198.51.100.23] plaintext administrator SASL(-13): authentication failure: checkpass failed', 'cyrus-badlogin', 'administrator', 1],
  ["Jul  7 07:10:18 srv vpopmail[4800]: vchkpw-pop3: password fail (pass: 'test') user@my_domain:1.2.3.4", 'vpopmail-password-fail', 'user@my_domain', 1],
];

// Look-alikes: successful logins and connections that never tried a password.
const NOT_FAILED = [
  'Jan 20 10:15:30 server dovecot: imap-login: Login: user=<bob@example.com>, method=PLAIN, rip=203.0.113.5, lip=192.0.2.1, mpid=123, TLS, session=<abc>',
  'Jan 20 10:15:30 server dovecot: imap-login: Disconnected (no auth attempts in 2 secs): user=<>, rip=203.0.113.5, lip=192.0.2.1, TLS, session=<abc>',
  'Jan 20 10:15:30 server dovecot: imap(bob@example.com)<12><abc>: Disconnected: Logged out in=10, out=20',
  'Apr 23 21:59:01 dns2 imapd: LOGIN, user=sales@example.com, ip=[::ffff:1.2.3.4], port=[1234], protocol=IMAP',
];

test.each(SAMPLES)('%s', (line, pattern, user, attempts) => {
  expect(parseFailedLogin(line)).toMatchObject({ pattern, user, attempts });
});

test.each(NOT_FAILED)('not a failed login: %s', (line) => {
  expect(parseFailedLogin(line)).toBeNull();
});

test('every pattern is proven by a sample line', () => {
  for (const p of FAILED_LOGIN_PATTERNS) expect(SAMPLES.some(([, name]) => name === p.name)).toBe(true);
});

test('the two sides of one Dovecot attempt count once; an auth line alone counts', () => {
  const lines = [
    'Dec  5 10:00:00 host dovecot[1]: auth: dict(bob@x.example,192.0.2.7,<S1>): Password mismatch',
    'Dec  5 10:00:01 host dovecot[1]: imap-login: Disconnected (auth failed, 2 attempts in 4 secs): user=<bob@x.example>, method=PLAIN, rip=192.0.2.7, lip=192.0.2.1, session=<S1>',
    'Dec  5 10:05:00 host dovecot[1]: auth: dict(eve@x.example,192.0.2.7,<S2>): unknown user',
  ];
  const counted = countFailedAttempts(lines.map((l) => ({ attempt: parseFailedLogin(l)! })));
  expect(counted.map((c) => c.counted)).toEqual([0, 2, 1]);
});
