/**
 * `relaywatch explain` and GET /api/v1/relay-hosts on real temporary host trees.
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { createContext } from '../../src/services/context';
import { failedLine, loginLine, makeCpanelHost } from '../helpers/cpanelHost';
import { addToTree, removeTree, runCliCaptured } from '../helpers/hostTree';

const now = new Date();
const minutesAgo = (m: number): Date => new Date(now.getTime() - m * 60_000);
const roots: string[] = [];
afterAll(() => roots.forEach(removeTree));

function host(o: Parameters<typeof makeCpanelHost>[0]): string {
  const r = makeCpanelHost(o);
  roots.push(r);
  return r;
}

async function explainJson(root: string, ...extra: string[]): Promise<{ code: number; body: any; stderr: string }> {
  const r = await runCliCaptured(['explain', '--json', '--root', root, ...extra]);
  return { code: r.code, body: JSON.parse(r.stdout), stderr: r.stderr };
}

describe.each(['modern', 'legacy'] as const)('%s generation', (generation) => {
  test('explains IPs by logins (IPv4, IPv6, IPv4-mapped) and flags the rest', async () => {
    const root = host({
      generation,
      popbeforesmtp: true,
      relayIps: ['203.0.113.10', '2001:0db8:0000:0000:0000:0000:0000:0005', '198.51.100.7', '192.0.2.99', '198.51.100.200'],
      alwaysrelay: '198.51.100.200: backupmx\n',
      maillog: [
        loginLine(minutesAgo(5), 'bob@bob.example', '203.0.113.10', 'pop3'),
        loginLine(minutesAgo(3), 'info@shop.bob.example', '2001:db8::5'),
        loginLine(minutesAgo(90), 'carol', '::ffff:198.51.100.7'),
        failedLine(minutesAgo(2), 'alice@alice.example', '192.0.2.99'),
      ],
    });
    const { code, body } = await explainJson(root);
    expect(code).toBe(2);
    expect(body.generation).toBe(generation);
    expect(body.verdict).toBe('unexplained');
    const byIp = Object.fromEntries(body.hosts.map((h: any) => [h.ip, h]));
    expect(byIp['203.0.113.10']).toMatchObject({ status: 'explained', stale: false, users: ['bob@bob.example'], accounts: ['bob'], owners: ['resellera'], protocols: ['pop3'] });
    expect(byIp['2001:db8::5']).toMatchObject({ status: 'explained', accounts: ['bob'] });
    expect(byIp['198.51.100.7']).toMatchObject({ status: 'explained', stale: true, users: ['carol'], accounts: ['carol'], owners: ['resellerb'] });
    expect(byIp['192.0.2.99']).toMatchObject({ status: 'unexplained', users: [], lastLogin: null });
    expect(byIp['198.51.100.200']).toMatchObject({ status: 'alwaysrelay', alwaysRelayUser: 'backupmx' });
    expect(new Date(byIp['203.0.113.10'].expiresAt).getTime()).toBeCloseTo(minutesAgo(5).getTime() + 30 * 60_000, -4);
  });

  test('a clear verdict exits 0 and prints one summary line', async () => {
    const root = host({ generation, relayIps: ['203.0.113.10'], maillog: [loginLine(minutesAgo(1), 'alice@alice.example', '203.0.113.10')] });
    const r = await runCliCaptured(['explain', '--root', root]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toMatch(/^OK: No sign of a break-in: all 1 relay IP is explained/);
  });
});

test('an empty relay list gives verdict "empty" and exit 0', async () => {
  const root = host({ generation: 'modern', relayIps: [] });
  const { code, body } = await explainJson(root);
  expect(code).toBe(0);
  expect(body.verdict).toBe('empty');
  expect(body.hosts).toEqual([]);
});

test('rotated and gzipped logs are read; a missing live log with no rotations is reported', async () => {
  const root = host({ generation: 'modern', relayIps: ['203.0.113.20', '203.0.113.21'] });
  addToTree(root, {
    files: {
      '/var/log/maillog-20990101': `${loginLine(minutesAgo(20), 'alice@alice.example', '203.0.113.20')}\n`,
      '/var/log/maillog-20981231.gz': `${loginLine(minutesAgo(25), 'carol@carol.example', '203.0.113.21')}\n`,
    },
    mtimes: { '/var/log/maillog-20990101': minutesAgo(15), '/var/log/maillog-20981231.gz': minutesAgo(24) },
  });
  const { body } = await explainJson(root);
  expect(body.hosts.map((h: any) => h.status)).toEqual(['explained', 'explained']);

  fs.rmSync(path.join(root, 'var/log'), { recursive: true });
  const missing = await explainJson(root);
  expect(missing.code).toBe(3);
  expect(missing.body.verdict).toBe('unknown');
  expect(missing.body.problems[0].message).toMatch(/No mail log found/);
});

test('an unreadable relay list is reported, not treated as empty', async () => {
  const root = host({ generation: 'legacy', relayIps: ['203.0.113.10'] });
  fs.rmSync(path.join(root, 'etc/relayhosts'));
  fs.mkdirSync(path.join(root, 'etc/relayhosts'));
  const { code, body } = await explainJson(root);
  expect(code).toBe(3);
  expect(body.verdict).toBe('unknown');
  expect(body.problems.map((p: any) => p.path)).toContain('/etc/relayhosts');
});

test('a reseller sees only hosts tied to their own accounts, and only their users', async () => {
  const root = host({
    generation: 'modern',
    relayIps: ['203.0.113.10', '203.0.113.11', '192.0.2.99'],
    maillog: [
      loginLine(minutesAgo(5), 'bob@bob.example', '203.0.113.10'),
      loginLine(minutesAgo(4), 'carol@carol.example', '203.0.113.10'),
      loginLine(minutesAgo(4), 'carol@carol.example', '203.0.113.11'),
      failedLine(minutesAgo(3), 'bob@bob.example', '192.0.2.99'),
    ],
  });
  const a = await explainJson(root, '--as', 'resellera');
  // 192.0.2.99 has no successful login, but a failed one names bob's mailbox: it is tied to bob, so
  // reseller A sees it, unexplained, and the verdict counts it.
  expect(a.body.hosts.map((h: any) => h.ip)).toEqual(['192.0.2.99', '203.0.113.10']);
  expect(a.body.hosts[1]).toMatchObject({ ip: '203.0.113.10', users: ['bob@bob.example'], accounts: ['bob'], owners: ['resellera'], tiedBy: ['login'] });
  expect(a.body.hosts[0]).toMatchObject({ status: 'unexplained', accounts: ['bob'], tiedBy: ['failed-login'], failedLogins: { count: 1, users: ['bob@bob.example'], targetsMailboxes: true } });
  expect([a.code, a.body.verdict, a.body.counts.unexplained]).toEqual([2, 'unexplained', 1]);
  expect(JSON.stringify(a.body)).not.toMatch(/carol|203\.0\.113\.11/);
  const boss = await explainJson(root, '--as', 'boss');
  expect(boss.body.hosts).toHaveLength(3);
  const stranger = await runCliCaptured(['explain', '--json', '--root', root, '--as', 'mallory']);
  expect(stranger.code).toBe(3);
  expect(stranger.stderr).toMatch(/neither root nor a reseller/);
});

test('GET /api/v1/relay-hosts and the dashboard answer over HTTP, escaped', async () => {
  const root = host({
    generation: 'modern',
    relayIps: ['203.0.113.10'],
    maillog: [loginLine(minutesAgo(5), 'bob@bob.example', '203.0.113.10')],
    extra: { files: { '/etc/recent_authed_mail_ips_users': '203.0.113.10: <script>alert(1)</script>@bob.example\n' } },
  });
  const ctx = createContext(loadConfig({ root }));
  const app = createApp(ctx, { identity: { kind: 'dev', user: 'root' } });
  const api = await request(app).get('/api/v1/relay-hosts').expect(200);
  expect(api.body.hosts[0]).toMatchObject({ ip: '203.0.113.10', status: 'explained' });
  const page = await request(app).get('/').expect(200);
  expect(page.text).toContain('203.0.113.10');
  expect(page.text).not.toContain('<script>alert(1)</script>');
  expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  expect(page.headers['content-security-policy']).toMatch(/script-src 'self' 'nonce-/);
});
