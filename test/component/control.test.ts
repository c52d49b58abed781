/**
 * `relaywatch disable|enable` and POST /api/v1/pop-before-smtp against real host trees with the
 * tailwatchd and whmapi1 stand-ins: the exact commands that ran, the state on disk after, the
 * verification, the audit line; hang, failure, garbage, unknown driver, refusals, concurrency and
 * an audit log that cannot be written.
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { csrfToken } from '../../src/http/csrf';
import { createContext } from '../../src/services/context';
import { loginLine, makeCpanelHost, SmallHostOptions } from '../helpers/cpanelHost';
import { identification } from '../helpers/eximLines';
import { addToTree, removeTree, runCliCaptured } from '../helpers/hostTree';
import { callLines, clearCalls, installStandins, setStandinMode, writeRelaywatchConfig } from '../helpers/standins';

const roots: string[] = [];
afterAll(() => roots.forEach(removeTree));

const MODERN = 'Cpanel::TailWatch::RecentAuthedMailIpTracker';
const LEGACY = 'Cpanel::TailWatch::Antirelayd';
const AUDIT = '/var/log/relaywatch/audit.log';
const SET0 = 'bin/whmapi1 --output=json set_tweaksetting key=popbeforesmtp value=0';
const SET1 = 'bin/whmapi1 --output=json set_tweaksetting key=popbeforesmtp value=1';

function host(o: Partial<SmallHostOptions> & { generation: 'legacy' | 'modern' }): string {
  const root = makeCpanelHost({ popbeforesmtp: true, relayIps: ['203.0.113.10', '203.0.113.11'], ...o });
  roots.push(root);
  installStandins(root, o.generation);
  return root;
}

const real = (root: string, p: string): string => path.join(root, p);
const exists = (root: string, p: string): boolean => fs.existsSync(real(root, p));
const read = (root: string, p: string): string => fs.readFileSync(real(root, p), 'utf8');
const cpanelConfig = (root: string): string => read(root, '/var/cpanel/cpanel.config');

function auditLines(root: string): any[] {
  if (!exists(root, AUDIT)) return [];
  return read(root, AUDIT).split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

async function cli(root: string, ...argv: string[]): Promise<{ code: number; body: any; stdout: string; stderr: string }> {
  const r = await runCliCaptured([...argv, '--root', root]);
  let body: any = null;
  try {
    body = JSON.parse(r.stdout);
  } catch {
    // text output
  }
  return { code: r.code, body, stdout: r.stdout, stderr: r.stderr };
}

describe.each(['modern', 'legacy'] as const)('%s server', (generation) => {
  const prog = generation === 'modern' ? 'libexec/tailwatchd' : 'bin/tailwatchd';

  test('disable --yes, then enable --yes: the commands, the disk, the verification, the audit lines', async () => {
    const root = host({ generation });
    clearCalls(root);

    const off = await cli(root, 'disable', '--yes', '--json');
    expect(off.code).toBe(0);
    expect(off.body).toMatchObject({ action: 'disable', outcome: 'changed', verified: true, error: null });
    expect(off.body.after.relayingAllowed).toBe(false);
    expect(off.body.before.relayingAllowed).toBe(true);
    if (generation === 'modern') {
      expect(callLines(root)).toEqual([`${prog} --status`, SET0, `${prog} --status`]);
      expect(exists(root, '/etc/popbeforesmtp')).toBe(false);
      expect(cpanelConfig(root)).toMatch(/^popbeforesmtp=0$/m);
      // the tracker was left alone: its list and key are untouched
      expect(read(root, '/etc/recent_authed_mail_ips')).toBe('203.0.113.10\n203.0.113.11\n');
      expect(cpanelConfig(root)).not.toMatch(/skiprecentauthedmailiptracker/);
      expect(off.body.evidence).toEqual(
        expect.arrayContaining([
          '$ /usr/local/cpanel/bin/whmapi1 --output=json set_tweaksetting key=popbeforesmtp value=0',
          '  metadata: result 1 (OK)',
          '/etc/popbeforesmtp: absent',
          '/var/cpanel/cpanel.config: popbeforesmtp=0',
        ]),
      );
    } else {
      expect(callLines(root)).toEqual([`${prog} --status`, `${prog} --disable=${LEGACY}`, `${prog} --status`]);
      expect(cpanelConfig(root)).toMatch(/^skipantirelayd=1$/m);
      expect(read(root, '/etc/relayhosts')).toBe('');
      const proof = off.body.evidence.find((l: string) => l.startsWith('tailwatchd_log: '));
      expect(proof).toMatch(/^tailwatchd_log: \[\d+\] \[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}\] \[Cpanel::TailWatch::Utils::EnableDisable\] \[\d+\] \[[^\]]+\] \[main\] Cpanel::TailWatch::Antirelayd was successfully disabled$/);
      expect(off.body.evidence).toEqual(expect.arrayContaining([`tailwatchd --status: Driver (Active: 0) ${LEGACY}`, expect.stringMatching(/^tailwatchd_log: \[START\] \d+ \d+$/)]));
    }

    const st = fs.statSync(real(root, AUDIT));
    expect(st.mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(real(root, AUDIT))).mode & 0o777).toBe(0o700);
    const [first] = auditLines(root);
    expect(first).toMatchObject({
      user: 'root',
      via: 'cli',
      action: 'pop-before-smtp.disable',
      target: generation === 'modern' ? 'Tweak Setting popbeforesmtp' : LEGACY,
      outcome: 'changed',
      evidence: off.body.evidence,
      details: { generation, verified: true, error: null, before: { relayingAllowed: true }, after: { relayingAllowed: false } },
    });
    expect(first.details.commands).toEqual([
      expect.objectContaining({
        program: generation === 'modern' ? '/usr/local/cpanel/bin/whmapi1' : '/usr/local/cpanel/bin/tailwatchd',
        exitCode: 0,
        timedOut: false,
      }),
    ]);
    expect(first.details.from).toMatch(/^os user /);
    expect(Date.parse(first.time)).not.toBeNaN();

    clearCalls(root);
    const on = await cli(root, 'enable', '--yes', '--json');
    expect(on.code).toBe(0);
    expect(on.body).toMatchObject({ action: 'enable', outcome: 'changed', verified: true });
    if (generation === 'modern') {
      expect(callLines(root)).toEqual([`${prog} --status`, SET1, `${prog} --status`]);
      expect(exists(root, '/etc/popbeforesmtp')).toBe(true);
      expect(cpanelConfig(root)).toMatch(/^popbeforesmtp=1$/m);
    } else {
      expect(callLines(root)).toEqual([`${prog} --status`, `${prog} --enable=${LEGACY}`, `${prog} --status`]);
      expect(cpanelConfig(root)).toMatch(/^skipantirelayd=0$/m);
      expect(on.body.evidence.join('\n')).toMatch(/Cpanel::TailWatch::Antirelayd was successfully enabled/);
    }
    expect(auditLines(root).map((e) => [e.action, e.outcome])).toEqual([
      ['pop-before-smtp.disable', 'changed'],
      ['pop-before-smtp.enable', 'changed'],
    ]);
  });

  test('without --yes nothing changes: it says what it would run, what changes and how to undo it', async () => {
    const root = host({ generation });
    clearCalls(root);
    const r = await cli(root, 'disable');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('relaywatch disable --yes would turn POP-before-SMTP off');
    expect(r.stdout).toContain(generation === 'modern' ? '/usr/local/cpanel/bin/whmapi1 --output=json set_tweaksetting key=popbeforesmtp value=0' : `/usr/local/cpanel/bin/tailwatchd --disable=${LEGACY}`);
    expect(r.stdout).toContain('To undo it afterwards:\n  relaywatch enable --yes');
    expect(r.stdout).toContain('Nothing has been changed.');
    // this host has no exim log: who relies on POP-before-SMTP is unknown, and said so
    expect(r.stdout).toMatch(/Who is affected: not known: No exim log found/);
    expect(callLines(root)).toEqual([`${prog} --status`]);
    expect(auditLines(root)).toEqual([]);
    const j = await cli(root, 'disable', '--json');
    expect(j.body).toMatchObject({ dryRun: true, action: 'disable', plan: { alreadySo: false } });
    expect(j.body.wouldRun).toHaveLength(1);
  });

  test('a second disable is "unchanged": no change command runs, verified from the status, exit 0', async () => {
    const root = host({ generation });
    await cli(root, 'disable', '--yes');
    clearCalls(root);
    const again = await cli(root, 'disable', '--yes', '--json');
    expect(again.code).toBe(0);
    expect(again.body).toMatchObject({ outcome: 'unchanged', verified: true, steps: [] });
    expect(callLines(root)).toEqual([`${prog} --status`]);
    expect(again.body.evidence).toContain('Nothing to do: POP-before-SMTP is already off.');
    expect(auditLines(root).map((e) => e.outcome)).toEqual(['changed', 'unchanged']);
  });

  test('a change command that hangs is stopped after commands.timeoutMs; the real state is reported', async () => {
    const root = host({ generation });
    writeRelaywatchConfig(root, 'commands:\n  timeoutMs: 1500\n');
    setStandinMode(root, generation === 'modern' ? 'whmapi1' : 'tailwatchd', 'hang change');
    const t0 = Date.now();
    const r = await cli(root, 'disable', '--yes', '--json');
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(r.code).toBe(2);
    expect(r.body).toMatchObject({ outcome: 'failed', verified: false });
    expect(r.body.error).toMatch(/did not finish within 1\.\d s and was stopped/);
    expect(r.body.steps[0]).toMatchObject({ timedOut: true, ok: false });
    expect(r.body.after.relayingAllowed).toBe(true);
    expect(r.body.summary).toMatch(/Relaying by POP-before-SMTP is allowed right now/);
    if (generation === 'modern') expect(exists(root, '/etc/popbeforesmtp')).toBe(true);
    else expect(cpanelConfig(root)).not.toMatch(/skipantirelayd/);
    const [entry] = auditLines(root);
    expect(entry).toMatchObject({ outcome: 'failed', details: { verified: false } });
    expect(entry.details.commands[0].timedOut).toBe(true);
  });
});

describe('modern: the RecentAuthedMailIpTracker driver, a separate and explicit option', () => {
  test('disable --driver-too also stops the tracker and empties its files; enable brings both back', async () => {
    const root = host({ generation: 'modern' });
    const preview = await cli(root, 'disable', '--driver-too');
    expect(preview.stdout).toMatch(/greylisting/);
    clearCalls(root);
    const off = await cli(root, 'disable', '--yes', '--driver-too', '--json');
    expect(off.code).toBe(0);
    expect(off.body).toMatchObject({ outcome: 'changed', verified: true });
    expect(callLines(root)).toEqual(['libexec/tailwatchd --status', SET0, `libexec/tailwatchd --disable=${MODERN}`, 'libexec/tailwatchd --status']);
    expect(cpanelConfig(root)).toMatch(/^skiprecentauthedmailiptracker=1$/m);
    expect(read(root, '/etc/recent_authed_mail_ips')).toBe('');
    expect(read(root, '/etc/recent_authed_mail_ips_users')).toBe('');
    expect(off.body.evidence.join('\n')).toMatch(/\[main\] Cpanel::TailWatch::RecentAuthedMailIpTracker was successfully disabled/);
    expect(off.body.evidence).toContain(`tailwatchd --status: Driver (Active: 0) ${MODERN}`);

    clearCalls(root);
    const on = await cli(root, 'enable', '--yes', '--json');
    expect(on.body).toMatchObject({ outcome: 'changed', verified: true });
    expect(callLines(root)).toEqual(['libexec/tailwatchd --status', `libexec/tailwatchd --enable=${MODERN}`, SET1, 'libexec/tailwatchd --status']);
    expect(cpanelConfig(root)).toMatch(/^skiprecentauthedmailiptracker=0$/m);
    expect(exists(root, '/etc/popbeforesmtp')).toBe(true);
  });

  test('disagreeing switch files: the key says 0 but the file exists, so disable acts', async () => {
    const root = host({ generation: 'modern', popbeforesmtp: false });
    addToTree(root, { files: { '/etc/popbeforesmtp': '' } });
    clearCalls(root);
    const r = await cli(root, 'disable', '--yes', '--json');
    expect(r.body).toMatchObject({ outcome: 'changed', verified: true, before: { relayingAllowed: true } });
    expect(r.body.before.disagreements[0]).toMatch(/popbeforesmtp=0, but \/etc\/popbeforesmtp exists/);
    expect(r.body.plan.notes.join(' ')).toMatch(/makes them agree/);
    expect(callLines(root)).toContain(SET0);
    expect(exists(root, '/etc/popbeforesmtp')).toBe(false);
    expect(r.body.after.disagreements).toEqual([]);
  });
});

describe('failures leave a clear error and the state as it really is', () => {
  test('tailwatchd fails (exit 1)', async () => {
    const root = host({ generation: 'legacy' });
    setStandinMode(root, 'tailwatchd', 'fail change');
    const r = await cli(root, 'disable', '--yes', '--json');
    expect(r.code).toBe(2);
    expect(r.body.error).toBe(`/usr/local/cpanel/bin/tailwatchd --disable=${LEGACY} failed (exit status 1): tailwatchd: cannot continue: failure requested by the stand-in mode file`);
    expect(r.body.after.relayingAllowed).toBe(true);
    expect(cpanelConfig(root)).not.toMatch(/skipantirelayd/);
    expect(r.stderr).toMatch(/relaywatch disable: .*failed \(exit status 1\)/);
  });

  test('whmapi1 is killed (crash)', async () => {
    const root = host({ generation: 'modern' });
    setStandinMode(root, 'whmapi1', 'crash');
    const r = await cli(root, 'disable', '--yes', '--json');
    expect(r.body).toMatchObject({ outcome: 'failed', verified: false });
    expect(r.body.error).toMatch(/was killed by SIGKILL/);
    expect(exists(root, '/etc/popbeforesmtp')).toBe(true);
  });

  test('garbage answers: whmapi1 not JSON; tailwatchd exit 0 but nothing changed', async () => {
    const modern = host({ generation: 'modern' });
    setStandinMode(modern, 'whmapi1', 'garbage');
    const a = await cli(modern, 'disable', '--yes', '--json');
    expect(a.body.outcome).toBe('failed');
    expect(a.body.error).toMatch(/whmapi1 answered with something that is not JSON/);

    const legacy = host({ generation: 'legacy' });
    setStandinMode(legacy, 'tailwatchd', 'garbage change');
    const b = await cli(legacy, 'disable', '--yes', '--json');
    expect(b.code).toBe(2);
    expect(b.body.outcome).toBe('failed');
    expect(b.body.error).toMatch(/^The commands reported success, but the state did not change\. Cpanel::TailWatch::Antirelayd is not disabled: tailwatchd --status says Active: 1/);
  });

  test('whmapi1 answers result 0 with a reason', async () => {
    const root = host({ generation: 'modern' });
    setStandinMode(root, 'whmapi1', 'refuse');
    const r = await cli(root, 'disable', '--yes', '--json');
    expect(r.body.outcome).toBe('failed');
    expect(r.body.error).toBe('whmapi1 set_tweaksetting was refused: Tweak Settings could not be saved (refused by the stand-in mode file). (result 0).');
    expect(r.body.evidence).toContain('  metadata: result 0 (Tweak Settings could not be saved (refused by the stand-in mode file).)');
  });

  test('tailwatchd says "could not be disabled"', async () => {
    const root = host({ generation: 'legacy' });
    setStandinMode(root, 'tailwatchd', 'refuse change');
    const r = await cli(root, 'disable', '--yes', '--json');
    expect(r.body.outcome).toBe('failed');
    expect(r.body.error).toBe(`tailwatchd: "${LEGACY} could not be disabled".`);
  });

  test('an unknown driver warning (generation guessed from the files while --status was unreadable) is a failure', async () => {
    // files say legacy (plain /etc/relayhosts, no version file); tailwatchd is a modern one and its --status prints garbage
    const root = host({ generation: 'legacy' });
    fs.rmSync(real(root, '/usr/local/cpanel/version'));
    setStandinMode(root, 'tailwatchd', 'garbage status');
    clearCalls(root);
    const r = await cli(root, 'disable', '--yes', '--json');
    expect(callLines(root)).toEqual(['bin/tailwatchd --status', `bin/tailwatchd --disable=${LEGACY}`, 'bin/tailwatchd --status']);
    expect(r.code).toBe(2);
    expect(r.body.outcome).toBe('failed');
    expect(r.body.error).toBe(`tailwatchd ignored the driver: "Unknown driver '${LEGACY}' passed via --disable, ignoring".`);
    expect(r.body.evidence).toContain(`  Unknown driver '${LEGACY}' passed via --disable, ignoring`);
  });
});

describe('refusals', () => {
  test('a reseller on the command line is refused and audited; nothing runs', async () => {
    const root = host({ generation: 'modern' });
    clearCalls(root);
    const r = await cli(root, 'disable', '--yes', '--as', 'resellera');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Only root/);
    expect(callLines(root)).toEqual([]);
    expect(exists(root, '/etc/popbeforesmtp')).toBe(true);
    expect(auditLines(root)).toEqual([expect.objectContaining({ user: 'resellera', via: 'cli', action: 'pop-before-smtp.disable', outcome: 'refused' })]);
  });

  test('the audit log cannot be written: the change is refused before anything runs', async () => {
    const root = host({ generation: 'modern' });
    fs.mkdirSync(real(root, AUDIT), { recursive: true }); // a folder where the file should be
    clearCalls(root);
    const r = await cli(root, 'disable', '--yes', '--json');
    expect(r.code).toBe(2); // a change that could not be made: 2, however it failed
    expect(r.body.error.code).toBe('audit_failed');
    expect(r.stderr).toMatch(/The audit log \/var\/log\/relaywatch\/audit.log could not be written \(not a regular file\)/);
    expect(callLines(root)).toEqual([]);
    expect(exists(root, '/etc/popbeforesmtp')).toBe(true);

    const other = host({ generation: 'modern' });
    fs.mkdirSync(real(other, '/var/log'), { recursive: true });
    fs.writeFileSync(real(other, '/var/log/relaywatch'), 'a file, not a folder');
    const res = await request(createApp(createContext(loadConfig({ root: other })), { identity: { kind: 'socket' }, secret: SECRET }))
      .post('/api/v1/pop-before-smtp')
      .set(as('root'))
      .send({ action: 'disable', csrf: csrfToken(SECRET, 'root', SESSION) })
      .expect(500);
    expect(res.body.error.code).toBe('audit_failed');
    expect(res.body.error.message).toMatch(/\/var\/log\/relaywatch is not a folder/);
    expect(exists(other, '/etc/popbeforesmtp')).toBe(true);
  });

  test('an audit log someone made world-readable is rewritten with mode 0600, its lines kept', async () => {
    const root = host({ generation: 'modern' });
    fs.mkdirSync(path.dirname(real(root, AUDIT)), { recursive: true });
    fs.writeFileSync(real(root, AUDIT), '{"time":"2024-01-01T00:00:00.000Z","user":"root","via":"cli","action":"x","target":"y","outcome":"changed","summary":"old","evidence":[]}\n', { mode: 0o644 });
    fs.chmodSync(real(root, AUDIT), 0o644);
    await cli(root, 'disable', '--yes');
    expect(fs.statSync(real(root, AUDIT)).mode & 0o777).toBe(0o600);
    expect(auditLines(root).map((e) => e.summary.slice(0, 3))).toEqual(['old', 'POP']);
  });
});

const SECRET = Buffer.alloc(32, 7);
const SESSION = '/cpsess1234567890';
const as = (user: string): Record<string, string> => ({ 'x-relaywatch-whm-user': user, 'x-relaywatch-security-token': SESSION });
const appFor = (root: string) => createApp(createContext(loadConfig({ root })), { identity: { kind: 'socket' }, secret: SECRET });

describe('over HTTP', () => {
  test('root with the CSRF token changes it (JSON); failed changes answer 502', async () => {
    const root = host({ generation: 'modern' });
    const app = appFor(root);
    const ok = await request(app).post('/api/v1/pop-before-smtp').set(as('root')).set('x-csrf-token', csrfToken(SECRET, 'root', SESSION)).send({ action: 'disable' }).expect(200);
    expect(ok.body).toMatchObject({ action: 'disable', outcome: 'changed', verified: true });
    expect(auditLines(root)[0]).toMatchObject({ user: 'root', via: 'web', outcome: 'changed' });
    setStandinMode(root, 'whmapi1', 'fail');
    const bad = await request(app).post('/api/v1/pop-before-smtp').set(as('root')).set('x-csrf-token', csrfToken(SECRET, 'root', SESSION)).send({ action: 'enable' }).expect(502);
    expect(bad.body).toMatchObject({ outcome: 'failed', verified: false });
    await request(app).post('/api/v1/pop-before-smtp').set(as('root')).set('x-csrf-token', csrfToken(SECRET, 'root', SESSION)).send({ action: 'explode' }).expect(400);
  });

  test('a reseller gets 403 and an audit entry; nothing runs', async () => {
    const root = host({ generation: 'modern' });
    clearCalls(root);
    const res = await request(appFor(root))
      .post('/api/v1/pop-before-smtp')
      .set(as('resellera'))
      .send({ action: 'disable', csrf: csrfToken(SECRET, 'resellera', SESSION) })
      .expect(403);
    expect(res.body.error.code).toBe('forbidden');
    expect(callLines(root)).toEqual([]);
    expect(auditLines(root)).toEqual([
      expect.objectContaining({ user: 'resellera', via: 'web', action: 'pop-before-smtp.disable', outcome: 'refused', summary: expect.stringMatching(/needs root/) }),
    ]);
    expect(exists(root, '/etc/popbeforesmtp')).toBe(true);
  });

  test('a POST without (or with a wrong) CSRF token is refused before anything runs', async () => {
    const root = host({ generation: 'modern' });
    clearCalls(root);
    const app = appFor(root);
    const none = await request(app).post('/api/v1/pop-before-smtp').set(as('root')).send({ action: 'disable' }).expect(403);
    expect(none.body.error.code).toBe('csrf');
    await request(app).post('/status/change').set(as('root')).type('form').send({ action: 'disable', csrf: csrfToken(SECRET, 'root', '/cpsess9999999999') }).expect(403);
    await request(app).post('/status/change').set(as('resellera')).type('form').send({ action: 'disable', csrf: csrfToken(SECRET, 'root', SESSION) }).expect(403);
    expect(callLines(root)).toEqual([]);
    // the app-wide gate answers before the route and records each refusal
    expect(auditLines(root)).toEqual([
      expect.objectContaining({ user: 'root', action: 'http.refused', target: 'POST /api/v1/pop-before-smtp', outcome: 'refused', summary: expect.stringMatching(/form token/) }),
      expect.objectContaining({ user: 'root', action: 'http.refused', target: 'POST /status/change', outcome: 'refused' }),
      expect.objectContaining({ user: 'resellera', action: 'http.refused', target: 'POST /status/change', outcome: 'refused' }),
    ]);
    expect(exists(root, '/etc/popbeforesmtp')).toBe(true);
  });

  test('two concurrent changes are serialised: act and verify of one never interleave with the other', async () => {
    const root = host({ generation: 'modern' });
    setStandinMode(root, 'whmapi1', 'slow change 500');
    clearCalls(root);
    const app = appFor(root);
    const post = () => request(app).post('/api/v1/pop-before-smtp').set(as('root')).set('x-csrf-token', csrfToken(SECRET, 'root', SESSION)).send({ action: 'disable' });
    const [a, b] = await Promise.all([post(), post()]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect([a.body.outcome, b.body.outcome].sort()).toEqual(['changed', 'unchanged']);
    // one status, the change, its verification, then the second request's status (which finds it done)
    expect(callLines(root)).toEqual(['libexec/tailwatchd --status', SET0, 'libexec/tailwatchd --status', 'libexec/tailwatchd --status']);
    expect(auditLines(root).map((e) => e.outcome)).toEqual(['changed', 'unchanged']);
  });

  test('the confirmation page says what changes, who is affected and how to undo; confirming changes it', async () => {
    const now = new Date();
    const root = host({
      generation: 'modern',
      extra: {
        files: {
          '/var/log/exim_mainlog': `${identification(new Date(now.getTime() - 3600_000), { ip: '203.0.113.10', cpuser: 'bob', sender: 'bob@bob.example' })}\n`,
        },
      },
    });
    const app = appFor(root);
    const page = await request(app).get('/status/confirm').query({ action: 'disable', driverToo: '1' }).set(as('root')).expect(200);
    expect(page.text).toContain('This turns POP-before-SMTP off');
    expect(page.text).toContain('/usr/local/cpanel/bin/whmapi1 --output=json set_tweaksetting key=popbeforesmtp value=0');
    expect(page.text).toContain(`/usr/local/cpanel/libexec/tailwatchd --disable=${MODERN}`);
    expect(page.text).toMatch(/greylisting/);
    expect(page.text).toContain('bob@bob.example');
    expect(page.text).toContain('relaywatch enable --yes');
    expect(page.text).toContain(`name="csrf" value="${csrfToken(SECRET, 'root', SESSION)}"`);
    expect(page.text).toContain('name="driverToo" value="1"');
    // the command line lists the same mailbox
    const cliPreview = await cli(root, 'disable');
    expect(cliPreview.stdout).toMatch(/Who is affected: 1 mailbox sent 1 message through POP-before-SMTP/);
    expect(cliPreview.stdout).toMatch(/bob@bob\.example\s+bob\s+resellera\s+1/);

    const posted = await request(app)
      .post('/status/change')
      .set(as('root'))
      .type('form')
      .send({ action: 'disable', driverToo: '1', csrf: csrfToken(SECRET, 'root', SESSION) })
      .expect(303);
    const done = await request(app).get(posted.headers.location).set(as('root')).expect(200);
    expect(done.text).toContain('Changed and verified');
    expect(done.text).toContain('was successfully disabled');
    expect(exists(root, '/etc/popbeforesmtp')).toBe(false);
    expect(cpanelConfig(root)).toMatch(/^skiprecentauthedmailiptracker=1$/m);
  });
});

describe('reading the audit log', () => {
  test('CLI, JSON route and page, newest first; root only', async () => {
    const root = host({ generation: 'legacy' });
    await cli(root, 'disable', '--yes');
    await cli(root, 'enable', '--yes');
    await cli(root, 'disable', '--yes', '--as', 'resellera');
    const j = await cli(root, 'audit', '--json');
    expect(j.code).toBe(0);
    expect(j.body).toMatchObject({ path: AUDIT, exists: true, badLines: 0 });
    expect(j.body.entries.map((e: any) => [e.user, e.action, e.outcome])).toEqual([
      ['resellera', 'pop-before-smtp.disable', 'refused'],
      ['root', 'pop-before-smtp.enable', 'changed'],
      ['root', 'pop-before-smtp.disable', 'changed'],
    ]);
    expect((await cli(root, 'audit', '--limit', '1', '--json')).body.entries).toHaveLength(1);
    const text = await cli(root, 'audit', '--verbose');
    expect(text.stdout).toMatch(/tailwatchd_log: .*Antirelayd was successfully enabled/);
    expect((await cli(root, 'audit', '--as', 'resellera')).code).not.toBe(0);

    const app = appFor(root);
    const api = await request(app).get('/api/v1/audit').set(as('root')).expect(200);
    expect(api.body.entries).toHaveLength(3);
    await request(app).get('/api/v1/audit').set(as('resellera')).expect(403);
    const page = await request(app).get('/audit').set(as('root')).expect(200);
    expect(page.text).toContain('pop-before-smtp.enable');
    expect(page.text).toContain('refused');
  });
});

describe('the relay list before a change', () => {
  test('a disable that empties the list keeps it in its audit entry: each IP with status, users and accounts; CLI and page show it', async () => {
    const now = new Date();
    const root = host({
      generation: 'modern',
      relayIps: ['203.0.113.10', '192.0.2.99'],
      maillog: [loginLine(new Date(now.getTime() - 5 * 60_000), 'bob@bob.example', '203.0.113.10')],
    });
    const off = await cli(root, 'disable', '--yes', '--driver-too', '--json');
    expect(off.body).toMatchObject({ outcome: 'changed' });
    expect(read(root, '/etc/recent_authed_mail_ips')).toBe('');
    const entry = auditLines(root).at(-1);
    expect(entry.action).toBe('pop-before-smtp.disable');
    expect(entry.details.relayListBefore).toMatchObject({
      relayList: '/etc/relayhosts',
      verdict: 'unexplained',
      omitted: 0,
      hosts: [
        { ip: '192.0.2.99', status: 'unexplained', users: [], accounts: [] },
        { ip: '203.0.113.10', status: 'explained', users: ['bob@bob.example'], accounts: ['bob'] },
      ],
    });
    // the next change keeps the list as it was then: empty
    await cli(root, 'enable', '--yes');
    expect(auditLines(root).at(-1).details.relayListBefore).toMatchObject({ verdict: 'empty', hosts: [] });

    const text = await cli(root, 'audit', '--verbose');
    expect(text.stdout).toMatch(/ pop-before-smtp\.disable: relay list before the change \(2 IPs, unexplained\)\n {4}192\.0\.2\.99 unexplained - -\n {4}203\.0\.113\.10 explained bob@bob\.example bob\n/);
    const page = await request(appFor(root)).get('/audit').set(as('root')).expect(200);
    expect(page.text).toContain('Relay list before the change (2 IPs, unexplained)');
    expect(page.text).toMatch(/<td><code>203\.0\.113\.10<\/code><\/td><td>explained<\/td><td>bob@bob\.example<\/td><td>bob<\/td>/);
    expect(page.text).toContain('Relay list before the change (0 IPs, empty)');
  });
});
