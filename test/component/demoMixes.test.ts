/**
 * The mail-log mixes of the demo generator (src/demo/logs/mailLogMix.ts) that the benchmark runs on: the
 * share of successful-login lines, the number of distinct addresses they come from, Dovecot only
 * for the dense mix, and the demo's rule that every recent login is a relay IP's or webmail's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateDemoHost } from '../../src/demo/generateDemoHost';
import { parseLoginLine } from '../../src/parsers/loginLine';
import { makeStampResolver } from '../../src/parsers/syslogLine';

const NOW = new Date(2026, 10, 27, 22, 11, 50);
const tmpDirs: string[] = [];
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

async function mixStats(mix: 'demo' | 'many-ips' | 'dense', sizeMb: number): Promise<{ lines: number; logins: number; ips: Set<string>; programs: Set<string>; recentForeign: string[]; relayIps: Set<string> }> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `relaywatch-mix-${mix}-`));
  tmpDirs.push(out);
  const summary = await generateDemoHost({ out, generation: 'modern', sizeMb, now: NOW, seed: 77, mix, gzipRotations: false });
  const relayIps = new Set(Object.values(summary.relayHosts).flat());
  const stats = { lines: 0, logins: 0, ips: new Set<string>(), programs: new Set<string>(), recentForeign: [] as string[], relayIps };
  for (const file of summary.mailLogFiles) {
    const resolve = makeStampResolver(fs.statSync(path.join(out, file)).mtime);
    for (const line of fs.readFileSync(path.join(out, file), 'utf8').split('\n')) {
      if (line === '') continue;
      stats.lines++;
      stats.programs.add(/^\S+ +\d+ \S+ \S+ ([a-z-]+)/.exec(line)?.[1] ?? '?');
      const hit = parseLoginLine(line);
      if (!hit) continue;
      stats.logins++;
      stats.ips.add(hit.ip);
      const at = hit.stamp ? resolve(hit.stamp)?.getTime() ?? 0 : 0;
      const loopback = hit.ip === '::1' || hit.ip === '127.0.0.1';
      if (at > NOW.getTime() - 3600_000 && !loopback && !relayIps.has(hit.ip)) stats.recentForeign.push(line);
    }
  }
  return stats;
}

test('the demo mix: about 3 % login lines, a few hundred addresses, Dovecot and spamd', async () => {
  const s = await mixStats('demo', 8);
  expect(s.logins / s.lines).toBeGreaterThan(0.025);
  expect(s.logins / s.lines).toBeLessThan(0.04); // the story's logins add to a small log
  expect(s.ips.size).toBeLessThan(400);
  expect([...s.programs].sort()).toEqual(['dovecot', 'spamd']);
  expect(s.recentForeign).toEqual([]);
});

test('the many-IPs mix: about 5 % login lines, nearly every login from a new address', async () => {
  const s = await mixStats('many-ips', 8);
  expect(s.logins / s.lines).toBeGreaterThan(0.045);
  expect(s.logins / s.lines).toBeLessThan(0.06);
  // 95 % of client logins from a fresh address: at 512 MiB that is well over 120,000 addresses
  expect(s.ips.size / s.logins).toBeGreaterThan(0.75);
  expect(s.recentForeign).toEqual([]);
  for (const ip of s.ips) if (ip.startsWith('2001:db8:10')) expect(s.relayIps.has(ip)).toBe(false);
});

test('the dense mix: Dovecot only, a fifth of the lines are logins', async () => {
  const s = await mixStats('dense', 8);
  expect(s.logins / s.lines).toBeGreaterThan(0.18);
  expect(s.logins / s.lines).toBeLessThan(0.22);
  expect([...s.programs]).toEqual(['dovecot']);
  expect(s.recentForeign).toEqual([]);
});

test('an unknown mix is refused before anything is written', async () => {
  const out = path.join(os.tmpdir(), `relaywatch-mix-bad-${process.pid}`);
  await expect(generateDemoHost({ out, generation: 'modern', mix: 'sparse' as 'demo' })).rejects.toThrow(/mix must be one of demo, many-ips, dense/);
  expect(fs.existsSync(out)).toBe(false);
});
