/**
 * `relaywatch ip IP` and the IP page on real temporary host trees: every spelling of the address in
 * current, rotated and gzipped logs, look-alike addresses left out, scope for resellers, escaping.
 */
import request from 'supertest';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { lineMentionsIp, ipNeedles } from '../../src/domain/ipMentions';
import { createContext } from '../../src/services/context';
import { failedLine, loginLine, makeCpanelHost } from '../helpers/cpanelHost';
import { removeTree, runCliCaptured } from '../helpers/hostTree';

const now = new Date();
const minutesAgo = (m: number): Date => new Date(now.getTime() - m * 60_000);
const roots: string[] = [];
afterAll(() => roots.forEach(removeTree));

const HOSTILE = '<img src=x onerror=alert(1)>@bob.example';

function host(): string {
  const root = makeCpanelHost({
    generation: 'modern',
    relayIps: ['203.0.113.10', '2001:0db8:0000:0000:0000:0000:0000:0005', '192.0.2.99'],
    maillog: [
      loginLine(minutesAgo(5), 'bob@bob.example', '::ffff:203.0.113.10', 'pop3'),
      loginLine(minutesAgo(4), 'carol@carol.example', '203.0.113.10'),
      loginLine(minutesAgo(3), 'alice@alice.example', '203.0.113.100'), // look-alike: must not count
      loginLine(minutesAgo(3), 'alice@alice.example', '2001:db8::55'), // look-alike IPv6
      loginLine(minutesAgo(2), 'info@shop.bob.example', '2001:db8::5'),
      failedLine(minutesAgo(1), HOSTILE, '192.0.2.99'),
      failedLine(minutesAgo(1), 'service\u202efdp.exe', '192.0.2.99'),
    ],
    extra: {
      files: {
        '/var/log/maillog-20990101.gz': `${loginLine(minutesAgo(60 * 30), 'bob@bob.example', '203.0.113.10', 'imap')}\n`,
        '/var/log/exim_mainlog': [
          `2026-08-11 01:35:09 1wtYaK-0000000GRSy-2tQh <= bob@bob.example H=(laptop) [203.0.113.10]:52114 P=esmtpa A=dovecot_login:bob@bob.example S=1234 T="hi" for x@example.net`,
          `2026-08-11 01:36:09 1wtYaK-0000000GRSz-2tQh <= carol@carol.example H=(pc) [203.0.113.10]:52115 P=esmtpa A=dovecot_login:carol@carol.example S=99 for y@example.net`,
          `2026-08-11 01:37:00 SMTP connection from [203.0.113.101]:4000 lost`,
        ].join('\n') + '\n',
      },
      mtimes: { '/var/log/maillog-20990101.gz': minutesAgo(60 * 29) },
    },
  });
  roots.push(root);
  return root;
}

test('needles and line matching: every spelling of the address, never a longer one', () => {
  expect(ipNeedles('2001:db8::5')).toEqual(expect.arrayContaining(['2001:db8::5', '2001:0db8:0000:0000:0000:0000:0000:0005', '2001:db8:0:0:0:0:0:5']));
  expect(lineMentionsIp('rip=::ffff:1.2.3.4, lip=x', '1.2.3.4')).toBe(true);
  expect(lineMentionsIp('H=[1.2.3.4]:25 P=esmtp', '1.2.3.4')).toBe(true);
  expect(lineMentionsIp('ip=1.2.3.4:2981', '1.2.3.4')).toBe(true);
  expect(lineMentionsIp('connection from 1.2.3.4.', '1.2.3.4')).toBe(true);
  expect(lineMentionsIp('rip=11.2.3.4', '1.2.3.4')).toBe(false);
  expect(lineMentionsIp('rip=1.2.3.45', '1.2.3.4')).toBe(false);
  expect(lineMentionsIp('version 1.2.3.4.5', '1.2.3.4')).toBe(false);
  expect(lineMentionsIp('"2001:0DB8:0000:0000:0000:0000:0000:0005"', '2001:db8::5')).toBe(true);
  expect(lineMentionsIp('rip=2001:db8::55', '2001:db8::5')).toBe(false);
  expect(lineMentionsIp('x'.repeat(100_000) + ':'.repeat(50_000), '1.2.3.4')).toBe(false);
});

test('relaywatch ip --json: status, logins from current and gzipped rotated logs, exim lines, no look-alikes', async () => {
  const root = host();
  const r = await runCliCaptured(['ip', '203.0.113.10', '--json', '--root', root]);
  expect(r.code).toBe(0);
  const body = JSON.parse(r.stdout);
  expect(body).toMatchObject({ ip: '203.0.113.10', inRelayList: true, status: 'explained', ptr: null });
  expect(body.logins.map((l: any) => [l.user, l.protocol])).toEqual([
    ['carol@carol.example', 'imap'],
    ['bob@bob.example', 'pop3'],
    ['bob@bob.example', 'imap'],
  ]);
  expect(body.logins[2].file).toBe('/var/log/maillog-20990101.gz');
  expect(body.logins[0]).toEqual({ file: '/var/log/maillog', line: 2, time: expect.any(String), user: 'carol@carol.example', protocol: 'imap' });
  const texts = body.lines.map((l: any) => l.text).join('\n');
  expect(texts).toContain('1wtYaK-0000000GRSy-2tQh');
  expect(texts).not.toContain('203.0.113.100');
  expect(texts).not.toContain('203.0.113.101');
  expect(body.lines).toHaveLength(5);
  expect(body.timeline.day.total).toBe(2);
  expect(body.timeline.week.total).toBe(3);
  expect(body.accounts).toEqual(['bob', 'carol']);
  expect(body.relayed.map((m: any) => [m.sender, m.authenticated, m.authUser])).toEqual([
    ['carol@carol.example', true, 'carol@carol.example'],
    ['bob@bob.example', true, 'bob@bob.example'],
  ]);
  expect(body.relayed[1]).toMatchObject({ file: '/var/log/exim_mainlog', line: 1, id: '1wtYaK-0000000GRSy-2tQh', recipients: ['x@example.net'], subject: 'hi' });
});

