/**
 * Every answer the same in every face, for every viewer. On one real host tree with data of two
 * resellers and of root, each capability is asked as root, as reseller A, as reseller B and as a
 * reseller with `all`, through the CLI (--json, and its exit status), the JSON route and the page,
 * and the three are held to the same facts: the hosts and their statuses, the counts, the verdict,
 * the exit status the data calls for. Capabilities are also held to each other: an IP's report says
 * what explain says about that IP, an account's view lists the relay IPs explain ties to it, the
 * overview and the guided check carry explain's verdict.
 *
 * The host has what makes answers disagree when scope is decided by outcome instead of evidence: an
 * unexplained relay IP that cPanel's map ties to reseller A's mailbox, one that only a failed login of
 * A's mailbox ties to A, an IP explained by root's mailbox that a failed login ties to reseller B,
 * an unexplained IP nobody's mailbox names, a static /etc/alwaysrelay entry, /etc/skipsmtpcheckhosts,
 * and a relay-list line that is no IP.
 */
import request from 'supertest';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { createContext } from '../../src/services/context';
import { explainExitCode, ExplainReport } from '../../src/services/explainService';
import { statusExitCode, StatusReport } from '../../src/services/statusService';
import { failedLine } from '../helpers/cpanelHost';
import { addToTree, removeTree, runCliCaptured } from '../helpers/hostTree';
import { makeScopedHost } from '../helpers/scopedHost';

jest.setTimeout(180_000);

const now = new Date();
const minutesAgo = (m: number): Date => new Date(now.getTime() - m * 60_000);

const VIEWERS = ['root', 'resellera', 'resellerb', 'boss'] as const;
type ViewerName = (typeof VIEWERS)[number];
const SEES_ALL: Record<ViewerName, boolean> = { root: true, resellera: false, resellerb: false, boss: true };

/** Relay IPs of the host, and an address in no file at all. */
const RELAY_IPS = ['203.0.113.10', '198.51.100.7', '192.0.2.150', '192.0.2.99', '2001:db8::b0', '198.51.100.200', '203.0.113.77', '203.0.113.88'];
const ASKED_IPS = [...RELAY_IPS, '198.18.0.1'];

let root: string;
beforeAll(() => {
  root = makeScopedHost(now);
  const v6 = '"2001:0db8:0000:0000:0000:0000:0000:00b0"';
  addToTree(root, {
    files: {
      '/etc/recent_authed_mail_ips': [...['203.0.113.10', '198.51.100.7', '192.0.2.150', '192.0.2.99', v6, '198.51.100.200'], '203.0.113.77', '203.0.113.88', 'relay.example.net'].join('\n') + '\n',
      // 203.0.113.77: no login of any kind; cPanel's map names bob's mailbox
      '/etc/recent_authed_mail_ips_users': `203.0.113.10: bob@bob.example\n198.51.100.7: carol@carol.example\n192.0.2.150: alice@alice.example\n${v6}: carol@carol.example\n198.51.100.200: -alwaysrelay-\n203.0.113.77: bob@bob.example\n`,
      '/etc/skipsmtpcheckhosts': '198.51.100.201\n',
    },
  });
  // 203.0.113.88: only failed logins of bob's mailbox; 192.0.2.150 (alice logged in): carol's mailbox was tried from it too
  const fs = require('node:fs') as typeof import('node:fs');
  const path = require('node:path') as typeof import('node:path');
  fs.appendFileSync(path.join(root, 'var/log/maillog'), [
    failedLine(minutesAgo(7), 'bob@bob.example', '203.0.113.88'),
    failedLine(minutesAgo(6), 'bob@bob.example', '203.0.113.88'),
    failedLine(minutesAgo(5), 'carol@carol.example', '192.0.2.150'),
  ].map((l) => `${l}\n`).join(''));
});
afterAll(() => removeTree(root));

const app = (user: ViewerName) => createApp(createContext(loadConfig({ root })), { identity: { kind: 'dev', user } });

async function cli(user: ViewerName, args: string[]): Promise<{ code: number; json: any; stderr: string }> {
  const r = await runCliCaptured([...args, '--root', root, '--as', user]);
  let json: any = null;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    // not JSON: a refusal, on stderr
  }
  return { code: r.code, json, stderr: r.stderr };
}

