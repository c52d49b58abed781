/**
 * For the install.sh tests: a release tree (install.sh, plugin/, built dist/, templates/,
 * node_modules/) like an unpacked release archive, a cPanel server tree with the stand-ins of
 * cPanel's programs, a PATH folder with the systemctl stand-in, and snapshots of a tree to compare.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installStandins } from '../../src/demo/installStandins';
import { readCalls, STANDINS_STATE } from './standins';

export { STANDINS_STATE };

export const REPO = path.resolve(__dirname, '../..');

/**
 * Compiles src/ into the tree's dist/ (emitting even if a file elsewhere has a type error: the
 * install is under test here, not the types) and copies what a release holds.
 */
export function makeReleaseTree(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-release-'));
  for (const f of ['install.sh', 'package.json', 'package-lock.json']) fs.copyFileSync(path.join(REPO, f), path.join(dir, f));
  fs.chmodSync(path.join(dir, 'install.sh'), 0o755);
  fs.cpSync(path.join(REPO, 'templates'), path.join(dir, 'templates'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'plugin'));
  for (const f of ['cgi', 'chkserv.d', 'relaywatch.conf', 'relaywatch.png', 'relaywatch.service']) {
    fs.cpSync(path.join(REPO, 'plugin', f), path.join(dir, 'plugin', f), { recursive: true });
  }
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'));
  spawnSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', path.join(REPO, 'tsconfig.json'), '--outDir', path.join(dir, 'dist')], { stdio: 'ignore' });
  if (!fs.existsSync(path.join(dir, 'dist/cli/main.js'))) throw new Error('compiling src/ gave no dist/cli/main.js');
  fs.cpSync(path.join(REPO, 'src/data'), path.join(dir, 'dist/data'), { recursive: true });
  return dir;
}

/** Folders every cPanel server has, so an install followed by an uninstall can leave the tree as it was. */
export const SERVER_DIRS = [
  '/etc/systemd/system',
  '/etc/chkserv.d',
  '/usr/local/bin',
  '/usr/local/cpanel/whostmgr/docroot/cgi',
  '/usr/local/cpanel/whostmgr/docroot/addon_plugins',
  '/var/cpanel/apps',
  '/run',
];

export async function prepareServer(root: string, chkservd = 'exim:1\nhttpd:1\ncpsrvd:1\n'): Promise<void> {
  for (const d of SERVER_DIRS) fs.mkdirSync(path.join(root, d), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/chkserv.d/chkservd.conf'), chkservd);
  fs.writeFileSync(path.join(root, 'etc/chkserv.d/exim'), 'service[exim]=25,QUIT,220,/scripts/restartsrv_exim\n');
  fs.writeFileSync(path.join(root, 'usr/local/cpanel/whostmgr/docroot/addon_plugins/other.png'), 'another plugin');
  await installStandins(root);
}

/** A PATH folder holding the systemctl stand-in; its calls and state land in the same folder. */
export function makePathBin(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-bin-'));
  fs.copyFileSync(path.join(REPO, 'test/fixtures/pathbin/systemctl'), path.join(dir, 'systemctl'));
  fs.chmodSync(path.join(dir, 'systemctl'), 0o755);
  return dir;
}

/** A PATH folder with every program of /usr/bin and /bin except node. */
export function makePathWithoutNode(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-nonode-'));
  for (const from of ['/usr/bin', '/bin']) {
    if (!fs.existsSync(from)) continue;
    for (const name of fs.readdirSync(from)) {
      if (name === 'node' || name === 'nodejs' || fs.existsSync(path.join(dir, name))) continue;
      fs.symlinkSync(path.join(from, name), path.join(dir, name));
    }
  }
  return dir;
}

export interface InstallRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runInstall(release: string, args: string[], pathDirs: string[], env: Record<string, string> = {}): InstallRun {
  const r = spawnSync('/bin/bash', [path.join(release, 'install.sh'), ...args], {
    env: { PATH: pathDirs.join(':'), HOME: os.tmpdir(), ...env },
    encoding: 'utf8',
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function systemctlCalls(bin: string): string[][] {
  const f = path.join(bin, 'systemctl.calls');
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]) : [];
}

/** The calls the register/unregister_appconfig stand-ins received, as {program, args}. */
export function standinCalls(root: string): Array<{ program: string; args: string[] }> {
  return readCalls(root)
    .filter((c) => /\/(un)?register_appconfig$/.test(c.program))
    .map((c) => ({ program: c.program, args: c.argv }));
}

/** Every entry of a tree: type, mode, content hash or link target, and (with `times`) inode and mtime. */
export function snapshot(root: string, opts: { times?: boolean; skip?: string[] } = {}): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const name of fs.readdirSync(path.join(root, rel)).sort()) {
      const r = path.posix.join(rel, name);
      if (opts.skip?.includes(`/${r}`)) continue;
      const full = path.join(root, r);
      const st = fs.lstatSync(full);
      const stamp = opts.times ? ` ino=${st.ino} mtime=${st.mtimeMs}` : '';
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out[`/${r}`] = `link -> ${fs.readlinkSync(full)}`;
      else if (st.isDirectory()) {
        out[`/${r}`] = `dir ${mode}${stamp}`;
        walk(r);
      } else out[`/${r}`] = `file ${mode} ${crypto.createHash('sha1').update(fs.readFileSync(full)).digest('hex')}${stamp}`;
    }
  };
  walk('');
  return out;
}
