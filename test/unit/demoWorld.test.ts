/**
 * The demo host's model (pure, no files): the seeded generator, syslog stamps, and the world the
 * files are written from: statuses, addresses, users, and where the hostile user names may appear.
 */
import { canonicalIp, ipRange } from '../../src/parsers/ip';
import { Random } from '../../src/demo/random';
import { dateExt, syslogStamp, tailwatchdStamp } from '../../src/demo/logs/syslogStamp';
import { accountOfLogin, buildWorld, DemoWorld, ROAMING_CUTOFF_MS } from '../../src/demo/world';

const NOW = new Date(2026, 10, 27, 22, 11, 50);
const MIN = 60_000;

describe('Random', () => {
  test('one seed gives one sequence; another seed another', () => {
    const a = new Random(7);
    const b = new Random(7);
    const c = new Random(8);
    const sa = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(sa);
    expect(sa.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  test('int stays within its bounds and reaches both', () => {
    const r = new Random(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(r.int(3, 6));
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
  });

  test('fork gives independent, reproducible streams', () => {
    const x = new Random(5).fork('a');
    const y = new Random(5).fork('a');
    const z = new Random(5).fork('b');
    const xs = [x.next(), x.next()];
    expect([y.next(), y.next()]).toEqual(xs);
    expect([z.next(), z.next()]).not.toEqual(xs);
  });
});

describe('stamps', () => {
  test('classic syslog stamp: no year, day padded with a space, local time', () => {
    const d = new Date(2026, 1, 2, 9, 47, 12);
    expect(syslogStamp(d.getTime())).toBe('Feb  2 09:47:12');
    expect(syslogStamp(new Date(2026, 10, 27, 22, 11, 50).getTime())).toBe('Nov 27 22:11:50');
  });

  test('tailwatchd stamp carries the local offset', () => {
    const d = new Date(2024, 7, 16, 17, 40, 46);
    expect(tailwatchdStamp(d.getTime())).toMatch(/^2024-08-16 17:40:46 [+-]\d{4}$/);
  });

  test('dateext is the local calendar date', () => {
    expect(dateExt(new Date(2026, 0, 4, 3, 10).getTime())).toBe('20260104');
  });
});

describe('the world', () => {
  const world: DemoWorld = buildWorld({ seed: 42, now: NOW, generation: 'modern' });
  const byStatus = (s: string) => world.relayHosts.filter((h) => h.status === s);
  const mailboxes = new Set(world.accounts.flatMap((a) => a.mailboxes));
  const cpUsers = new Set(world.accounts.map((a) => a.user));

  test('is the same for the same seed and differs for another', () => {
    expect(buildWorld({ seed: 42, now: NOW, generation: 'modern' })).toEqual(world);
    expect(buildWorld({ seed: 43, now: NOW, generation: 'modern' }).relayHosts.map((h) => h.ip)).not.toEqual(world.relayHosts.map((h) => h.ip));
  });

  test('has ~300 accounts owned by root and three resellers, each reseller with its own account; a fourth lacks relaywatch\'s privilege', () => {
    expect(world.accounts.length).toBe(300);
    expect(world.resellers.map((r) => r.name)).toEqual(['resellera', 'resellerb', 'resellerall', 'resellerc']);
    expect(world.resellers.find((r) => r.name === 'resellerall')!.acls).toEqual(['all']);
    // relaywatch's own privilege where the reseller should see it; resellerc has list-accts and not it
    for (const name of ['resellera', 'resellerb']) expect(world.resellers.find((r) => r.name === name)!.acls).toEqual(expect.arrayContaining(['list-accts', 'software-relaywatch']));
    expect(world.resellers.find((r) => r.name === 'resellerc')!.acls).toContain('list-accts');
    expect(world.resellers.find((r) => r.name === 'resellerc')!.acls).not.toContain('software-relaywatch');
    expect(world.accounts.filter((a) => a.owner === 'resellerc')).toEqual([]);
    const owners = new Set(world.accounts.map((a) => a.owner));
    expect([...owners].sort()).toEqual(['resellera', 'resellerall', 'resellerb', 'root']);
    for (const r of world.resellers) expect(cpUsers.has(r.name)).toBe(true);
    expect(new Set(world.accounts.map((a) => a.user)).size).toBe(300);
    expect(new Set(world.accounts.map((a) => a.domain)).size).toBe(300);
    expect(world.accounts.some((a) => a.addonDomains.length > 0)).toBe(true);
    for (const a of world.accounts) expect(a.user).toMatch(/^[a-z][a-z0-9]{0,15}$/);
  });

  test('relay IPs of every status, 20–40 in total, all distinct and canonical', () => {
    expect(world.relayHosts.length).toBeGreaterThanOrEqual(20);
    expect(world.relayHosts.length).toBeLessThanOrEqual(40);
    expect(byStatus('explained').length).toBeGreaterThanOrEqual(10);
    expect(byStatus('stale').length).toBeGreaterThanOrEqual(3);
    expect(byStatus('alwaysrelay').length).toBe(2);
    expect(byStatus('unexplained').length).toBeGreaterThanOrEqual(3);
    const ips = world.relayHosts.map((h) => h.ip);
    expect(new Set(ips).size).toBe(ips.length);
    for (const ip of ips) {
      expect(canonicalIp(ip)).toBe(ip);
      expect(['loopback', 'private', 'linkLocal']).not.toContain(ipRange(ip));
    }
  });

  test('explained IPs: a login in the last 30 minutes; at least one IPv6 and one logged IPv4-mapped', () => {
    for (const h of byStatus('explained')) {
      const last = Math.max(...h.logins.map((l) => l.at));
      expect(world.nowMs - last).toBeGreaterThan(0);
      expect(world.nowMs - last).toBeLessThanOrEqual(30 * MIN);
      for (const l of h.logins) expect(canonicalIp(l.rip)).toBe(h.ip);
    }
    expect(byStatus('explained').some((h) => h.ip.includes(':'))).toBe(true);
    expect(byStatus('explained').some((h) => h.logins.some((l) => l.rip === `::ffff:${h.ip}`))).toBe(true);
    expect(byStatus('explained').some((h) => h.logins.some((l) => l.style === 'logged-in'))).toBe(true);
  });

  test('stale IPs: the last login 60–180 minutes ago', () => {
    for (const h of byStatus('stale')) {
      const age = world.nowMs - Math.max(...h.logins.map((l) => l.at));
      expect(age).toBeGreaterThanOrEqual(60 * MIN);
      expect(age).toBeLessThanOrEqual(180 * MIN);
    }
  });

  test('alwaysrelay and unexplained IPs have no successful login; one unexplained has failures only, one nothing', () => {
    for (const h of [...byStatus('alwaysrelay'), ...byStatus('unexplained')]) expect(h.logins).toEqual([]);
    const unexplained = byStatus('unexplained');
    expect(unexplained.some((h) => h.failures.length > 0)).toBe(true);
    expect(unexplained.some((h) => h.failures.length === 0)).toBe(true);
    expect(byStatus('alwaysrelay').map((h) => h.alwaysRelayUser === null).sort()).toEqual([false, true]);
  });

  test('users of logins and of the map are real mailboxes or cPanel users; hostile names only in failures', () => {
    for (const h of world.relayHosts) {
      for (const l of h.logins) expect(mailboxes.has(l.user) || cpUsers.has(l.user)).toBe(true);
      for (const u of h.mapUsers) if (u !== '-alwaysrelay-') expect(mailboxes.has(u) || cpUsers.has(u)).toBe(true);
      for (const u of h.mapUsers) expect(world.hostileUsers).not.toContain(u);
    }
    const hostileFailures = world.relayHosts.flatMap((h) => h.failures.filter((f) => f.user === world.hostileUser).map(() => h));
    expect(hostileFailures.length).toBeGreaterThan(0);
    expect(hostileFailures.every((h) => h.status === 'unexplained')).toBe(true);
    expect(world.hostileUser).toBe('<script>alert(1)</script>');
  });

  test('map users are most recent first and every relay user has an account', () => {
    for (const h of byStatus('explained')) {
      const lastOf = (u: string) => Math.max(...h.logins.filter((l) => l.user === u).map((l) => l.at));
      const times = h.mapUsers.map(lastOf);
      expect([...times].sort((a, b) => b - a)).toEqual(times);
      for (const u of h.mapUsers) expect(accountOfLogin(world, u)).not.toBeNull();
    }
    const owners = new Set(byStatus('explained').flatMap((h) => h.mapUsers.map((u) => accountOfLogin(world, u)!.owner)));
    expect(owners.has('resellera') && owners.has('resellerb') && owners.has('root')).toBe(true);
  });

  test('client, scanner and relay addresses never overlap, and none is loopback or private', () => {
    const relay = new Set(world.relayHosts.map((h) => h.ip));
    const clients = world.roamingClients.map((c) => c.ip);
    for (const ip of [...clients, ...world.scanners, world.skipSmtpCheckHost]) expect(relay.has(ip)).toBe(false);
    expect(clients.filter((ip) => world.scanners.includes(ip))).toEqual([]);
    for (const ip of [...clients, ...world.scanners]) expect(['loopback', 'private']).not.toContain(ipRange(canonicalIp(ip)!));
    expect(ROAMING_CUTOFF_MS).toBeGreaterThan(60 * MIN);
  });

  test('weekly rotations, newest first, all before now; in January the oldest reaches into December', () => {
    expect(world.rotations.length).toBeGreaterThanOrEqual(4);
    expect(world.rotations[0]).toBeLessThan(world.nowMs);
    for (let i = 1; i < world.rotations.length; i++) expect(world.rotations[i]).toBeLessThan(world.rotations[i - 1]);
    for (const day of [1, 3, 15, 28, 31]) {
      const jan = buildWorld({ seed: 42, now: new Date(2027, 0, day, 10), generation: 'legacy' });
      expect(new Date(jan.logStartMs).getFullYear()).toBe(2026);
    }
  });

  test('versions per generation', () => {
    expect(world.version).toBe('11.120.0.16');
    expect(buildWorld({ seed: 42, now: NOW, generation: 'legacy' }).version).toMatch(/^11\.(4\d|50)\./);
  });
});
