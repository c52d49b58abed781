/**
 * Files under a home that an unprivileged user owns (here `nobody`, chowned by the test as root) are
 * read without following that user's symlinks at any component, and only when they are the user's
 * own: seen through the doors a reseller has (the JSON route, the page, the CLI with --as).
 * Needs root (to chown); skipped with the reason printed otherwise.
 */
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { createContext } from '../../src/services/context';
import { makeHostTree, removeTree, runCliCaptured } from '../helpers/hostTree';

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('userFolders.test.ts: skipped, the test must run as root to give a home to an unprivileged user');
const rootTest = isRoot ? test : test.skip;

const NOBODY = (() => {
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('nobody:'));
  const f = (line ?? 'nobody:x:65534:65534').split(':');
  return { uid: Number(f[2]), gid: Number(f[3]) };
})();

const roots: string[] = [];
afterAll(() => roots.forEach(removeTree));

const SECRET = /TOPSECRET/;

/** A host where bob (resellera's account) is `nobody`, with root-only files elsewhere. */
function host(extra: Record<string, string> = {}, valiases = 'ok@bob.example: "|/usr/local/cpanel/bin/autorespond ok@bob.example /home/bob/.autorespond"\n'): string {
  const root = makeHostTree({
    files: {
      '/etc/trueuserowners': 'bob: resellera\n',
      '/etc/userdomains': 'bob.example: bob\n*: nobody\n',
      '/var/cpanel/users/bob': 'USER=bob\nOWNER=resellera\nDNS=bob.example\n',
      '/var/cpanel/resellers': 'resellera:list-accts,software-relaywatch\n',
      '/etc/passwd': `root:x:0:0:root:/root:/bin/bash\nbob:x:${NOBODY.uid}:${NOBODY.gid}::/home/bob:/bin/bash\n`,
      '/etc/valiases/bob.example': valiases,
      '/root/private/ok@bob.example': 'Subject: TOPSECRET from a folder only root may read\n\nx\n',
      '/root/private/secret@bob.example': 'Subject: TOPSECRET folder\n\nx\n',
      '/root/secret.txt': 'Subject: TOPSECRET file\n\nx\n',
      '/var/log/exim_mainlog': '',
      '/var/log/maillog': '',
      ...extra,
    },
  });
  roots.push(root);
  fs.chmodSync(root, 0o755); // the user must be able to reach their home, as on a server
  fs.chmodSync(path.join(root, 'root'), 0o700);
  fs.chmodSync(path.join(root, 'root/private'), 0o700);
  fs.chmodSync(path.join(root, 'root/secret.txt'), 0o600);
  fs.mkdirSync(path.join(root, 'home/bob'), { recursive: true });
  fs.chownSync(path.join(root, 'home/bob'), NOBODY.uid, NOBODY.gid);
  fs.chmodSync(path.join(root, 'home/bob'), 0o711);
  return root;
}

/** Writes as the user would: the file or link belongs to nobody. */
function asBob(root: string, hostPath: string, content: { text?: string; link?: string; dir?: true; fifo?: true }): void {
  const real = path.join(root, hostPath);
  if (content.dir) fs.mkdirSync(real);
  else if (content.link !== undefined) fs.symlinkSync(content.link, real);
  else if (content.fifo) execFileSync('mkfifo', [real]);
  else fs.writeFileSync(real, content.text ?? '');
  fs.lchownSync(real, NOBODY.uid, NOBODY.gid);
}

async function asReseller(root: string): Promise<{ api: any; page: string; cli: string; cliJson: any }> {
  const app = createApp(createContext(loadConfig({ root })), { identity: { kind: 'dev', user: 'resellera' } });
  const api = (await request(app).get('/api/v1/autoresponders').expect(200)).body;
  const page = (await request(app).get('/autoresponders').expect(200)).text;
  const cli = (await runCliCaptured(['autoresponders', '--root', root, '--as', 'resellera'])).stdout;
  const cliJson = JSON.parse((await runCliCaptured(['autoresponders', '--root', root, '--as', 'resellera', '--json'])).stdout);
  return { api, page, cli, cliJson };
}

