/**
 * WHM's look: pages wrapped in the cached WHM header and footer of the requesting user, with the
 * placeholders filled (token, user, title, nonce), the plugin's CSS in the body, and the plugin's own
 * layout whenever the cache cannot be used.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { ASSETS_DIR, createApp } from '../../src/app';
import { assetSet } from '../../src/http/assets';
import { loadConfig } from '../../src/config/config';
import { DemoTree } from '../../src/demo/demoTree';
import { writeWhmChrome } from '../../src/demo/whmChrome';
import { buildWorld } from '../../src/demo/world';
import { Host } from '../../src/host/host';
import { fillChrome, loadWhmChrome, WHM_CHROME_PATHS } from '../../src/http/whmChrome';
import { nonceInlineChrome } from '../../src/http/chromeNonce';
import { createContext } from '../../src/services/context';
import { CGI_SCRIPT, runCgi, startSocketDaemon, TOKEN } from '../helpers/cgi';
import { makeCpanelHost } from '../helpers/cpanelHost';
import { makeHostTree, removeTree } from '../helpers/hostTree';

const roots: string[] = [];
afterAll(() => roots.forEach(removeTree));

const DIR = WHM_CHROME_PATHS.headerDir;
const HEADER = (who: string): string =>
  `<!DOCTYPE html><html><head><title>WHM - Results of Your Request</title><style nonce="00000000000">.x{}</style></head>` +
  `<body class="whm-${who}"><a id="home" href="/cpsess0000000000/">Home</a><span id="u">cpuser00000000000</span><h1>Results of Your Request</h1>\n`;
const FOOTER = '<footer id="whm-footer">WHM</footer></body></html>\n';

function chromeHost(extra: Record<string, string> = {}): string {
  const root = makeCpanelHost({
    generation: 'modern',
    extra: {
      files: {
        [WHM_CHROME_PATHS.keys]: JSON.stringify({ root: 'k0root', resellera: 'k1resa', resellerb: '../../../etc/trueuserowners' }),
        [`${DIR}/k0root_0_0.html`]: HEADER('root'),
        [`${DIR}/k1resa_1_0.html`]: HEADER('resellera'),
        [WHM_CHROME_PATHS.footer]: FOOTER,
        ...extra,
      },
    },
  });
  roots.push(root);
  return root;
}

function app(root: string, user: string) {
  return createApp(createContext(loadConfig({ root })), { identity: { kind: 'dev', user } });
}

function nonceOf(csp: string): string {
  return /'nonce-([^']+)'/.exec(csp)![1];
}

test('a page is wrapped in the user\'s WHM header and footer, placeholders filled, CSS in the body', async () => {
  const res = await request(app(chromeHost(), 'root')).get('/').expect(200);
  const html = res.text;
  const nonce = nonceOf(res.headers['content-security-policy']);
  expect(html.startsWith('<!DOCTYPE html><html><head><title>WHM - relaywatch: Overview</title>')).toBe(true);
  expect(html).toContain(`<style nonce="${nonce}">`);
  expect(html).toContain('<body class="whm-root">');
  expect(html).toContain('<span id="u">root</span>');
  expect(html).toContain('<h1>relaywatch: Overview</h1>');
  expect(html).toContain('<a id="home" href="/">'); // outside WHM there is no session prefix
  // the plugin's own <html>/<head> are not repeated; its stylesheet and script come after WHM's <body>
  expect(html.match(/<html/g)).toHaveLength(1);
  expect(html.match(/<\/body>/g)).toHaveLength(1);
  expect(html).not.toContain('rw-standalone');
  expect(html.indexOf(assetSet(ASSETS_DIR).hashed.get('relaywatch.css')!)).toBeGreaterThan(html.indexOf('<body'));
  expect(html).toContain(`<script nonce="${nonce}" src="/assets/${assetSet(ASSETS_DIR).hashed.get('relaywatch.js')}">`);
  expect(html.trimEnd().endsWith(FOOTER.trimEnd())).toBe(true);
  expect(html).not.toMatch(/cpsess0000000000|cpuser00000000000|00000000000|Results of Your Request/);
  // WHM's markup uses style attributes; only those are allowed in addition
  expect(res.headers['content-security-policy']).toMatch(/style-src-attr 'unsafe-inline'/);
  expect(res.headers['content-security-policy']).toMatch(/script-src 'self' 'nonce-/);
});

test('each user gets their own cached header; the page title is escaped', async () => {
  const root = chromeHost();
  const a = await request(app(root, 'resellera')).get('/ip/203.0.113.9').expect(200);
  expect(a.text).toContain('<body class="whm-resellera">'); // from the skipsupport=1 file, the only one cached
  expect(a.text).toContain('<span id="u">resellera</span>');
  expect(a.text).toContain('<title>WHM - relaywatch: IP 203.0.113.9</title>');
  const fill = fillChrome('<title>Results of Your Request</title> cpuser00000000000', { token: '', user: 'a<b', title: '$& <script>', nonce: 'n' });
  expect(fill).toBe('<title>$&amp; &lt;script&gt;</title> a&lt;b');
});

test('inside WHM the links of the header keep the session token', async () => {
  const root = chromeHost();
  const daemon = await startSocketDaemon(root);
  try {
    const r = await runCgi({ user: 'root', route: '/guide', socket: daemon.socket });
    expect(r.status).toBe(200);
    expect(r.body).toContain(`<a id="home" href="${TOKEN}/">`);
    expect(r.body).toContain('<title>WHM - relaywatch: Guided check</title>');
    expect(r.body).toContain(`href="${TOKEN}/cgi/relaywatch/assets/${assetSet(ASSETS_DIR).hashed.get('relaywatch.css')}"`);
    expect(r.body).toContain(`<style nonce="${nonceOf(r.headers['content-security-policy'])}">`);
  } finally {
    await daemon.close();
  }
});

test('falls back to the plugin\'s layout: no key for the user, a key that is not a file name, no cache at all', async () => {
  const root = chromeHost();
  for (const user of ['boss', 'resellerb']) {
    const res = await request(app(root, user)).get('/').expect(200);
    expect(res.text).toMatch(/^<!DOCTYPE html>\s*<html lang="en">/);
    expect(res.text).toContain('<body class="rw-standalone">');
    expect(res.text).not.toContain('whm-');
    expect(res.text).not.toContain('resellerb: root'); // the traversal key read nothing
    expect(res.headers['content-security-policy']).not.toMatch(/style-src-attr/);
  }
  fs.rmSync(path.join(root, WHM_CHROME_PATHS.keys));
  const none = await request(app(root, 'root')).get('/').expect(200);
  expect(none.text).toContain('<body class="rw-standalone">');
});

test('loadWhmChrome refuses broken caches instead of guessing', async () => {
  const cases: Array<[string, Record<string, string>]> = [
    ['bad JSON', { [WHM_CHROME_PATHS.keys]: '{root:' }],
    ['a list', { [WHM_CHROME_PATHS.keys]: '["root"]' }],
    ['no header file', { [WHM_CHROME_PATHS.keys]: '{"root":"nokey"}' }],
    ['a header without <body>', { [WHM_CHROME_PATHS.keys]: '{"root":"k"}', [`${DIR}/k_0_0.html`]: '<div>partial' }],
    ['inherited key', { [WHM_CHROME_PATHS.keys]: '{"root":"k"}', [`${DIR}/k_0_0.html`]: HEADER('x') }],
  ];
  for (const [what, files] of cases) {
    const root = makeHostTree({ files });
    roots.push(root);
    const user = what === 'inherited key' ? 'constructor' : 'root';
    expect([what, await loadWhmChrome(new Host(root), user)]).toEqual([what, null]);
  }
  const ok = makeHostTree({ files: { [WHM_CHROME_PATHS.keys]: '{"root":"k"}', [`${DIR}/k_0_0.html`]: HEADER('x') } });
  roots.push(ok);
  const src = await loadWhmChrome(new Host(ok), 'root');
  expect(src).toMatchObject({ headerFile: `${DIR}/k_0_0.html`, footer: null });
  const res = await request(app(ok, 'root')).get('/').expect(200);
  expect(res.text.trimEnd().endsWith('</html>')).toBe(true); // the plugin closes the page when WHM's footer is missing
});

test('JSON answers are not wrapped', async () => {
  const res = await request(app(chromeHost(), 'root')).get('/api/v1/relay-hosts').expect(200);
  expect(res.headers['content-type']).toMatch(/json/);
  expect(res.headers['content-security-policy']).not.toMatch(/style-src-attr/);
});

test('the demo host\'s chrome cache works for root and its reseller, and has every placeholder', async () => {
  const root = makeHostTree();
  roots.push(root);
  const world = buildWorld({ seed: 7, now: new Date('2025-03-01T12:00:00Z'), generation: 'modern' });
  const users = await writeWhmChrome(new DemoTree(root), world);
  expect(users).toHaveLength(2);
  expect(users[0]).toBe('root');
  const keys = JSON.parse(fs.readFileSync(path.join(root, WHM_CHROME_PATHS.keys), 'utf8'));
  expect(Object.keys(keys)).toEqual(users);
  expect(fs.statSync(path.join(root, WHM_CHROME_PATHS.keys)).mode & 0o777).toBe(0o600);
  for (const user of users) {
    const src = await loadWhmChrome(new Host(root), user);
    expect(src).not.toBeNull();
    for (const placeholder of ['/cpsess0000000000', 'cpuser00000000000', 'Results of Your Request', 'nonce="00000000000"']) {
      expect([user, placeholder, src!.header.includes(placeholder)]).toEqual([user, placeholder, true]);
    }
    expect(src!.footer).toContain('</html>');
  }
  // the reseller's menu has no root-only tools
  expect((await loadWhmChrome(new Host(root), users[1]))!.header).not.toContain('Tweak Settings');
});

describe('WHM\'s real header: un-nonced inline blocks', () => {
  const REAL = '<!DOCTYPE html><html><head><style type="text/css">html{font-size:16px}</style>' +
    '<script nonce="00000000000">window.PAGE={};</script><script src="/cjt/cjt-min.js"></script>' +
    '<!-- <script>commented()</script> --></head><body><cp-header></cp-header>' +
    '<script>var reset="/cpsess0000000000/json-api/reset";</script><div style="display:none;visibility:hidden"></div>\n';

  test('its inline <style> and <script> blocks run under the page\'s nonce; external scripts and comments are left alone', async () => {
    const root = chromeHost({ [`${DIR}/k0root_0_0.html`]: REAL });
    const res = await request(app(root, 'root')).get('/guide').expect(200);
    const nonce = nonceOf(res.headers['content-security-policy']);
    expect(res.text).toContain(`<style nonce="${nonce}" type="text/css">html{font-size:16px}</style>`);
    expect(res.text).toContain(`<script nonce="${nonce}">window.PAGE={};</script>`);
    expect(res.text).toContain('<script src="/cjt/cjt-min.js"></script>');
    expect(res.text).toContain('<!-- <script>commented()</script> -->');
    expect(res.text).toContain(`<script nonce="${nonce}">var reset="/json-api/reset";</script>`);
    // nothing inline goes without the nonce
    expect(res.text.replace(/<!--[\s\S]*?-->/g, '').match(/<(script|style)(?![^>]*\b(nonce|src)=)[^>]*>/g)).toBeNull();
  });

  test('a filled value never gets a nonce: only the blocks of the cached file do', () => {
    const filled = fillChrome(nonceInlineChrome('<title>Results of Your Request</title><script>ok()</script>'), { token: '', user: 'u', title: '<script>evil()</script>', nonce: 'N' });
    expect(filled).toBe('<title>&lt;script&gt;evil()&lt;/script&gt;</title><script nonce="N">ok()</script>');
  });

  test('the CGI\'s copy of the rule (in Perl) gives the same markup', () => {
    const samples = [REAL, '<STYLE>a{}</STYLE><script type="module">x</script><scripts>y</scripts>', '<script>unclosed', '<style media="x" nonce="00000000000">b{}</style>', '<!-- open comment <script>z</script>'];
    const perl = spawnSync('perl', ['-e', 'require $ARGV[0]; local $/; my @in = split /\\x00/, <STDIN>; print join("\\x00", map { nonce_inline_chrome($_) } @in);', CGI_SCRIPT], { input: samples.join('\0'), encoding: 'utf8' });
    expect(perl.stderr).toBe('');
    expect(perl.stdout.split('\0')).toEqual(samples.map(nonceInlineChrome));
  });
});
