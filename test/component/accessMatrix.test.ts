/**
 * Who may do what, route by route and command by command, as WHM's CGI bridge presents users over
 * the socket: root, reseller A, reseller B, a reseller with "all", a reseller without relaywatch's
 * privilege (list-accts alone no longer opens it), a WHM user who is no reseller, and
 * a request without a user. ROUTES and COMMANDS_TABLE say what each one is designed to allow; the
 * test reads every route from the app's router and every command from src/cli/commands, and FAILS
 * when one is missing from the tables, so a new route or command must be classified here.
 *
 * Also: no allowed answer holds another owner's data; identity headers sent over TCP change nothing;
 * path traversal in every parameter is refused; command-injection strings in every value that reaches
 * a command are refused and audited; state changes without the right form token are refused (403)
 * and audited.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app';
import { COMMANDS } from '../../src/cli/commands';
import { loadConfig } from '../../src/config/config';
import { csrfToken } from '../../src/http/csrf';
import { BRIDGE_HEADERS } from '../../src/http/identity';
import { listenTcp } from '../../src/server';
import { createContext } from '../../src/services/context';
import { appRoutes } from '../helpers/appRoutes';
import { removeTree, runCliCaptured } from '../helpers/hostTree';
import { makeScopedHost, MARKERS, Owner } from '../helpers/scopedHost';
import { clearCalls, readCalls } from '../helpers/standins';

jest.setTimeout(300_000);

/** `unprivileged`: a reseller with list-accts but not relaywatch's own privilege (software-relaywatch). */
type Kind = 'root' | 'resellerA' | 'resellerB' | 'all' | 'unprivileged' | 'unknown' | 'none';
const KINDS: Kind[] = ['root', 'resellerA', 'resellerB', 'all', 'unprivileged', 'unknown', 'none'];
const USER: Record<Kind, string | null> = { root: 'root', resellerA: 'resellera', resellerB: 'resellerb', all: 'boss', unprivileged: 'resellerc', unknown: 'mallory', none: null };
/** Refused everywhere (403), whatever the route. */
const REFUSED: readonly Kind[] = ['unprivileged', 'unknown'];
/** Whose data each kind may see (root and "all" see everything). */
const FOREIGN: Record<Kind, Owner[]> = { root: [], all: [], resellerA: ['resellerB', 'root'], resellerB: ['resellerA', 'root'], unprivileged: ['resellerA', 'resellerB', 'root'], unknown: [], none: [] };

const SECRET = Buffer.alloc(32, 9);
const SESSION = '/cpsess1234567890';
const AUDIT = '/var/log/relaywatch/audit.log';

/**
 * `viewer`: every WHM user who may open the plugin (root, resellers, "all"), answers scoped to them.
 * `root`: root and resellers with "all" only; other resellers get 403.
 * No user gives 401 and a WHM user who is no reseller 403, everywhere.
 */
type Access = 'viewer' | 'root' | 'public';
interface RouteSpec {
  access: Access;
  /** URL per kind (own data where there is some); default: the route path */
  url?: (k: Kind) => string;
  /** another owner's object, for resellers: refused or answered without their data */
  foreign?: (k: Kind) => string | null;
  /** body of a POST (the form token is added) */
  body?: Record<string, string>;
  /** statuses that mean "allowed" for this route (default 200) */
  ok?: number[];
  /** query parameters to fill with traversal strings (path parameters are always filled) */
  query?: string[];
  /** parameters that are free text (a search), where a traversal string is just text: 200 allowed */
  freeText?: string[];
}

const OWN_IP: Record<Kind, string> = { root: '192.0.2.150', all: '192.0.2.150', resellerA: '203.0.113.10', resellerB: '198.51.100.7', unprivileged: '203.0.113.10', unknown: '203.0.113.10', none: '203.0.113.10' };
const OWN_ACCOUNT: Record<Kind, string> = { root: 'alice', all: 'alice', resellerA: 'bob', resellerB: 'carol', unprivileged: 'bob', unknown: 'bob', none: 'bob' };
const OTHER_IP = (k: Kind): string | null => (k === 'resellerA' ? '198.51.100.7' : k === 'resellerB' ? '203.0.113.10' : null);
const OTHER_ACCOUNT = (k: Kind): string | null => (k === 'resellerA' ? 'carol' : k === 'resellerB' ? 'bob' : null);

