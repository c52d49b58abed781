/**
 * The demo host generator, end to end: generate real host trees into temporary folders and read
 * them back with relaywatch's own host adapter and parsers, as the product will.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import request from 'supertest';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { DemoSummary, generateDemoHost } from '../../src/demo/generateDemoHost';
import { installStandins, STANDINS_DIR } from '../../src/demo/installStandins';
import { Host } from '../../src/host/host';
import { createContext } from '../../src/services/context';
import { findLogFiles } from '../../src/host/logFiles';
import {
  parseKeyValue, parseResellers, parseTrueUserOwners, parseUserDomains,
} from '../../src/parsers/accountFiles';
import { canonicalIp } from '../../src/parsers/ip';
import { parseLoginLine } from '../../src/parsers/loginLine';
import {
  parseAlwaysRelay, parseAntirelaydConf, parseRelayList, parseUserMap,
} from '../../src/parsers/relayFiles';
import { makeStampResolver, splitLogLine } from '../../src/parsers/syslogLine';

const NOW = new Date(2026, 10, 27, 22, 11, 50);
const SEED = 1234;
const MIN = 60_000;
/**
 * Local stamps repeat an hour when summer time ends: the resolver reads the second pass as the first,
 * so time may seem to step back by up to an hour there (on a real server too), never more.
 */
const DST_REPEAT_MS = 60 * MIN;
/** MiB of mail log where the size does not matter to the test */
const SMALL = 0.5;

const tmpDirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'relaywatch-demo-'));
  tmpDirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

interface LogLine {
  file: string;
  text: string;
  at: number | null;
}

