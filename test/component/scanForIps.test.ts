/**
 * A scan for a few IPs (a cold explain's) finds exactly the logins a full scan finds from those IPs,
 * with the same line numbers and the same count of lines, whichever way it searches: for the
 * addresses themselves (their witnesses as the kernel's needles) or for login lines filtered by the
 * witness automaton (too many addresses for the kernel).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateDemoHost } from '../../src/demo/generateDemoHost';
import { witnessNeedles } from '../../src/parsers/ipTextFilter';
import { runScanJob } from '../../src/scan/loginScanJob';

const NOW = new Date(2026, 10, 27, 22, 11, 50);
let root: string;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'relaywatch-ipscan-'));
  await generateDemoHost({ out: root, generation: 'modern', sizeMb: 3, now: NOW, seed: 5, mix: 'dense', gzipRotations: false });
  // odd spellings of a few of the host's own login lines
  const live = path.join(root, 'var/log/maillog');
  const lines = fs.readFileSync(live, 'utf8').split('\n').filter((l) => /Login: .*rip=/.test(l)).slice(-40);
  const odd = lines.map((l, i) => l.replace(/rip=([0-9a-f:.]+)/, (_m, ip: string) => {
    if (ip.includes(':')) return `rip=${i % 2 ? ip.toUpperCase() : ip.replace(/:([0-9a-f]{1,3}):/, (_x, g: string) => `:${g.padStart(4, '0')}:`)}`;
    return `rip=${i % 2 ? `::ffff:${ip}` : `::FFFF:${ip}`}`;
  }));
  fs.appendFileSync(live, `${odd.join('\n')}\n`);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function logins(batch: Awaited<ReturnType<typeof runScanJob>>['batch']): string[] {
  const out: string[] = [];
  for (let i = 0; i < batch.n; i++) out.push(`${batch.line[i]} ${batch.strings[batch.ip[i]]} ${batch.strings[batch.user[i]]}`);
  return out;
}

test('the logins of the asked IPs, and nothing else, by either search', async () => {
  const marker = JSON.parse(fs.readFileSync(path.join(root, 'etc/relaywatch/demo-host.json'), 'utf8')) as { relayHosts: Record<string, string[]> };
  const relay = [...new Set(Object.values(marker.relayHosts).flat())];
  expect(witnessNeedles(relay)).not.toBeNull();
  const file = '/var/log/maillog';
  const size = fs.statSync(path.join(root, file)).size;
  const job = { root, hostPath: file, gz: false, start: 0, end: size, includePartialLastLine: false, mtimeMs: NOW.getTime() };
  const all = await runScanJob(job);
  const allIps = [...new Set(logins(all.batch).map((l) => l.split(' ')[1]))];
  // the relay list's and more addresses than the kernel takes as needles
  const crowd = [...relay, ...Array.from({ length: 300 }, (_, i) => `198.18.${i >> 8}.${i & 255}`)];
  expect(witnessNeedles(crowd)).toBeNull();
  for (const ips of [relay, crowd, relay.slice(0, 1), allIps.slice(0, 5)]) {
    const wanted = new Set(ips);
    const some = await runScanJob({ ...job, onlyIps: ips });
    expect(logins(some.batch)).toEqual(logins(all.batch).filter((l) => wanted.has(l.split(' ')[1])));
    expect(some.lines).toBe(all.lines);
    expect(some.endOffset).toBe(all.endOffset);
  }
  expect(logins(all.batch).filter((l) => relay.includes(l.split(' ')[1])).length).toBeGreaterThan(10);
});

test('failed logins of the asked IPs too, by either search', async () => {
  const marker = JSON.parse(fs.readFileSync(path.join(root, 'etc/relaywatch/demo-host.json'), 'utf8')) as { relayHosts: Record<string, string[]> };
  const relay = [...new Set(Object.values(marker.relayHosts).flat())];
  const file = '/var/log/maillog';
  const size = fs.statSync(path.join(root, file)).size;
  const job = { root, hostPath: file, gz: false, start: 0, end: size, includePartialLastLine: false, mtimeMs: NOW.getTime(), failedToo: true };
  const all = await runScanJob(job);
  const text = (f: NonNullable<typeof all.failed>): string[] => f.map((x) => `${x.ip} ${x.user} ${x.attempts} ${x.first} ${x.last}`);
  const crowd = [...relay, ...Array.from({ length: 300 }, (_, i) => `198.18.${i >> 8}.${i & 255}`)];
  const scanners = [...new Set(all.failed!.map((x) => x.ip))].slice(0, 3);
  for (const ips of [relay, crowd, scanners]) {
    const wanted = new Set(ips);
    const some = await runScanJob({ ...job, onlyIps: ips });
    expect(text(some.failed!)).toEqual(text(all.failed!.filter((x) => wanted.has(x.ip))));
  }
  expect(all.failed!.filter((x) => scanners.includes(x.ip)).length).toBeGreaterThan(3);
});