async function route(a: ReturnType<typeof createApp>, url: string): Promise<{ status: number; json: any }> {
  const res = await request(a).get(url).set('Accept', 'application/json');
  return { status: res.status, json: res.body };
}

/** A page's text as a reader sees it: tags out, entities decoded, white space folded. */
async function page(a: ReturnType<typeof createApp>, url: string): Promise<{ status: number; text: string; html: string }> {
  const res = await request(a).get(url).set('Accept', 'text/html');
  const html = res.text ?? '';
  const text = html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#34;|&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
  return { status: res.status, text, html };
}

const fold = (s: string): string => s.replace(/\s+/g, ' ');

/**
 * An answer without what depends on the moment it was computed (its own time, and the start of its
 * look-back, which moves with it): two faces asked a second apart must agree on everything else.
 */
function timeless(x: unknown): unknown {
  if (typeof x === 'string') return x.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, '<time>');
  if (Array.isArray(x)) return x.map(timeless);
  if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).filter(([k]) => k !== 'checkedAt' && k !== 'since').map(([k, v]) => [k, timeless(v)]));
  return x;
}

/** What must be the same in every face of explain. */
function explainFacts(r: ExplainReport): unknown {
  return {
    verdict: r.verdict,
    summary: r.summary,
    counts: r.counts,
    hosts: r.hosts.map((h) => ({ ip: h.ip, status: h.status, users: h.users, loginUsers: h.loginUsers, mapUsers: h.mapUsers, failedLogins: h.failedLogins, tiedBy: h.tiedBy, accounts: h.accounts, summary: h.summary })),
  };
}

/** What explain tells each viewer: the reference the other capabilities are held to. */
const reference = new Map<ViewerName, ExplainReport>();