const ROUTES: Record<string, RouteSpec> = {
  // liveness for the CGI and systemd: answers before any identity, and holds no host data
  'GET /healthz': { access: 'public' },
  'GET /api/v1/relay-hosts': { access: 'viewer' },
  // how far the daemon is in reading the logs (state and percent only): the dashboard's progress bar
  'GET /api/v1/index/progress': { access: 'viewer' },
  'GET /api/v1/ip/:ip': { access: 'viewer', url: (k) => `/api/v1/ip/${OWN_IP[k]}`, foreign: (k) => (OTHER_IP(k) ? `/api/v1/ip/${OTHER_IP(k)}` : null) },
  'GET /ip/:ip': { access: 'viewer', url: (k) => `/ip/${OWN_IP[k]}`, foreign: (k) => (OTHER_IP(k) ? `/ip/${OTHER_IP(k)}` : null) },
  'GET /api/v1/dashboard': { access: 'viewer' },
  'GET /': { access: 'viewer' },
  'GET /api/v1/guide': { access: 'viewer' },
  'GET /guide': { access: 'viewer' },
  'GET /api/v1/accounts': { access: 'viewer' },
  'GET /api/v1/accounts/:name': { access: 'viewer', url: (k) => `/api/v1/accounts/${OWN_ACCOUNT[k]}`, foreign: (k) => (OTHER_ACCOUNT(k) ? `/api/v1/accounts/${OTHER_ACCOUNT(k)}` : null) },
  'GET /accounts': { access: 'viewer' },
  'GET /account/:name': { access: 'viewer', url: (k) => `/account/${OWN_ACCOUNT[k]}`, foreign: (k) => (OTHER_ACCOUNT(k) ? `/account/${OTHER_ACCOUNT(k)}` : null) },
  'GET /api/v1/blacklist': { access: 'root' },
  'POST /api/v1/blacklist/refresh': { access: 'root', body: {}, ok: [202] },
  'GET /blacklist': { access: 'root' },
  'POST /blacklist/refresh': { access: 'root', body: {}, ok: [303] },
  'GET /api/v1/search': { access: 'viewer', url: (k) => `/api/v1/search?q=${OWN_ACCOUNT[k]}`, foreign: (k) => (OTHER_ACCOUNT(k) ? `/api/v1/search?q=${OTHER_ACCOUNT(k)}` : null), query: ['q'], freeText: ['q'] },
  'GET /search': { access: 'viewer', url: (k) => `/search?q=${OWN_ACCOUNT[k]}`, foreign: (k) => (OTHER_ACCOUNT(k) ? `/search?q=${OTHER_ACCOUNT(k)}` : null), query: ['q'], freeText: ['q'] },
  'GET /api/v1/status': { access: 'root' },
  'GET /api/v1/pop-before-smtp': { access: 'root', url: () => '/api/v1/pop-before-smtp?action=enable', query: ['action', 'driverToo'] },
  'POST /api/v1/pop-before-smtp': { access: 'root', body: { action: 'enable' }, ok: [200, 409] },
  'GET /api/v1/audit': { access: 'root', query: ['limit'] },
  'GET /status': { access: 'root' },
  'GET /status/confirm': { access: 'root', url: () => '/status/confirm?action=enable', query: ['action', 'driverToo'] },
  // post/redirect/get: a change answers 303 to its result page
  'POST /status/change': { access: 'root', body: { action: 'enable' }, ok: [303, 409] },
  // the result page of a change, by its audit id (an unknown id: 404)
  'GET /status/result': { access: 'root', url: () => '/status/result?id=0123456789abcdef', ok: [404], query: ['id'] },
  'GET /audit': { access: 'root', query: ['limit'] },
  'GET /api/v1/reliance': { access: 'viewer', query: ['days'] },
  'GET /reliance.csv': { access: 'viewer', query: ['days'] },
  'GET /reliance': { access: 'viewer', query: ['days'] },
  'GET /api/v1/autoresponders': { access: 'viewer', query: ['days'] },
  'GET /autoresponders': { access: 'viewer', query: ['days'] },
  'GET /api/v1/backscatter': { access: 'viewer', query: ['days', 'at', 'window'] },
  'GET /backscatter': { access: 'viewer', query: ['days', 'at', 'window'] },
  'GET /api/v1/check': { access: 'root' },
  'GET /api/v1/notify': { access: 'root' },
  'GET /monitoring': { access: 'root' },
  'GET /api/v1/reliance/warning': { access: 'root', query: ['when', 'days'] },
  'GET /reliance/warn': { access: 'root', query: ['when', 'days'] },
  // sends the warning (one message per relying mailbox); 502 when sendmail fails on the way
  'POST /api/v1/reliance/warning': { access: 'root', body: {}, ok: [200, 502] },
  'POST /reliance/warn': { access: 'root', body: {}, ok: [200, 502] },
};

