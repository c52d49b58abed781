/**
 * `relaywatch status` and GET /api/v1/status, /status against real host trees with the tailwatchd
 * and whmapi1 stand-ins: both generations, disagreeing switch files, history, allowlists, and a
 * tailwatchd that hangs, fails or prints garbage.
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { createContext } from '../../src/services/context';
import { makeCpanelHost, SmallHostOptions } from '../helpers/cpanelHost';
import { addToTree, removeTree, runCliCaptured } from '../helpers/hostTree';
import { callLines, installStandins, setStandinMode, writeRelaywatchConfig } from '../helpers/standins';

const roots: string[] = [];
afterAll(() => roots.forEach(removeTree));

function host(o: SmallHostOptions, standins = true): string {
  const root = makeCpanelHost(o);
  roots.push(root);
  if (standins) installStandins(root, o.generation);
  return root;
}

async function statusJson(root: string, ...extra: string[]): Promise<{ code: number; body: any; stderr: string }> {
  const r = await runCliCaptured(['status', '--json', '--root', root, ...extra]);
  return { code: r.code, body: JSON.parse(r.stdout), stderr: r.stderr };
}

const ED = 'Cpanel::TailWatch::Utils::EnableDisable';

test('modern: tailwatchd --status from libexec, the switch files, the allowlists, in the contract shape', async () => {
  const root = host({
    generation: 'modern',
    popbeforesmtp: true,
    relayIps: ['203.0.113.10', '203.0.113.11'],
    alwaysrelay: '198.51.100.200: backupmx\nnot-an-ip here\n',
    extra: { files: { '/etc/skipsmtpcheckhosts': '# our MX\n192.0.2.0/24\nmx.example.net\n"2001:db8::25"\n', '/etc/trustedmailhosts': '203.0.113.99\n' } },
  });
  const { code, body } = await statusJson(root);
  expect(code).toBe(0);
  expect(callLines(root)).toEqual(['libexec/tailwatchd --status']);
  expect(body).toMatchObject({
    generation: 'modern',
    cpanelVersion: '11.120.0.16',
    tailwatchd: { enabled: true, running: true, pid: 26428, program: '/usr/local/cpanel/libexec/tailwatchd', error: null },
    popBeforeSmtp: {
      driver: 'Cpanel::TailWatch::RecentAuthedMailIpTracker',
      driverActive: true,
      tweak: true,
      flagFile: true,
      relayingAllowed: true,
      disagreements: [],
    },
    relayList: { path: '/etc/relayhosts', linkTarget: '/etc/recent_authed_mail_ips', ips: 2 },
  });
  expect(body.popBeforeSmtp.why).toMatch(/\/etc\/popbeforesmtp exists/);
  expect(body.drivers).toHaveLength(8);
  expect(body.drivers[0]).toEqual({ name: 'Cpanel::TailWatch::ChkServd', active: true, disk: { off: false, reasons: [] }, agrees: true });
  expect(body.switchState).toBeUndefined();
  const byPath = Object.fromEntries(body.allowlists.map((a: any) => [a.path, a]));
  expect(byPath['/etc/alwaysrelay']).toMatchObject({ exists: true, relays: true });
  expect(byPath['/etc/alwaysrelay'].entries.map((e: any) => [e.kind, e.text])).toEqual([['ip', '198.51.100.200 backupmx'], ['other', 'not-an-ip here']]);
  expect(byPath['/etc/skipsmtpcheckhosts'].entries.map((e: any) => [e.kind, e.value])).toEqual([
    ['network', '192.0.2.0/24'],
    ['host', null],
    ['ip', '2001:db8::25'],
  ]);
  expect(byPath['/etc/trustedmailhosts']).toMatchObject({ relays: false, entries: [{ kind: 'ip', value: '203.0.113.99' }] });
  expect(byPath['/etc/neighbor_netblocks']).toMatchObject({ exists: false, entries: [] });
});

test('legacy: tailwatchd found in /usr/local/cpanel/bin, Antirelayd is the switch, no Tweak Setting', async () => {
  const root = host({ generation: 'legacy', relayIps: ['203.0.113.10'] });
  const { code, body } = await statusJson(root);
  expect(code).toBe(0);
  expect(callLines(root)).toEqual(['bin/tailwatchd --status']);
  expect(body.generation).toBe('legacy');
  expect(body.tailwatchd.program).toBe('/usr/local/cpanel/bin/tailwatchd');
  expect(body.drivers.map((d: any) => d.name)).toContain('Cpanel::TailWatch::Antirelayd');
  expect(body.popBeforeSmtp).toMatchObject({ driver: 'Cpanel::TailWatch::Antirelayd', driverActive: true, tweak: null, flagFile: null, senders: null, relayingAllowed: true });

  // turned off on disk: /etc/antirelaydisable
  addToTree(root, { files: { '/etc/antirelayddisable': '' } });
  const off = await statusJson(root);
  expect(off.body.popBeforeSmtp).toMatchObject({ driverActive: false, relayingAllowed: false, driverDisk: { off: true, reasons: ['/etc/antirelayddisable exists'] } });
});

test('disagreeing switch files are said plainly (Exim obeys the file), and exit 1', async () => {
  const root = host({ generation: 'modern', popbeforesmtp: false, extra: { files: { '/etc/popbeforesmtp': '' } } });
  const { code, body } = await statusJson(root);
  expect(code).toBe(1);
  expect(body.popBeforeSmtp).toMatchObject({ tweak: false, flagFile: true, relayingAllowed: true });
  expect(body.popBeforeSmtp.disagreements).toEqual([expect.stringMatching(/cpanel.config says popbeforesmtp=0, but \/etc\/popbeforesmtp exists; Exim obeys the file/)]);

  const other = host({ generation: 'modern', popbeforesmtp: true });
  fs.rmSync(path.join(other, 'etc/popbeforesmtp'));
  addToTree(other, { files: { '/var/cpanel/cpanel.config': 'popbeforesmtp=1\npopbeforesmtpsenders=1\n' } });
  const r = await statusJson(other);
  expect(r.body.popBeforeSmtp).toMatchObject({ tweak: true, flagFile: false, relayingAllowed: false, senders: { tweak: true, flagFile: false } });
  expect(r.body.popBeforeSmtp.disagreements).toHaveLength(2);
  expect(r.body.popBeforeSmtp.disagreements[1]).toMatch(/popbeforesmtpsenders=1, but \/etc\/eximpopbeforesmtpwarning does not exist/);
});

test('history from tailwatchd_log: both stamp forms, newest first', async () => {
  const root = host({ generation: 'modern', popbeforesmtp: true });
  addToTree(root, {
    files: {
      '/usr/local/cpanel/logs/tailwatchd_log': [
        `[100] [2024-08-16 17:40:46 +0000] [${ED}] [100] [2024-08-16 17:40:46 +0000] [main] Cpanel::TailWatch::RecentAuthedMailIpTracker was successfully disabled`,
        '[STOP Ok] 26000',
        '[START] 26428 1723830049',
        '[26428] [2024-08-16 17:40:50 +0000] [main] [INFO] tailwatchd started with 8 drivers',
        '[200] [2024-08-17 08:00:00 +0200] [main] Cpanel::TailWatch::RecentAuthedMailIpTracker was successfully enabled',
        `[300] [2024-08-18 09:00:00 +0000] [${ED}] [300] [2024-08-18 09:00:00 +0000] [main] Cpanel::TailWatch::ChkServd is already enabled`,
        '',
      ].join('\n'),
    },
  });
  const { body } = await statusJson(root);
  expect(body.history.map((h: any) => [h.time, h.driver, h.action, h.result])).toEqual([
    ['2024-08-18T09:00:00.000Z', 'Cpanel::TailWatch::ChkServd', 'enable', 'already'],
    ['2024-08-17T06:00:00.000Z', 'Cpanel::TailWatch::RecentAuthedMailIpTracker', 'enable', 'success'],
    ['2024-08-16T17:40:46.000Z', 'Cpanel::TailWatch::RecentAuthedMailIpTracker', 'disable', 'success'],
  ]);
  expect(body.history[0].line).toContain('[main] Cpanel::TailWatch::ChkServd is already enabled');
});

describe('tailwatchd that cannot be read: the disk decides, and the reason is given', () => {
  test('hangs: stopped after commands.timeoutMs', async () => {
    const root = host({ generation: 'legacy', relayIps: [] });
    writeRelaywatchConfig(root, 'commands:\n  timeoutMs: 1500\n');
    setStandinMode(root, 'tailwatchd', 'hang');
    const t0 = Date.now();
    const { code, body } = await statusJson(root);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(code).toBe(1);
    expect(body.tailwatchd).toMatchObject({ ran: false, enabled: null, running: null, pid: null });
    expect(body.tailwatchd.error).toMatch(/did not answer within \d+ ms and was stopped/);
    expect(body.popBeforeSmtp).toMatchObject({ driverActiveFrom: 'files on disk', driverActive: true, relayingAllowed: true });
    expect(body.notes.join(' ')).toMatch(/could not be read/);
  });

  test('fails, crashes, prints garbage, is missing', async () => {
    const root = host({ generation: 'modern', popbeforesmtp: true });
    setStandinMode(root, 'tailwatchd', 'fail');
    expect((await statusJson(root)).body.tailwatchd.error).toMatch(/--status failed \(exit status 1\): tailwatchd: cannot continue/);
    setStandinMode(root, 'tailwatchd', 'crash');
    expect((await statusJson(root)).body.tailwatchd.error).toMatch(/killed by SIGKILL/);
    setStandinMode(root, 'tailwatchd', 'garbage');
    const g = await statusJson(root);
    expect(g.body.tailwatchd.error).toMatch(/was not understood/);
    expect(g.body.tailwatchd.output.join('\n')).toContain('0xDEADBEEF');
    const none = host({ generation: 'modern', popbeforesmtp: true }, false);
    const n = await statusJson(none);
    expect(n.body.tailwatchd.error).toMatch(/tailwatchd was not found \(looked for \/usr\/local\/cpanel\/libexec\/tailwatchd, \/usr\/local\/cpanel\/bin\/tailwatchd\)/);
    expect(n.body.generation).toBe('modern');
  });
});

test('text output says at a glance whether relaying is allowed', async () => {
  const root = host({ generation: 'modern', popbeforesmtp: false });
  const r = await runCliCaptured(['status', '--root', root]);
  expect(r.code).toBe(0);
  expect(r.stdout.split('\n')[0]).toBe('POP-before-SMTP relaying: NOT ALLOWED');
  expect(r.stdout).toContain('tailwatchd:  enabled, running (PID 26428) [/usr/local/cpanel/libexec/tailwatchd]');
  expect(r.stdout).toContain('Switch:      /etc/popbeforesmtp does not exist; cpanel.config popbeforesmtp=0');
});

describe('over HTTP', () => {
  const appFor = (root: string, user: string) => createApp(createContext(loadConfig({ root })), { identity: { kind: 'dev', user } });

  test('GET /api/v1/status for root; a reseller is refused', async () => {
    const root = host({ generation: 'modern', popbeforesmtp: true });
    const ok = await request(appFor(root, 'root')).get('/api/v1/status').expect(200);
    expect(ok.body).toMatchObject({ generation: 'modern', popBeforeSmtp: { relayingAllowed: true }, tailwatchd: { enabled: true, running: true, pid: 26428 } });
    expect(Array.isArray(ok.body.history)).toBe(true);
    const no = await request(appFor(root, 'resellera')).get('/api/v1/status').expect(403);
    expect(no.body.error.code).toBe('forbidden');
    // the reseller's refusal ran no command
    expect(callLines(root)).toEqual(['libexec/tailwatchd --status']);
  });

  test('the page shows the switch, drivers, allowlists, WHM directions, and escapes file contents', async () => {
    const root = host({ generation: 'modern', popbeforesmtp: true, alwaysrelay: '198.51.100.200: <script>alert(1)</script>\n' });
    const res = await request(appFor(root, 'root')).get('/status').expect(200);
    expect(res.text).toContain('POP-before-SMTP relaying is ON');
    expect(res.text).toContain('Cpanel::TailWatch::RecentAuthedMailIpTracker');
    expect(res.text).toContain('/etc/skipsmtpcheckhosts');
    expect(res.text).toContain('Service Configuration » Service Manager');
    expect(res.text).toContain('Tweak Settings » Mail');
    expect(res.text).toContain('Turn POP-before-SMTP off…');
    expect(res.text).not.toContain('<script>alert(1)</script>');
    expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    await request(appFor(root, 'resellera')).get('/status').expect(403);
  });

  test('inside WHM the WHM pages are real links under the session, and the forms keep the CGI route', async () => {
    const root = host({ generation: 'legacy' });
    const app = createApp(createContext(loadConfig({ root })), { identity: { kind: 'socket' } });
    const res = await request(app)
      .get('/status')
      .set({ 'x-relaywatch-whm-user': 'root', 'x-relaywatch-security-token': '/cpsess1234567890', 'x-relaywatch-base': '/cpsess1234567890/cgi/relaywatch/index.cgi' })
      .expect(200);
    expect(res.text).toContain('href="/cpsess1234567890/scripts/srvmng"');
    expect(res.text).toContain('href="/cpsess1234567890/scripts2/tweaksettings?find=popbeforesmtp"');
    expect(res.text).toContain('action="/cpsess1234567890/cgi/relaywatch/index.cgi"');
    expect(res.text).toContain('<input type="hidden" name="route" value="/status/confirm">');
    expect(res.text).toContain('href="/cpsess1234567890/cgi/relaywatch/index.cgi?route=%2Faudit"');
    // legacy: no Tweak Setting card, no --driver-too choice
    expect(res.text).not.toContain('Relay switch (Tweak Setting)');
    expect(res.text).not.toContain('name="driverToo"');
  });
});

test('many asking for the status at once share one run of tailwatchd; the next question runs it again', async () => {
  const root = host({ generation: 'modern', popbeforesmtp: true, relayIps: ['203.0.113.10'] });
  const server = createApp(createContext(loadConfig({ root })), { identity: { kind: 'dev', user: 'root' } });
  const answers = await Promise.all([
    request(server).get('/api/v1/status'),
    request(server).get('/api/v1/status'),
    request(server).get('/status'),
    request(server).get('/status/confirm?action=disable'),
  ]);
  expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
  expect(answers[0].body.popBeforeSmtp.relayingAllowed).toBe(true);
  expect(callLines(root)).toEqual(['libexec/tailwatchd --status']);
  await request(server).get('/api/v1/status').expect(200);
  expect(callLines(root)).toEqual(['libexec/tailwatchd --status', 'libexec/tailwatchd --status']);
});
