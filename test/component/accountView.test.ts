/**
 * The per-account view over HTTP: a reseller sees their own accounts only, and a name they do not
 * own answers exactly like a name nobody uses.
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { createContext } from '../../src/services/context';
import { loginLine, makeCpanelHost } from '../helpers/cpanelHost';
import { identification } from '../helpers/eximLines';
import { removeTree } from '../helpers/hostTree';

const now = new Date();
const minutesAgo = (m: number): Date => new Date(now.getTime() - m * 60_000);
let root: string;
beforeAll(() => {
  root = makeCpanelHost({
    generation: 'modern',
    popbeforesmtp: true,
    relayIps: ['203.0.113.10', '203.0.113.11'],
    maillog: [
      loginLine(minutesAgo(5), 'bob@bob.example', '203.0.113.10'),
      loginLine(minutesAgo(5), 'carol@carol.example', '203.0.113.10'),
      loginLine(minutesAgo(4), 'carol@carol.example', '203.0.113.11'),
    ],
    extra: { files: { '/var/log/exim_mainlog': `${identification(minutesAgo(4), { ip: '203.0.113.10', cpuser: 'bob', sender: 'bob@bob.example' })}\n` } },
  });
});
afterAll(() => removeTree(root));

const app = (user: string): ReturnType<typeof createApp> => createApp(createContext(loadConfig({ root })), { identity: { kind: 'dev', user } });

test('root sees every account with its relay IPs and reliant mailboxes', async () => {
  const o = (await request(app('root')).get('/api/v1/accounts').expect(200)).body;
  expect(o.accounts.map((r: any) => r.account)).toEqual(['alice', 'bob', 'carol', 'resellera', 'resellerb']);
  expect(o.accounts.find((r: any) => r.account === 'bob')).toEqual({ account: 'bob', owner: 'resellera', domains: ['bob.example', 'shop.bob.example'], relayIps: 1, reliantMailboxes: 1 });
  expect(o.accounts.find((r: any) => r.account === 'carol')).toMatchObject({ relayIps: 2, reliantMailboxes: 0 });
});

test('one account: its relay IPs name only its own mailboxes', async () => {
  const a = (await request(app('root')).get('/api/v1/accounts/bob').expect(200)).body;
  expect(a).toMatchObject({ account: 'bob', owner: 'resellera', domains: ['bob.example', 'shop.bob.example'] });
  expect(a.relayIps.map((h: any) => [h.ip, h.users])).toEqual([['203.0.113.10', ['bob@bob.example']]]);
  expect(a.reliance.map((u: any) => u.user)).toEqual(['bob@bob.example']);
  const page = await request(app('root')).get('/account/bob').expect(200);
  expect(page.text).toContain('shop.bob.example');
  expect(page.text).toContain('href="/ip/203.0.113.10"');
});

test('a reseller sees only the accounts they own; others are "no such account", like a made-up name', async () => {
  const o = (await request(app('resellera')).get('/api/v1/accounts').expect(200)).body;
  expect(o.accounts.map((r: any) => r.account)).toEqual(['bob', 'resellera']);
  const page = await request(app('resellera')).get('/accounts').expect(200);
  expect(page.text).not.toMatch(/carol|alice/);
  const theirs = await request(app('resellera')).get('/api/v1/accounts/carol').expect(404);
  const madeUp = await request(app('resellera')).get('/api/v1/accounts/zzzz').expect(404);
  expect(theirs.body.error.message.replace('carol', 'X')).toBe(madeUp.body.error.message.replace('zzzz', 'X'));
  await request(app('resellera')).get('/account/carol').expect(404);
  await request(app('resellera')).get('/api/v1/accounts/..%2F..%2Fetc').expect(404);
});

/** A host of its own: bob in the relay list with one IP, and a second login the tracker has not added yet; the app as root. */
function bobHost(): { own: string; server: ReturnType<typeof createApp> } {
  const own = makeCpanelHost({
    generation: 'modern',
    relayIps: ['203.0.113.10'],
    maillog: [loginLine(minutesAgo(5), 'bob@bob.example', '203.0.113.10'), loginLine(minutesAgo(3), 'bob@bob.example', '203.0.113.12')],
  });
  return { own, server: createApp(createContext(loadConfig({ root: own })), { identity: { kind: 'dev', user: 'root' } }) };
}

test('the accounts page is kept between requests, and shows a new relay IP as soon as it is in the list', async () => {
  const { own, server } = bobHost();
  try {
    const bobRow = (html: string): string => /<tr>\s*<td><a href="\/account\/bob">[\s\S]*?<\/tr>/.exec(html)![0];
    const first = await request(server).get('/accounts').expect(200);
    expect(bobRow(first.text)).toContain('data-value="1">1</td>');
    expect(bobRow((await request(server).get('/accounts').expect(200)).text)).toBe(bobRow(first.text));
    // The tracker adds the IP of bob's second login (the real file: /etc/relayhosts links to it).
    fs.appendFileSync(path.join(own, 'etc/recent_authed_mail_ips'), '203.0.113.12\n');
    const after = await request(server).get('/accounts').expect(200);
    expect(bobRow(after.text)).toContain('data-value="2">2</td>');
    expect((await request(server).get('/api/v1/accounts').expect(200)).body.accounts.find((r: any) => r.account === 'bob').relayIps).toBe(2);
  } finally {
    removeTree(own);
  }
});

test('GET /api/v1/accounts: the same answer compressed or not, a 304 for the client’s entity tag, a new tag after a change, none shared with a reseller', async () => {
  const { own, server } = bobHost();
  try {
    const plain = await request(server).get('/api/v1/accounts').set('Accept-Encoding', 'identity').expect(200);
    expect(plain.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(plain.text).toBe(JSON.stringify(plain.body));
    const gz = await request(server).get('/api/v1/accounts').set('Accept-Encoding', 'gzip').expect(200);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.body).toEqual(plain.body);
    await request(server).get('/api/v1/accounts').set('If-None-Match', plain.headers.etag).expect(304);
    fs.appendFileSync(path.join(own, 'etc/recent_authed_mail_ips'), '203.0.113.12\n');
    const after = await request(server).get('/api/v1/accounts').set('If-None-Match', plain.headers.etag).expect(200);
    expect(after.headers.etag).not.toBe(plain.headers.etag);
    expect(after.body.accounts.find((r: any) => r.account === 'bob').relayIps).toBe(2);
    const reseller = createApp(createContext(loadConfig({ root: own })), { identity: { kind: 'dev', user: 'resellerb' } });
    const theirs = await request(reseller).get('/api/v1/accounts').set('If-None-Match', after.headers.etag).expect(200);
    expect(theirs.body.accounts.map((r: any) => r.account)).toEqual(['carol', 'resellerb']);
  } finally {
    removeTree(own);
  }
});