test('with a persistent login index, the logins come from it and agree with the scan', async () => {
  const root = host();
  const before = JSON.parse((await runCliCaptured(['ip', '203.0.113.10', '--json', '--root', root])).stdout);
  const built = await runCliCaptured(['index', '--root', root]);
  expect(built.code).toBe(0);
  const after = JSON.parse((await runCliCaptured(['ip', '203.0.113.10', '--json', '--root', root])).stdout);
  expect(after.logins).toEqual(before.logins);
  expect(after.status).toBe('explained');
});

test('an IPv6 address is found in its compressed form and the list\'s expanded form', async () => {
  const root = host();
  const r = await runCliCaptured(['ip', '2001:0DB8::0005', '--json', '--root', root]);
  const body = JSON.parse(r.stdout);
  expect(body).toMatchObject({ ip: '2001:db8::5', inRelayList: true, status: 'explained' });
  expect(body.logins.map((l: any) => l.user)).toEqual(['info@shop.bob.example']);
});

test('an unknown IP answers "not listed"; bad input is a usage error', async () => {
  const root = host();
  const r = await runCliCaptured(['ip', '198.51.100.1', '--json', '--root', root]);
  expect(JSON.parse(r.stdout)).toMatchObject({ ip: '198.51.100.1', inRelayList: false, status: 'not-listed', logins: [], lines: [] });
  const bad = await runCliCaptured(['ip', '010.1.1.1', '--root', root]);
  expect(bad.code).toBe(64);
  expect(bad.stderr).toMatch(/not an IP address/);
});

test('a reseller sees only their own mailboxes; an IP not tied to them answers like one nobody used', async () => {
  const root = host();
  const mine = JSON.parse((await runCliCaptured(['ip', '203.0.113.10', '--json', '--as', 'resellera', '--root', root])).stdout);
  expect(mine.logins.map((l: any) => l.user)).toEqual(['bob@bob.example', 'bob@bob.example']);
  expect(JSON.stringify(mine)).not.toMatch(/carol/);
  expect(mine.lines.map((l: any) => l.text).join('\n')).toContain('A=dovecot_login:bob@bob.example');
  expect(mine.relayed.map((m: any) => m.sender)).toEqual(['bob@bob.example']);

  const other = JSON.parse((await runCliCaptured(['ip', '192.0.2.99', '--json', '--as', 'resellera', '--root', root])).stdout);
  const nobody = JSON.parse((await runCliCaptured(['ip', '198.51.100.1', '--json', '--as', 'resellera', '--root', root])).stdout);
  const strip = (b: any): any => ({ ...b, ip: 'X', checkedAt: 'T' });
  expect(strip(other)).toEqual(strip(nobody));
  const rootView = JSON.parse((await runCliCaptured(['ip', '192.0.2.99', '--json', '--root', root])).stdout);
  expect(rootView).toMatchObject({ inRelayList: true, status: 'unexplained' });
});

test('the IP page escapes hostile text, draws the timeline without script, and keeps the CSP', async () => {
  const root = host();
  const app = createApp(createContext(loadConfig({ root })), { identity: { kind: 'dev', user: 'root' } });
  const page = await request(app).get('/ip/192.0.2.99').expect(200);
  expect(page.text).not.toContain('<img src=x');
  expect(page.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
  expect(page.text).toContain('<svg');
  expect(page.headers['content-security-policy']).toMatch(/script-src 'self' 'nonce-/);
  const ok = await request(app).get('/ip/203.0.113.10').expect(200);
  expect(ok.text).toContain('bob@bob.example');
  expect(ok.text).toMatch(/<rect [^>]*height="(?!0")/);
  // A bidi override in a name is shown as an escape, so it cannot turn the rest of the line around.
  expect(page.text).toContain('service\\u202efdp.exe');
  expect(page.text).not.toContain('\u202e');
  const api = await request(app).get('/api/v1/ip/not-an-ip').expect(400);
  expect(api.body.error.message).toMatch(/not an IP address/);
  await request(app).get('/ip/not-an-ip').expect(400);
});

test('an unexplained IP: its failed attempts summed up and charted beside the logins, the time it has been listed shaded', async () => {
  const a = createApp(createContext(loadConfig({ root: host() })), { identity: { kind: 'dev', user: 'root' } });
  const r = (await request(a).get('/api/v1/ip/192.0.2.99').expect(200)).body;
  expect(r.status).toBe('unexplained');
  expect(r.failedLogins.count).toBeGreaterThan(0);
  expect(r.failedLogins.users).toContain('service\u202efdp.exe');
  // the chart counts the same attempts as the totals, beside the (no) logins
  expect(r.timeline.day.failedTotal).toBe(r.failedLogins.count);
  expect(r.timeline.day.total).toBe(0);
  expect(r.timeline.day.window).toMatchObject({ label: expect.stringContaining('in the relay list'), end: r.checkedAt });
  expect(r.lines.filter((l: any) => l.failed)).toHaveLength(r.failed.length);
  expect(r.nextSteps.map((st: any) => st.id)).toEqual(expect.arrayContaining(['block']));
  // an explained IP: the window runs from its last login until cPanel drops it
  const ok = (await request(a).get('/api/v1/ip/203.0.113.10').expect(200)).body;
  expect(ok.failedLogins.count).toBe(0);
  expect(ok.timeline.day.window).toMatchObject({ start: ok.host.lastLogin, end: ok.host.expiresAt });
});
