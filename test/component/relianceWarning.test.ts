/**
 * Warning the mailboxes that rely on POP-before-SMTP before it is turned off: `relaywatch reliance
 * --warn [--yes]`, the JSON routes and the page. A dry run changes nothing; --yes sends one message
 * per mailbox through the sendmail stand-in and audits each; the status page shows who was warned.
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { csrfToken } from '../../src/http/csrf';
import { createContext } from '../../src/services/context';
import { identification } from '../helpers/eximLines';
import { addToTree, removeTree, runCliCaptured } from '../helpers/hostTree';
import { readCalls, writeRelaywatchConfig } from '../helpers/standins';
import { auditLines, makeWatchHost, sentMail, setSendmailMode } from '../helpers/watchHost';

const now = new Date();
const minutesAgo = (m: number): Date => new Date(now.getTime() - m * 60_000);
const roots: string[] = [];
afterAll(() => roots.forEach(removeTree));

const SECRET = Buffer.alloc(32, 9);
const SESSION = '/cpsess1234567890';
const as = (user: string): Record<string, string> => ({ 'x-relaywatch-whm-user': user, 'x-relaywatch-security-token': SESSION });

function host(): string {
  const root = makeWatchHost({ popbeforesmtp: true, relayIps: ['203.0.113.10'] });
  addToTree(root, {
    files: {
      '/var/log/exim_mainlog': [
        identification(minutesAgo(50), { ip: '203.0.113.10', cpuser: 'bob', sender: 'bob@bob.example' }),
        identification(minutesAgo(30), { ip: '203.0.113.10', cpuser: 'bob', sender: 'bob@bob.example' }),
        identification(minutesAgo(20), { ip: '198.51.100.7', cpuser: 'carol', sender: 'carol@carol.example' }),
      ].map((l) => `${l}\n`).join(''),
    },
  });
  roots.push(root);
  return root;
}

const noChange = (root: string): void => {
  expect(readCalls(root).filter((c) => c.program === '/usr/sbin/sendmail')).toEqual([]);
  expect(auditLines(root).filter((e) => e.outcome !== 'refused')).toEqual([]);
  expect(fs.existsSync(path.join(root, 'var/lib/relaywatch/reliance-warnings.json'))).toBe(false);
};

test('the dry run shows the recipients and the message and changes nothing', async () => {
  const root = host();
  const r = await runCliCaptured(['reliance', '--warn', '--when', '2026-12-24', '--root', root]);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^2 messages would be sent \(from relaywatch@server1\.hosting\.example\), announcing the change for 2026-12-24:/);
  expect(r.stdout).toMatch(/bob@bob\.example +bob@bob\.example +2 /);
  expect(r.stdout).toMatch(/carol@carol\.example +carol@carol\.example +1 /);
  expect(r.stdout).toContain('Subject: Action needed: change one setting in your mail program before 2026-12-24');
  expect(r.stdout).toContain('Outgoing mail server (SMTP):  server1.hosting.example');
  expect(r.stdout).toContain('Port:                         587 (STARTTLS)');
  expect(r.stdout).toContain('Nothing was sent.');
  const json = await runCliCaptured(['reliance', '--warn', '--json', '--root', root]);
  expect(JSON.parse(json.stdout)).toMatchObject({ dryRun: true, toSend: 2, recipients: [{ address: 'bob@bob.example', skip: null }, { address: 'carol@carol.example', skip: null }] });
  const bad = await runCliCaptured(['reliance', '--warn', '--when', 'next week', '--root', root]);
  expect(bad.code).toBe(64);
  noChange(root);
});

test('--yes sends one message per mailbox, audits each, and the status page shows who was warned', async () => {
  const root = host();
  writeRelaywatchConfig(root, 'reliance:\n  warning:\n    subject: "{{mailbox}}: SMTP authentication from {{when}}"\n');
  const r = await runCliCaptured(['reliance', '--warn', '--yes', '--when', '2026-12-24', '--root', root]);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^Sent 2 warnings: bob@bob\.example, carol@carol\.example\./);
  const mails = sentMail(root);
  expect(mails).toHaveLength(2);
  expect(mails.map((m) => /^To: (.*)$/m.exec(m)![1])).toEqual(['bob@bob.example', 'carol@carol.example']);
  expect(mails[0]).toMatch(/^Subject: bob@bob\.example: SMTP authentication from 2026-12-24$/m);
  expect(mails[0]).toContain('In the last days 2 message(s) from bob@bob.example were sent that way');
  const audit = auditLines(root);
  expect(audit.map((e) => [e.action, e.target, e.outcome, e.via])).toEqual([
    ['reliance.warn', 'bob@bob.example', 'sent', 'cli'],
    ['reliance.warn', 'carol@carol.example', 'sent', 'cli'],
  ]);

  // Sent once: a second run leaves the warned out, --again includes them.
  const again = await runCliCaptured(['reliance', '--warn', '--json', '--root', root]);
  expect(JSON.parse(again.stdout)).toMatchObject({ toSend: 0, recipients: [{ skip: expect.stringMatching(/^warned already at /) }, { skip: expect.stringMatching(/^warned already/) }] });
  expect(JSON.parse((await runCliCaptured(['reliance', '--warn', '--again', '--json', '--root', root])).stdout).toSend).toBe(2);

  const app = createApp(createContext(loadConfig({ root })), { identity: { kind: 'socket' }, secret: SECRET });
  const page = await request(app).get('/status').set(as('root')).expect(200);
  expect(page.text).toMatch(/id="rw-warned-table"[\s\S]*bob@bob\.example[\s\S]*2026-12-24/);
  const cli = await runCliCaptured(['status', '--root', root]);
  expect(cli.stdout).toMatch(/Mailboxes warned \(relaywatch reliance --warn\):\n {2}(bob|carol)@/);
});

test('the page shows the plan before confirming; the JSON route sends with a form token, root only', async () => {
  const root = host();
  const app = createApp(createContext(loadConfig({ root })), { identity: { kind: 'socket' }, secret: SECRET });
  const page = await request(app).get('/reliance/warn').query({ when: '2026-12-31' }).set(as('root')).expect(200);
  expect(page.text).toContain('2 messages will be sent');
  expect(page.text).toContain('before 2026-12-31');
  expect(page.text).toMatch(/<button type="submit">Yes, send 2 messages<\/button>/);
  await request(app).get('/api/v1/reliance/warning').set(as('resellera')).expect(403);
  await request(app).post('/api/v1/reliance/warning').set(as('root')).send({}).expect(403);
  noChange(root);
  await request(app).post('/api/v1/reliance/warning').set(as('resellera')).set('x-csrf-token', csrfToken(SECRET, 'resellera', SESSION)).send({}).expect(403);
  noChange(root);
  expect(auditLines(root).map((e) => [e.user, e.action, e.outcome])).toEqual([['root', 'http.refused', 'refused'], ['resellera', 'reliance.warn', 'refused']]);

  const sent = await request(app).post('/api/v1/reliance/warning').set(as('root')).set('x-csrf-token', csrfToken(SECRET, 'root', SESSION)).send({ when: '2026-12-31' }).expect(200);
  expect(sent.body).toMatchObject({ sent: ['bob@bob.example', 'carol@carol.example'], failed: null });
  expect(auditLines(root).slice(2).map((e) => [e.action, e.outcome, e.via])).toEqual([['reliance.warn', 'sent', 'web'], ['reliance.warn', 'sent', 'web']]);
});

test('a failing sendmail stops the sending at the first failure, audited, exit 2', async () => {
  const root = host();
  setSendmailMode(root, 'fail');
  const r = await runCliCaptured(['reliance', '--warn', '--yes', '--root', root]);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/the warning to bob@bob\.example failed: .*exit status 75.*; 1 more not sent/);
  expect(readCalls(root).filter((c) => c.program === '/usr/sbin/sendmail')).toHaveLength(1);
  expect(auditLines(root)).toEqual([expect.objectContaining({ action: 'reliance.warn', target: 'bob@bob.example', outcome: 'failed' })]);
  expect(fs.existsSync(path.join(root, 'var/lib/relaywatch/reliance-warnings.json'))).toBe(false);
});

test('the page\'s confirmation form sends through POST /reliance/warn and shows the result', async () => {
  const root = host();
  const app = createApp(createContext(loadConfig({ root })), { identity: { kind: 'socket' }, secret: SECRET });
  const done = await request(app).post('/reliance/warn').set(as('root')).type('form').send({ when: '2026-12-31', days: '7', csrf: csrfToken(SECRET, 'root', SESSION) }).expect(200);
  expect(done.text).toContain('2 warnings sent');
  expect(done.text).toMatch(/<li>bob@bob\.example<\/li>\s*<li>carol@carol\.example<\/li>/);
  expect(sentMail(root)).toHaveLength(2);
  // The plan now says they were warned, and would send nothing.
  const page = await request(app).get('/reliance/warn').set(as('root')).expect(200);
  expect(page.text).toContain('Nobody to warn');
  expect(page.text).toMatch(/not sent: warned already at/);
  const reliance = await request(app).get('/reliance').set(as('root')).expect(200);
  expect(reliance.text).toContain('Warn these mailboxes…');
});
