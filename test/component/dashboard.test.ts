/**
 * The dashboard and the guided check over HTTP on real temporary host trees: the verdict in words,
 * cards from real sources only, the way to an IP page, scope for resellers.
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { createContext } from '../../src/services/context';
import { failedLine, loginLine, makeCpanelHost } from '../helpers/cpanelHost';
import { identification } from '../helpers/eximLines';
import { removeTree } from '../helpers/hostTree';

const now = new Date();
const minutesAgo = (m: number): Date => new Date(now.getTime() - m * 60_000);
const roots: string[] = [];
afterAll(() => roots.forEach(removeTree));

function app(root: string, user = 'root'): ReturnType<typeof createApp> {
  return createApp(createContext(loadConfig({ root })), { identity: { kind: 'dev', user } });
}

function host(o: Partial<Parameters<typeof makeCpanelHost>[0]> = {}): string {
  const root = makeCpanelHost({
    generation: 'modern',
    popbeforesmtp: true,
    relayIps: ['203.0.113.10', '203.0.113.11', '192.0.2.99'],
    maillog: [
      loginLine(minutesAgo(5), 'bob@bob.example', '203.0.113.10'),
      loginLine(minutesAgo(4), 'carol@carol.example', '203.0.113.11'),
      failedLine(minutesAgo(3), 'alice@alice.example', '192.0.2.99'),
    ],
    extra: { files: { '/var/log/exim_mainlog': `${identification(minutesAgo(4), { ip: '203.0.113.10', cpuser: 'bob', sender: 'bob@bob.example' })}\n` } },
    ...o,
  });
  roots.push(root);
  return root;
}

// The relay IP with failed logins only: "it shows password guessing" once the relay report counts failed logins per host.
const ONE_UNEXPLAINED = /^No sign of a break-in\. 1 relay IP has no login behind it(: it shows password guessing)?\. The blacklists have not been checked yet\.$/;

test('root: one verdict sentence naming the IP with no login, a red relay card linking to it, every card with its severity word', async () => {
  const a = app(host());
  const d = (await request(a).get('/api/v1/dashboard').expect(200)).body;
  expect(d.verdict).toMatchObject({ state: 'red', word: 'Needs attention' });
  expect(d.verdict.text).toMatch(ONE_UNEXPLAINED);
  for (const c of d.cards) expect(c.word).toBe({ red: 'Needs attention', amber: 'Worth a look', green: 'Fine', grey: 'Not known' }[c.state as string]);
  const relay = d.cards.find((c: any) => c.id === 'relay-list');
  expect(relay).toMatchObject({ state: 'red', link: { kind: 'route', route: '/ip/192.0.2.99' } });
  const sw = d.cards.find((c: any) => c.id === 'pop-before-smtp');
  expect(sw).toMatchObject({ state: 'amber', link: { kind: 'route', route: '/status/confirm', query: { action: 'disable' } } });
  expect(sw.sentence).toMatch(/^On:/);
  const rel = d.cards.find((c: any) => c.id === 'reliance');
  expect(rel).toMatchObject({ state: 'amber' });
  expect(rel.sentence).toMatch(/^1 mailbox sent 1 message without a password/);
  expect(rel.evidence[0]).toMatch(/^bob@bob\.example: 1 message/);
  for (const c of d.cards) expect(['green', 'amber', 'red', 'grey']).toContain(c.state);
  const page = await request(a).get('/').expect(200);
  expect(page.text).toContain('1 relay IP has no login behind it');
  expect(page.text).toContain('<span class="rw-severity rw-red">Needs attention</span>');
  // the guided check opens with the same sentence
  const g = (await request(a).get('/api/v1/guide').expect(200)).body;
  expect(g.verdict).toEqual(d.verdict);
  expect(page.text).toContain('href="/ip/192.0.2.99"');
  expect(page.text).toContain('href="/status/confirm?action=disable"');
  expect(d.cards.map((c: any) => c.id)).toEqual(['relay-list', 'static-relay', 'pop-before-smtp', 'blacklist', 'autoresponders', 'reliance']);
  expect(d.cards.find((c: any) => c.id === 'blacklist')).toMatchObject({ state: 'grey', sentence: 'The server’s IPs have not been checked yet.', link: { route: '/blacklist' } });
  expect(d.cards.find((c: any) => c.id === 'autoresponders')).toMatchObject({ state: 'green', sentence: 'No autoresponder is set up.' });
});

test('a clear server says so calmly; with relaying off the switch card is green', async () => {
  const root = host({ popbeforesmtp: false, relayIps: ['203.0.113.10'] });
  const d = (await request(app(root)).get('/api/v1/dashboard').expect(200)).body;
  expect(d.verdict).toMatchObject({ state: 'green', word: 'Fine', text: 'No sign of a break-in. The one relay IP is explained by a POP3/IMAP login. The blacklists have not been checked yet.' });
  expect(d.cards.find((c: any) => c.id === 'pop-before-smtp')).toMatchObject({ state: 'green' });
  expect(d.cards.find((c: any) => c.id === 'relay-list')).toMatchObject({ state: 'green' });
});

test('the guide page links the disable confirmation and shows every step', async () => {
  const page = await request(app(host())).get('/guide').expect(200);
  expect(page.text).toContain('Turn POP-before-SMTP off safely');
  expect(page.text).toContain('href="/status/confirm?action=disable"');
  expect(page.text).toContain('Listed where and why');
});

test('the guided check: listed where, relay list, autoresponders, reliance, turn off, confirm; confirm waits while relaying is on', async () => {
  const g = (await request(app(host())).get('/api/v1/guide').expect(200)).body;
  expect(g.steps.map((s: any) => s.id)).toEqual(['blacklist', 'relay-list', 'static-relay', 'autoresponders', 'reliance', 'turn-off', 'confirm']);
  expect(g.steps.map((s: any) => s.state)).toEqual(['grey', 'red', 'green', 'green', 'amber', 'amber', 'grey']);
  const off = (await request(app(host({ popbeforesmtp: false }))).get('/api/v1/guide').expect(200)).body;
  expect(off.steps.find((s: any) => s.id === 'confirm').state).toBe('green');
});

test('a reseller sees their own verdict and no root-only card or host', async () => {
  const a = app(host(), 'resellera');
  const d = (await request(a).get('/api/v1/dashboard').expect(200)).body;
  expect(d.verdict).toMatchObject({ state: 'green', text: 'No sign of a break-in among your accounts. The one relay IP is explained by a POP3/IMAP login.' });
  expect(d.cards.map((c: any) => c.id)).toEqual(['accounts', 'autoresponders', 'reliance']);
  const text = JSON.stringify(d);
  expect(text).not.toMatch(/192\.0\.2\.99|203\.0\.113\.11|carol/);
  const page = await request(a).get('/').expect(200);
  expect(page.text).not.toMatch(/192\.0\.2\.99|203\.0\.113\.11|carol/);
  const g = (await request(a).get('/api/v1/guide').expect(200)).body;
  expect(g.steps.map((s: any) => s.id)).toEqual(['relay-list', 'autoresponders', 'reliance']);
  const carolsReseller = (await request(app(host(), 'resellerb')).get('/api/v1/dashboard').expect(200)).body;
  expect(carolsReseller.cards.find((c: any) => c.id === 'reliance')).toMatchObject({ state: 'green' });
});

test('the blacklist card shows the last cached check, listing by listing', async () => {
  const root = host();
  const { addToTree } = await import('../helpers/hostTree');
  const report = {
    checkedAt: new Date().toISOString(), verdict: 'listed', summary: '1 of 1 IP is listed on 1 list.', scope: 'server',
    ips: [{ ip: '203.0.113.5', results: [{ zone: 'ips.backscatterer.org', name: 'Backscatterer', status: 'listed' }, { zone: 'bl.spamcop.net', name: 'SpamCop', status: 'clean' }] }],
  };
  addToTree(root, { files: { '/var/lib/relaywatch/blacklist.json': JSON.stringify(report) } });
  const d = (await request(app(root)).get('/api/v1/dashboard').expect(200)).body;
  const card = d.cards.find((c: any) => c.id === 'blacklist');
  expect(card).toMatchObject({ state: 'red', word: 'Needs attention', sentence: '203.0.113.5 is on Backscatterer for backscatter (bounces or auto-replies to forged senders).' });
  expect(card.evidence[0]).toBe('203.0.113.5 on Backscatterer');
  expect(card.progress).toBeUndefined();
});

test('a long relay list: the overview shows the first 100 rows, unexplained first, and links to all', async () => {
  const ips = Array.from({ length: 150 }, (_, i) => `198.51.100.${i + 1}`);
  const root = host({
    relayIps: ['192.0.2.99', ...ips],
    maillog: ips.map((ip, i) => loginLine(minutesAgo(1 + (i % 20)), 'bob@bob.example', ip)),
  });
  const page = (await request(app(root)).get('/').expect(200)).text;
  const rows = (html: string): number => (html.match(/<tr data-status=/g) ?? []).length;
  expect(rows(page)).toBe(100);
  expect(page.indexOf('192.0.2.99')).toBeLessThan(page.indexOf('198.51.100.'));
  expect(page).toContain('Showing the first 100 of 151 relay IPs');
  expect(page).toContain('href="/?hosts=all#rw-relay-list"');
  const all = (await request(app(root)).get('/?hosts=all').expect(200)).text;
  expect(rows(all)).toBe(151);
  expect(all).not.toContain('Showing the first');
});

describe('the overview page is kept while its data is unchanged', () => {
  const nonceOf = (res: request.Response): string => /script-src 'self' 'nonce-([^']+)'/.exec(String(res.headers['content-security-policy']))![1];
  const SECRET = Buffer.alloc(32, 7);
  const socketApp = (root: string) => createApp(createContext(loadConfig({ root })), { identity: { kind: 'socket' }, secret: SECRET });
  const asWhm = (r: request.Test, user: string, token: string): request.Test =>
    r.set('x-relaywatch-whm-user', user).set('x-relaywatch-security-token', token).set('x-relaywatch-base', `${token}/cgi/relaywatch/index.cgi`);

  test('every answer carries its own nonce, in the header and on every script of the page', async () => {
    const a = app(host());
    const first = await request(a).get('/').expect(200);
    const second = await request(a).get('/').expect(200);
    expect(nonceOf(first)).not.toBe(nonceOf(second));
    for (const res of [first, second]) {
      const nonces = [...res.text.matchAll(/<script nonce="([^"]*)"/g)].map((m) => m[1]);
      expect(nonces.length).toBeGreaterThan(0);
      expect(new Set(nonces)).toEqual(new Set([nonceOf(res)]));
      expect(res.text).not.toMatch(/rw-nonce-/);
    }
    expect(second.text.split(nonceOf(second)).join('N')).toBe(first.text.split(nonceOf(first)).join('N'));
  });

  test('compressed for a client that accepts gzip, plain for one that does not: the same page', async () => {
    const a = app(host());
    const gz = await request(a).get('/').set('Accept-Encoding', 'gzip').buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.vary).toMatch(/Accept-Encoding/);
    const plain = await request(a).get('/').set('Accept-Encoding', 'identity').expect(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(Number(plain.headers['content-length'])).toBe(Buffer.byteLength(plain.text));
    // superagent has already gunzipped it (a broken stream would have failed the request)
    const text = (gz.body as Buffer).toString('utf8');
    expect(text.split(nonceOf(gz)).join('N')).toBe(plain.text.split(nonceOf(plain)).join('N'));
    expect(text).toContain('1 relay IP has no login behind it');
  });

  test('many asking at once while the page is rendered all get it, each with its own nonce', async () => {
    const a = app(host());
    const all = await Promise.all(Array.from({ length: 8 }, () => request(a).get('/').expect(200)));
    expect(new Set(all.map(nonceOf)).size).toBe(8);
    for (const res of all) {
      expect(res.text).toContain('1 relay IP has no login behind it');
      expect(res.text.split(nonceOf(res)).join('N')).toBe(all[0].text.split(nonceOf(all[0])).join('N'));
    }
  });

  test('a change on disk shows on the next request', async () => {
    const root = host();
    const a = app(root);
    expect((await request(a).get('/').expect(200)).text).toContain('1 relay IP has no login behind it');
    // /etc/relayhosts is a link to this file on a modern server (a link inside the host root)
    fs.appendFileSync(path.join(root, 'etc/recent_authed_mail_ips'), '198.51.100.7\n');
    const after = await request(a).get('/').expect(200);
    expect(after.text).toContain('2 relay IPs have no login behind them');
    expect(after.text).toContain('href="/ip/198.51.100.7"');
  });

  test('kept per WHM session and user: links carry each session, a reseller never gets root’s page', async () => {
    const a = socketApp(host());
    const s1 = await asWhm(request(a).get('/'), 'root', '/cpsess1111111111').expect(200);
    const s2 = await asWhm(request(a).get('/'), 'root', '/cpsess2222222222').expect(200);
    expect(s1.text).toContain('href="/cpsess1111111111/cgi/relaywatch/index.cgi?route=%2Fip%2F192.0.2.99"');
    expect(s2.text).toContain('href="/cpsess2222222222/cgi/relaywatch/index.cgi?route=%2Fip%2F192.0.2.99"');
    expect(s2.text).not.toContain('/cpsess1111111111');
    const reseller = await asWhm(request(a).get('/'), 'resellera', '/cpsess1111111111');
    expect(reseller.text).not.toContain('192.0.2.99');
  });
});

describe('the overview and the guided check are worked out once per viewer and version of their facts', () => {
  const SECRET = Buffer.alloc(32, 9);
  const socketApp = (root: string) => createApp(createContext(loadConfig({ root })), { identity: { kind: 'socket' }, secret: SECRET });
  const asWhm = (r: request.Test, user: string, token = '/cpsess3333333333'): request.Test =>
    r.set('x-relaywatch-whm-user', user).set('x-relaywatch-security-token', token).set('x-relaywatch-base', `${token}/cgi/relaywatch/index.cgi`);

  test('a reseller asking right after root, in the same daemon, gets their own overview and guide, and root gets root’s again', async () => {
    const a = socketApp(host());
    const rootFirst = (await asWhm(request(a).get('/api/v1/dashboard'), 'root').expect(200)).body;
    const rootGuide = (await asWhm(request(a).get('/api/v1/guide'), 'root').expect(200)).body;
    expect(JSON.stringify(rootFirst)).toContain('192.0.2.99');
    const reseller = (await asWhm(request(a).get('/api/v1/dashboard'), 'resellera').expect(200)).body;
    expect(reseller.viewer).toEqual({ user: 'resellera', isRoot: false });
    expect(reseller.cards.map((c: any) => c.id)).toEqual(['accounts', 'autoresponders', 'reliance']);
    expect(JSON.stringify(reseller)).not.toMatch(/192\.0\.2\.99|203\.0\.113\.11|carol/);
    const resellerGuide = (await asWhm(request(a).get('/api/v1/guide'), 'resellera').expect(200)).body;
    expect(resellerGuide.steps.map((s: any) => s.id)).toEqual(['relay-list', 'autoresponders', 'reliance']);
    expect(JSON.stringify(resellerGuide)).not.toMatch(/192\.0\.2\.99|203\.0\.113\.11|carol/);
    const resellerPage = await asWhm(request(a).get('/'), 'resellera').expect(200);
    expect(resellerPage.text).not.toMatch(/192\.0\.2\.99|203\.0\.113\.11|carol/);
    expect((await asWhm(request(a).get('/api/v1/dashboard'), 'root').expect(200)).body).toEqual(rootFirst);
    expect((await asWhm(request(a).get('/api/v1/guide'), 'root').expect(200)).body).toEqual(rootGuide);
  });

  test('an account moved to another reseller leaves the first reseller’s overview at once and shows in the other’s', async () => {
    const root = host();
    const a = socketApp(root);
    const before = (await asWhm(request(a).get('/api/v1/dashboard'), 'resellera').expect(200)).body;
    expect(before.relay.hosts.map((h: any) => h.ip)).toEqual(['203.0.113.10']);
    expect((await asWhm(request(a).get('/'), 'resellera').expect(200)).text).toContain('203.0.113.10');
    expect((await asWhm(request(a).get('/api/v1/dashboard'), 'resellerb').expect(200)).body.relay.hosts.map((h: any) => h.ip)).toEqual(['203.0.113.11']);
    const owners = path.join(root, 'etc/trueuserowners');
    fs.writeFileSync(owners, fs.readFileSync(owners, 'utf8').replace('bob: resellera', 'bob: resellerb'));
    const after = (await asWhm(request(a).get('/api/v1/dashboard'), 'resellera').expect(200)).body;
    expect(after.relay.hosts).toEqual([]);
    expect(after.cards.find((c: any) => c.id === 'accounts').sentence).toBe('1 account; 0 relay IPs tied to it right now.');
    expect((await asWhm(request(a).get('/'), 'resellera').expect(200)).text).not.toContain('203.0.113.10');
    const b = (await asWhm(request(a).get('/api/v1/dashboard'), 'resellerb').expect(200)).body;
    expect(b.relay.hosts.map((h: any) => h.ip).sort()).toEqual(['203.0.113.10', '203.0.113.11']);
  });

  test('the JSON route: the same answer compressed or not, a 304 for the entity tag the client has, a new tag after a change', async () => {
    const root = host();
    const a = app(root);
    const plain = await request(a).get('/api/v1/dashboard').set('Accept-Encoding', 'identity').expect(200);
    expect(plain.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.text).toBe(JSON.stringify(plain.body));
    const gz = await request(a).get('/api/v1/dashboard').set('Accept-Encoding', 'gzip').expect(200);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.vary).toMatch(/Accept-Encoding/);
    expect(gz.body).toEqual(plain.body);
    expect(gz.headers.etag).toBe(plain.headers.etag);
    await request(a).get('/api/v1/dashboard').set('If-None-Match', plain.headers.etag).expect(304);
    fs.appendFileSync(path.join(root, 'etc/recent_authed_mail_ips'), '198.51.100.7\n');
    const after = await request(a).get('/api/v1/dashboard').set('If-None-Match', plain.headers.etag).expect(200);
    expect(after.headers.etag).not.toBe(plain.headers.etag);
    expect(after.body.relay.hosts.map((h: any) => h.ip)).toContain('198.51.100.7');
    // a reseller's answer has its own tag: root's never answers a reseller's request
    const reseller = await request(app(root, 'resellera')).get('/api/v1/dashboard').set('If-None-Match', after.headers.etag).expect(200);
    expect(reseller.body.viewer).toEqual({ user: 'resellera', isRoot: false });
  });

  test('a new login shows at once in the verdict, the cards, the guide and the page', async () => {
    const root = host();
    const a = app(root);
    const before = (await request(a).get('/api/v1/dashboard').expect(200)).body;
    expect(before.verdict.text).toMatch(ONE_UNEXPLAINED);
    await request(a).get('/').expect(200);
    await request(a).get('/api/v1/guide').expect(200);
    fs.appendFileSync(path.join(root, 'var/log/maillog'), `${loginLine(minutesAgo(1), 'alice@alice.example', '192.0.2.99')}\n`);
    const after = (await request(a).get('/api/v1/dashboard').expect(200)).body;
    expect(after.verdict.text).not.toMatch(/no login behind/);
    expect(after.cards.find((c: any) => c.id === 'relay-list').state).not.toBe('red');
    const g = (await request(a).get('/api/v1/guide').expect(200)).body;
    expect(g.verdict).toEqual(after.verdict);
    expect(g.steps.find((s: any) => s.id === 'relay-list').state).not.toBe('red');
    const page = await request(a).get('/').expect(200);
    expect(page.text).not.toContain('has no login behind it');
    expect(page.text).toContain(after.verdict.text.replace(/'/g, '&#39;'));
  });

  test('an edit of the zones file changes what a listing means at once, on the JSON route and on the page', async () => {
    const root = host({ popbeforesmtp: false, relayIps: ['203.0.113.10'] });
    const { addToTree } = await import('../helpers/hostTree');
    const report = {
      checkedAt: new Date().toISOString(), verdict: 'listed', summary: '203.0.113.5 is listed on 1 list.', scope: 'server',
      ips: [{ ip: '203.0.113.5', results: [{ zone: 'ips.backscatterer.org', name: 'Backscatterer', status: 'listed' }] }],
    };
    addToTree(root, { files: { '/var/lib/relaywatch/blacklist.json': JSON.stringify(report) } });
    const a = app(root);
    const before = (await request(a).get('/api/v1/dashboard').expect(200)).body;
    expect(before.cards.find((c: any) => c.id === 'blacklist').state).toBe('red');
    expect((await request(a).get('/').expect(200)).text).toContain('203.0.113.5 is on Backscatterer for backscatter');
    // the admin says this list is about the provider's network
    addToTree(root, { files: { '/etc/relaywatch/zones.yaml': 'zones:\n  - zone: ips.backscatterer.org\n    providerNetwork: true\n' } });
    const after = (await request(a).get('/api/v1/dashboard').expect(200)).body;
    expect(after.cards.find((c: any) => c.id === 'blacklist')).toMatchObject({ state: 'green' });
    expect(after.verdict.text).toContain("Backscatterer lists your provider's network, not this server");
    const page = (await request(a).get('/').expect(200)).text;
    expect(page).not.toContain('203.0.113.5 is on Backscatterer for backscatter');
    expect(page).toContain('Backscatterer lists your provider&#39;s network, not this server');
  });
});

test('static relay entries: rejected relay-list lines, /etc/alwaysrelay and /etc/skipsmtpcheckhosts, each with its meaning, on the overview and in the guide', async () => {
  const root = host({
    alwaysrelay: '198.51.100.200: backupmx\n',
    extra: {
      files: {
        '/etc/skipsmtpcheckhosts': '# our own relay\n198.51.100.201\n',
        '/etc/recent_authed_mail_ips': '203.0.113.10\nnot-an-ip\n',
      },
    },
  });
  const a = app(root);
  const d = (await request(a).get('/api/v1/dashboard').expect(200)).body;
  const card = d.cards.find((c: any) => c.id === 'static-relay');
  expect(card.state).toBe('red');
  expect(card.sentence).toBe('1 host in /etc/skipsmtpcheckhosts, which Exim lets relay without any check; 1 entry in /etc/alwaysrelay, which may relay even with POP-before-SMTP off; 1 line in the relay list that is not an IP address.');
  expect(card.evidence).toEqual([
    expect.stringMatching(/^\/etc\/relayhosts:2 “not-an-ip”: not an IP address: cPanel's tracker writes only IP addresses there/),
    expect.stringMatching(/^\/etc\/alwaysrelay:1 “198\.51\.100\.200 backupmx”: may send mail through this server without a password at any time, even with POP-before-SMTP off \(entered for backupmx\)/),
    expect.stringMatching(/^\/etc\/skipsmtpcheckhosts:2 “198\.51\.100\.201”: Exim skips its relay checks for this host: a static open relay/),
  ]);
  const page = await request(a).get('/').expect(200);
  for (const t of ['Static relay entries', 'not-an-ip', '198.51.100.201', 'a static open relay', '198.51.100.200']) expect([t, page.text.includes(t)]).toEqual([t, true]);
  const g = (await request(a).get('/api/v1/guide').expect(200)).body;
  expect(g.steps.find((s: any) => s.id === 'static-relay')).toMatchObject({ state: 'red', evidence: card.evidence });
  const guidePage = await request(a).get('/guide').expect(200);
  for (const t of ['Relay entries no login put there', 'not-an-ip', '198.51.100.201', '198.51.100.200']) expect([t, guidePage.text.includes(t)]).toEqual([t, true]);
  // resellers get none of it
  const r = (await request(app(root, 'resellera')).get('/api/v1/dashboard').expect(200)).body;
  expect(JSON.stringify(r)).not.toMatch(/198\.51\.100\.20|not-an-ip|skipsmtpcheckhosts|\/etc\/alwaysrelay|backupmx/);
});

test('a reseller whose mailbox is tied to an unexplained IP gets that IP and a verdict that counts it', async () => {
  // 192.0.2.99: no successful login, but cPanel's map names bob's mailbox
  const root = host({ extra: { files: { '/etc/recent_authed_mail_ips_users': '192.0.2.99: bob@bob.example\n' } } });
  const a = app(root, 'resellera');
  const d = (await request(a).get('/api/v1/dashboard').expect(200)).body;
  expect(d.relay.hosts.map((h: any) => [h.ip, h.status, h.tiedBy])).toEqual([['192.0.2.99', 'unexplained', ['map']], ['203.0.113.10', 'explained', ['login']]]);
  expect(d.relay.verdict).toBe('unexplained');
  // the overall verdict counts it too: red, like the accounts card and the relay step
  expect(d.verdict.state).toBe('red');
  expect(d.verdict.text).toMatch(/^No sign of a break-in among your accounts\. 1 relay IP has no login behind it/);
  expect(d.cards.find((c: any) => c.id === 'accounts').state).toBe('red');
  // alice's failed login there is not reseller A's to see
  expect(JSON.stringify(d)).not.toMatch(/alice|carol|203\.0\.113\.11/);
  const g = (await request(a).get('/api/v1/guide').expect(200)).body;
  expect(g.steps.find((s: any) => s.id === 'relay-list').state).toBe('red');
});

test('listings of the provider’s network alone: the blacklist card is not red and the verdict says whose network it is', async () => {
  const root = host({ popbeforesmtp: false, relayIps: ['203.0.113.10'] });
  const { addToTree } = await import('../helpers/hostTree');
  const report = {
    checkedAt: new Date().toISOString(), verdict: 'listed', summary: '203.0.113.5 is listed on UCEPROTECT Level 3.', scope: 'server',
    ips: [{ ip: '203.0.113.5', results: [{ zone: 'dnsbl-3.uceprotect.net', name: 'UCEPROTECT Level 3', status: 'listed' }] }],
  };
  addToTree(root, { files: { '/var/lib/relaywatch/blacklist.json': JSON.stringify(report) } });
  const d = (await request(app(root)).get('/api/v1/dashboard').expect(200)).body;
  expect(d.cards.find((c: any) => c.id === 'blacklist')).toMatchObject({ state: 'green', word: 'Fine' });
  expect(d.verdict).toMatchObject({ state: 'green', text: "No sign of a break-in. The one relay IP is explained by a POP3/IMAP login. Not listed on its own: UCEPROTECT Level 3 lists your provider's network, not this server." });
});

test('every face says the same sentence: `relaywatch overview` (text and --json), the JSON route, the overview and the guided check', async () => {
  const { runCliCaptured } = await import('../helpers/hostTree');
  const root = host();
  const a = app(root);
  const d = (await request(a).get('/api/v1/dashboard').expect(200)).body;
  const text = await runCliCaptured(['overview', '--root', root]);
  expect(text.code).toBe(2); // needs attention, like the red verdict
  expect(text.stdout.split('\n')[0]).toBe(`Needs attention: ${d.verdict.text}`);
  expect(text.stdout).toContain(`  Relay list: Needs attention – ${d.cards[0].sentence}`);
  const json = await runCliCaptured(['overview', '--root', root, '--json']);
  expect(JSON.parse(json.stdout).verdict).toEqual(d.verdict);
  const escaped = d.verdict.text.replace(/'/g, '&#39;');
  expect((await request(a).get('/').expect(200)).text).toContain(escaped);
  expect((await request(a).get('/guide').expect(200)).text).toContain(escaped);
  const calm = await runCliCaptured(['overview', '--root', host({ popbeforesmtp: false, relayIps: ['203.0.113.10'] })]);
  expect(calm.code).toBe(0);
  expect(calm.stdout).toMatch(/^Fine: No sign of a break-in\. The one relay IP is explained by a POP3\/IMAP login\./);
});
