/**
 * Route by route and command by command: a reseller sees only their own data.
 *
 * The host holds accounts of reseller A (resellera: bob, resellera), of reseller B (resellerb: carol),
 * of root (alice), and server-wide data only root may see (unexplained and static relay entries, the
 * audit log, other resellers). Every GET route registered on the app is requested as reseller A, and
 * every CLI command is run with --as resellera; no marker of B's or root's data may appear, and
 * root-only routes must answer 403.
 *
 * When you add a route with parameters (":ip", "*path", a RegExp…), give it sample URLs in SAMPLES;
 * when you add a command, give it sample arguments in CLI_SAMPLES (or a reason to skip it); when a
 * route refuses resellers, list it in ROOT_ONLY. The test fails until you do.
 */
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app';
import { COMMANDS } from '../../src/cli/commands';
import { loadConfig } from '../../src/config/config';
import { NAV_ITEMS } from '../../src/routes/nav';
import { createContext } from '../../src/services/context';
import { AppRoute, appRoutes } from '../helpers/appRoutes';
import { addToTree, removeTree, runCliCaptured } from '../helpers/hostTree';
import { makeScopedHost } from '../helpers/scopedHost';
import { readCalls } from '../helpers/standins';

jest.setTimeout(120_000);

const now = new Date();
const minutesAgo = (m: number): Date => new Date(now.getTime() - m * 60_000);

/** Text that belongs to reseller B's accounts or to root only; none of it may reach reseller A. */
const MARKERS = [
  // reseller B: the reseller, its account, domain, mailboxes, IPs (both IPv6 spellings), recipients
  'resellerb', 'carol', '198.51.100.7', '2001:db8::b0', '2001:0db8:0000:0000:0000:0000:0000:00b0', '198.51.100.77', 'dad@elsewhere',
  // root's account alice and its traffic
  'alice', '192.0.2.150', '192.0.2.50', 'victim@innocent', 'client.example', '192.0.2.66', '192.0.2.77',
  // server-wide: an unexplained relay IP and the user that failed there, static relay entries, another reseller, the audit log
  '192.0.2.99', 'admin-guess', '198.51.100.200', 'backupmx', '198.51.100.201', 'boss', 'audit-marker',
];

/** Sample URLs for routes with parameters (required) or with interesting queries (optional). */
const SAMPLES: Record<string, string[]> = {
  '/api/v1/ip/:ip': ['/api/v1/ip/203.0.113.10', '/api/v1/ip/198.51.100.7', '/api/v1/ip/2001:db8::b0', '/api/v1/ip/192.0.2.99', '/api/v1/ip/192.0.2.150', '/api/v1/ip/198.51.100.200'],
  '/ip/:ip': ['/ip/203.0.113.10', '/ip/198.51.100.7', '/ip/2001:db8::b0', '/ip/192.0.2.99', '/ip/192.0.2.150', '/ip/198.51.100.200'],
  '/api/v1/accounts/:name': ['/api/v1/accounts/bob', '/api/v1/accounts/carol', '/api/v1/accounts/alice', '/api/v1/accounts/resellerb'],
  '/account/:name': ['/account/bob', '/account/carol', '/account/alice', '/account/resellerb'],
  '/api/v1/search': ['/api/v1/search?q=bob', '/api/v1/search?q=carol', '/api/v1/search?q=198.51.100', '/api/v1/search?q=alice.example', '/api/v1/search?q=192.0.2'],
  '/search': ['/search', '/search?q=bob', '/search?q=carol', '/search?q=198.51.100', '/search?q=alice.example', '/search?q=192.0.2'],
  '/api/v1/reliance': ['/api/v1/reliance', '/api/v1/reliance?days=30'],
  '/reliance': ['/reliance', '/reliance?days=30'],
  '/reliance.csv': ['/reliance.csv?days=30'],
  '/api/v1/backscatter': ['/api/v1/backscatter?days=30', `/api/v1/backscatter?at=${encodeURIComponent(minutesAgo(120).toISOString())}&window=90`],
  '/backscatter': ['/backscatter?days=30', `/backscatter?at=${encodeURIComponent(minutesAgo(120).toISOString())}&window=90`],
  '/api/v1/pop-before-smtp': ['/api/v1/pop-before-smtp?action=disable', '/api/v1/pop-before-smtp?action=enable'],
  '/status/confirm': ['/status/confirm?action=disable', '/status/confirm?action=enable'],
};