const TRAVERSAL = ['../../../../etc/shadow', '..%2f..%2f..%2fetc%2fshadow', '%2e%2e%2f%2e%2e%2fetc%2fshadow', '..%252f..%252fetc%252fshadow', 'a%00b', '%00', '....//....//etc/shadow', '/etc/shadow', '..\\..\\etc\\shadow'];
/** Values that would do harm if they reached a shell or a command's argument list. */
const INJECTION = ['disable; touch /tmp/rw-pwned', 'disable && id', '$(touch /tmp/rw-pwned)', '`id`', 'disable\n--enable=Cpanel::TailWatch::Antirelayd', '--enable=Cpanel::TailWatch::Antirelayd', 'disable --driver-too', 'value=1', 'disable|id', "disable' OR '1'='1", 'enable\u0000disable', '../../../../etc/shadow', '%2e%2e%2fdisable'];

let root: string;
const now = new Date();
beforeAll(() => {
  root = makeScopedHost(now);
  fs.appendFileSync(path.join(root, 'var/cpanel/resellers'), 'resellerc:list-accts,create-acct\n');
});
afterAll(() => removeTree(root));

const app = () => createApp(createContext(loadConfig({ root })), { identity: { kind: 'socket' }, secret: SECRET });

function bridged(k: Kind): Record<string, string> {
  const h: Record<string, string> = { [BRIDGE_HEADERS.token]: SESSION };
  if (USER[k] !== null) h[BRIDGE_HEADERS.user] = USER[k]!;
  return h;
}

const csrfFor = (k: Kind): string => csrfToken(SECRET, USER[k] ?? '', SESSION);

function send(a: ReturnType<typeof app>, method: string, url: string, k: Kind, body?: Record<string, string>, accept = 'application/json'): request.Test {
  const r = (request(a) as unknown as Record<string, (u: string) => request.Test>)[method](url).set(bridged(k)).set('Accept', url.includes('/api/') ? 'application/json' : accept);
  return body ? r.type('form').send({ ...body, csrf: csrfFor(k) }) : r;
}

function leaks(text: string, k: Kind, asked: string): string[] {
  const t = text.toLowerCase();
  const a = decodeURIComponent(asked).toLowerCase();
  return FOREIGN[k].flatMap((o) => MARKERS[o]).filter((m) => !a.includes(m.toLowerCase()) && t.includes(m.toLowerCase()));
}

/** The first audit entry written after the first `before` lines that matches, waiting up to `waitMs` for it. */
async function auditAdded(before: number, match: (e: Record<string, unknown>) => boolean, waitMs = 2000): Promise<Record<string, unknown> | null> {
  for (const end = Date.now() + waitMs; ; await new Promise((r) => setTimeout(r, 10))) {
    const found = auditLines().slice(before).find(match);
    if (found || Date.now() > end) return found ?? null;
  }
}

