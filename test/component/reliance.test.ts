/**
 * `relaywatch reliance` and /api/v1/reliance on real temporary host trees: who would break when
 * POP-before-SMTP is turned off.
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { viewerFor } from '../../src/domain/scope';
import { loadAccounts } from '../../src/services/accountsService';
import { createContext } from '../../src/services/context';
import { relianceReport } from '../../src/services/relianceService';
import { loginLine, makeCpanelHost } from '../helpers/cpanelHost';
import { arrival, identification, messageId, rejectedRelay } from '../helpers/eximLines';
import { addToTree, removeTree, runCliCaptured } from '../helpers/hostTree';

const now = new Date();
const minutesAgo = (m: number): Date => new Date(now.getTime() - m * 60_000);
const daysAgo = (d: number): Date => new Date(now.getTime() - d * 86_400_000);
const roots: string[] = [];
afterAll(() => roots.forEach(removeTree));

async function cliJson(root: string, ...args: string[]): Promise<{ code: number; body: any; stderr: string }> {
  const r = await runCliCaptured(['reliance', '--json', '--root', root, ...args]);
  return { code: r.code, body: JSON.parse(r.stdout), stderr: r.stderr };
}

function host(exim: string[], maillog: string[] = []): string {
  const root = makeCpanelHost({
    generation: 'modern',
    popbeforesmtp: true,
    relayIps: ['203.0.113.10'],
    maillog,
    extra: { files: { '/var/log/exim_mainlog': exim.map((l) => `${l}\n`).join('') }, mtimes: {} },
  });
  roots.push(root);
  return root;
}

test('identification lines name the mailboxes that rely on the relay list', async () => {
  const root = host([
    identification(minutesAgo(50), { ip: '203.0.113.10', cpuser: 'bob', sender: 'bob@bob.example' }),
    arrival(minutesAgo(50), { sender: 'bob@bob.example', ip: '203.0.113.10', to: ['friend@elsewhere.example'] }),
    identification(minutesAgo(20), { ip: '198.51.100.7', cpuser: 'carol', sender: 'carol@carol.example', method: 'recent_authed_mail_ips_domain' }),
    identification(minutesAgo(10), { ip: '203.0.113.10', cpuser: 'bob', sender: 'bob@bob.example' }),
    arrival(minutesAgo(5), { sender: 'alice@alice.example', ip: '192.0.2.50', auth: 'alice@alice.example', to: ['x@elsewhere.example'] }),
  ]);
  const ctx = createContext(loadConfig({ root }), { now: () => now });
  const viewer = viewerFor('root', await loadAccounts(ctx));
  const r = await relianceReport(ctx, viewer, { days: 7 });
  expect(r.users).toEqual([
    { user: 'bob@bob.example', account: 'bob', owner: 'resellera', messages: 2, lastSeen: new Date(Math.floor(minutesAgo(10).getTime() / 1000) * 1000).toISOString(), ips: ['203.0.113.10'] },
    { user: 'carol@carol.example', account: 'carol', owner: 'resellerb', messages: 1, lastSeen: expect.any(String), ips: ['198.51.100.7'] },
  ]);
  expect(r.authenticated).toEqual([{ user: 'alice@alice.example', messages: 1 }]);
  expect(new Date(r.since).getTime()).toBe(now.getTime() - 7 * 86_400_000);
});

test('unauthenticated mail from an IP with a POP3/IMAP login within the relay window counts; outside it does not', async () => {
  const root = host([
    // bob logged in 10 minutes before: relies on the relay list
    arrival(minutesAgo(50), { sender: 'bob@bob.example', ip: '203.0.113.10', to: ['friend@elsewhere.example'] }),
    // carol's last login from this IP was 2 hours earlier: the IP had expired, not relaying
    arrival(minutesAgo(40), { sender: 'carol@carol.example', ip: '198.51.100.9', to: ['friend@elsewhere.example'] }),
    // inbound mail from an outside sender to a local mailbox, from an IP where someone read mail: no relaying
    arrival(minutesAgo(45), { sender: 'news@shop.example', ip: '203.0.113.10', to: ['bob@bob.example'] }),
    // an outside sender address, relayed to an outside recipient from the logged-in IP: the login user relies
    arrival(minutesAgo(44), { sender: 'bob.private@mail.example', ip: '203.0.113.10', to: ['x@elsewhere.example'] }),
    // webmail over loopback never counts
    arrival(minutesAgo(30), { sender: 'alice@alice.example', ip: '127.0.0.1', to: ['x@elsewhere.example'] }),
  ], [
    loginLine(minutesAgo(60), 'bob@bob.example', '203.0.113.10', 'pop3'),
    loginLine(minutesAgo(160), 'carol@carol.example', '198.51.100.9', 'imap'),
    loginLine(minutesAgo(31), 'alice@alice.example', '127.0.0.1', 'imap'),
  ]);
  const { body, code } = await cliJson(root);
  expect(code).toBe(1);
  expect(body.users).toEqual([
    expect.objectContaining({ user: 'bob@bob.example', account: 'bob', owner: 'resellera', messages: 2, ips: ['203.0.113.10'] }),
  ]);
  expect(body.windowMinutes).toBe(30);
  expect(body.evidence).toEqual({ identificationLines: 0, loginMatches: 2 });
});

test('a message seen both by its identification line and its arrival is counted once', async () => {
  const second = messageId();
  const root = host([
    // without a message id on the identification line: matched to the arrival by IP and sender
    identification(minutesAgo(20), { ip: '203.0.113.10', cpuser: 'bob', sender: 'bob@bob.example' }),
    arrival(minutesAgo(20), { sender: 'bob@bob.example', ip: '203.0.113.10', to: ['friend@elsewhere.example'] }),
    // with the message id, identified at two ACL stages: matched by id
    identification(minutesAgo(10), { id: second, ip: '203.0.113.10', cpuser: 'bob', sender: 'bob@bob.example' }),
    identification(minutesAgo(10), { id: second, ip: '203.0.113.10', cpuser: 'bob', sender: 'bob@bob.example' }),
    arrival(minutesAgo(10), { id: second, sender: 'bob@bob.example', ip: '203.0.113.10', to: ['friend@elsewhere.example'] }),
  ], [loginLine(minutesAgo(25), 'bob@bob.example', '203.0.113.10', 'pop3')]);
  const { body } = await cliJson(root);
  expect(body.users).toHaveLength(1);
  expect(body.users[0].messages).toBe(2);
  expect(body.evidence).toEqual({ identificationLines: 2, loginMatches: 0 });
});

test('rejected relay attempts are listed apart; a reseller sees only their own accounts', async () => {
  const root = host([
    identification(minutesAgo(20), { ip: '203.0.113.10', cpuser: 'bob', sender: 'bob@bob.example' }),
    identification(minutesAgo(19), { ip: '198.51.100.7', cpuser: 'carol', sender: 'carol@carol.example' }),
    arrival(minutesAgo(5), { sender: 'carol@carol.example', ip: '192.0.2.50', auth: 'carol@carol.example', to: ['x@elsewhere.example'] }),
    arrival(minutesAgo(4), { sender: 'bob@bob.example', ip: '192.0.2.51', protocol: 'esmtpsa', auth: 'bob@bob.example', to: ['x@elsewhere.example'] }),
    // carol's client on 192.0.2.77 sends an hour after its last login there: the IP has expired
    rejectedRelay(minutesAgo(3), '192.0.2.77', 'carol@carol.example', 'z@elsewhere.example'),
    // a scanner forging bob's address from an IP nobody reads mail from
    rejectedRelay(minutesAgo(2), '192.0.2.99', 'bob@bob.example', 'z@elsewhere.example'),
    rejectedRelay(minutesAgo(1), '192.0.2.98', 'bob@bob.example', 'z@elsewhere.example'),
  ], [loginLine(minutesAgo(63), 'carol@carol.example', '192.0.2.77', 'imap')]);
  const all = await cliJson(root);
  expect(all.body.rejected).toEqual([expect.objectContaining({ sender: 'carol@carol.example', account: 'carol', attempts: 1, ips: ['192.0.2.77'] })]);
  expect(all.body.rejectedOther).toEqual({ attempts: 2, ips: 2 });
  const a = await cliJson(root, '--as', 'resellera');
  expect(a.body.users.map((u: any) => u.user)).toEqual(['bob@bob.example']);
  expect(a.body.authenticated).toEqual([{ user: 'bob@bob.example', messages: 1 }]);
  expect(a.body.rejected).toEqual([]);
  expect(a.body.rejectedOther).toEqual({ attempts: 2, ips: 2 });
  const b = await cliJson(root, '--as', 'resellerb');
  expect(b.body.rejectedOther).toEqual({ attempts: 0, ips: 0 });
  expect(JSON.stringify(a.body)).not.toMatch(/carol/);
});

test('only the last N days count; rotated and gzipped exim logs are read', async () => {
  const root = host([identification(minutesAgo(5), { ip: '203.0.113.10', cpuser: 'bob', sender: 'bob@bob.example' })]);
  const old = new Date(daysAgo(3).getTime());
  addToTree(root, {
    files: {
      '/var/log/exim_mainlog-20990101.gz': `${identification(daysAgo(2), { ip: '203.0.113.10', cpuser: 'bob', sender: 'bob@bob.example' })}\n`,
      '/var/log/exim_mainlog.1': `${identification(daysAgo(9), { ip: '198.51.100.7', cpuser: 'carol', sender: 'carol@carol.example' })}\n`,
    },
    mtimes: { '/var/log/exim_mainlog-20990101.gz': old, '/var/log/exim_mainlog.1': daysAgo(8) },
  });
  const week = await cliJson(root);
  expect(week.body.users).toEqual([expect.objectContaining({ user: 'bob@bob.example', messages: 2 })]);
  const month = await cliJson(root, '--days', '30');
  expect(month.body.users.map((u: any) => u.user)).toEqual(['bob@bob.example', 'carol@carol.example']);
});

test('no exim log: the answer is unknown, said so, exit 3', async () => {
  const root = host([]);
  fs.rmSync(path.join(root, 'var/log/exim_mainlog'));
  const { body, code } = await cliJson(root);
  expect(code).toBe(3);
  expect(body.problems).toEqual([expect.objectContaining({ path: '/var/log/exim_mainlog', blocking: true })]);
});

test('CSV for the warning mail: quoted, and safe against spreadsheet formulas', async () => {
  const root = host([
    identification(minutesAgo(9), { ip: '203.0.113.10', cpuser: 'bob', sender: '=HYPERLINK("http://x")@bob.example' }),
    identification(minutesAgo(8), { ip: '203.0.113.10', cpuser: 'bob', sender: 'bob@bob.example' }),
    identification(minutesAgo(7), { ip: '203.0.113.10', cpuser: 'bob', sender: 'bob@bob.example' }),
  ]);
  const r = await runCliCaptured(['reliance', '--csv', '--root', root]);
  expect(r.code).toBe(1);
  const lines = r.stdout.split('\r\n');
  expect(lines[0]).toBe('address,account,owner,messages,last_seen');
  expect(lines[1]).toMatch(/^bob@bob\.example,bob,resellera,2,\d{4}-\d\d-\d\dT/);
  expect(lines[2]).toMatch(/^"'=HYPERLINK\(""http:\/\/x""\)@bob\.example",bob,resellera,1,/);
  expect(lines[3]).toBe('');

  const app = createApp(createContext(loadConfig({ root }), { now: () => now }), { identity: { kind: 'dev', user: 'root' } });
  const csv = await request(app).get('/reliance.csv?days=3').expect(200);
  expect(csv.headers['content-type']).toMatch(/^text\/csv/);
  expect(csv.headers['content-disposition']).toMatch(/attachment; filename="pop-before-smtp-users-3d\.csv"/);
  expect(csv.text).toBe(r.stdout);
  const both = await runCliCaptured(['reliance', '--csv', '--json', '--root', root]);
  expect(both.code).toBe(64);
});

test('GET /api/v1/reliance and the page', async () => {
  const root = host([identification(minutesAgo(9), { ip: '203.0.113.10', cpuser: 'bob', sender: '<b>bob</b>@bob.example' })]);
  const app = createApp(createContext(loadConfig({ root }), { now: () => now }), { identity: { kind: 'dev', user: 'resellera' } });
  const api = await request(app).get('/api/v1/reliance?days=2').expect(200);
  expect(api.body).toMatchObject({ since: new Date(now.getTime() - 2 * 86_400_000).toISOString(), users: [{ user: '<b>bob</b>@bob.example', account: 'bob' }], authenticated: [] });
  const page = await request(app).get('/reliance').expect(200);
  expect(page.text).toContain('&lt;b&gt;bob&lt;/b&gt;@bob.example');
  expect(page.text).not.toContain('<b>bob</b>');
  expect(page.text).toContain('/reliance.csv?days=7');
  await request(app).get('/api/v1/reliance?days=-1').expect(400);
});