/** Routes that refuse resellers (403). Every other GET route must answer them. */
const ROOT_ONLY = new Set([
  '/api/v1/blacklist', '/blacklist',
  '/api/v1/status', '/status', '/api/v1/pop-before-smtp', '/status/confirm', '/status/result',
  '/api/v1/audit', '/audit',
  '/api/v1/check', '/api/v1/notify', '/monitoring', '/api/v1/reliance/warning', '/reliance/warn',
]);

/** Sample arguments per CLI command (run with --as resellera --root HOST), or why it is skipped. */
const CLI_SAMPLES: Record<string, string[][] | { skip: string } | { knownLeak: string }> = {
  explain: [[], ['--json'], ['--verbose']],
  overview: [[], ['--json']],
  ip: [['203.0.113.10', '--json'], ['198.51.100.7'], ['192.0.2.99', '--lines'], ['2001:db8::b0', '--json']],
  logins: { skip: 'takes log files as arguments; checked by its own test below' },
  reliance: [['--days', '30'], ['--csv', '--days', '30'], ['--json']],
  autoresponders: [['--days', '30', '--json'], []],
  backscatter: [['--days', '30', '--json'], []],
  blacklist: [['--json'], []],
  status: [['--json'], []],
  disable: [[], ['--yes'], ['--yes', '--json']],
  enable: [[], ['--yes']],
  audit: [['--json'], ['--verbose']],
  search: [['bob', '--json'], ['carol'], ['198.51.100', '--json'], ['alice.example']],
  index: [[], ['--json'], ['--rebuild']],
  check: [[], ['--json']],
  metrics: [[]],
  notify: [[], ['--json']],
  demo: { skip: 'writes a demo host into a folder; reads nothing of the server' },
  'demo-dnsbl': { skip: 'serves the demo host\'s made-up blacklist zones; reads no account data' },
  serve: { skip: 'long-running server; its answers are the HTTP routes checked here' },
};

let root: string;
beforeAll(() => {
  root = makeScopedHost(now);
  // a static open-relay entry: root-only data a reseller must never see
  addToTree(root, { files: { '/etc/skipsmtpcheckhosts': '198.51.100.201\n' } });
});
afterAll(() => removeTree(root));

/** GET routes and state-changing routes of the app, from its router (see appRoutes). */
function getRoutes(app: ReturnType<typeof createApp>): { gets: AppRoute[]; changes: Array<{ path: string; methods: string[] }> } {
  const routes = appRoutes(app);
  const gets = routes.filter((r) => r.method === 'get' || r.method === 'all');
  const changes = new Map<string, string[]>();
  for (const r of routes) if (r.method !== 'get' && r.method !== 'head') changes.set(r.path, [...(changes.get(r.path) ?? []), r.method === 'all' ? '_all' : r.method]);
  return { gets, changes: [...changes].map(([path, methods]) => ({ path, methods })) };
}

function leaks(text: string, url: string): string[] {
  const asked = decodeURIComponent(url).toLowerCase();
  const t = text.toLowerCase();
  // What the reseller typed may be echoed back; everything about it may not.
  return MARKERS.filter((m) => !asked.includes(m.toLowerCase()) && t.includes(m.toLowerCase()));
}

