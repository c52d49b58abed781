/**
 * The state folder and the login index are trusted only when nobody else could have written them:
 * created private whatever the umask, repaired (saying so) or refused when found open or foreign,
 * temporary files never written through a planted name, and an index that was not signed with this
 * server's key (forged logins to hide an unexplained IP) is not believed but rebuilt from the logs.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Host } from '../../src/host/host';
import { encodeSegment, decodeSegmentHeader } from '../../src/scan/loginIndexFormat';
import { loginLine, makeCpanelHost } from '../helpers/cpanelHost';
import { removeTree, runCliCaptured } from '../helpers/hostTree';

const isRoot = process.getuid?.() === 0;
const rootTest = isRoot ? test : test.skip;
if (!isRoot) console.warn('stateDir.test.ts: the tests that chown a folder to another user are skipped: they need root');

const now = new Date();
const EXPLAINED = '203.0.113.10';
const STRANGER = '198.51.100.66';
const roots: string[] = [];
afterAll(() => roots.forEach(removeTree));

function host(): string {
  const root = makeCpanelHost({ generation: 'modern', now, relayIps: [EXPLAINED, STRANGER], maillog: [loginLine(new Date(now.getTime() - 5 * 60_000), 'bob@bob.example', EXPLAINED)] });
  roots.push(root);
  return root;
}
const real = (root: string, p: string): string => path.join(root, p);
const mode = (p: string): number => fs.statSync(p).mode & 0o777;

async function explainStatus(root: string, ip: string): Promise<string> {
  const r = await runCliCaptured(['explain', '--root', root, '--json']);
  return JSON.parse(r.stdout).hosts.find((h: any) => h.ip === ip).status;
}

test('created 0700 under umask 000, with the index folder 0700, its files 0600 and the key 0600 outside it', async () => {
  const root = host();
  const old = process.umask(0);
  try {
    const r = await runCliCaptured(['index', '--root', root]);
    expect(r.code).toBe(0);
  } finally {
    process.umask(old);
  }
  expect(mode(real(root, 'var/lib/relaywatch'))).toBe(0o700);
  expect(mode(real(root, 'var/lib/relaywatch/login-index'))).toBe(0o700);
  for (const f of fs.readdirSync(real(root, 'var/lib/relaywatch/login-index'))) expect([f, mode(real(root, `var/lib/relaywatch/login-index/${f}`))]).toEqual([f, 0o600]);
  expect(mode(real(root, 'etc/relaywatch/index.key'))).toBe(0o600);
  expect(fs.statSync(real(root, 'etc/relaywatch/index.key')).size).toBe(32);
});

test('a state folder others could write to is made private and its index thrown away, saying so', async () => {
  const root = host();
  await runCliCaptured(['index', '--root', root]);
  const dir = real(root, 'var/lib/relaywatch');
  fs.chmodSync(dir, 0o777);
  fs.writeFileSync(path.join(dir, 'login-index/planted'), 'x');
  const said = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const r = await runCliCaptured(['index', '--root', root, '--json']);
  expect(said.mock.calls.flat().join('\n')).toMatch(/could be written by other users \(mode 777\): made private \(700\), and the login index and cached results in it were discarded/);
  said.mockRestore();
  expect(r.code).toBe(0);
  expect(mode(dir)).toBe(0o700);
  expect(fs.existsSync(path.join(dir, 'login-index/planted'))).toBe(false);
  expect(JSON.parse(r.stdout).state).toBe('ready');
});

rootTest('a state folder that belongs to another user is not used: refused with the reason, answers come from the logs', async () => {
  const root = host();
  const dir = real(root, 'var/lib/relaywatch');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chownSync(dir, 65534, 65534);
  const idx = await runCliCaptured(['index', '--root', root, '--json']);
  expect(JSON.parse(idx.stdout).message).toMatch(/belongs to uid 65534, not to uid 0; relaywatch does not use it/);
  expect(fs.readdirSync(dir)).toEqual([]); // nothing written into it
  expect(await explainStatus(root, EXPLAINED)).toBe('explained');
  expect(await explainStatus(root, STRANGER)).toBe('unexplained');
});

test('a temporary name planted as a symlink is never written through', async () => {
  const root = host();
  const victim = real(root, 'etc/victim');
  fs.writeFileSync(victim, 'keep me\n');
  // A name guessed from the pid and the clock (the clock held still, so the guess is right) is planted as a symlink.
  const target = real(root, 'var/lib/relaywatch/blacklist.json');
  fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
  const clock = jest.spyOn(Date, 'now').mockReturnValue(1_700_000_000_000);
  try {
    fs.symlinkSync(victim, `${target}.tmp-${process.pid}-${Date.now()}`);
    await new Host(root).writeAtomic('/var/lib/relaywatch/blacklist.json', '{}\n', 0o600).catch(() => undefined);
  } finally {
    clock.mockRestore();
  }
  expect(fs.readFileSync(victim, 'utf8')).toBe('keep me\n');
  expect(fs.readFileSync(target, 'utf8')).toBe('{}\n');
});

describe('forged logins in the index', () => {
  /** Adds a segment with a login for STRANGER to the index, signed the way `sign` says. */
  function forge(root: string, sign: (body: string, seg: Buffer, offRec: number) => { ref?: Record<string, unknown>; outer?: Record<string, unknown> }): void {
    const dir = real(root, 'var/lib/relaywatch/login-index');
    const outer = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    const m = outer.manifest;
    const seg = encodeSegment([{ ip: STRANGER, user: 'bob@bob.example', line: 1, time: now.getTime() - 60_000, kind: 'dovecot-login/imap/dovecot' }]);
    const h = decodeSegmentHeader(seg, 'forged');
    const name = 'seg-9-1-forged.rwx';
    fs.writeFileSync(path.join(dir, name), seg, { mode: 0o600 });
    const ref: Record<string, unknown> = { name, bytes: seg.length, records: 1, crc: h.crc };
    m.logs[0].segments.push(ref);
    Object.assign(ref, sign('', seg, h.offRec).ref ?? {});
    const body = JSON.stringify(m);
    fs.writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify({ ...sign(body, seg, h.offRec).outer, manifest: m })}\n`, { mode: 0o600 });
  }

  test('an index with a plain checksum (no key), as anyone could compute it, is not believed', async () => {
    const root = host();
    await runCliCaptured(['index', '--root', root]);
    expect(await explainStatus(root, STRANGER)).toBe('unexplained');
    forge(root, (body) => ({ outer: { checksum: crypto.createHash('sha256').update(body).digest('hex') } }));
    expect(await explainStatus(root, STRANGER)).toBe('unexplained');
    expect(await explainStatus(root, EXPLAINED)).toBe('explained');
  });

  test('an index signed with another key is not believed either, and is rebuilt from the logs', async () => {
    const root = host();
    await runCliCaptured(['index', '--root', root]);
    const otherKey = crypto.randomBytes(32);
    const hmac = (d: string | Buffer): string => crypto.createHmac('sha256', otherKey).update(d).digest('hex');
    forge(root, (body, seg, offRec) => ({ ref: { mac: hmac(seg.subarray(0, offRec)) }, outer: { mac: hmac(body) } }));
    expect(await explainStatus(root, STRANGER)).toBe('unexplained');
    const idx = JSON.parse((await runCliCaptured(['index', '--root', root, '--json'])).stdout);
    expect(idx.state).toBe('ready');
    const rebuilt = JSON.parse(fs.readFileSync(real(root, 'var/lib/relaywatch/login-index/manifest.json'), 'utf8'));
    expect(JSON.stringify(rebuilt.manifest)).not.toContain('forged');
    expect(rebuilt.mac).not.toBe(hmac(JSON.stringify(rebuilt.manifest)));
  });
});
