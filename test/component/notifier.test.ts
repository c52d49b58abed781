/**
 * The daemon's mail to the server's contact, with the sendmail stand-in: one mail per new
 * unexplained IP, none again after a restart, none for explained IPs; POP-before-SMTP and listings;
 * the rate limit; a failing or hanging sendmail reported and never holding up the daemon.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/config';
import { createContext, CoreContext } from '../../src/services/context';
import { notifyOnce, startNotifier } from '../../src/watch/notifier';
import { readNotifyState } from '../../src/watch/notifyState';
import { addToTree, removeTree, runCliCaptured } from '../helpers/hostTree';
import { readCalls, setStandinMode, writeRelaywatchConfig } from '../helpers/standins';
import { auditLines, CONTACT, loginLine, makeWatchHost, sentMail, setSendmailMode, writeBlacklistResult } from '../helpers/watchHost';

const now = new Date();
const minutesAgo = (m: number): Date => new Date(now.getTime() - m * 60_000);
const roots: string[] = [];
afterAll(() => roots.forEach(removeTree));

function host(o: Parameters<typeof makeWatchHost>[0] = {}): string {
  const r = makeWatchHost({
    relayIps: ['203.0.113.10', '198.51.100.66', '198.51.100.67'],
    maillog: [loginLine(minutesAgo(5), 'bob@bob.example', '203.0.113.10')],
    ...o,
  });
  roots.push(r);
  return r;
}

/** A new context is what a restarted daemon has: nothing in memory, only the state dir. */
const daemon = (root: string): CoreContext => createContext(loadConfig({ root }));
const subject = (mail: string): string => /^Subject: (.*)$/m.exec(mail)![1];
const setRelayList = (root: string, ips: string[]): void => addToTree(root, { files: { '/etc/recent_authed_mail_ips': `${ips.join('\n')}\n` } });
const sendmailCalls = (root: string): number => readCalls(root).filter((c) => c.program === '/usr/sbin/sendmail').length;

test('one mail per new unexplained IP, none for the explained one, none again after a restart', async () => {
  const root = host();
  const first = await notifyOnce(daemon(root));
  expect(first).toMatchObject({ failed: null, skipped: null });
  expect(first.sent.sort()).toEqual(['unexplained:198.51.100.66', 'unexplained:198.51.100.67']);
  const mails = sentMail(root);
  expect(mails.map(subject).sort()).toEqual([
    '[relaywatch] server1.hosting.example: relay IP 198.51.100.66 has no login behind it',
    '[relaywatch] server1.hosting.example: relay IP 198.51.100.67 has no login behind it',
  ]);
  expect(mails.join('\n')).not.toMatch(/203\.0\.113\.10 has/);
  const m = mails.find((x) => subject(x).includes('198.51.100.66'))!;
  expect(m).toMatch(new RegExp(`^To: ${CONTACT}$`, 'm'));
  expect(m).toMatch(/^From: relaywatch <relaywatch@server1\.hosting\.example>$/m);
  expect(m).toMatch(/^Auto-Submitted: auto-generated$/m);
  expect(m).toContain('No successful POP3/IMAP login from this IP was found in the logs');
  expect(m).toContain('See it in WHM: https://server1.hosting.example:2087/cgi/relaywatch/index.cgi?route=/ip/198.51.100.66');
  expect(readCalls(root).filter((c) => c.program === '/usr/sbin/sendmail').map((c) => c.argv)).toEqual([['-t', '-i'], ['-t', '-i']]);
  const audit = auditLines(root).filter((e) => e.action === 'notify.mail');
  expect(audit).toHaveLength(2);
  expect(audit[0]).toMatchObject({ user: 'root', via: 'daemon', outcome: 'sent', target: CONTACT });
  expect(fs.statSync(path.join(root, 'var/lib/relaywatch/notify-state.json')).mode & 0o777).toBe(0o600);

  // Restarted: the state dir remembers.
  expect((await notifyOnce(daemon(root))).sent).toEqual([]);
  expect(sentMail(root)).toHaveLength(2);

  // A new unexplained IP: one mail, for it alone.
  setRelayList(root, ['203.0.113.10', '198.51.100.66', '198.51.100.67', '198.51.100.68']);
  expect((await notifyOnce(daemon(root))).sent).toEqual(['unexplained:198.51.100.68']);
  expect(sentMail(root)).toHaveLength(3);
  const state = await readNotifyState(daemon(root));
  expect(state).toMatchObject({ sentTotal: 3, pending: 0, lastFailure: null });
});