describe.each(VIEWERS)('as %s', (viewer) => {
  let a: ReturnType<typeof createApp>;
  beforeAll(() => {
    a = app(viewer);
  });

  test('explain: CLI, JSON route and overview page give the same hosts, statuses, counts and verdict; the exit status is the verdict\'s', async () => {
    const c = await cli(viewer, ['explain', '--json']);
    const r = await route(a, '/api/v1/relay-hosts');
    expect(r.status).toBe(200);
    expect(explainFacts(c.json)).toEqual(explainFacts(r.json));
    expect(c.code).toBe(explainExitCode(r.json));
    reference.set(viewer, r.json);

    const report: ExplainReport = r.json;
    const p = await page(a, '/');
    expect(p.status).toBe(200);
    expect(p.text).toContain(`Relay IPs (${report.counts.hosts}`);
    if (SEES_ALL[viewer]) expect(p.text).toContain(`${report.counts.explained} explained, ${report.counts.alwaysrelay} always-relay, ${report.counts.unexplained} unexplained`);
    for (const h of report.hosts) {
      expect(p.html).toContain(`href="/ip/${h.ip}"`);
      expect(p.text).toContain(fold(h.summary));
    }
    // one status badge per host, each the host's status
    const badges = [...p.html.matchAll(/<span class="rw-badge rw-(explained|alwaysrelay|unexplained)">/g)].map((m) => m[1]);
    expect(badges).toEqual(report.hosts.map((h) => h.status));
    // IPs the viewer is not shown appear nowhere on the page
    for (const ip of RELAY_IPS.filter((i) => !report.hosts.some((h) => h.ip === i))) expect([ip, p.text.includes(ip)]).toEqual([ip, false]);
  });

  test('the overview and the guided check carry explain\'s verdict, in JSON and on the page', async () => {
    const report = reference.get(viewer)!;
    const d = (await route(a, '/api/v1/dashboard')).json;
    expect(explainFacts(d.relay)).toEqual(explainFacts(report));
    const tone = d.verdict.state;
    // an unexplained IP needs attention: the verdict is red, as explain's exit status 2 says
    if (report.verdict === 'unexplained') expect(tone).toBe('red');
    // the overview weighs the listings and the autoresponders too; what it says of the relay list is explain's
    const relayPart = d.verdict.parts.find((x: any) => x.topic === 'relay');
    if (report.verdict === 'clear' && report.counts.passwordGuessing === 0) expect(relayPart.severity).toBe('ok');
    if (report.verdict === 'unexplained') expect(relayPart.text).toContain(`${report.counts.unexplained} relay IP`);
    const p = await page(a, '/');
    expect(p.text).toContain(fold(d.verdict.text));
    const g = (await route(a, '/api/v1/guide')).json;
    const step = g.steps.find((s: any) => s.id === 'relay-list');
    expect(step.state).toBe(report.counts.unexplained > 0 ? 'red' : report.counts.alwaysrelay > 0 ? 'amber' : 'green');
    const gp = await page(a, '/guide');
    expect(gp.text).toContain(fold(step.sentence));
    // the static entries are root's, and shown to root with their meaning
    const staticStep = g.steps.find((s: any) => s.id === 'static-relay');
    if (SEES_ALL[viewer]) {
      expect(staticStep.evidence.map((e: string) => e.split(' ')[0])).toEqual(['/etc/relayhosts:9', '/etc/alwaysrelay:1', '/etc/skipsmtpcheckhosts:1']);
      for (const e of staticStep.evidence) expect(gp.text).toContain(fold(e));
      expect(d.cards.find((c: any) => c.id === 'static-relay').evidence).toEqual(staticStep.evidence);
    } else {
      expect(staticStep).toBeUndefined();
      expect(p.text).not.toMatch(/skipsmtpcheckhosts|relay\.example\.net|198\.51\.100\.201/);
    }
  });

  test.each(ASKED_IPS)('ip %s: CLI, JSON route and page agree, and agree with explain', async (ip) => {
    const report = reference.get(viewer)!;
    const c = await cli(viewer, ['ip', ip, '--json']);
    const r = await route(a, `/api/v1/ip/${ip}`);
    expect(r.status).toBe(200);
    const facts = (x: any): unknown => ({
      status: x.status, inRelayList: x.inRelayList, summary: x.summary, users: x.users, accounts: x.accounts,
      logins: x.logins.length, failedLogins: x.failedLogins, failed: x.failed.length, lines: x.lines.length, host: x.host && { status: x.host.status, failedLogins: x.host.failedLogins },
    });
    expect(facts(c.json)).toEqual(facts(r.json));
    expect(c.code).toBeLessThan(3);

    // the IP as explain gives it to this viewer
    const h = report.hosts.find((x) => x.ip === ip);
    if (h) {
      expect([r.json.status, r.json.inRelayList, r.json.host.summary, r.json.host.failedLogins, r.json.host.tiedBy]).toEqual([h.status, true, h.summary, h.failedLogins, h.tiedBy]);
    } else if (SEES_ALL[viewer]) {
      expect([r.json.status, r.json.inRelayList]).toEqual(['not-listed', false]);
    } else {
      // not tied to this reseller: said so, whether it is in the list or not
      expect([r.json.status, r.json.inRelayList, r.json.logins, r.json.failed, r.json.lines]).toEqual(['not-tied', null, [], [], []]);
    }

    const p = await page(a, `/ip/${ip}`);
    expect(p.status).toBe(200);
    expect(p.text).toContain(fold(r.json.summary));
    expect(p.text).toContain(`Failed logins ${r.json.failedLogins.count}`);
    expect(p.text).toContain(`Successful logins ${r.json.logins.length}`);
    if (r.json.status === 'not-tied') expect(p.text).not.toMatch(/not in the relay list|In the relay list/);
    else expect(p.text).toContain(`In the relay list ${r.json.inRelayList ? 'yes' : 'no'}`);
  });

  test('accounts: the overview counts and each account\'s relay IPs are the hosts explain ties to it, in JSON and on the page', async () => {
    const report = reference.get(viewer)!;
    const overview = (await route(a, '/api/v1/accounts')).json;
    const p = await page(a, '/accounts');
    for (const row of overview.accounts) {
      const tied = report.hosts.filter((h) => h.accounts.includes(row.account));
      expect([row.account, row.relayIps]).toEqual([row.account, tied.length]);
      const view = await route(a, `/api/v1/accounts/${row.account}`);
      expect(view.status).toBe(200);
      expect([row.account, view.json.relayIps.map((x: any) => [x.ip, x.status])]).toEqual([row.account, tied.map((x) => [x.ip, x.status])]);
      const ap = await page(a, `/account/${row.account}`);
      expect(ap.text).toContain(fold(view.json.relaySentence));
      for (const x of tied) expect(ap.html).toContain(`href="/ip/${x.ip}"`);
      // "logged in" only where a mailbox of the account did
      if (tied.some((x) => x.status === 'unexplained')) expect(view.json.relaySentence).toMatch(/no successful login behind/);
    }
    expect(p.status).toBe(200);
    for (const row of overview.accounts) expect(p.text).toContain(row.account);
  });

  test.each(['bob', 'carol', 'alice.example', '203.0.113', '192.0.2.150'])('search %s: CLI, JSON route and page give the same results', async (q) => {
    const c = await cli(viewer, ['search', q, '--json']);
    const r = await route(a, `/api/v1/search?q=${encodeURIComponent(q)}`);
    expect(r.status).toBe(200);
    expect(c.json.results).toEqual(r.json.results);
    expect(c.code).toBeLessThan(3);
    const p = await page(a, `/search?q=${encodeURIComponent(q)}`);
    for (const x of r.json.results) {
      expect(p.text).toContain(fold(x.title));
      expect(p.text).toContain(fold(x.detail));
    }
    // a mailbox result names only evidence there is
    const report = reference.get(viewer)!;
    for (const x of r.json.results.filter((y: any) => y.kind === 'mailbox')) {
      const [user, ip] = x.title.split(' → ');
      const h = report.hosts.find((y) => y.ip === ip)!;
      expect(x.detail.includes(`logged in from ${ip}`)).toBe(h.loginUsers.includes(user));
    }
  });

  test('reliance, autoresponders and backscatter: CLI and JSON route give the same rows, the page shows them', async () => {
    const rel = { c: await cli(viewer, ['reliance', '--json', '--days', '30']), r: await route(a, '/api/v1/reliance?days=30') };
    expect(rel.c.json.users).toEqual(rel.r.json.users);
    expect(rel.c.code).toBeLessThan(3);
    const relPage = await page(a, '/reliance?days=30');
    for (const u of rel.r.json.users) expect(relPage.text).toContain(u.user);

    const ar = { c: await cli(viewer, ['autoresponders', '--json', '--days', '30']), r: await route(a, '/api/v1/autoresponders?days=30') };
    expect(ar.c.json.autoresponders).toEqual(ar.r.json.autoresponders);
    expect(ar.c.json.counts).toEqual(ar.r.json.counts);
    const arPage = await page(a, '/autoresponders?days=30');
    for (const x of ar.r.json.autoresponders) expect(arPage.text).toContain(x.address);

    const bs = { c: await cli(viewer, ['backscatter', '--json', '--days', '30']), r: await route(a, '/api/v1/backscatter?days=30') };
    expect(timeless(bs.c.json)).toEqual(timeless(bs.r.json));
    expect((await page(a, '/backscatter?days=30')).status).toBe(200);
  });

  test('root-only capabilities: the same answer or the same refusal in every face', async () => {
    const cases: Array<{ cli: string[]; route: string; page: string }> = [
      { cli: ['status', '--json'], route: '/api/v1/status', page: '/status' },
      { cli: ['audit', '--json'], route: '/api/v1/audit', page: '/audit' },
      { cli: ['disable', '--json'], route: '/api/v1/pop-before-smtp?action=disable', page: '/status/confirm?action=disable' },
    ];
    for (const k of cases) {
      const c = await cli(viewer, k.cli);
      const r = await route(a, k.route);
      const p = await page(a, k.page);
      if (!SEES_ALL[viewer]) {
        expect([k.route, r.status, p.status, c.json?.error?.code, r.json.error.code, c.code !== 0]).toEqual([k.route, 403, 403, 'forbidden', 'forbidden', true]);
        continue;
      }
      expect([k.route, r.status, p.status]).toEqual([k.route, 200, 200]);
      if (k.cli[0] === 'status') {
        expect(c.json.popBeforeSmtp).toEqual(r.json.popBeforeSmtp);
        expect(c.json.allowlists).toEqual(r.json.allowlists);
        expect(c.code).toBe(statusExitCode(r.json as StatusReport));
        // the raw relay list holds every host explain gives root
        expect(r.json.relayList.ips).toBe(reference.get(viewer)!.counts.hosts);
        expect(p.text).toContain('198.51.100.201');
      } else if (k.cli[0] === 'audit') {
        expect(c.json.entries).toEqual(r.json.entries);
        for (const e of r.json.entries) expect(p.text).toContain(e.action);
      } else {
        expect(timeless(c.json.affected)).toEqual(timeless(r.json.affected));
        expect(c.json.commands).toEqual(r.json.commands);
        for (const u of r.json.affected?.users ?? []) expect(p.text).toContain(u.user);
      }
    }
    // the monitoring check: the same state and exit status, from explain's counts
    const chk = { c: await cli(viewer, ['check', '--json']), r: await route(a, '/api/v1/check'), p: await page(a, '/monitoring') };
    if (!SEES_ALL[viewer]) {
      expect([chk.r.status, chk.p.status, chk.c.code, chk.c.json.state]).toEqual([403, 403, 3, 'UNKNOWN']);
    } else {
      const ref = reference.get(viewer)!;
      expect([chk.r.status, chk.p.status]).toEqual([200, 200]);
      expect([chk.c.code, chk.c.json.state, chk.c.json.line]).toEqual([chk.r.json.exitCode, chk.r.json.state, chk.r.json.line]);
      expect(chk.r.json.facts.relay).toMatchObject({ decided: true, summary: ref.summary, hosts: ref.counts.hosts, explained: ref.counts.explained, unexplained: ref.counts.unexplained, alwaysrelay: ref.counts.alwaysrelay });
      expect(chk.p.text).toContain(fold(chk.r.json.line));
    }
    // blacklist: no DNS here (the resolver is a closed port); access is the same in every face
    const bl = await route(a, '/api/v1/blacklist');
    const blPage = await page(a, '/blacklist');
    expect([bl.status, blPage.status]).toEqual(SEES_ALL[viewer] ? [200, 200] : [403, 403]);
  });
});