describe('HTTP: every GET route as reseller A', () => {
  const app = (user: string) => createApp(createContext(loadConfig({ root })), { identity: { kind: 'dev', user } });

  test('every route with parameters has samples, and every sample belongs to a route', () => {
    const { gets } = getRoutes(app('resellera'));
    expect(gets.length).toBeGreaterThan(10);
    const missing = gets.filter((r) => r.hasParams && !SAMPLES[r.path]).map((r) => r.path);
    expect(missing).toEqual([]);
    const known = new Set(gets.map((r) => r.path));
    expect(Object.keys(SAMPLES).filter((p) => !known.has(p))).toEqual([]);
    expect([...ROOT_ONLY].filter((p) => !known.has(p))).toEqual([]);
    // what the menu hides from resellers, the routes refuse
    expect(NAV_ITEMS.filter((i) => i.rootOnly && !ROOT_ONLY.has(i.route)).map((i) => i.route)).toEqual([]);
  });

  test('no route shows reseller A anything of reseller B or root; root-only routes answer 403', async () => {
    const a = app('resellera');
    const { gets } = getRoutes(a);
    const problems: string[] = [];
    let checked = 0;
    for (const route of gets) {
      for (const url of SAMPLES[route.path] ?? [route.path]) {
        const res = await request(a).get(url).set('Accept', url.includes('/api/') ? 'application/json' : 'text/html');
        checked++;
        const body = res.text ?? '';
        if (ROOT_ONLY.has(route.path)) {
          if (res.status !== 403) problems.push(`${url}: root only, but answered ${res.status}`);
        } else if (res.status === 403) {
          problems.push(`${url}: refused reseller A (403); if that is intended, add ${route.path} to ROOT_ONLY`);
        } else if (res.status >= 500) {
          problems.push(`${url}: ${res.status} ${body.slice(0, 200)}`);
        }
        const found = leaks(body, url);
        if (found.length) problems.push(`${url}: shows ${found.join(', ')}`);
        for (const [name, value] of Object.entries(res.headers)) {
          const hl = leaks(String(value), url);
          if (hl.length) problems.push(`${url}: header ${name} shows ${hl.join(', ')}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(30);
  });

  test('the same routes show root the data the markers stand for (so the markers can be found)', async () => {
    const r = app('root');
    const seen = new Set<string>();
    for (const url of ['/api/v1/relay-hosts', '/api/v1/accounts', '/api/v1/reliance?days=30', '/api/v1/backscatter?days=30', SAMPLES['/api/v1/backscatter'][1], '/api/v1/autoresponders?days=30', '/api/v1/audit', '/api/v1/ip/192.0.2.99', '/api/v1/search?q=carol']) {
      const res = await request(r).get(url).set('Accept', 'application/json');
      expect([url, res.status]).toEqual([url, 200]);
      for (const m of MARKERS) if (res.text.toLowerCase().includes(m.toLowerCase())) seen.add(m);
    }
    for (const m of ['carol', 'resellerb', '198.51.100.7', 'alice', '192.0.2.150', '192.0.2.99', 'backupmx', 'audit-marker', 'victim@innocent']) expect([m, seen.has(m)]).toEqual([m, true]);
  });

  test('reseller A still sees their own data', async () => {
    const a = app('resellera');
    const hosts = await request(a).get('/api/v1/relay-hosts').expect(200);
    expect(hosts.body.hosts.map((h: { ip: string }) => h.ip)).toEqual(['203.0.113.10']);
    const account = await request(a).get('/api/v1/accounts/bob').expect(200);
    expect(account.text).toContain('bob.example');
  });

  test('every state-changing route needs the session form token, whatever the user', async () => {
    const a = app('root');
    const { gets, changes } = getRoutes(a);
    const targets = [...changes.flatMap((c) => c.methods.map((m) => ({ method: m, path: c.path }))), ...gets.filter((g) => !g.hasParams).map((g) => ({ method: 'post', path: g.path }))];
    expect(changes.length).toBeGreaterThan(0);
    for (const t of targets) {
      const url = SAMPLES[t.path]?.[0]?.split('?')[0] ?? t.path;
      const res = await (request(a) as unknown as Record<string, (u: string) => request.Test>)[t.method](url).set('Accept', 'application/json').send({ action: 'disable' });
      expect([t.method, url, res.status, res.body?.error?.code]).toEqual([t.method, url, 403, 'csrf']);
    }
    expect(readCalls(root)).toEqual([]);
  });
});

describe('CLI: every command with --as resellera', () => {
  test('every command has samples or a reason to skip it', () => {
    expect(COMMANDS.map((c) => c.name).filter((n) => !CLI_SAMPLES[n])).toEqual([]);
    expect(Object.keys(CLI_SAMPLES).filter((n) => !COMMANDS.some((c) => c.name === n))).toEqual([]);
  });

  test('no command shows reseller A anything of reseller B or root, and none changes the server', async () => {
    const problems: string[] = [];
    for (const [name, samples] of Object.entries(CLI_SAMPLES)) {
      if (!Array.isArray(samples)) continue;
      for (const sample of samples) {
        const args = sample.map((a) => (a === '@maillog' ? path.join(root, 'var/log/maillog') : a));
        const r = await runCliCaptured([name, ...args, '--as', 'resellera', '--root', root]);
        const found = leaks(r.stdout + r.stderr, [name, ...sample].join(' '));
        if (found.length) problems.push(`relaywatch ${[name, ...sample].join(' ')}: shows ${found.join(', ')}`);
      }
    }
    expect(problems).toEqual([]);
    expect(readCalls(root).filter((c) => !/--status|get_tweaksetting/.test(c.argv.join(' ')))).toEqual([]);
  });

  // `relaywatch logins FILE --as RESELLER` reads files named on the command line: only the logins of
  // the reseller's own mailboxes may come out.
  test('logins --as resellera shows nothing of reseller B or root', async () => {
    const r = await runCliCaptured(['logins', path.join(root, 'var/log/maillog'), '--json', '--as', 'resellera', '--root', root]);
    expect(leaks(r.stdout + r.stderr, 'logins')).toEqual([]);
    expect(r.stdout).toMatch(/bob@bob\.example/);
  });
});