function readLog(root: string, hostPath: string): string {
  const raw = fs.readFileSync(path.join(root, hostPath));
  return (hostPath.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString('utf8');
}

/** Every mail-log line, oldest file first, with its instant resolved as relaywatch resolves it. */
function allLines(summary: DemoSummary): LogLine[] {
  const out: LogLine[] = [];
  for (const file of [...summary.mailLogFiles].reverse()) {
    const resolve = makeStampResolver(fs.statSync(path.join(summary.root, file)).mtime);
    for (const text of readLog(summary.root, file).split('\n')) {
      if (text === '') continue;
      const stamp = splitLogLine(text).stamp;
      out.push({ file, text, at: stamp ? (resolve(stamp)?.getTime() ?? null) : null });
    }
  }
  return out;
}

/** canonical IP -> instants of successful logins */
function loginsByIp(lines: readonly LogLine[]): Map<string, number[]> {
  const map = new Map<string, number[]>();
  for (const l of lines) {
    const hit = parseLoginLine(l.text);
    if (!hit) continue;
    map.set(hit.ip, [...(map.get(hit.ip) ?? []), l.at!]);
  }
  return map;
}

function allRelayIps(s: DemoSummary): string[] {
  const r = s.relayHosts;
  return [...r.explained, ...r.stale, ...r.alwaysrelay, ...r.unexplained];
}

describe('modern demo host', () => {
  let summary: DemoSummary;
  let host: Host;
  let lines: LogLine[];
  let logins: Map<string, number[]>;

  beforeAll(async () => {
    summary = await generateDemoHost({ out: tmp(), generation: 'modern', seed: SEED, now: NOW });
    host = new Host(summary.root);
    lines = allLines(summary);
    logins = loginsByIp(lines);
  });

  test('the summary', () => {
    expect(summary.generation).toBe('modern');
    expect(summary.accounts).toBe(300);
    expect(summary.resellers).toEqual(['resellera', 'resellerb', 'resellerall', 'resellerc']);
    const n = allRelayIps(summary).length;
    expect(n).toBeGreaterThanOrEqual(20);
    expect(n).toBeLessThanOrEqual(40);
    expect(summary.hostileUser).toBe('<script>alert(1)</script>');
    expect(summary.mailLogFiles[0]).toBe('/var/log/maillog');
  });

  test('/etc/relayhosts and /etc/relayhostsusers are absolute symlinks to the recent_authed files', async () => {
    expect(fs.readlinkSync(host.direct('/etc/relayhosts'))).toBe('/etc/recent_authed_mail_ips');
    expect(fs.readlinkSync(host.direct('/etc/relayhostsusers'))).toBe('/etc/recent_authed_mail_ips_users');
    expect(host.real('/etc/relayhosts')).toBe(host.direct('/etc/recent_authed_mail_ips'));
    expect(host.real('/etc/relayhostsusers')).toBe(host.direct('/etc/recent_authed_mail_ips_users'));
    expect(fs.lstatSync(host.direct('/etc/recent_authed_mail_ips')).isFile()).toBe(true);
    expect(await host.exists('/etc/popbeforesmtp')).toBe(true);
  });

  test('the relay list parses with no rejected line and holds exactly the summary\'s IPs, IPv6 expanded and quoted', async () => {
    const text = (await host.readOptional('/etc/relayhosts'))!;
    const list = parseRelayList(text);
    expect(list.rejected).toEqual([]);
    expect([...list.ips].sort()).toEqual(allRelayIps(summary).sort());
    const v6 = text.split('\n').filter((l) => l.includes(':'));
    expect(v6.length).toBeGreaterThanOrEqual(2);
    for (const l of v6) expect(l).toMatch(/^"(?:[0-9a-f]{4}:){7}[0-9a-f]{4}"$/);
    expect(list.ips).not.toContain('::1');
    expect(list.ips).not.toContain('127.0.0.1');
  });

  test('the user map parses, names real mailboxes or cPanel users, and marks alwaysrelay entries', async () => {
    const map = parseUserMap((await host.readOptional('/etc/relayhostsusers'))!);
    expect(map.rejected).toEqual([]);
    const userDomains = parseUserDomains((await host.readOptional('/etc/userdomains'))!);
    const owners = parseTrueUserOwners((await host.readOptional('/etc/trueuserowners'))!);
    for (const [ip, users] of map.users) {
      expect(allRelayIps(summary)).toContain(ip);
      for (const u of users) {
        if (u === '-alwaysrelay-') {
          expect(summary.relayHosts.alwaysrelay).toContain(ip);
          continue;
        }
        const known = u.includes('@') ? userDomains.has(u.slice(u.indexOf('@') + 1)) : owners.has(u);
        expect(known).toBe(true);
      }
    }
    for (const ip of summary.relayHosts.explained) expect(map.users.get(ip)?.length).toBeGreaterThan(0);
  });

  test('every explained IP has a successful login in the last 30 minutes', () => {
    for (const ip of summary.relayHosts.explained) {
      const times = logins.get(ip) ?? [];
      const last = Math.max(...times);
      expect(NOW.getTime() - last).toBeGreaterThanOrEqual(0);
      expect(NOW.getTime() - last).toBeLessThanOrEqual(30 * MIN);
    }
  });

  test('stale IPs last logged in 60–180 minutes ago', () => {
    for (const ip of summary.relayHosts.stale) {
      const age = NOW.getTime() - Math.max(...(logins.get(ip) ?? []));
      expect(age).toBeGreaterThanOrEqual(60 * MIN);
      expect(age).toBeLessThanOrEqual(180 * MIN);
    }
  });

  test('unexplained and alwaysrelay IPs have no successful login anywhere; one unexplained has failed lines, one nothing', () => {
    for (const ip of [...summary.relayHosts.unexplained, ...summary.relayHosts.alwaysrelay]) expect(logins.get(ip)).toBeUndefined();
    const mentions = (ip: string) => lines.filter((l) => l.text.includes(`rip=${ip},`) || l.text.includes(`,${ip},<`)).length;
    const counts = summary.relayHosts.unexplained.map(mentions);
    expect(counts.some((n) => n > 0)).toBe(true);
    expect(counts.some((n) => n === 0)).toBe(true);
  });

  test('the log shows IPv6, IPv4-mapped, Dovecot 2.4 and webmail-over-loopback logins', () => {
    const explainedV6 = summary.relayHosts.explained.filter((ip) => ip.includes(':'));
    expect(explainedV6.length).toBeGreaterThanOrEqual(1);
    const mapped = lines.filter((l) => /rip=::ffff:\d/.test(l.text) && parseLoginLine(l.text));
    expect(mapped.length).toBeGreaterThan(0);
    expect(summary.relayHosts.explained).toContain(parseLoginLine(mapped[0].text)!.ip);
    expect(lines.some((l) => l.text.includes('-login: Logged in: ') && parseLoginLine(l.text))).toBe(true);
    const webmail = lines.filter((l) => l.text.includes('rip=::1,') && parseLoginLine(l.text));
    expect(webmail.some((l) => NOW.getTime() - l.at! <= 30 * MIN)).toBe(true);
  });

  test('recent successful logins come only from listed IPs or loopback', () => {
    const listed = new Set(allRelayIps(summary));
    for (const l of lines) {
      const hit = parseLoginLine(l.text);
      if (!hit || NOW.getTime() - l.at! > 60 * MIN) continue;
      expect(listed.has(hit.ip) || hit.ip === '::1' || hit.ip === '127.0.0.1').toBe(true);
    }
  });

  test('the hostile user name appears only in failed lines, some of them from an unexplained relay IP', () => {
    const hostile = lines.filter((l) => l.text.includes(summary.hostileUser));
    expect(hostile.length).toBeGreaterThan(0);
    for (const l of hostile) {
      expect(parseLoginLine(l.text)).toBeNull();
      expect(l.text).toMatch(/auth failed|Aborted login|Login aborted|Password mismatch|pam_authenticate\(\) failed|unknown user/);
    }
    const ips = hostile.map((l) => /rip=([^,]+),/.exec(l.text)?.[1]).filter(Boolean).map((ip) => canonicalIp(ip!));
    expect(ips.some((ip) => summary.relayHosts.unexplained.includes(ip!))).toBe(true);
    for (const f of ['/etc/recent_authed_mail_ips', '/etc/recent_authed_mail_ips_users', '/etc/alwaysrelay']) {
      expect(fs.readFileSync(host.direct(f), 'utf8')).not.toContain(summary.hostileUser);
    }
  });

  test('successful logins are a realistic minority of the lines', () => {
    const n = lines.filter((l) => parseLoginLine(l.text)).length;
    expect(n).toBeGreaterThan(0);
    expect(n / lines.length).toBeLessThan(0.1);
    expect(lines.some((l) => l.text.includes('Disconnected (auth failed'))).toBe(true);
    expect(lines.some((l) => l.text.includes('Aborted login'))).toBe(true);
    expect(lines.some((l) => /auth-worker\(\d+\): pam\(.*password mismatch/.test(l.text))).toBe(true);
    expect(lines.some((l) => l.text.includes(': Logged out '))).toBe(true);
  });

  test('syslog lines: classic prefix without year, time never runs backwards, nothing after now', () => {
    const prefix = /^[A-Z][a-z]{2} [ 1-3]\d \d\d:\d\d:\d\d server1 [\w-]+\[\d+\]: /;
    expect(lines.filter((l) => !prefix.test(l.text) || l.at === null)).toEqual([]);
    expect(lines.filter((l, i) => i > 0 && l.at! < lines[i - 1].at! - DST_REPEAT_MS)).toEqual([]);
    expect(Math.max(...lines.map((l) => l.at!))).toBeLessThanOrEqual(NOW.getTime());
  });

  test('rotations: live file then maillog-YYYYMMDD, each older than the next; the newest plain, older ones gzip', async () => {
    const found = await findLogFiles(host, '/var/log/maillog');
    expect(found.map((f) => f.path)).toEqual(summary.mailLogFiles);
    expect(found[0].mtime.getTime()).toBe(NOW.getTime());
    for (let i = 1; i < found.length; i++) {
      expect(found[i].path).toMatch(/^\/var\/log\/maillog-\d{8}(\.gz)?$/);
      expect(found[i].mtime.getTime()).toBeLessThan(found[i - 1].mtime.getTime());
    }
    expect(found[1].gz).toBe(false);
    expect(found.slice(2).every((f) => f.gz)).toBe(true);
    let total = 0;
    for (const f of found) total += readLog(summary.root, f.path).length > 0 ? Buffer.byteLength(readLog(summary.root, f.path)) : 0;
    expect(total).toBe(summary.mailLogBytes);
  });

  test('account files: owners, resellers, domains and per-user files agree', async () => {
    const owners = parseTrueUserOwners((await host.readOptional('/etc/trueuserowners'))!);
    expect(owners.size).toBe(300);
    expect(new Set(owners.values())).toEqual(new Set(['root', 'resellera', 'resellerb', 'resellerall']));
    const resellers = parseResellers((await host.readOptional('/var/cpanel/resellers'))!);
    expect(resellers.get('resellerall')).toEqual(['all']);
    expect(resellers.get('resellera')).toEqual(expect.arrayContaining(['list-accts', 'software-relaywatch']));
    expect(resellers.get('resellerb')).toEqual(expect.arrayContaining(['list-accts', 'software-relaywatch']));
    expect(resellers.get('resellerc')).toContain('list-accts');
    expect(resellers.get('resellerc')).not.toContain('software-relaywatch');
    const userDomainsText = (await host.readOptional('/etc/userdomains'))!;
    expect(userDomainsText).toMatch(/^\*: nobody$/m);
    const userDomains = parseUserDomains(userDomainsText);
    const primary = parseUserDomains((await host.readOptional('/etc/trueuserdomains'))!);
    expect(primary.size).toBe(300);
    expect(userDomains.size).toBeGreaterThan(primary.size);
    for (const [user, owner] of owners) {
      const kv = parseKeyValue((await host.readOptional(`/var/cpanel/users/${user}`))!);
      expect(kv.USER).toBe(user);
      expect(kv.OWNER).toBe(owner);
      expect(userDomains.get(kv.DNS)).toBe(user);
      expect(primary.get(kv.DNS)).toBe(user);
    }
    for (const r of summary.resellers) expect(owners.has(r)).toBe(true);
  });

  test('resellers with relaywatch\'s privilege see their own accounts; the one without it is told where root grants it', async () => {
    const as = (user: string) => createApp(createContext(loadConfig({ root: summary.root })), { identity: { kind: 'dev', user } });
    for (const user of ['resellera', 'resellerb', 'resellerall']) {
      const r = await request(as(user)).get('/api/v1/accounts');
      expect([user, r.status]).toEqual([user, 200]);
      expect(r.body.accounts.length).toBeGreaterThan(0);
    }
    const refused = await request(as('resellerc')).get('/api/v1/accounts');
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe(
      'WHM user "resellerc" lacks the "software-relaywatch" privilege that relaywatch needs; root grants it in WHM » Resellers » Edit Reseller Nameservers and Privileges, under "Third-Party Services".',
    );
    const page = await request(as('resellerc')).get('/').set('accept', 'text/html');
    expect(page.status).toBe(403);
    expect(page.text).toContain('software-relaywatch');
    expect(page.text).toContain('Edit Reseller Nameservers and Privileges');
  });

  test('server and Tweak Settings files', async () => {
    expect((await host.readOptional('/usr/local/cpanel/version'))!.trim()).toBe('11.120.0.16');
    const cfg = parseKeyValue((await host.readOptional('/var/cpanel/cpanel.config'))!);
    expect(cfg.popbeforesmtp).toBe('1');
    expect(cfg.skiprecentauthedmailiptracker).toBe('0');
    expect(cfg.skiptailwatchd).toBe('0');
    const conf = parseAntirelaydConf((await host.readOptional('/etc/antirelayd.conf'))!);
    expect(conf.rejected).toEqual([]);
    expect(conf.expireHostMins).toBe(30);
    expect((await host.readOptional('/etc/antirelayd.conf'))!).toMatch(/^expire_host_mins = 30 ; /);
    const always = parseAlwaysRelay((await host.readOptional('/etc/alwaysrelay'))!);
    expect(always.rejected).toEqual([]);
    expect(always.entries.map((e) => e.ip).sort()).toEqual([...summary.relayHosts.alwaysrelay].sort());
    expect(always.entries.filter((e) => e.user !== null)).toHaveLength(1);
    expect(canonicalIp((await host.readOptional('/etc/skipsmtpcheckhosts'))!.trim())).not.toBeNull();
    expect(await host.readOptional('/etc/trustedmailhosts')).toBe('');
    const mainIp = (await host.readOptional('/var/cpanel/mainip'))!;
    expect(canonicalIp(mainIp)).toBe(mainIp);
    for (const l of (await host.readOptional('/etc/ips'))!.trim().split('\n')) expect(l).toMatch(/^[\d.]+:255\.255\.255\.0:[\d.]+$/);
    for (const l of (await host.readOptional('/etc/mailips'))!.trim().split('\n')) expect(l).toMatch(/^[a-z0-9.-]+: [\d.]+$/);
  });

  test('tailwatchd_log has both stamp forms and the unstamped lines', async () => {
    const log = (await host.readOptional('/usr/local/cpanel/logs/tailwatchd_log'))!;
    const stamp = String.raw`\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}\]`;
    expect(log).toMatch(new RegExp(`^\\[\\d+\\] ${stamp} \\[main\\] `, 'm'));
    expect(log).toMatch(new RegExp(`^\\[\\d+\\] ${stamp} \\[Cpanel::TailWatch::Utils::EnableDisable\\] \\[\\d+\\] ${stamp} \\[main\\] Cpanel::TailWatch::RecentAuthedMailIpTracker was successfully enabled$`, 'm'));
    expect(log).toMatch(/^\[START\] \d+ \d+$/m);
    expect(log).toMatch(/^\[STOP Ok\] \d+$/m);
  });

  test('the marker holds the summary', () => {
    const marker = JSON.parse(fs.readFileSync(host.direct('/etc/relaywatch/demo-host.json'), 'utf8'));
    expect(marker.complete).toBe(true);
    expect(marker.relayHosts).toEqual(summary.relayHosts);
    expect(marker.mailLogFiles).toEqual(summary.mailLogFiles);
    expect(marker.hostileUser).toBe(summary.hostileUser);
    expect(marker.seed).toBe(SEED);
  });
});

describe('legacy demo host', () => {
  let summary: DemoSummary;
  let host: Host;

  beforeAll(async () => {
    summary = await generateDemoHost({ out: tmp(), generation: 'legacy', seed: SEED, now: NOW });
    host = new Host(summary.root);
  });

  test('plain relay files in the legacy format, no modern files', async () => {
    expect(fs.lstatSync(host.direct('/etc/relayhosts')).isFile()).toBe(true);
    expect(fs.lstatSync(host.direct('/etc/relayhostsusers')).isFile()).toBe(true);
    expect(await host.exists('/etc/recent_authed_mail_ips')).toBe(false);
    expect(await host.exists('/etc/recent_authed_mail_ips_users')).toBe(false);
    expect(await host.exists('/etc/popbeforesmtp')).toBe(false);
    const list = parseRelayList((await host.readOptional('/etc/relayhosts'))!);
    expect(list.rejected).toEqual([]);
    expect([...list.ips].sort()).toEqual(allRelayIps(summary).sort());
    const usersText = (await host.readOptional('/etc/relayhostsusers'))!;
    for (const l of usersText.trim().split('\n')) expect(l).toMatch(/^(?:[\d.]+|"(?:[0-9a-f]{4}:){7}[0-9a-f]{4}") \S+$/);
    const map = parseUserMap(usersText);
    expect(map.rejected).toEqual([]);
    for (const ip of summary.relayHosts.explained) expect(map.users.get(ip)?.length).toBe(1);
  });

  test('legacy version and driver keys', async () => {
    expect((await host.readOptional('/usr/local/cpanel/version'))!.trim()).toBe('11.44.1.19');
    const cfg = parseKeyValue((await host.readOptional('/var/cpanel/cpanel.config'))!);
    expect(cfg.skipantirelayd).toBe('0');
    expect(cfg.skiprecentauthedmailiptracker).toBeUndefined();
    expect((await host.readOptional('/usr/local/cpanel/logs/tailwatchd_log'))!).toContain('Cpanel::TailWatch::Antirelayd was successfully enabled');
  });

  test('the logs explain the same statuses', () => {
    const logins = loginsByIp(allLines(summary));
    for (const ip of summary.relayHosts.explained) expect(NOW.getTime() - Math.max(...logins.get(ip)!)).toBeLessThanOrEqual(30 * MIN);
    for (const ip of summary.relayHosts.unexplained) expect(logins.get(ip)).toBeUndefined();
  });
});

describe('determinism, size and the output folder', () => {
  /** files whose modification time the generator sets (the others get the time they were written) */
  const TIMED = /^(?:var\/log\/|etc\/recent_authed|etc\/relayhosts|usr\/local\/cpanel\/logs\/)/;
  function snapshot(root: string): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (rel: string): void => {
      for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
        const r = path.join(rel, e.name);
        const p = path.join(root, r);
        if (e.isDirectory()) walk(r);
        else if (e.isSymbolicLink()) out[r] = `-> ${fs.readlinkSync(p)}`;
        else out[r] = `${TIMED.test(r) ? fs.statSync(p).mtimeMs : ''} ${fs.readFileSync(p).toString('base64')}`;
      }
    };
    walk('');
    return out;
  }

  test('the same seed and time give identical files; another seed gives another host', async () => {
    const a = await generateDemoHost({ out: tmp(), generation: 'modern', seed: 99, now: NOW, sizeMb: SMALL });
    const b = await generateDemoHost({ out: tmp(), generation: 'modern', seed: 99, now: NOW, sizeMb: SMALL });
    const sa = snapshot(a.root);
    expect(Object.keys(sa).length).toBeGreaterThan(300);
    expect(snapshot(b.root)).toEqual(sa);
    const c = await generateDemoHost({ out: tmp(), generation: 'modern', seed: 100, now: NOW, sizeMb: SMALL });
    expect(fs.readFileSync(path.join(c.root, 'etc/recent_authed_mail_ips'), 'utf8')).not.toBe(fs.readFileSync(path.join(a.root, 'etc/recent_authed_mail_ips'), 'utf8'));
  });

  test('sizeMb sets the total size of the mail logs', async () => {
    const s = await generateDemoHost({ out: tmp(), generation: 'modern', seed: 5, now: NOW, sizeMb: 5 });
    const target = 5 * 1024 * 1024;
    expect(Math.abs(s.mailLogBytes - target) / target).toBeLessThan(0.1);
    let total = 0;
    for (const f of s.mailLogFiles) total += Buffer.byteLength(readLog(s.root, f));
    expect(total).toBe(s.mailLogBytes);
    const logins = loginsByIp(allLines(s));
    for (const ip of s.relayHosts.explained) expect(logins.get(ip)?.length).toBeGreaterThan(0);
  });

  test('big logs are written plain unless gzip is asked for', async () => {
    const s = await generateDemoHost({ out: tmp(), generation: 'modern', seed: 5, now: NOW, sizeMb: SMALL, gzipRotations: false });
    expect(s.mailLogFiles.every((f) => !f.endsWith('.gz'))).toBe(true);
  });

  test('refuses a non-empty folder that holds no demo host, and leaves it untouched', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'precious.txt'), 'keep me');
    await expect(generateDemoHost({ out: dir, generation: 'modern', now: NOW })).rejects.toThrow(/not empty and holds no earlier demo host/);
    expect(fs.readdirSync(dir)).toEqual(['precious.txt']);
    const file = path.join(dir, 'precious.txt');
    await expect(generateDemoHost({ out: file, generation: 'modern', now: NOW })).rejects.toThrow(/not a directory/);
  });

  test('replaces an earlier demo host, leftovers included', async () => {
    const dir = tmp();
    await generateDemoHost({ out: dir, generation: 'modern', seed: 1, now: NOW, sizeMb: SMALL });
    fs.writeFileSync(path.join(dir, 'etc', 'leftover'), 'x');
    const s = await generateDemoHost({ out: dir, generation: 'legacy', seed: 2, now: NOW, sizeMb: SMALL });
    expect(fs.existsSync(path.join(dir, 'etc', 'leftover'))).toBe(false);
    expect(fs.lstatSync(path.join(dir, 'etc', 'relayhosts')).isFile()).toBe(true);
    expect(s.generation).toBe('legacy');
  });

  test('rejects bad options', async () => {
    await expect(generateDemoHost({ out: tmp(), generation: 'old' as 'legacy', now: NOW })).rejects.toThrow(/generation/);
    await expect(generateDemoHost({ out: tmp(), generation: 'modern', sizeMb: -1, now: NOW })).rejects.toThrow(/sizeMb/);
  });
});