/** Root sees why a folder was not read (a reseller sees only that it was not). */
async function rootProblems(root: string): Promise<string> {
  const r = await runCliCaptured(['autoresponders', '--root', root, '--json']);
  expect(r.stdout).not.toMatch(SECRET);
  return JSON.stringify(JSON.parse(r.stdout).problems);
}

function expectNoSecret(r: Awaited<ReturnType<typeof asReseller>>): void {
  expect(JSON.stringify(r.api)).not.toMatch(SECRET);
  expect(r.page).not.toMatch(SECRET);
  expect(r.cli).not.toMatch(SECRET);
  expect(JSON.stringify(r.cliJson)).not.toMatch(SECRET);
}

rootTest('~/.autorespond itself a symlink to a root-only folder: not followed, nothing in it shown', async () => {
  const root = host();
  asBob(root, '/home/bob/.autorespond', { link: '/root/private' });
  const r = await asReseller(root);
  expectNoSecret(r);
  expect(r.api.autoresponders.map((a: any) => a.address)).not.toContain('secret@bob.example');
  expect(await rootProblems(root)).toMatch(/\/home\/bob\/\.autorespond is a symbolic link; not followed/);
});

rootTest('a relative symlink for ~/.autorespond that climbs to a root-only folder: not followed either', async () => {
  const root = host();
  asBob(root, '/home/bob/.autorespond', { link: '../../root/private' });
  expectNoSecret(await asReseller(root));
});

rootTest('in a real ~/.autorespond: the user\'s own file is read; a symlinked, a hard-linked or a FIFO message file is not', async () => {
  const root = host();
  asBob(root, '/home/bob/.autorespond', { dir: true });
  asBob(root, '/home/bob/.autorespond/ok@bob.example', { text: 'Subject: Out of office\n\nback soon\n' });
  asBob(root, '/home/bob/.autorespond/evil@bob.example', { link: '/root/secret.txt' });
  asBob(root, '/home/bob/.autorespond/fifo@bob.example', { fifo: true });
  // A hard link to a root-only file (what protected_hardlinks=0 lets a user make).
  fs.linkSync(path.join(root, 'root/secret.txt'), path.join(root, 'home/bob/.autorespond/hard@bob.example'));
  const r = await asReseller(root);
  expectNoSecret(r);
  const by = Object.fromEntries(r.api.autoresponders.map((a: any) => [a.address, a]));
  expect(by['ok@bob.example'].subject).toBe('Out of office');
  expect(by['evil@bob.example'].problems).toEqual(['/home/bob/.autorespond/evil@bob.example is a symbolic link; not followed']);
  expect(by['hard@bob.example'].problems).toEqual([`/home/bob/.autorespond/hard@bob.example belongs to uid 0, not to the folder's owner (uid ${NOBODY.uid}); not read`]);
  expect(by['fifo@bob.example'].problems).toEqual(['/home/bob/.autorespond/fifo@bob.example is not a regular file']);
  expect(r.page).toContain('Out of office');
});

rootTest('a folder inside the home that belongs to someone else is not read', async () => {
  const root = host();
  fs.mkdirSync(path.join(root, 'home/bob/.autorespond'));
  fs.writeFileSync(path.join(root, 'home/bob/.autorespond/ok@bob.example'), 'Subject: TOPSECRET root-owned\n\nx\n');
  const r = await asReseller(root);
  expectNoSecret(r);
  expect(await rootProblems(root)).toMatch(/\/home\/bob\/\.autorespond belongs to uid 0, not to the owner of \/home\/bob/);
});