test('the viewers\' answers fit together: each reseller sees exactly the hosts tied to their accounts, root and `all` see every host', () => {
  const ips = (v: ViewerName): string[] => reference.get(v)!.hosts.map((h) => h.ip).sort();
  expect(ips('root')).toEqual([...RELAY_IPS].sort());
  expect(ips('boss')).toEqual(ips('root'));
  expect(ips('resellera')).toEqual(['203.0.113.10', '203.0.113.77', '203.0.113.88']);
  expect(ips('resellerb')).toEqual(['192.0.2.150', '198.51.100.7', '2001:db8::b0']);
  // the statuses a reseller sees are root's
  for (const v of ['resellera', 'resellerb'] as const) {
    for (const h of reference.get(v)!.hosts) expect([h.ip, h.status]).toEqual([h.ip, reference.get('root')!.hosts.find((x) => x.ip === h.ip)!.status]);
  }
  expect(reference.get('resellera')!.verdict).toBe('unexplained');
  expect(reference.get('resellerb')!.verdict).toBe('clear');
  // reseller B sees 192.0.2.150 because carol's mailbox was tried from it, and nothing of alice's login
  const b150 = reference.get('resellerb')!.hosts.find((h) => h.ip === '192.0.2.150')!;
  expect([b150.tiedBy, b150.users, b150.loginUsers, b150.failedLogins.users]).toEqual([['failed-login'], [], [], ['carol@carol.example']]);
});

test('ip: the exit status is explain\'s rule for the IP (2 when unexplained), for every viewer', async () => {
  for (const viewer of VIEWERS) {
    for (const h of reference.get(viewer)!.hosts) {
      const c = await cli(viewer, ['ip', h.ip, '--json']);
      expect([viewer, h.ip, c.code]).toEqual([viewer, h.ip, h.status === 'unexplained' ? 2 : 0]);
    }
  }
});
