/**
 * Every sentence relaywatch prints about a number or a time comes from the data it describes, in
 * every face that prints it: the relay window is the host's expire_host_mins; the confirmation page
 * offers its own way to stop the IP tracker (not the CLI's flag); the status stops warning about
 * listed IPs once the tracker is off too; reliance says how far back the exim log really reaches;
 * a time in a blacklist's answer carries the name the answer gives it; a backscatter window with
 * no traffic says where the traffic is; and an ad-hoc resolver on the command line leaves the
 * daemon's cached blacklist result alone.
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { createContext } from '../../src/services/context';
import { makeCpanelHost, SmallHostOptions } from '../helpers/cpanelHost';
import { DEFAULT_QUERIED_ZONES, RunningDnsblServer, selfTestEntries, startDnsblServer } from '../helpers/dnsServer';
import { makeBlacklistHost } from '../helpers/blacklistHost';
import { arrival, bounce, eximStamp, identification, messageId } from '../helpers/eximLines';
import { addToTree, removeTree, runCliCaptured } from '../helpers/hostTree';
import { installStandins, writeRelaywatchConfig } from '../helpers/standins';

const roots: string[] = [];
const servers: RunningDnsblServer[] = [];
afterAll(async () => {
  roots.forEach(removeTree);
  await Promise.all(servers.map((s) => s.close()));
});

const SESSION = '/cpsess7770002222';
const SECRET = Buffer.alloc(32, 3);
const asRoot = { 'x-relaywatch-whm-user': 'root', 'x-relaywatch-security-token': SESSION };
const appFor = (root: string) => createApp(createContext(loadConfig({ root })), { identity: { kind: 'socket' }, secret: SECRET });
const now = new Date(Math.floor(Date.now() / 1000) * 1000); // whole seconds, as log stamps are
const ago = (ms: number): Date => new Date(now.getTime() - ms);
const DAY = 86_400_000;

function host(o: Partial<SmallHostOptions> & { generation: 'legacy' | 'modern' }, extra: Parameters<typeof addToTree>[1] = {}): string {
  const root = makeCpanelHost({ relayIps: ['203.0.113.10'], now, ...o });
  roots.push(root);
  installStandins(root, o.generation);
  addToTree(root, extra);
  return root;
}

async function cli(root: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string; body: any }> {
  const r = await runCliCaptured([...argv, '--root', root]);
  let body: any = null;
  try {
    body = JSON.parse(r.stdout);
  } catch {
    // text
  }
  return { ...r, body };
}

describe('the relay window is expire_host_mins, in every face', () => {
  const conf = { '/etc/antirelayd.conf': 'expire_host_mins = 45\n' };

  test('POP-before-SMTP on: status, explain and the status page say 45 minutes', async () => {
    const root = host({ generation: 'modern', popbeforesmtp: true }, { files: conf });
    const status = await cli(root, 'status');
    expect(status.stdout).toContain('may relay mail for about 45 minutes after a POP3/IMAP login');
    expect(status.stdout).not.toMatch(/30 minutes/);
    const explained = await cli(root, 'explain', '--json');
    expect(explained.body.relaying.why).toContain('about 45 minutes');
    const page = await request(appFor(root)).get('/status').set(asRoot).expect(200);
    expect(page.text).toContain('about 45 minutes');
    expect(page.text).not.toMatch(/30 minutes/);
  });

  test.each(['modern', 'legacy'] as const)('%s, turning it on: the preview and the confirmation page say 45 minutes', async (generation) => {
    const root = host({ generation, popbeforesmtp: false }, {
      files: { ...conf, ...(generation === 'legacy' ? { '/var/cpanel/cpanel.config': 'skipantirelayd=1\n' } : {}) },
    });
    const preview = await cli(root, 'enable');
    expect(preview.stdout).toMatch(/for about 45 minutes/);
    expect(preview.stdout).not.toMatch(/30 minutes/);
    const page = await request(appFor(root)).get('/status/confirm?action=enable').set(asRoot).expect(200);
    expect(page.text).toMatch(/for about 45 minutes/);
    expect(page.text).not.toMatch(/30 minutes/);
  });
});

describe('stopping the IP tracker too', () => {
  test('the confirmation page offers its own link, not the command line flag; the CLI offers --driver-too', async () => {
    const root = host({ generation: 'modern', popbeforesmtp: true });
    const page = await request(appFor(root)).get('/status/confirm?action=disable').set(asRoot).expect(200);
    expect(page.text).not.toContain('--driver-too');
    expect(page.text).toMatch(/<a class="rw-button rw-secondary" id="rw-driver-too" href="\/status\/confirm\?action=disable&amp;driverToo=1">Also stop RecentAuthedMailIpTracker…<\/a>/);
    // the link leads to the confirmation that does stop it
    const withTracker = await request(appFor(root)).get('/status/confirm?action=disable&driverToo=1').set(asRoot).expect(200);
    expect(withTracker.text).toContain('--disable=Cpanel::TailWatch::RecentAuthedMailIpTracker');
    expect(withTracker.text).not.toContain('id="rw-driver-too"');
    const preview = await cli(root, 'disable');
    expect(preview.stdout).toContain('To stop RecentAuthedMailIpTracker as well, add --driver-too.');
  });

  test('after disable --driver-too, no face says listed IPs still skip checks or may relay', async () => {
    const root = host({ generation: 'modern', popbeforesmtp: true });
    const before = await cli(root, 'status', '--json');
    expect(before.body.popBeforeSmtp.relayingAllowed).toBe(true);
    const off = await cli(root, 'disable', '--yes', '--driver-too', '--json');
    expect(off.body).toMatchObject({ outcome: 'changed', verified: true });
    const status = await cli(root, 'status', '--json');
    expect(status.body.popBeforeSmtp).toMatchObject({ relayingAllowed: false, driverActive: false, flagFile: false });
    expect(status.body.popBeforeSmtp.why).toMatch(/no IP relays by POP-before-SMTP/);
    expect(status.body.popBeforeSmtp.why).not.toMatch(/still skip/);
    const text = await cli(root, 'status');
    expect(text.stdout).toMatch(/POP-before-SMTP relaying: NOT ALLOWED/);
    expect(text.stdout).not.toMatch(/still skip|may relay mail for about/);
    const explained = await cli(root, 'explain', '--json');
    expect(explained.body.relaying).toMatchObject({ allowed: false });
    expect(explained.body.relaying.why).not.toMatch(/still skip/);
    const page = await request(appFor(root)).get('/status').set(asRoot).expect(200);
    expect(page.text).not.toMatch(/still skip|they skip rate limits/);
    expect(page.text).toContain('no IP skips rate limits, greylisting or delays');
    // only the Tweak Setting off: the listed IPs do still skip the checks, and the status says so
    const other = host({ generation: 'modern', popbeforesmtp: true });
    await cli(other, 'disable', '--yes');
    expect((await cli(other, 'status', '--json')).body.popBeforeSmtp.why).toMatch(/still skip rate limits/);
  });
});

describe('reliance says how far back the exim log reaches', () => {
  function eximHost(): string {
    const first = `${eximStamp(ago(8 * DAY + 3_600_000))} Start queue run: pid=4242`;
    const used = identification(ago(3_600_000), { ip: '203.0.113.10', cpuser: 'bob', sender: 'bob@bob.example' });
    return host({ generation: 'modern', popbeforesmtp: true }, { files: { '/var/log/exim_mainlog': `${first}\n${used}\n` } });
  }

  test('30 days asked, 8 in the log: the CLI, the JSON, the page and the disable preview say 8', async () => {
    const root = eximHost();
    const text = await cli(root, 'reliance', '--days', '30');
    expect(text.stdout).toMatch(/^1 mailbox sent mail through POP-before-SMTP in the 8 days the exim log covers \(it begins \d{4}-\d\d-\d\d \d\d:\d\d UTC; 30 days were asked for\)/);
    expect(text.stdout).not.toMatch(/last 30 days/);
    const json = await cli(root, 'reliance', '--days', '30', '--json');
    expect(Date.parse(json.body.logsFrom)).toBeCloseTo(ago(8 * DAY + 3_600_000).getTime(), -4);
    expect(json.body.period).toMatch(/^in the 8 days the exim log covers/);
    const page = await request(appFor(root)).get('/reliance?days=30').set(asRoot).expect(200);
    expect(page.text).toMatch(/1 mailbox sent mail through POP-before-SMTP in the 8 days the exim log covers/);
    expect(page.text).not.toMatch(/in the last 30 days/);
    // the autoresponder and backscatter counts come from the same log, and say the same span
    const ar = await cli(root, 'autoresponders', '--days', '30');
    expect(ar.stdout).toMatch(/with a backscatter risk \(traffic in the 8 days the exim log covers/);
    expect((await request(appFor(root)).get('/autoresponders?days=30').set(asRoot).expect(200)).text).toMatch(/traffic in the 8 days the exim log covers/);
    const bs = await cli(root, 'backscatter', '--days', '30', '--json');
    expect(bs.body.logsFrom).toBe(json.body.logsFrom);
    expect((await cli(root, 'backscatter', '--days', '30')).stdout).toMatch(/^Since \S+, where the exim log begins \(30 days were asked for\):/);
    expect((await cli(root, 'backscatter', '--days', '7', '--json')).body.logsFrom).toBeNull();
    // the accounts overview and the account page count over the configured look-back: 7 days, covered
    const accounts = await request(appFor(root)).get('/accounts').set(asRoot).expect(200);
    expect(accounts.text).toContain('sent mail through POP-before-SMTP in the last 7 days.');
    // 7 days asked: the log reaches back far enough, and it says 7
    expect((await cli(root, 'reliance', '--days', '7')).stdout).toMatch(/^1 mailbox sent mail through POP-before-SMTP in the last 7 days;/);
    // the disable preview counts over the configured look-back
    writeRelaywatchConfig(root, 'evidence:\n  days: 30\n');
    const preview = await cli(root, 'disable');
    expect(preview.stdout).toMatch(/Who is affected: 1 mailbox sent 1 message through POP-before-SMTP in the 8 days the exim log covers/);
    const confirm = await request(appFor(root)).get('/status/confirm?action=disable').set(asRoot).expect(200);
    expect(confirm.text).toMatch(/sent mail through POP-before-SMTP in the 8 days the exim log covers/);
    const account = await request(appFor(root)).get('/account/bob').set(asRoot).expect(200);
    expect(account.text).toMatch(/sent mail without a password through POP-before-SMTP in the 8 days the exim log covers/);
    expect(account.text).not.toMatch(/last 30 days/);
  });
});

describe('blacklist: the time in a list\'s answer, and the daemon\'s cached result', () => {
  const NAME = '10.113.0.203.ips.backscatterer.org';
  const zones = Object.fromEntries(DEFAULT_QUERIED_ZONES.map((z) => [z, 'answer' as const]));
  async function dns(txt: string | null): Promise<RunningDnsblServer> {
    const records = { ...selfTestEntries(DEFAULT_QUERIED_ZONES), ...(txt ? { [NAME]: { a: ['127.0.0.2'], txt: [txt] } } : {}) };
    const s = await startDnsblServer({ zones, records });
    servers.push(s);
    return s;
  }
  function bhost(resolver: string): string {
    const root = makeBlacklistHost({ resolver });
    roots.push(root);
    return root;
  }

  test('a last hit is labelled "Last hit", in the CLI and on the page', async () => {
    const server = await dns('Demo: 203.0.113.10 sent backscatter; last hit 2026-11-20 08:15:00 UTC');
    const root = bhost(server.address);
    const r = await cli(root, 'blacklist');
    expect(r.stdout).toContain('    Last hit: 2026-11-20 08:15:00 UTC\n');
    expect(r.stdout).not.toContain('Listed since');
    const json = await cli(root, 'blacklist', '--json');
    const hit = json.body.ips.find((i: any) => i.ip === '203.0.113.10').results.find((x: any) => x.zone === 'ips.backscatterer.org');
    expect(hit).toMatchObject({ txtTime: '2026-11-20 08:15:00 UTC', txtTimeLabel: 'Last hit' });
    const page = await request(appFor(root)).get('/blacklist').set(asRoot).expect(200);
    expect(page.text).toContain('<p>Last hit: 2026-11-20 08:15:00 UTC</p>');
    expect(page.text).not.toContain('Listed since');
  });

  test('blacklist --resolver X from the command line does not replace the cached result of the configured resolver', async () => {
    const configured = await dns('listed since 2026-11-20');
    const other = await dns(null);
    const root = bhost(configured.address);
    const cache = path.join(root, 'var/lib/relaywatch/blacklist.json');
    const first = await cli(root, 'blacklist', '--json');
    expect(first.code).toBe(2);
    const kept = fs.readFileSync(cache, 'utf8');
    expect(JSON.parse(kept)).toMatchObject({ verdict: 'listed', resolver: configured.address });

    const adHoc = await cli(root, 'blacklist', '--json', '--resolver', other.address);
    expect(adHoc.code).toBe(0);
    expect(adHoc.body).toMatchObject({ verdict: 'clean', resolver: other.address });
    expect(adHoc.stderr).toMatch(/not the configured resolver; the page keeps its own result/);
    expect(fs.readFileSync(cache, 'utf8')).toBe(kept);
    const page = await request(appFor(root)).get('/api/v1/blacklist').set(asRoot).expect(200);
    expect(page.body).toMatchObject({ verdict: 'listed', resolver: configured.address });

    // naming the configured resolver is the ordinary check: its result is kept
    const same = await cli(root, 'blacklist', '--json', '--resolver', configured.address);
    expect(JSON.parse(fs.readFileSync(cache, 'utf8')).checkedAt).toBe(same.body.checkedAt);
  });
});

describe('backscatter: an empty window says where the traffic is', () => {
  test('a listing time with no bounce near it names the nearest bounces, in the CLI, the JSON and the page', async () => {
    const original = messageId();
    const bounceAt = ago(5 * 3_600_000);
    const exim = [
      arrival(ago(5 * 3_600_000 + 60_000), { id: original, sender: 'spammer@forged.example', to: ['nobody@bob.example'], ip: '192.0.2.99' }),
      bounce(bounceAt, original, 'spammer@forged.example'),
    ];
    const root = host({ generation: 'modern', popbeforesmtp: true }, { files: { '/var/log/exim_mainlog': exim.map((l) => `${l}\n`).join('') } });
    const at = ago(2 * 3_600_000).toISOString();
    const json = await cli(root, 'backscatter', '--at', at, '--json');
    expect(json.body.bounces.total).toBe(1);
    expect(json.body.around.counts.bounces).toBe(0);
    expect(json.body.around.nearest.before).toMatchObject({ kind: 'bounce', offsetSeconds: -3 * 3600 });
    expect(json.body.around.nearest.after).toBeNull();
    const text = await cli(root, 'backscatter', '--at', at);
    expect(text.stdout).toMatch(/No outgoing bounce or autoresponder traffic within 5 minutes of .*\. Nearest traffic: the last before it: bounce at .* UTC \(3 h before\)/);
    const page = await request(appFor(root)).get(`/backscatter?at=${encodeURIComponent(at)}`).set(asRoot).expect(200);
    expect(page.text).toMatch(/Nearest traffic: the last before it: bounce at .* UTC \(3 h before\)/);
    expect(page.text).toContain(`href="/backscatter?at=${encodeURIComponent(bounceAt.toISOString().replace(/\.\d{3}Z$/, '.000Z'))}&amp;window=5&amp;days=7"`);
    // centred on that bounce, the window shows it
    const centred = await cli(root, 'backscatter', '--at', json.body.around.nearest.before.time, '--json');
    expect(centred.body.around.counts.bounces).toBe(1);
    expect(centred.body.around.nearest).toBeNull();
  });
});