rootTest('an autoresponder folder named in the user\'s /etc/valiases file outside their home is not read', async () => {
  const root = host({}, 'ok@bob.example: "|/usr/local/cpanel/bin/autorespond ok@bob.example /root/private"\n');
  fs.chownSync(path.join(root, 'etc/valiases/bob.example'), NOBODY.uid, NOBODY.gid); // cPanel gives the user their alias file
  const r = await asReseller(root);
  expectNoSecret(r);
  expect(await rootProblems(root)).toMatch(/\/root\/private is not under the home of account bob \(\/home\/bob\); not read/);
});

rootTest('a home that belongs to another uid than /etc/passwd gives the account is not read', async () => {
  const root = host();
  asBob(root, '/home/bob/.autorespond', { dir: true });
  asBob(root, '/home/bob/.autorespond/ok@bob.example', { text: 'Subject: TOPSECRET wrong owner\n\nx\n' });
  fs.writeFileSync(path.join(root, 'etc/passwd'), 'bob:x:4242:4242::/home/bob:/bin/bash\n');
  const r = await asReseller(root);
  expectNoSecret(r);
  expect(await rootProblems(root)).toMatch(new RegExp(`/home/bob belongs to uid ${NOBODY.uid}, not to the account's user \\(uid 4242\\)`));
});

rootTest('swapping ~/.autorespond for a symlink while relaywatch reads (the race between check and open) never shows the root-only files', async () => {
  const root = host();
  asBob(root, '/home/bob/.autorespond', { dir: true });
  asBob(root, '/home/bob/.autorespond/ok@bob.example', { text: 'Subject: harmless\n\nx\n' });
  asBob(root, '/home/bob/.link', { link: '/root/private' });
  // The user, as nobody, renames the real folder and the symlink in and out as fast as it can.
  const home = path.join(root, 'home/bob');
  const swapper = spawn(process.execPath, ['-e', `
    const fs = require('fs'); const h = ${JSON.stringify(home)};
    const end = Date.now() + 4000;
    process.stdout.write('go\\n');
    while (Date.now() < end) {
      try { fs.renameSync(h + '/.autorespond', h + '/.real'); fs.renameSync(h + '/.link', h + '/.autorespond'); } catch {}
      try { fs.renameSync(h + '/.autorespond', h + '/.link'); fs.renameSync(h + '/.real', h + '/.autorespond'); } catch {}
    }`], { uid: NOBODY.uid, gid: NOBODY.gid, stdio: ['ignore', 'pipe', 'ignore'] });
  const exited = new Promise((resolve) => swapper.once('exit', resolve));
  await new Promise((resolve) => swapper.stdout!.once('data', resolve));
  try {
    const app = createApp(createContext(loadConfig({ root })), { identity: { kind: 'dev', user: 'resellera' } });
    const subjects = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const body = (await request(app).get(`/api/v1/autoresponders?days=${1 + (i % 30)}`).expect(200)).body;
      expect(JSON.stringify(body)).not.toMatch(SECRET);
      for (const a of body.autoresponders) if (a.subject) subjects.add(a.subject);
    }
    expect([...subjects].every((s) => s === 'harmless')).toBe(true);
  } finally {
    swapper.kill();
    await exited;
  }
});

rootTest('the user\'s own /etc/valiases file made huge is not read whole: it is bounded, and said so', async () => {
  const root = host();
  asBob(root, '/home/bob/.autorespond', { dir: true });
  asBob(root, '/home/bob/.autorespond/ok@bob.example', { text: 'Subject: Out of office\n\nback soon\n' });
  const file = path.join(root, 'etc/valiases/bob.example');
  fs.writeFileSync(file, `${'x@bob.example: y@elsewhere.example\n'.repeat(150_000)}`); // 5 MiB
  fs.chownSync(file, NOBODY.uid, NOBODY.gid);
  expect(await rootProblems(root)).toMatch(/\/etc\/valiases\/bob\.example is larger than 4194304 bytes; not read/);
  const r = await asReseller(root);
  expect(r.api.autoresponders.find((a: any) => a.address === 'ok@bob.example').subject).toBe('Out of office');
});