function auditLines(): Array<Record<string, unknown>> {
  const f = path.join(root, AUDIT);
  if (!fs.existsSync(f)) return [];
  // complete lines only: a refusal is recorded in the background, and may be half written as this reads
  const text = fs.readFileSync(f, 'utf8');
  return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

const key = (r: { method: string; path: string }): string => `${r.method.toUpperCase()} ${r.path}`;

describe('HTTP over the socket bridge', () => {
  test('every route of the app is in the table, and every table entry is a route', () => {
    const routes = appRoutes(app()).map(key);
    expect(routes.length).toBeGreaterThan(20);
    expect(routes.filter((r) => !ROUTES[r])).toEqual([]);
    expect(Object.keys(ROUTES).filter((r) => !routes.includes(r))).toEqual([]);
  });

  test('every route × every kind of user: allowed or refused as designed, and no foreign data', async () => {
    const a = app();
    const problems: string[] = [];
    for (const [id, spec] of Object.entries(ROUTES)) {
      const [method, route] = id.split(' ');
      for (const k of KINDS) {
        const url = spec.url ? spec.url(k) : route;
        const res = await send(a, method.toLowerCase(), url, k, spec.body, 'text/html');
        const want = spec.access === 'public' ? spec.ok ?? [200] :
          k === 'none' ? [401] : REFUSED.includes(k) ? [403] : spec.access === 'root' && (k === 'resellerA' || k === 'resellerB') ? [403] : spec.ok ?? [200];
        if (!want.includes(res.status)) problems.push(`${id} as ${k}: ${res.status}, designed ${want.join('/')}: ${(res.text ?? '').slice(0, 160)}`);
        const found = leaks(`${res.text ?? ''}${JSON.stringify(res.headers)}`, k, url);
        if (found.length) problems.push(`${id} as ${k}: shows ${found.join(', ')}`);
        const other = spec.foreign?.(k);
        if (other) {
          const f = await send(a, method.toLowerCase(), other, k, spec.body, 'text/html');
          const fl = leaks(f.text ?? '', k, other);
          if (f.status >= 500 || (f.status === 200 && fl.length)) problems.push(`${id} as ${k} asking for ${other}: ${f.status}, shows ${fl.join(', ')}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test('a state change without the right form token is refused (403 csrf) and audited, for every POST route', async () => {
    const a = app();
    clearCalls(root);
    const posts = Object.entries(ROUTES).filter(([id]) => id.startsWith('POST '));
    expect(posts.length).toBeGreaterThan(0);
    for (const [id, spec] of posts) {
      const url = id.split(' ')[1];
      const tokens: Array<[string, Record<string, string>]> = [
        ['none', {}],
        ['wrong', { csrf: 'x'.repeat(43) }],
        ['another user\'s', { csrf: csrfToken(SECRET, 'resellera', SESSION) }],
        ['another session\'s', { csrf: csrfToken(SECRET, 'root', '/cpsess9999999999') }],
      ];
      for (const [what, extra] of tokens) {
        const before = auditLines().length;
        const res = await request(a).post(url).set(bridged('root')).set('Accept', 'application/json').type('form').send({ ...spec.body, ...extra });
        expect([id, what, res.status, res.body?.error?.code]).toEqual([id, what, 403, 'csrf']);
        const added = auditLines().slice(before);
        expect([id, what, added.length, added[0]?.outcome, added[0]?.user]).toEqual([id, what, 1, 'refused', 'root']);
      }
    }
    expect(readCalls(root).filter((c) => !/--status|get_tweaksetting/.test(c.argv.join(' ')))).toEqual([]);
  });

  test('path traversal in every parameter is refused, and nothing outside the host is read', async () => {
    const a = app();
    const problems: string[] = [];
    let tried = 0;
    let refusedAudited = 0;
    for (const [id, spec] of Object.entries(ROUTES)) {
      const [method, route] = id.split(' ');
      if (method !== 'GET') continue;
      const base = (spec.url ? spec.url('root') : route).split('?')[0];
      const urls: Array<[string, boolean]> = [];
      const params = route.match(/:[A-Za-z]+/g) ?? [];
      for (const t of TRAVERSAL) {
        for (const p of params) urls.push([route.replace(p, t), false]);
        for (const q of spec.query ?? []) urls.push([`${base}?${q}=${t.includes('%') ? t : encodeURIComponent(t)}`, (spec.freeText ?? []).includes(q)]);
      }
      for (const [url, freeText] of urls) {
        tried++;
        const before = auditLines().length;
        const res = await send(a, 'get', url, 'root');
        const allowed = freeText ? [200, 400] : [400, 404];
        if (!allowed.includes(res.status)) problems.push(`${url}: ${res.status} (want ${allowed.join('/')})`);
        if (/\$6\$secret|root:[^ ]*:19000/.test(res.text ?? '')) problems.push(`${url}: shows /etc/shadow`);
        if (res.status !== 200 && !freeText) {
          // every refusal is recorded, with what was asked for (in free text such a string is just text)
          const added = await auditAdded(before, (e) => e.action === 'http.refused' && String(e.summary).startsWith('path traversal'));
          if (!added) problems.push(`${url}: refused but not audited`);
          else refusedAudited++;
        }
      }
    }
    expect(problems).toEqual([]);
    expect(tried).toBeGreaterThan(100);
    expect(refusedAudited).toBeGreaterThan(100);
  });

  test('command-injection strings in every value that reaches a command are refused (400) and audited; no command runs with them', async () => {
    const a = app();
    clearCalls(root);
    for (const value of INJECTION) {
      for (const url of ['/api/v1/pop-before-smtp', '/status/change']) {
        const before = auditLines().length;
        const res = await send(a, 'post', url, 'root', { action: value });
        expect([url, value, res.status]).toEqual([url, value, 400]);
        const added = auditLines().slice(before);
        expect([url, value, added.length, added[0]?.outcome]).toEqual([url, value, 1, 'refused']);
        expect(JSON.stringify(added[0]?.evidence)).toContain(JSON.stringify(JSON.stringify(value)).slice(1, 20));
      }
      // the previews refuse it too (they run nothing and change nothing: only a path traversal is recorded)
      const beforePreviews = auditLines().length;
      expect((await send(a, 'get', `/api/v1/pop-before-smtp?action=${encodeURIComponent(value)}`, 'root')).status).toBe(400);
      expect((await send(a, 'get', `/status/confirm?action=${encodeURIComponent(value)}`, 'root', undefined, 'text/html')).status).toBe(400);
      const traversal = value.includes('..') || value.includes('%2e%2e') || value.includes('\u0000');
      const recorded = await auditAdded(beforePreviews, (e) => e.target === 'GET /status/confirm', traversal ? 2000 : 200);
      expect([value, recorded !== null]).toEqual([value, traversal]);
    }
    // driverToo is only ever read as a yes/no: a hostile value is "no" and reaches no command line
    await send(a, 'post', '/api/v1/pop-before-smtp', 'root', { action: 'enable', driverToo: '$(touch /tmp/rw-pwned); --enable=x' });
    const argv = readCalls(root).flatMap((c) => c.argv);
    for (const v of INJECTION) expect(argv).not.toContain(v);
    expect(argv.join(' ')).not.toMatch(/pwned|\$\(|`|;|\n/);
    expect(fs.existsSync('/tmp/rw-pwned')).toBe(false);
  });
});

describe('identity headers over TCP', () => {
  test('the bridge headers change nothing on TCP: the development user stays who it is', async () => {
    const running = await listenTcp(createContext(loadConfig({ root })), { host: '127.0.0.1', port: 0 }, 'resellera');
    const { port } = running.server.address() as { port: number };
    const get = (p: string, headers: Record<string, string>): Promise<{ status: number; body: string }> =>
      new Promise((resolve, reject) => {
        http.get({ host: '127.0.0.1', port, path: p, headers: { accept: 'application/json', ...headers } }, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        }).on('error', reject);
      });
    try {
      for (const headers of [
        bridged('root'),
        { ...bridged('all') },
        { [BRIDGE_HEADERS.user]: 'root' },
        { 'X-RELAYWATCH-WHM-USER': 'root', [BRIDGE_HEADERS.token]: SESSION, 'x-forwarded-for': '127.0.0.1', 'x-remote-user': 'root', 'remote-user': 'root' },
      ]) {
        const before = auditLines().length;
        expect((await get('/api/v1/audit', headers)).status).toBe(403);
        const recorded = await auditAdded(before, (e) => e.action === 'http.identity-ignored' && e.target === 'GET /api/v1/audit');
        expect(recorded).toMatchObject({ user: 'resellera', outcome: 'refused', target: 'GET /api/v1/audit' });
        const hosts = await get('/api/v1/relay-hosts', headers);
        expect(hosts.status).toBe(200);
        expect(JSON.parse(hosts.body).hosts.map((h: { ip: string }) => h.ip)).toEqual(['203.0.113.10']);
        expect(leaks(hosts.body, 'resellerA', '')).toEqual([]);
      }
    } finally {
      await running.close();
    }
  });
});

/**
 * CLI: `--as USER` answers as that WHM user sees it. `viewer` commands answer every plugin user,
 * scoped; `root` commands refuse other resellers; `skip` commands take no user (with the reason).
 */
type CliSpec = { access: 'viewer' | 'root'; args: string[] } | { skip: string };
const COMMANDS_TABLE: Record<string, CliSpec> = {
  explain: { access: 'viewer', args: ['--json'] },
  overview: { access: 'viewer', args: ['--json'] },
  ip: { access: 'viewer', args: ['@ownip', '--json'] },
  logins: { access: 'viewer', args: ['@maillog', '--json'] },
  reliance: { access: 'viewer', args: ['--days', '30', '--json'] },
  autoresponders: { access: 'viewer', args: ['--days', '30', '--json'] },
  backscatter: { access: 'viewer', args: ['--days', '30', '--json'] },
  blacklist: { access: 'root', args: ['--json'] },
  status: { access: 'root', args: ['--json'] },
  disable: { access: 'root', args: ['--json'] },
  enable: { access: 'root', args: ['--json'] },
  audit: { access: 'root', args: ['--json'] },
  search: { access: 'viewer', args: ['@ownaccount', '--json'] },
  check: { access: 'root', args: ['--json'] },
  metrics: { access: 'root', args: [] },
  notify: { access: 'root', args: ['--json'] },
  index: { skip: 'builds the server-wide login index (what explain reads) and shows file names and counts, no account data; takes no user: whoever runs the CLI is root' },
  demo: { skip: 'writes a demo host into a new folder; reads no server data and takes no user' },
  'demo-dnsbl': { skip: 'serves the demo host\'s made-up blacklist zones; reads no server data' },
  serve: { skip: 'long-running server; its answers are the HTTP routes above (identity from the socket or --dev-user)' },
};

describe('CLI', () => {
  test('every command is in the table, and every table entry is a command', () => {
    expect(COMMANDS.map((c) => c.name).filter((n) => !COMMANDS_TABLE[n])).toEqual([]);
    expect(Object.keys(COMMANDS_TABLE).filter((n) => !COMMANDS.some((c) => c.name === n))).toEqual([]);
  });

  test('every command × every kind of user: allowed or refused as designed, and no foreign data', async () => {
    const problems: string[] = [];
    clearCalls(root);
    for (const [name, spec] of Object.entries(COMMANDS_TABLE)) {
      if ('skip' in spec) continue;
      for (const k of KINDS) {
        const args = spec.args.map((x) => (x === '@maillog' ? path.join(root, 'var/log/maillog') : x === '@ownip' ? OWN_IP[k] : x === '@ownaccount' ? OWN_ACCOUNT[k] : x));
        const r = await runCliCaptured([name, ...args, '--as', USER[k] ?? '', '--root', root]);
        const refused = /not allowed|Only root|neither root nor a reseller|No WHM user|lacks/i.test(r.stderr);
        const shouldRefuse = k === 'none' || REFUSED.includes(k) || (spec.access === 'root' && (k === 'resellerA' || k === 'resellerB'));
        if (shouldRefuse && (!refused || r.code === 0)) problems.push(`relaywatch ${name} --as ${USER[k]}: not refused (exit ${r.code}) ${r.stderr.slice(0, 120)}`);
        if (!shouldRefuse && refused) problems.push(`relaywatch ${name} --as ${USER[k]}: refused: ${r.stderr.slice(0, 160)}`);
        if (/unexpected error/.test(r.stderr)) problems.push(`relaywatch ${name} --as ${USER[k]}: ${r.stderr.slice(0, 160)}`);
        const found = leaks(r.stdout + r.stderr, k, args.join(' '));
        if (found.length) problems.push(`relaywatch ${name} --as ${USER[k]}: shows ${found.join(', ')}`);
      }
    }
    expect(problems).toEqual([]);
    // only status reads ran; no --as user changed anything
    expect(readCalls(root).filter((c) => !/--status|get_tweaksetting/.test(c.argv.join(' ')))).toEqual([]);
  });

  test('injection and traversal strings in CLI values (--as, IP, --days, --limit) are refused with a clear message; no command runs with them', async () => {
    clearCalls(root);
    const problems: string[] = [];
    for (const v of INJECTION.filter((x) => !x.includes('\u0000'))) {
      for (const argv of [['status', '--as', v], ['ip', v], ['reliance', '--days', v], ['audit', '--limit', v], ['disable', '--yes', '--as', v]]) {
        const r = await runCliCaptured([...argv, '--root', root]);
        if (r.code === 0 || /unexpected error/.test(r.stderr) || r.stderr.trim() === '') problems.push(`relaywatch ${argv.join(' ')}: exit ${r.code} ${r.stderr.slice(0, 120)}`);
      }
    }
    expect(problems).toEqual([]);
    const argv = readCalls(root).flatMap((c) => c.argv);
    expect(argv.filter((a) => !/^(--status|--verbose|--output=json|get_tweaksetting|key=popbeforesmtp)$/.test(a))).toEqual([]);
  });
});