test('POP-before-SMTP turned on: one mail; again only after it was seen off; a server listing once, the provider\'s never', async () => {
  const root = host({ relayIps: ['203.0.113.10'], popbeforesmtp: true, listings: [{ ip: '192.0.2.1', zone: 'dnsbl-3.uceprotect.net', name: 'UCEPROTECT Level 3', provider: true }] });
  expect((await notifyOnce(daemon(root))).sent).toEqual(['pop-before-smtp:on']);
  expect((await notifyOnce(daemon(root))).sent).toEqual([]);
  fs.rmSync(path.join(root, 'etc/popbeforesmtp'));
  addToTree(root, { files: { '/var/cpanel/cpanel.config': 'popbeforesmtp=0\n' } });
  expect((await notifyOnce(daemon(root))).sent).toEqual([]);
  addToTree(root, { files: { '/etc/popbeforesmtp': '', '/var/cpanel/cpanel.config': 'popbeforesmtp=1\n' } });
  expect((await notifyOnce(daemon(root))).sent).toEqual(['pop-before-smtp:on']);

  writeBlacklistResult(root, [{ ip: '192.0.2.1', zone: 'ips.backscatterer.org', name: 'Backscatterer', provider: false }, { ip: '192.0.2.1', zone: 'dnsbl-3.uceprotect.net', name: 'UCEPROTECT Level 3', provider: true }]);
  expect((await notifyOnce(daemon(root))).sent).toEqual(['listed:192.0.2.1:ips.backscatterer.org']);
  expect(subject(sentMail(root).at(-1)!)).toBe('[relaywatch] server1.hosting.example: 192.0.2.1 is listed on Backscatterer');
  expect((await notifyOnce(daemon(root))).sent).toEqual([]);
  expect(sentMail(root).map(subject).join('\n')).not.toContain('UCEPROTECT');
});

test('the rate limit holds the rest back for the next hour; notify: off sends nothing', async () => {
  const root = host({ relayIps: ['198.51.100.66', '198.51.100.67', '198.51.100.68'] });
  writeRelaywatchConfig(root, 'notify:\n  maxPerHour: 2\n');
  const r = await notifyOnce(daemon(root));
  expect(r.sent).toHaveLength(2);
  expect(r.heldBack).toBe(1);
  expect((await readNotifyState(daemon(root))).pending).toBe(1);
  expect(sentMail(root)).toHaveLength(2);

  const off = host({ relayIps: ['198.51.100.66'] });
  writeRelaywatchConfig(off, 'notify: off\n');
  expect(await notifyOnce(daemon(off))).toMatchObject({ sent: [], skipped: 'notify is off in the configuration' });
  expect(sendmailCalls(off)).toBe(0);
});

test('no contact address: nothing sent and the reason kept; notify.to overrides CONTACTEMAIL', async () => {
  const root = host({ contact: null });
  const r = await notifyOnce(daemon(root));
  expect(r.sent).toEqual([]);
  expect(r.skipped).toMatch(/has no CONTACTEMAIL/);
  expect((await readNotifyState(daemon(root))).lastFailure?.message).toMatch(/has no CONTACTEMAIL/);
  writeRelaywatchConfig(root, 'notify:\n  to: noc@example.net\n');
  expect((await notifyOnce(daemon(root))).sent).toHaveLength(2);
  expect(sentMail(root)[0]).toMatch(/^To: noc@example\.net$/m);
});

test('a failing sendmail is reported and audited, and not tried again for a while', async () => {
  const root = host();
  setSendmailMode(root, 'fail');
  const r = await notifyOnce(daemon(root));
  expect(r.sent).toEqual([]);
  expect(r.failed).toMatch(/sendmail failed \(exit status 75\): sendmail stand-in: temporary failure/);
  const state = await readNotifyState(daemon(root));
  expect(state.lastFailure?.message).toBe(r.failed);
  expect(Date.parse(state.retryAfter!)).toBeGreaterThan(Date.now() + 10 * 60_000);
  expect(auditLines(root).filter((e) => e.action === 'notify.mail')).toEqual([expect.objectContaining({ outcome: 'failed', via: 'daemon' })]);
  const calls = sendmailCalls(root);
  expect((await notifyOnce(daemon(root))).heldBack).toBe(2);
  expect(sendmailCalls(root)).toBe(calls);
});

