/**
 * The WHM CGI bridge end to end: the real CGI program (plugin/cgi/index.cgi) with a CGI environment as
 * cpsrvd sets it, talking to a running daemon on a temporary Unix socket.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { csrfToken } from '../../src/http/csrf';
import { ASSETS_DIR } from '../../src/app';
import { assetSet } from '../../src/http/assets';
import { ACCOUNTS, loginLine, makeCpanelHost } from '../helpers/cpanelHost';
import { runCgi, SocketDaemon, startSocketDaemon, TOKEN } from '../helpers/cgi';
import { addToTree, removeTree } from '../helpers/hostTree';

const now = new Date();
const minutesAgo = (m: number): Date => new Date(now.getTime() - m * 60_000);
let root: string;
let daemon: SocketDaemon;
const cleanup: string[] = [];

beforeAll(async () => {
  root = makeCpanelHost({
    generation: 'modern',
    relayIps: ['203.0.113.10', '203.0.113.11', '203.0.113.12'],
    maillog: [
      loginLine(minutesAgo(5), 'bob@bob.example', '203.0.113.10'),
      loginLine(minutesAgo(4), 'carol@carol.example', '203.0.113.11'),
      loginLine(minutesAgo(3), 'alice@alice.example', '203.0.113.12'),
    ],
    // resellerd is how a reseller looked before relaywatch had its own privilege
    extra: { files: { '/var/cpanel/resellers': `${ACCOUNTS.resellers}resellerc:create-acct\nresellerd:list-accts,create-acct\n` } },
  });
  daemon = await startSocketDaemon(root);
});
afterAll(async () => {
  await daemon.close();
  removeTree(root);
  cleanup.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

const base = `${TOKEN}/cgi/relaywatch/index.cgi`;

test('root gets the page, with links that keep the cpsess prefix and the daemon\'s CSP', async () => {
  const r = await runCgi({ user: 'root', route: '/', socket: daemon.socket });
  expect(r.exitCode).toBe(0);
  expect(r.raw).toMatch(/^Status: 200 OK\r\n/);
  expect(r.headers['content-type']).toMatch(/^text\/html/);
  expect(r.headers['content-security-policy']).toMatch(/script-src 'self' 'nonce-/);
  expect(r.headers['cache-control']).toBe('no-store');
  expect(r.body).toContain('Signed in as <strong>root</strong>');
  // static files come from the plugin's docroot folder (cpsrvd), under content-hashed names
  expect(r.body).toContain(`href="${TOKEN}/cgi/relaywatch/assets/${assetSet(ASSETS_DIR).hashed.get('relaywatch.css')}"`);
  expect(r.body).not.toContain('route=%2Fassets');
  expect(r.body).not.toMatch(/href="\/(?!cpsess)/); // no link leaves the CGI
  for (const ip of ['203.0.113.10', '203.0.113.11', '203.0.113.12']) expect(r.body).toContain(ip);
});

test('a reseller gets a page scoped to their own accounts', async () => {
  const r = await runCgi({ user: 'resellera', route: '/api/v1/relay-hosts', socket: daemon.socket });
  expect(r.status).toBe(200);
  expect(r.headers['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(r.body);
  expect(body.hosts.map((h: { ip: string }) => h.ip)).toEqual(['203.0.113.10']);
  expect(r.body).not.toMatch(/carol|alice|203\.0\.113\.11|203\.0\.113\.12/);
  const page = await runCgi({ user: 'resellera', route: '/', socket: daemon.socket });
  expect(page.status).toBe(200);
  expect(page.body).toContain('(reseller)');
  expect(page.body).not.toMatch(/carol|alice|203\.0\.113\.11|203\.0\.113\.12/);
});

test('an unknown WHM user, and resellers without relaywatch\'s privilege (list-accts alone included), are refused with 403', async () => {
  const stranger = await runCgi({ user: 'mallory', route: '/', socket: daemon.socket });
  expect(stranger.status).toBe(403);
  expect(stranger.body).toContain('neither root nor a reseller');
  expect(stranger.body).not.toContain('203.0.113.');
  for (const user of ['resellerc', 'resellerd']) {
    const weak = await runCgi({ user, route: '/api/v1/relay-hosts', socket: daemon.socket });
    expect([user, weak.status]).toEqual([user, 403]);
    // names the privilege and where root grants it
    expect(JSON.parse(weak.body).error.message).toBe(
      `WHM user "${user}" lacks the "software-relaywatch" privilege that relaywatch needs; root grants it in WHM » Resellers » Edit Reseller Nameservers and Privileges, under "Third-Party Services".`,
    );
    const page = await runCgi({ user, route: '/', socket: daemon.socket });
    expect(page.status).toBe(403);
    expect(page.body).toContain('software-relaywatch');
    expect(page.body).toContain('Edit Reseller Nameservers and Privileges');
    expect(page.body).not.toContain('203.0.113.');
  }
});

test('without REMOTE_USER or the security token the CGI refuses to run and never calls the daemon', async () => {
  const gone = path.join(daemon.dir, 'nothing-here.sock');
  const noUser = await runCgi({ user: null, route: '/', socket: gone });
  expect(noUser.status).toBe(403);
  expect(noUser.exitCode).toBe(1);
  expect(noUser.body).toMatch(/no WHM user \(REMOTE_USER\)/);
  const noToken = await runCgi({ user: 'root', token: null, route: '/', socket: gone });
  expect(noToken.status).toBe(403);
  expect(noToken.body).toMatch(/security token/);
  const badToken = await runCgi({ user: 'root', token: '/cpsess12x', route: '/', socket: gone });
  expect(badToken.status).toBe(403);
});

test('POST needs the form token of this WHM user and session', async () => {
  const without = await runCgi({ user: 'root', method: 'POST', route: '/', body: 'x=1', socket: daemon.socket });
  expect(without.status).toBe(403);
  expect(without.body).toMatch(/form token/);
  // the refusal is audited with the browser's address as cpsrvd saw it
  const audit = fs.readFileSync(path.join(root, 'var/log/relaywatch/audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  expect(audit[audit.length - 1]).toMatchObject({ user: 'root', action: 'http.refused', target: 'POST /', details: { from: '198.51.100.250' } });

  const good = csrfToken(daemon.secret, 'root', TOKEN);
  const withToken = await runCgi({ user: 'root', method: 'POST', route: '/', body: `csrf=${encodeURIComponent(good)}`, socket: daemon.socket });
  expect(withToken.status).not.toBe(403); // past the gate; no POST handler on "/" gives 404
  expect(withToken.status).toBe(404);

  const otherSession = await runCgi({
    user: 'root', method: 'POST', route: '/', body: `csrf=${encodeURIComponent(good)}`, token: '/cpsess9999999999', socket: daemon.socket,
  });
  expect(otherSession.status).toBe(403);
  const otherUser = await runCgi({ user: 'boss', method: 'POST', route: '/', body: `csrf=${encodeURIComponent(good)}`, socket: daemon.socket });
  expect(otherUser.status).toBe(403);
  const header = await runCgi({ user: 'root', method: 'POST', route: '/', body: '{}', contentType: 'application/json', env: { HTTP_X_CSRF_TOKEN: good }, socket: daemon.socket });
  expect(header.status).toBe(404);
});

test('routes come from ?route= or PATH_INFO; assets pass through the same way', async () => {
  const viaPathInfo = await runCgi({ user: 'root', socket: daemon.socket, env: { PATH_INFO: '/api/v1/relay-hosts' } });
  expect(viaPathInfo.status).toBe(200);
  expect(JSON.parse(viaPathInfo.body).hosts).toHaveLength(3);
  const css = await runCgi({ user: 'root', route: '/assets/relaywatch.css', socket: daemon.socket });
  expect(css.status).toBe(200);
  expect(css.headers['content-type']).toMatch(/^text\/css/);
  expect(css.body).toContain('.rw-verdict');
  const ip = await runCgi({ user: 'root', route: '/api/v1/ip/203.0.113.10', socket: daemon.socket });
  expect(ip.status).toBe(200);
  expect(JSON.parse(ip.body).ip).toBe('203.0.113.10');
  const head = await runCgi({ user: 'root', method: 'HEAD', route: '/assets/relaywatch.css', socket: daemon.socket });
  expect(head.status).toBe(200);
  expect(head.headers['content-type']).toMatch(/^text\/css/);
  expect(head.body).toBe('');
  const missing = await runCgi({ user: 'root', route: '/no/such/page', socket: daemon.socket });
  expect(missing.status).toBe(404);
  expect(missing.body).toContain('No such page.');
});

test('the CGI forwards method, route, query, body and the WHM identity, and relays only safe headers', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-echo-'));
  cleanup.push(dir);
  const sock = path.join(dir, 'http.sock');
  const seen: { method?: string; url?: string; headers?: http.IncomingHttpHeaders; body?: string } = {};
  const echo = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      Object.assign(seen, { method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(302, {
        Location: `${base}?route=%2Fdone`,
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': 'attachment; filename="relay.csv"',
        'Set-Cookie': 'leak=1',
        'X-Internal': 'secret',
      });
      res.end('a,b\n');
    });
  });
  await new Promise<void>((resolve) => echo.listen(sock, resolve));
  try {
    const r = await runCgi({
      user: 'resellera',
      method: 'POST',
      route: '/mailbox/bob%example.com',
      query: 'days=7&q=a%20b&route=%2Fignored',
      body: 'csrf=t&x=%C3%A9',
      socket: sock,
      env: { HTTP_X_CSRF_TOKEN: 'tok', HTTP_COOKIE: 'whostmgrsession=secret' },
    });
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/mailbox/bob%25example.com?days=7&q=a%20b');
    expect(seen.body).toBe('csrf=t&x=%C3%A9');
    expect(seen.headers).toMatchObject({
      'x-relaywatch-whm-user': 'resellera',
      'x-relaywatch-security-token': TOKEN,
      'x-relaywatch-base': base,
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': '15',
      'x-csrf-token': 'tok',
      'x-relaywatch-remote-addr': '198.51.100.250',
    });
    expect(seen.headers!.cookie).toBeUndefined(); // WHM's session cookie stays with cpsrvd
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe(`${base}?route=%2Fdone`);
    expect(r.headers['content-disposition']).toBe('attachment; filename="relay.csv"');
    expect(r.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(r.headers['set-cookie']).toBeUndefined();
    expect(r.headers['x-internal']).toBeUndefined();
    expect(r.body).toBe('a,b\n');

    const big = await runCgi({ user: 'root', method: 'POST', route: '/', body: 'x'.repeat(1024 * 1024 + 1), socket: sock });
    expect(big.status).toBe(413);
  } finally {
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  }
});

test('a route that is not a plain path is refused by the CGI', async () => {
  for (const route of ['//evil.example/x', 'http://evil.example/', 'relative', '/a\\b', '/assets/../app.js', '/./x']) {
    const r = await runCgi({ user: 'root', route, socket: daemon.socket });
    expect(r.status).toBe(400);
  }
});

describe('daemon not answering', () => {
  test('no socket: a 503 page that says how to start it, JSON for the API, never a 500', async () => {
    const gone = path.join(daemon.dir, 'nothing-here.sock');
    const page = await runCgi({ user: 'root', route: '/', socket: gone });
    expect(page.exitCode).toBe(0);
    expect(page.status).toBe(503);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('relaywatch is not running');
    expect(page.body).toContain('systemctl start relaywatch');
    expect(page.body).toContain('Service Manager');
    expect(page.body).toContain(`href="${base}"`);
    const nonce = /'nonce-([^']+)'/.exec(page.headers['content-security-policy'])![1];
    expect(page.body).toContain(`<style nonce="${nonce}">`);

    const reseller = await runCgi({ user: 'resellera', route: '/', socket: gone });
    expect(reseller.status).toBe(503);
    expect(reseller.body).toMatch(/ask the server's administrator/);
    expect(reseller.body).not.toContain('systemctl');

    const api = await runCgi({ user: 'root', route: '/api/v1/relay-hosts', socket: gone });
    expect(api.status).toBe(503);
    expect(JSON.parse(api.body).error.code).toBe('daemon_unavailable');
  });

  test('a stale socket (connection refused) gives the same page', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-stale-'));
    cleanup.push(dir);
    const stale = path.join(dir, 'http.sock');
    // A daemon killed with SIGKILL leaves its socket file behind.
    const child = spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    expect(child.signal).toBe('SIGKILL');
    expect(fs.lstatSync(stale).isSocket()).toBe(true);
    const r = await runCgi({ user: 'root', route: '/', socket: stale });
    expect(r.status).toBe(503);
    expect(r.body).toContain('relaywatch is not running');
  });

  test('a daemon that hangs gives a 503 after the timeout', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-hang-'));
    cleanup.push(dir);
    const sock = path.join(dir, 'http.sock');
    const sockets: net.Socket[] = [];
    const s = net.createServer((c) => sockets.push(c));
    await new Promise<void>((resolve) => s.listen(sock, resolve));
    try {
      const r = await runCgi({ user: 'root', route: '/', socket: sock, env: { RELAYWATCH_CGI_TIMEOUT_MS: '300' } });
      expect(r.status).toBe(503);
      expect(r.body).toMatch(/did not answer within/);
    } finally {
      sockets.forEach((c) => c.destroy());
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });

  test('the page wears WHM\'s cached chrome when the cache has the user', async () => {
    const chromeRoot = makeCpanelHostChrome();
    const r = await runCgi({ user: 'resellera', route: '/', socket: path.join(daemon.dir, 'none.sock'), env: { RELAYWATCH_HOST_ROOT: chromeRoot } });
    expect(r.status).toBe(503);
    expect(r.body.startsWith('<!DOCTYPE html><html><head><title>WHM relaywatch: relaywatch is not running</title>')).toBe(true);
    expect(r.body).toContain(`<a href="${TOKEN}/scripts/command">`);
    expect(r.body).toContain('<span class="user">resellera</span>');
    const nonce = /'nonce-([^']+)'/.exec(r.headers['content-security-policy'])![1];
    expect(r.body).toContain(`<script nonce="${nonce}" src="${TOKEN}/whm.js">`);
    expect(r.body).toContain('<footer>WHM footer</footer>');
    expect(r.body).not.toMatch(/cpsess0000000000|cpuser00000000000|00000000000/);
  });
});

function makeCpanelHostChrome(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-chrome-'));
  cleanup.push(dir);
  addToTree(dir, {
    files: {
      '/var/cpanel/caches/_generated_header_files/cache_keys.json': JSON.stringify({ root: 'aaa111', resellera: 'bbb222' }),
      '/var/cpanel/caches/_generated_header_files/bbb222_0_0.html':
        '<!DOCTYPE html><html><head><title>WHM Results of Your Request</title><script nonce="00000000000" src="/cpsess0000000000/whm.js"></script></head><body><a href="/cpsess0000000000/scripts/command">Home</a><span class="user">cpuser00000000000</span>',
      '/var/cpanel/caches/_generated_footer_files/footer.html': '<footer>WHM footer</footer></body></html>',
    },
  });
  return dir;
}
