/**
 * Post/redirect/get for every change made from a page: the POST answers 303 to a result page that
 * can be reloaded, bookmarked and gone back to, and loading it again runs nothing (the stand-in
 * tailwatchd and whmapi1 log every call they get).
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { csrfToken } from '../../src/http/csrf';
import { createContext } from '../../src/services/context';
import { makeCpanelHost } from '../helpers/cpanelHost';
import { removeTree } from '../helpers/hostTree';
import { callLines, clearCalls, installStandins, setStandinMode } from '../helpers/standins';

const roots: string[] = [];
afterAll(() => roots.forEach(removeTree));

const SECRET = Buffer.alloc(32, 5);
const SESSION = '/cpsess5550001111';
const BASE = `${SESSION}/cgi/relaywatch/index.cgi`;
const SET0 = 'bin/whmapi1 --output=json set_tweaksetting key=popbeforesmtp value=0';
const as = (user: string, base?: string): Record<string, string> => ({
  'x-relaywatch-whm-user': user,
  'x-relaywatch-security-token': SESSION,
  ...(base ? { 'x-relaywatch-base': base } : {}),
});
const csrf = (user = 'root'): string => csrfToken(SECRET, user, SESSION);

function host(): string {
  const root = makeCpanelHost({ generation: 'modern', popbeforesmtp: true, relayIps: ['203.0.113.10'] });
  roots.push(root);
  installStandins(root, 'modern');
  return root;
}

const appFor = (root: string) => createApp(createContext(loadConfig({ root })), { identity: { kind: 'socket' }, secret: SECRET });
const auditLines = (root: string): Array<Record<string, unknown>> =>
  fs.readFileSync(path.join(root, 'var/log/relaywatch/audit.log'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
/** The page text without the per-request nonce, to compare two loads of one page. */
const stable = (html: string): string => html.replace(/nonce-[A-Za-z0-9+/=_-]+|nonce="[^"]*"/g, 'nonce');

describe('a change made from the confirmation page', () => {
  test('POST answers 303 to the result page; loading it again, or after a restart, runs nothing', async () => {
    const root = host();
    const app = appFor(root);
    clearCalls(root);

    const posted = await request(app).post('/status/change').set(as('root')).type('form').send({ action: 'disable', csrf: csrf() }).expect(303);
    const location = posted.headers.location;
    expect(location).toMatch(/^\/status\/result\?id=[0-9a-f]{16}$/);
    const ran = callLines(root);
    expect(ran).toEqual(['libexec/tailwatchd --status', SET0, 'libexec/tailwatchd --status']);
    expect(fs.existsSync(path.join(root, 'etc/popbeforesmtp'))).toBe(false);

    const first = await request(app).get(location).set(as('root')).expect(200);
    expect(first.text).toContain('Changed and verified');
    expect(first.text).toContain('POP-before-SMTP is now off (verified)');
    expect(first.text).toContain('$ /usr/local/cpanel/bin/whmapi1 --output=json set_tweaksetting key=popbeforesmtp value=0');
    expect(first.text).toContain('relaywatch enable --yes');
    // the relay list as it was before the change, kept in the audit entry
    expect(first.text).toContain('Relay list before the change (1 IP');
    expect(first.text).toContain('<code>203.0.113.10</code>');
    // reload: the same page, and not one more program run or audit line
    const reload = await request(app).get(location).set(as('root')).expect(200);
    expect(stable(reload.text)).toBe(stable(first.text));
    // a bookmark opened after the daemon restarted: the page comes from the audit log
    const bookmark = await request(appFor(root)).get(location).set(as('root')).expect(200);
    expect(stable(bookmark.text)).toBe(stable(first.text));
    expect(callLines(root)).toEqual(ran);
    expect(auditLines(root)).toHaveLength(1);
    expect(auditLines(root)[0]).toMatchObject({ id: location.split('id=')[1], action: 'pop-before-smtp.disable', outcome: 'changed' });

    // the audit page links to the same result page
    const audit = await request(app).get('/audit').set(as('root')).expect(200);
    expect(audit.text).toContain(`href="${location}"`);
  });

  test('a failed change also lands on its result page; the failing program ran once', async () => {
    const root = host();
    setStandinMode(root, 'whmapi1', 'fail');
    const app = appFor(root);
    clearCalls(root);
    const posted = await request(app).post('/status/change').set(as('root')).type('form').send({ action: 'disable', csrf: csrf() }).expect(303);
    for (let i = 0; i < 3; i++) {
      const page = await request(app).get(posted.headers.location).set(as('root')).expect(200);
      expect(page.text).toContain('<p class="rw-verdict-text">Failed</p>');
      expect(page.text).toMatch(/Turning POP-before-SMTP off failed: .*whmapi1/);
    }
    expect(callLines(root).filter((l) => l.includes('set_tweaksetting'))).toEqual([SET0]);
    expect(auditLines(root).map((e) => e.outcome)).toEqual(['failed']);
  });

  test('inside WHM the redirect keeps the /cpsess… CGI address and the route', async () => {
    const root = host();
    const app = appFor(root);
    const posted = await request(app).post('/status/change').set(as('root', BASE)).type('form').send({ action: 'disable', csrf: csrf() }).expect(303);
    const location = new URL(posted.headers.location, 'https://server.example:2087');
    expect(location.pathname).toBe(BASE);
    expect(location.searchParams.get('route')).toBe('/status/result');
    const id = location.searchParams.get('id')!;
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    // the CGI passes the route on as the path; the page's own links keep the CGI address
    const page = await request(app).get(`/status/result?id=${id}`).set(as('root', BASE)).expect(200);
    expect(page.text).toContain(`href="${BASE}?route=%2Fstatus`);
  });

  test('only root sees a result page; a malformed id is a bad request, an unknown one is not found', async () => {
    const root = host();
    const app = appFor(root);
    const posted = await request(app).post('/status/change').set(as('root')).type('form').send({ action: 'disable', csrf: csrf() }).expect(303);
    await request(app).get(posted.headers.location).set(as('resellera')).expect(403);
    await request(app).get('/status/result?id=nothex').set(as('root')).expect(400);
    await request(app).get('/status/result').set(as('root')).expect(400);
    await request(app).get('/status/result?id=0123456789abcdef').set(as('root')).expect(404);
  });
});