describe('yearless stamps across New Year', () => {
  test('a January host has a rotated file with December lines, read as last year', async () => {
    const now = new Date(2027, 0, 3, 10, 0, 0);
    const s = await generateDemoHost({ out: tmp(), generation: 'modern', seed: 7, now, sizeMb: SMALL });
    const lines = allLines(s);
    const december = lines.filter((l) => l.text.startsWith('Dec '));
    expect(december.length).toBeGreaterThan(0);
    const crossing = s.mailLogFiles.filter((f) => f !== '/var/log/maillog').find((f) => {
      const text = readLog(s.root, f);
      return text.includes('\nDec ') && text.includes('\nJan ');
    });
    expect(crossing).toBeDefined();
    for (const l of december) expect(new Date(l.at!).getFullYear()).toBe(2026);
    for (const l of lines.filter((x) => x.text.startsWith('Jan '))) expect(new Date(l.at!).getFullYear()).toBe(2027);
    expect(lines.filter((l, i) => i > 0 && l.at! < lines[i - 1].at! - DST_REPEAT_MS)).toEqual([]);
  });
});

describe('installStandins', () => {
  test('copies every stand-in to the same host path, executable, without the README', async () => {
    const from = tmp();
    fs.mkdirSync(path.join(from, 'usr/local/cpanel/libexec'), { recursive: true });
    fs.writeFileSync(path.join(from, 'usr/local/cpanel/libexec/tailwatchd'), '#!/bin/sh\necho ok\n', { mode: 0o644 });
    fs.writeFileSync(path.join(from, 'README.md'), '# not a program\n');
    const root = tmp();
    const installed = await installStandins(root, from);
    expect(installed).toEqual(['/usr/local/cpanel/libexec/tailwatchd']);
    const st = fs.statSync(path.join(root, 'usr/local/cpanel/libexec/tailwatchd'));
    expect(st.mode & 0o777).toBe(0o755);
    expect(fs.existsSync(path.join(root, 'README.md'))).toBe(false);
  });

  test('the stand-ins folder is test/fixtures/standins, with its README, and its programs reach the demo host', async () => {
    expect(STANDINS_DIR).toBe(path.resolve(__dirname, '../fixtures/standins'));
    expect(fs.existsSync(path.join(STANDINS_DIR, 'README.md'))).toBe(true);
    const root = tmp();
    const installed = await installStandins(root);
    for (const p of installed) expect(fs.statSync(path.join(root, p)).mode & 0o111).toBe(0o111);
    const s = await generateDemoHost({ out: tmp(), generation: 'modern', now: NOW, sizeMb: SMALL });
    const marker = JSON.parse(fs.readFileSync(path.join(s.root, 'etc/relaywatch/demo-host.json'), 'utf8'));
    expect(marker.standins).toEqual(installed);
  });
});
