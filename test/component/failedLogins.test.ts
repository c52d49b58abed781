/**
 * Failed logins as evidence, on real temporary host trees: per relay IP in explain --json (counted
 * per attempt, names sorted and each once, first and last time, null times when none), kept up to date
 * as the live log grows and after it is rotated; on the IP report and page next to the logins; the
 * verdict naming password guessing; and what ties an IP to a reseller (a failed login or cPanel's map
 * naming their mailbox) in every face: explain, the IP page, the account page, search.
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { createContext } from '../../src/services/context';
import { failedLine, loginLine, makeCpanelHost } from '../helpers/cpanelHost';
import { removeTree, runCliCaptured, syslogStamp } from '../helpers/hostTree';

const now = new Date();
// whole seconds: syslog stamps carry no fraction
const minutesAgo = (m: number): Date => new Date(Math.floor(now.getTime() / 1000) * 1000 - m * 60_000);
const iso = (d: Date): string => d.toISOString();
const roots: string[] = [];
afterAll(() => roots.forEach(removeTree));

function courierFailed(at: Date, user: string, ip: string): string {
  return `${syslogStamp(at)} server imapd: LOGIN FAILED, user=${user}, ip=[::ffff:${ip}], port=[4242]`;
}

function host(extraLog: string[] = [], users = ''): string {
  const root = makeCpanelHost({
    generation: 'modern',
    relayIps: ['203.0.113.10', '192.0.2.99', '198.51.100.9'],
    maillog: [
      failedLine(minutesAgo(30), 'bob@bob.example', '203.0.113.10'),
      loginLine(minutesAgo(5), 'bob@bob.example', '203.0.113.10'),
      courierFailed(minutesAgo(20), 'zed@nowhere.example', '192.0.2.99'),
      failedLine(minutesAgo(10), 'alice@alice.example', '192.0.2.99'),
      courierFailed(minutesAgo(9), 'alice@alice.example', '192.0.2.99'),
      `${syslogStamp(minutesAgo(8))} server dovecot: imap-login: Disconnected (auth failed, 3 attempts in 9 secs): user=<bob@bob.example>, method=PLAIN, rip=192.0.2.99, lip=192.0.2.1, TLS`,
      ...extraLog,
    ],
    extra: { files: { '/etc/recent_authed_mail_ips_users': users } },
  });
  roots.push(root);
  return root;
}

async function explainJson(root: string, ...extra: string[]): Promise<{ code: number; body: any }> {
  const r = await runCliCaptured(['explain', '--json', '--root', root, ...extra]);
  return { code: r.code, body: JSON.parse(r.stdout) };
}

const app = (root: string, user = 'root') => createApp(createContext(loadConfig({ root })), { identity: { kind: 'dev', user } });

test('explain --json: failedLogins per host, counted per attempt, names sorted and each once, first and last; null times when none', async () => {
  const { code, body } = await explainJson(host());
  const byIp = Object.fromEntries(body.hosts.map((h: any) => [h.ip, h]));
  expect(byIp['192.0.2.99'].failedLogins).toEqual({
    count: 6, users: ['alice@alice.example', 'bob@bob.example', 'zed@nowhere.example'], first: iso(minutesAgo(20)), last: iso(minutesAgo(8)), targetsMailboxes: true,
  });
  expect(byIp['203.0.113.10'].failedLogins).toEqual({ count: 1, users: ['bob@bob.example'], first: iso(minutesAgo(30)), last: iso(minutesAgo(30)), targetsMailboxes: true });
  expect(byIp['198.51.100.9'].failedLogins).toEqual({ count: 0, users: [], first: null, last: null, targetsMailboxes: false });
  // failures explain nothing
  expect([byIp['192.0.2.99'].status, byIp['203.0.113.10'].status]).toEqual(['unexplained', 'explained']);
  expect(byIp['192.0.2.99'].summary).toBe('No successful POP3/IMAP login from this IP was found in the logs; 6 failed logins for alice@alice.example, bob@bob.example, zed@nowhere.example, against mailboxes of this server: password guessing: look at it.');
  expect(body.summary).toBe("2 relay IPs need a look: no successful login explains them, and 1 of them shows failed logins against this server's mailboxes: password guessing.");
  expect([code, body.counts.passwordGuessing]).toEqual([2, 2]);
});

test('a daemon keeps the counts up to date as the live log grows, and after it is rotated', async () => {
  const root = host();
  const a = app(root);
  const count = async (): Promise<number> => (await request(a).get('/api/v1/relay-hosts').expect(200)).body.hosts.find((h: any) => h.ip === '198.51.100.9').failedLogins.count;
  expect(await count()).toBe(0);
  const log = path.join(root, 'var/log/maillog');
  fs.appendFileSync(log, `${failedLine(minutesAgo(1), 'carol@carol.example', '198.51.100.9')}\n`);
  expect(await count()).toBe(1);
  fs.appendFileSync(log, `${courierFailed(minutesAgo(1), 'carol@carol.example', '198.51.100.9')}\n`);
  expect(await count()).toBe(2);
  // rotated: the old file keeps its two, the new live file starts with one more
  fs.renameSync(log, `${log}.1`);
  fs.writeFileSync(log, `${failedLine(minutesAgo(0), 'x@y.example', '198.51.100.9')}\n`);
  expect(await count()).toBe(3);
  // the live file replaced by a shorter one: read again from its start, not from the old offset
  fs.writeFileSync(log, '\n');
  expect(await count()).toBe(2);
});

test('the IP report and page: failed logins with their lines and a timeline next to the logins', async () => {
  const root = host();
  const r = await runCliCaptured(['ip', '192.0.2.99', '--json', '--root', root]);
  const rep = JSON.parse(r.stdout);
  expect(rep.failedLogins).toEqual({ count: 6, users: ['alice@alice.example', 'bob@bob.example', 'zed@nowhere.example'], first: iso(minutesAgo(20)), last: iso(minutesAgo(8)), targetsMailboxes: true });
  expect(rep.failed.map((f: any) => [f.user, f.attempts, f.time])).toEqual([
    ['bob@bob.example', 3, iso(minutesAgo(8))], ['alice@alice.example', 1, iso(minutesAgo(9))], ['alice@alice.example', 1, iso(minutesAgo(10))], ['zed@nowhere.example', 1, iso(minutesAgo(20))],
  ]);
  expect(rep.failedTimeline.day.total).toBe(6);
  expect(rep.lines.filter((l: any) => l.failed)).toHaveLength(4);
  // the same totals as explain gives for the IP
  expect(rep.host.failedLogins).toEqual(rep.failedLogins);
  const text = await runCliCaptured(['ip', '192.0.2.99', '--root', root]);
  expect(text.stdout).toContain("failed logins: 6 (");
  expect(text.stdout).toContain("password guessing against this server's mailboxes");
  const page = await request(app(root)).get('/ip/192.0.2.99').expect(200);
  expect(page.text).toContain('<h2>Failed logins <small>(6 attempts');
  expect(page.text).toContain('Some of the names tried are mailboxes of this server');
  expect(page.text).toContain('zed@nowhere.example');
});

describe('what ties an IP to a reseller', () => {
  // 198.51.100.9: cPanel's map names bob's mailbox, but no login, successful or failed, is in the logs
  const users = '198.51.100.9: bob@bob.example\n';

  test('reseller A sees the unexplained IPs their mailboxes are tied to, with only their own evidence; exit 2', async () => {
    const { code, body } = await explainJson(host([], users), '--as', 'resellera');
    expect(code).toBe(2);
    expect(body.hosts.map((h: any) => [h.ip, h.status, h.tiedBy, h.accounts])).toEqual([
      ['192.0.2.99', 'unexplained', ['failed-login'], ['bob']],
      ['198.51.100.9', 'unexplained', ['map'], ['bob']],
      ['203.0.113.10', 'explained', ['login', 'failed-login'], ['bob']],
    ]);
    // only bob's three attempts, not alice's or the stranger's
    expect(body.hosts[0].failedLogins).toEqual({ count: 3, users: ['bob@bob.example'], first: iso(minutesAgo(8)), last: iso(minutesAgo(8)), targetsMailboxes: true });
    expect(JSON.stringify(body)).not.toMatch(/alice|zed@|carol/);
    expect(body.counts).toMatchObject({ hosts: 3, unexplained: 2 });
  });

  test('reseller B is told an IP is not tied to their accounts, never that it is not in the list', async () => {
    const root = host([], users);
    for (const ip of ['203.0.113.10', '192.0.2.99', '198.51.100.200']) {
      const j = JSON.parse((await runCliCaptured(['ip', ip, '--json', '--root', root, '--as', 'resellerb'])).stdout);
      expect([ip, j.status, j.inRelayList, j.logins, j.failed, j.lines, j.failedLogins.count]).toEqual([ip, 'not-tied', null, [], [], [], 0]);
      expect(j.summary).toMatch(/^This IP is not tied to your accounts/);
      const t = await runCliCaptured(['ip', ip, '--root', root, '--as', 'resellerb']);
      expect(t.stdout).toContain(`${ip}: not tied to your accounts`);
      expect(t.stdout).not.toMatch(/not in the relay list/);
      const page = await request(app(root, 'resellerb')).get(`/ip/${ip}`).expect(200);
      expect(page.text).toContain('not tied to your accounts');
      expect(page.text).not.toMatch(/not in the relay list|In the relay list/);
    }
    // reseller A, asking about an IP tied to bob only by a failed login, gets it
    const a = JSON.parse((await runCliCaptured(['ip', '192.0.2.99', '--json', '--root', root, '--as', 'resellera'])).stdout);
    expect([a.status, a.inRelayList, a.failed.map((f: any) => f.user)]).toEqual(['unexplained', true, ['bob@bob.example']]);
  });

  test('root\'s account page says a login put an IP there only where one did; search says what names each mailbox', async () => {
    const root = host([], users);
    const r = app(root);
    const view = (await request(r).get('/api/v1/accounts/bob').expect(200)).body;
    expect(view.relayIps.map((h: any) => [h.ip, h.status])).toEqual([['192.0.2.99', 'unexplained'], ['198.51.100.9', 'unexplained'], ['203.0.113.10', 'explained']]);
    expect(view.relaySentence).toBe('3 relay IPs in the list are tied to this account: 1 is there because this account’s mailboxes logged in from it; 2 have no successful login behind them, though cPanel’s map or failed logins name this account’s mailboxes: look at them.');
    const page = await request(r).get('/account/bob').expect(200);
    expect(page.text).toContain(view.relaySentence);
    expect(page.text).not.toContain('3 relay IPs are in the list now because this account’s mailboxes logged in');

    const found = (await request(r).get('/api/v1/search?q=bob@bob.example').expect(200)).body.results.filter((x: any) => x.kind === 'mailbox');
    expect(found.map((x: any) => x.detail)).toEqual([
      'bob@bob.example was tried (failed logins) from 192.0.2.99, which is in the relay list now, unexplained: no successful login from it was found.',
      'bob@bob.example is named for 198.51.100.9 by cPanel\'s relay map, which is in the relay list now, unexplained: no successful login from it was found.',
      'bob@bob.example logged in from 203.0.113.10, and was tried (failed logins) from 203.0.113.10, which is in the relay list now.',
    ]);
  });
});
