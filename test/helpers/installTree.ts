/**
 * For the install.sh tests: the release archive, built and unpacked, a cPanel server tree with the stand-ins of
 * cPanel's programs, a PATH folder with the systemctl stand-in, and snapshots of a tree to compare.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installStandins } from '../../src/demo/installStandins';
import { buildReleaseArchive } from '../../src/release/package';
import { readCalls, STANDINS_STATE } from './standins';

export { STANDINS_STATE };

export const REPO = path.resolve(__dirname, '../..');

/**
 * The release archive as an admin gets it: built by `npm run package`'s own function into a
 * temporary folder and unpacked there; returns the unpacked folder (relaywatch-<version>/).
 */
export function makeReleaseTree(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-release-'));
  const { archive, folder } = buildReleaseArchive(REPO, path.join(dir, 'out'));
  const r = spawnSync('tar', ['-xzf', archive, '-C', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`unpacking ${archive} failed: ${r.stderr}`);
  fs.rmSync(path.join(dir, 'out'), { recursive: true, force: true });
  return path.join(dir, folder);
}

/** A PATH folder with every program of /usr/bin and /bin except those named (e.g. npm, as on a stock cPanel server). */
export function makePathWithout(names: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-path-'));
  for (const from of ['/usr/bin', '/bin']) {
    if (!fs.existsSync(from)) continue;
    for (const name of fs.readdirSync(from)) {
      if (names.includes(name) || fs.existsSync(path.join(dir, name))) continue;
      fs.symlinkSync(path.join(from, name), path.join(dir, name));
    }
  }
  return dir;
}

/** Folders every cPanel server has, so an install followed by an uninstall can leave the tree as it was. */
export const SERVER_DIRS = [
  '/etc/systemd/system',
  '/etc/chkserv.d',
  '/etc/logrotate.d',
  '/usr/local/bin',
  '/usr/local/cpanel/whostmgr/docroot/cgi',
  '/usr/local/cpanel/whostmgr/docroot/addon_plugins',
  // where WHM looks for the drivers that declare ACLs (the folder is always there on cPanel)
  '/usr/local/cpanel/Cpanel/Config/ConfigObj/Driver',
  '/var/cpanel/apps',
  '/run',
];

export async function prepareServer(root: string, chkservd = 'exim:1\nhttpd:1\ncpsrvd:1\n'): Promise<void> {
  for (const d of SERVER_DIRS) fs.mkdirSync(path.join(root, d), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/chkserv.d/chkservd.conf'), chkservd);
  fs.writeFileSync(path.join(root, 'etc/chkserv.d/exim'), 'service[exim]=25,QUIT,220,/scripts/restartsrv_exim\n');
  fs.writeFileSync(path.join(root, 'usr/local/cpanel/whostmgr/docroot/addon_plugins/other.png'), 'another plugin');
  fs.writeFileSync(path.join(root, 'usr/local/cpanel/Cpanel/Config/ConfigObj/Driver/Other.pm'), 'package Cpanel::Config::ConfigObj::Driver::Other;\n1;\n');
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
  return makePathWithout(['node', 'nodejs', 'npm', 'npx', 'corepack']);
}

export interface InstallRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runInstall(release: string, args: string[], pathDirs: string[], env: Record<string, string> = {}, cwd?: string): InstallRun {
  const r = spawnSync('/bin/bash', [path.join(release, 'install.sh'), ...args], {
    cwd,
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