test('a hanging sendmail is stopped after notify.timeoutMs and never holds up cPanel\'s programs', async () => {
  const root = host();
  writeRelaywatchConfig(root, 'notify:\n  timeoutMs: 3000\n');
  setSendmailMode(root, 'hang');
  setStandinMode(root, 'tailwatchd', 'normal');
  const ctx = daemon(root);
  const started = Date.now();
  const cycle = notifyOnce(ctx);
  let cycleDone = false;
  void cycle.then(() => (cycleDone = true));
  // Once sendmail hangs, tailwatchd still runs at once on the daemon's own runner.
  const deadline = Date.now() + 10_000;
  while (sendmailCalls(root) === 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
  expect(sendmailCalls(root)).toBe(1);
  const status = await ctx.commands.run('tailwatchd', ['--status']);
  expect(status.exitCode).toBe(0);
  expect(cycleDone).toBe(false); // sendmail still hangs, and tailwatchd has answered
  const r = await cycle;
  expect(r.failed).toMatch(/did not finish within \d+ ms and was stopped/);
  expect(Date.now() - started).toBeLessThan(15_000);
  expect((await readNotifyState(ctx)).lastFailure?.message).toMatch(/was stopped/);
});

test('the daemon\'s notifier looks at once on start and stops cleanly', async () => {
  const root = host();
  const n = startNotifier(daemon(root));
  await n.idle();
  n.stop();
  expect(sentMail(root)).toHaveLength(2);
});

test('the monitoring page and GET /api/v1/notify show where mail goes and what was sent; root only', async () => {
  const { createApp } = await import('../../src/app');
  const request = (await import('supertest')).default;
  const root = host();
  await notifyOnce(daemon(root));
  const app = createApp(daemon(root), { identity: { kind: 'dev', user: 'root' } });
  const json = await request(app).get('/api/v1/notify').expect(200);
  expect(json.body).toMatchObject({ enabled: true, failing: false, contact: { to: [CONTACT], source: 'CONTACTEMAIL in /etc/wwwacct.conf' }, state: { sentTotal: 2 } });
  const page = await request(app).get('/monitoring').expect(200);
  expect(page.text).toContain('Check: CRITICAL');
  expect(page.text).toContain(CONTACT);
  expect(page.text).toMatch(/id="rw-notices"[\s\S]*relay IP 198\.51\.100\.6[67] has no login behind it/);
  const cli = await runCliCaptured(['notify', '--root', root]);
  expect(cli.code).toBe(0);
  expect(cli.stdout).toMatch(/^Notices go to admin@hosting\.example \(CONTACTEMAIL in \/etc\/wwwacct\.conf\), from relaywatch@server1\.hosting\.example; events: unexplained, pop-before-smtp, listed; at most 10 an hour\.\n2 message\(s\) sent so far/);
  expect(JSON.parse((await runCliCaptured(['notify', '--json', '--root', root])).stdout)).toEqual(json.body);
  setSendmailMode(root, 'fail');
  setRelayList(root, ['198.51.100.99']);
  await notifyOnce(daemon(root));
  const failing = await runCliCaptured(['notify', '--root', root]);
  expect(failing.code).toBe(1);
  expect(failing.stdout).toMatch(/The last attempt failed at .*: \/usr\/sbin\/sendmail failed \(exit status 75\)/);
  const reseller = createApp(daemon(root), { identity: { kind: 'dev', user: 'resellera' } });
  await request(reseller).get('/monitoring').expect(403);
  await request(reseller).get('/api/v1/notify').expect(403);
});

test('a host without sendmail: nothing sent, nothing audited, the reason kept', async () => {
  const root = host();
  fs.rmSync(path.join(root, 'usr/sbin/sendmail'));
  const r = await notifyOnce(daemon(root));
  expect(r).toMatchObject({ sent: [], skipped: '/usr/sbin/sendmail was not found', heldBack: 2 });
  expect(auditLines(root)).toEqual([]);
  expect((await readNotifyState(daemon(root))).lastFailure?.message).toBe('/usr/sbin/sendmail was not found');
});
