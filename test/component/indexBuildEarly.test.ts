/**
 * A build from nothing writes each log's segment as soon as that log is read, from its logins kept
 * in columns (segmentColumns.ts); an update of an index that is there writes from the logins it
 * read, after the scan. The two must give the same bytes for the same lines, and a build cut short
 * before its manifest must leave no index and no segment behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/config';
import { IndexStore } from '../../src/host/indexStore';
import { createContext } from '../../src/services/context';
import { indexStore, openLoginIndex, statusOf } from '../../src/scan/loginIndex';
import { decodeManifest } from '../../src/scan/loginIndexFormat';
import { failedLine, loginLine, makeCpanelHost } from '../helpers/cpanelHost';
import { addToTree, removeTree, syslogStamp } from '../helpers/hostTree';

const roots: string[] = [];
afterAll(() => roots.forEach(removeTree));
afterEach(() => jest.restoreAllMocks());

const ctxOf = (root: string) => createContext(loadConfig({ root }));
const start = Math.floor(Date.now() / 1000) * 1000 - 20 * 86400_000;

/** Some megabytes of a busy log: logins and failures from many IPs, unstamped lines, noise. */
function lines(seed: number, n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const at = new Date(start + (seed * n + i) * 1000);
    const ip = `10.${seed}.${(i >> 8) & 255}.${i & 255}`;
    if (i % 7 === 0) out.push(loginLine(at, i % 3 ? `user${i % 50}@bob.example` : 'bob', ip, i % 2 ? 'imap' : 'pop3'));
    else if (i % 5 === 0) out.push(failedLine(at, `guess${i % 13}`, `192.0.2.${i % 40}`));
    else if (i % 97 === 0) out.push(`server dovecot[1]: imap-login: Login: user=<nostamp${i}>, method=PLAIN, rip=198.51.100.${i % 9}, lip=192.0.2.1, TLS`);
    else out.push(`${syslogStamp(at)} server dovecot[1234]: imap(x${i}@example.com): Logged out in=${i} out=20 some padding to make the line longer`);
  }
  return `${out.join('\n')}\n`;
}

const LOGS: Record<string, string> = {
  '/var/log/maillog-20240101': lines(1, 30_000),
  '/var/log/maillog-20240108': lines(2, 20_000),
  '/var/log/maillog': lines(3, 25_000),
};

/** Each log's segments, by path: their bytes (the names are random). */
function segmentsByLog(root: string): Record<string, string[]> {
  const dir = indexStore(ctxOf(root)).dir;
  const { manifest } = decodeManifest(fs.readFileSync(path.join(dir, 'manifest.json')), null);
  return Object.fromEntries(manifest.logs.map((e) => [e.path, e.segments.map((s) => fs.readFileSync(path.join(dir, s.name)).toString('base64'))]));
}

test('a build from nothing gives the segments an update of an empty index gives', async () => {
  const built = makeCpanelHost({ generation: 'modern', relayIps: ['192.0.2.7'] });
  roots.push(built);
  addToTree(built, { files: LOGS });
  await openLoginIndex(ctxOf(built), { create: true, parallel: true });

  // The same logs, read as new lines of an index that was already there (empty logs first).
  const updated = makeCpanelHost({ generation: 'modern', relayIps: ['192.0.2.7'] });
  roots.push(updated);
  addToTree(updated, { files: Object.fromEntries(Object.keys(LOGS).map((p) => [p, ''])) });
  await openLoginIndex(ctxOf(updated), { create: true });
  addToTree(updated, { files: LOGS });
  await openLoginIndex(ctxOf(updated), { create: true, parallel: true });

  const a = segmentsByLog(built);
  expect(Object.keys(a).sort()).toEqual(Object.keys(LOGS).sort());
  for (const segs of Object.values(a)) expect(segs).toHaveLength(1);
  expect(a).toEqual(segmentsByLog(updated));
});

test('a build that fails before its manifest leaves no index and no segment', async () => {
  const root = makeCpanelHost({ generation: 'modern', relayIps: ['192.0.2.7'] });
  roots.push(root);
  addToTree(root, { files: LOGS });
  const dir = indexStore(ctxOf(root)).dir;
  jest.spyOn(IndexStore.prototype, 'writeManifest').mockImplementation(() => {
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.rwx'))).toHaveLength(3); // written while reading
    throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
  });
  await expect(openLoginIndex(ctxOf(root), { create: true, parallel: true })).rejects.toThrow('no space left');
  expect(fs.readdirSync(dir).filter((n) => n.endsWith('.rwx') || n === 'manifest.json')).toEqual([]);

  jest.restoreAllMocks();
  const view = await openLoginIndex(ctxOf(root), { create: true });
  expect(statusOf(ctxOf(root), view).state).toBe('ready');
  expect(fs.readdirSync(dir).filter((n) => n.endsWith('.rwx'))).toHaveLength(3);
});
