/**
 * install.sh into a temporary server tree (--root): every file, mode, registration call and AppConfig
 * key; a second run changes nothing; an upgrade replaces and restarts; the installed daemon and CGI
 * answer as root and as a reseller; --uninstall leaves the tree as it was.
 */
import { spawn, ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PLUGIN_ACLS } from '../../src/http/identity';
import { runCgi, TOKEN } from '../helpers/cgi';
import { loginLine, makeCpanelHost } from '../helpers/cpanelHost';
import {
  makePathBin, makeReleaseTree, prepareServer, REPO, runInstall, snapshot, standinCalls, STANDINS_STATE, systemctlCalls,
} from '../helpers/installTree';
import { removeTree } from '../helpers/hostTree';

// Every run copies the program tree and starts Node a few times: slow on a busy machine.
jest.setTimeout(180_000);

const SYSTEM_PATH = (process.env.PATH ?? '/usr/bin:/bin').split(':');
const NODE_ON_PATH = (() => {
  for (const d of SYSTEM_PATH) if (fs.existsSync(path.join(d, 'node'))) return path.join(d, 'node');
  return process.execPath;
})();
const CGI = '/usr/local/cpanel/whostmgr/docroot/cgi/relaywatch/index.cgi';
const ICON = '/usr/local/cpanel/whostmgr/docroot/addon_plugins/relaywatch.png';
const UNIT = '/etc/systemd/system/relaywatch.service';

let release: string;
let root: string;
let bin: string;
let before: Record<string, string>;
const temps: string[] = [];

const mode = (hostPath: string): number => fs.statSync(path.join(root, hostPath)).mode & 0o7777;
const read = (hostPath: string): string => fs.readFileSync(path.join(root, hostPath), 'utf8');
const install = (...args: string[]) => runInstall(release, ['--root', root, ...args], [bin, ...SYSTEM_PATH]);
const now = new Date();

beforeAll(async () => {
  release = makeReleaseTree();
  root = makeCpanelHost({
    generation: 'modern',
    relayIps: ['203.0.113.10', '203.0.113.11'],
    maillog: [loginLine(now, 'bob@bob.example', '203.0.113.10'), loginLine(now, 'carol@carol.example', '203.0.113.11')],
  });
  await prepareServer(root);
  bin = makePathBin();
  before = snapshot(root);
  temps.push(release, root, bin);
}, 180_000);
afterAll(() => temps.forEach(removeTree));

describe('install, re-run, upgrade, use, uninstall', () => {
  test('first run installs every piece with the right modes and registers through cPanel\'s tool', () => {
    const r = install();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`using Node.js ${process.versions.node}`);
    expect(r.stdout).toMatch(/done \(\d+ changes\)\. Open WHM » Plugins » relaywatch\./);

    // the program: built code, templates, production packages only, a command wrapper
    const prefix = '/usr/local/relaywatch';
    for (const f of ['dist/cli/main.js', 'dist/app.js', 'templates/partials/top.ejs', 'templates/assets/relaywatch.css', 'node_modules/express/package.json', 'node_modules/ejs/package.json', 'node_modules/js-yaml/package.json', 'node_modules/ipaddr.js/package.json', 'package.json', 'plugin/relaywatch.conf']) {
      expect([f, fs.existsSync(path.join(root, prefix, f))]).toEqual([f, true]);
    }
    for (const dev of ['typescript', 'jest', 'supertest', 'playwright-core', '@types']) expect([dev, fs.existsSync(path.join(root, prefix, 'node_modules', dev))]).toEqual([dev, false]);
    expect(mode(prefix)).toBe(0o755);
    expect(mode(`${prefix}/dist/cli/main.js`)).toBe(0o644);
    expect(mode(`${prefix}/bin/relaywatch`)).toBe(0o755);
    expect(read(`${prefix}/bin/relaywatch`)).toContain(`exec "${NODE_ON_PATH}" "$here/../dist/cli/main.js" "$@"`);
    expect(fs.readlinkSync(path.join(root, '/usr/local/bin/relaywatch'))).toBe(`${prefix}/bin/relaywatch`);
    expect(fs.readdirSync(path.join(root, '/usr/local')).filter((n) => n.startsWith('.relaywatch'))).toEqual([]);

    // the CGI: root only, with the Node found in its first line, otherwise the checkout's file
    expect(mode(CGI)).toBe(0o700);
    const cgi = read(CGI).split('\n');
    expect(cgi[0]).toBe(`#!${NODE_ON_PATH}`);
    expect(cgi.slice(1)).toEqual(fs.readFileSync(path.join(REPO, 'plugin/cgi/index.cgi'), 'utf8').split('\n').slice(1));

    // the icon: the committed 48x48 PNG
    expect(mode(ICON)).toBe(0o644);
    const png = fs.readFileSync(path.join(root, ICON));
    expect(png.equals(fs.readFileSync(path.join(REPO, 'plugin/relaywatch.png')))).toBe(true);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([48, 48]);

    // the systemd unit
    expect(mode(UNIT)).toBe(0o644);
    const unit = read(UNIT);
    for (const line of [
      'ExecStart=/usr/local/relaywatch/bin/relaywatch serve --socket /run/relaywatch/http.sock',
      'Restart=on-failure',
      'RuntimeDirectory=relaywatch',
      'RuntimeDirectoryMode=0700',
      'StandardOutput=journal',
      'User=root',
      'WantedBy=multi-user.target',
    ]) expect(unit.split('\n')).toContain(line);

    // Service Manager: the chkserv.d entry and the monitoring switch
    expect(read('/etc/chkserv.d/relaywatch')).toBe('service[relaywatch]=x,x,x,systemctl restart relaywatch,relaywatch,root\n');
    expect(mode('/etc/chkserv.d/relaywatch')).toBe(0o644);
    expect(read('/etc/chkserv.d/chkservd.conf')).toBe('exim:1\nhttpd:1\ncpsrvd:1\nrelaywatch:1\n');

    // registration: one call of cPanel's tool with the installed AppConfig; nothing copied by hand
    expect(standinCalls(root)).toEqual([{ program: '/usr/local/cpanel/bin/register_appconfig', args: [path.join(root, prefix, 'plugin/relaywatch.conf')] }]);
    const conf = Object.fromEntries(read('/var/cpanel/apps/relaywatch.conf').trim().split('\n').map((l) => l.split(/=(.*)/s).slice(0, 2)));
    expect(conf).toEqual({
      name: 'relaywatch',
      service: 'whostmgr',
      url: '/cgi/relaywatch/',
      user: 'root',
      acls: PLUGIN_ACLS.join(','),
      displayname: 'relaywatch',
      entryurl: 'relaywatch/index.cgi',
      icon: 'relaywatch.png',
      target: '_self',
    });
    // the keys point at what was installed
    expect(fs.existsSync(path.join(root, '/usr/local/cpanel/whostmgr/docroot/cgi', conf.entryurl))).toBe(true);
    expect(fs.existsSync(path.join(root, '/usr/local/cpanel/whostmgr/docroot', conf.url, 'index.cgi'))).toBe(true);
    expect(fs.existsSync(path.join(root, '/usr/local/cpanel/whostmgr/docroot/addon_plugins', conf.icon))).toBe(true);

    // the daemon: unit loaded, enabled, started
    expect(systemctlCalls(bin)).toEqual([
      ['daemon-reload'],
      ['is-enabled', '--quiet', 'relaywatch'],
      ['enable', 'relaywatch'],
      ['is-active', '--quiet', 'relaywatch'],
      ['start', 'relaywatch'],
    ]);
  });

  test('a second run changes nothing: same files, inodes and times, no registration, no service change', () => {
    const files = snapshot(root, { times: true, skip: [STANDINS_STATE] });
    const calls = systemctlCalls(bin).length;
    const r = install();
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('already installed and up to date; nothing changed');
    expect(snapshot(root, { times: true, skip: [STANDINS_STATE] })).toEqual(files);
    expect(standinCalls(root)).toHaveLength(1);
    expect(systemctlCalls(bin).slice(calls)).toEqual([['is-enabled', '--quiet', 'relaywatch'], ['is-active', '--quiet', 'relaywatch']]);
  });

  test('after an upgrade only what changed is replaced, and the daemon restarts', () => {
    const marker = '/* upgraded */\n';
    fs.appendFileSync(path.join(release, 'dist/app.js'), marker);
    fs.rmSync(path.join(release, 'dist/bench'), { recursive: true, force: true });
    fs.appendFileSync(path.join(release, 'dist/gone.js'), '1;\n');
    expect(install().code).toBe(0); // puts gone.js in place
    fs.rmSync(path.join(release, 'dist/gone.js'));
    const unitBefore = snapshot(root, { times: true })[UNIT];
    const calls = systemctlCalls(bin).length;
    const r = install();
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('installed the program in /usr/local/relaywatch');
    expect(r.stdout).toContain('restarted the relaywatch service');
    expect(read('/usr/local/relaywatch/dist/app.js').endsWith(marker)).toBe(true);
    expect(fs.existsSync(path.join(root, '/usr/local/relaywatch/dist/gone.js'))).toBe(false); // removed files go too
    expect(snapshot(root, { times: true })[UNIT]).toBe(unitBefore);
    expect(systemctlCalls(bin).slice(calls)).toEqual([['is-enabled', '--quiet', 'relaywatch'], ['is-active', '--quiet', 'relaywatch'], ['restart', 'relaywatch']]);
    expect(standinCalls(root)).toHaveLength(1); // the AppConfig did not change
  });

  test('the installed daemon and CGI answer as root and as a reseller', async () => {
    const sockDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-inst-sock-'));
    temps.push(sockDir);
    const socket = path.join(sockDir, 'run/http.sock');
    const daemon: ChildProcess = spawn(path.join(root, '/usr/local/relaywatch/bin/relaywatch'), ['serve', '--root', root, '--socket', socket], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    daemon.stderr!.on('data', (c: Buffer) => (log += c.toString()));
    try {
      // The socket file appears when it is bound; the line saying so reaches this pipe a moment later.
      for (let i = 0; i < 200 && !(fs.existsSync(socket) && log.includes('for WHM on unix:')); i++) await new Promise((r) => setTimeout(r, 50));
      expect([log, fs.existsSync(socket)]).toEqual([expect.stringContaining('for WHM on unix:'), true]);
      const script = path.join(root, CGI);
      const asRoot = await runCgi({ user: 'root', route: '/api/v1/relay-hosts', socket, script });
      expect(asRoot.raw).toMatch(/^Status: 200 OK\r\nContent-Type: application\/json/);
      expect(JSON.parse(asRoot.body).hosts.map((h: { ip: string }) => h.ip).sort()).toEqual(['203.0.113.10', '203.0.113.11']);
      const asReseller = await runCgi({ user: 'resellera', route: '/', socket, script });
      expect(asReseller.raw).toMatch(/^Status: 200 OK\r\nContent-Type: text\/html/);
      expect(asReseller.body).toContain('Signed in as <strong>resellera</strong> (reseller)');
      expect(asReseller.body).toContain(`${TOKEN}/cgi/relaywatch/index.cgi?route=`);
      expect(asReseller.body).not.toMatch(/carol|203\.0\.113\.11/);
    } finally {
      daemon.kill('SIGTERM');
      await new Promise((r) => daemon.once('exit', r));
    }
    expect(fs.existsSync(socket)).toBe(false);
  });

  test('--uninstall removes all of it through unregister_appconfig; the audit log stays; a second run has nothing to do', () => {
    fs.mkdirSync(path.join(root, 'var/log/relaywatch'), { recursive: true });
    fs.writeFileSync(path.join(root, 'var/log/relaywatch/audit.log'), '{"action":"test"}\n');
    fs.mkdirSync(path.join(root, 'var/lib/relaywatch/cache'), { recursive: true });
    const calls = systemctlCalls(bin).length;
    const r = install('--uninstall');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('kept /var/log/relaywatch');
    expect(standinCalls(root).slice(1)).toEqual([{ program: '/usr/local/cpanel/bin/unregister_appconfig', args: ['relaywatch'] }]);
    expect(systemctlCalls(bin).slice(calls)).toEqual([['is-active', '--quiet', 'relaywatch'], ['disable', '--now', 'relaywatch'], ['daemon-reload']]);
    const after = snapshot(root, { skip: [STANDINS_STATE, '/var/log/relaywatch', '/var/lib'] });
    expect(after).toEqual(Object.fromEntries(Object.entries(before).filter(([p]) => !p.startsWith('/var/lib'))));
    expect(fs.existsSync(path.join(root, 'var/lib/relaywatch'))).toBe(false);
    expect(read('/var/log/relaywatch/audit.log')).toBe('{"action":"test"}\n');

    const again = install('--uninstall');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('not installed; nothing to remove');
    expect(standinCalls(root)).toHaveLength(2);
  });
});

describe('set-ups and refusals', () => {
  async function server(chkservd?: string): Promise<{ root: string; bin: string }> {
    const r = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-server-'));
    await prepareServer(r, chkservd);
    const b = makePathBin();
    temps.push(r, b);
    return { root: r, bin: b };
  }

  test('prefers cPanel\'s ea-nodejs22, honours --prefix, and keeps an admin\'s monitoring choice', async () => {
    const s = await server('exim:1\nrelaywatch:0');
    const ea = path.join(s.root, 'opt/cpanel/ea-nodejs22/bin/node');
    fs.mkdirSync(path.dirname(ea), { recursive: true });
    fs.writeFileSync(ea, `#!/bin/sh\nexec ${JSON.stringify(NODE_ON_PATH)} "$@"\n`, { mode: 0o755 });
    const r = runInstall(release, ['--root', s.root, '--prefix', '/opt/relaywatch'], [s.bin, ...SYSTEM_PATH]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(/opt/cpanel/ea-nodejs22/bin/node)');
    expect(fs.readFileSync(path.join(s.root, CGI), 'utf8').split('\n')[0]).toBe('#!/opt/cpanel/ea-nodejs22/bin/node');
    expect(fs.readFileSync(path.join(s.root, 'opt/relaywatch/bin/relaywatch'), 'utf8')).toContain('exec "/opt/cpanel/ea-nodejs22/bin/node"');
    expect(fs.readFileSync(path.join(s.root, UNIT), 'utf8')).toContain('ExecStart=/opt/relaywatch/bin/relaywatch serve --socket /run/relaywatch/http.sock');
    expect(fs.readlinkSync(path.join(s.root, 'usr/local/bin/relaywatch'))).toBe('/opt/relaywatch/bin/relaywatch');
    expect(fs.readFileSync(path.join(s.root, 'etc/chkserv.d/chkservd.conf'), 'utf8')).toBe('exim:1\nrelaywatch:0');
    const un = runInstall(release, ['--root', s.root, '--prefix', '/opt/relaywatch', '--uninstall'], [s.bin, ...SYSTEM_PATH]);
    expect(un.code).toBe(0);
    expect(fs.existsSync(path.join(s.root, 'opt/relaywatch'))).toBe(false);
    expect(fs.readFileSync(path.join(s.root, 'etc/chkserv.d/chkservd.conf'), 'utf8')).toBe('exim:1\n');
  });

  test('adds the monitoring line on its own line when the file lacks a final newline', async () => {
    const s = await server('exim:1\nhttpd:1');
    expect(runInstall(release, ['--root', s.root], [s.bin, ...SYSTEM_PATH]).code).toBe(0);
    expect(fs.readFileSync(path.join(s.root, 'etc/chkserv.d/chkservd.conf'), 'utf8')).toBe('exim:1\nhttpd:1\nrelaywatch:1\n');
  });

  test('without Node.js 20 it stops with the package to install', async () => {
    const s = await server();
    const { makePathWithoutNode } = await import('../helpers/installTree');
    const noNode = makePathWithoutNode();
    temps.push(noNode);
    const old = path.join(s.root, 'opt/cpanel/ea-nodejs20/bin/node');
    fs.mkdirSync(path.dirname(old), { recursive: true });
    fs.writeFileSync(old, '#!/bin/sh\nprintf 18.19.1\n', { mode: 0o755 });
    const before = snapshot(s.root);
    const r = runInstall(release, ['--root', s.root], [s.bin, noNode]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('/opt/cpanel/ea-nodejs20/bin/node (18.19.1)');
    expect(r.stderr).toMatch(/Node\.js 20 or later was not found/);
    expect(r.stderr).toContain('dnf install ea-nodejs22');
    expect(r.stderr).toContain('apt install ea-nodejs22');
    expect(snapshot(s.root)).toEqual(before);
  });

  test('refuses a server without cPanel, a dangerous prefix, and a tree without dist/ it cannot build', async () => {
    const bare = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-bare-'));
    temps.push(bare);
    const noCpanel = runInstall(release, ['--root', bare], [bin, ...SYSTEM_PATH]);
    expect(noCpanel.code).toBe(1);
    expect(noCpanel.stderr).toMatch(/register_appconfig was not found: is this a cPanel & WHM server\?/);
    expect(fs.readdirSync(bare)).toEqual([]);

    const s = await server();
    for (const prefix of ['/usr/local', '/', 'relaywatch', '/opt/../etc/relaywatch']) {
      const r = runInstall(release, ['--root', s.root, '--prefix', prefix], [s.bin, ...SYSTEM_PATH]);
      expect([prefix, r.code]).toEqual([prefix, 1]);
      expect(r.stderr).toMatch(/--prefix/);
    }

    const unbuilt = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-unbuilt-'));
    temps.push(unbuilt);
    fs.copyFileSync(path.join(release, 'install.sh'), path.join(unbuilt, 'install.sh'));
    fs.mkdirSync(path.join(unbuilt, 'src'));
    const r = runInstall(unbuilt, ['--root', s.root], [s.bin, ...SYSTEM_PATH]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('npm ci && npm run build');
    expect(systemctlCalls(s.bin)).toEqual([]);
  });

  test('builds dist/ first when it is missing or older than src/', async () => {
    const s = await server();
    const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-src-'));
    temps.push(tree);
    fs.copyFileSync(path.join(release, 'install.sh'), path.join(tree, 'install.sh'));
    fs.cpSync(path.join(release, 'plugin'), path.join(tree, 'plugin'), { recursive: true });
    fs.cpSync(path.join(release, 'templates'), path.join(tree, 'templates'), { recursive: true });
    fs.writeFileSync(path.join(tree, 'package.json'), '{"name":"relaywatch","version":"0.0.1"}\n');
    fs.writeFileSync(path.join(tree, 'package-lock.json'), '{"lockfileVersion":3,"packages":{"":{"name":"relaywatch"}}}\n');
    fs.mkdirSync(path.join(tree, 'src/data'), { recursive: true });
    fs.writeFileSync(path.join(tree, 'src/data/zones.yaml'), 'zones: []\n');
    // a compiler stand-in that records its arguments and writes the entry point
    fs.mkdirSync(path.join(tree, 'node_modules/typescript/bin'), { recursive: true });
    fs.writeFileSync(
      path.join(tree, 'node_modules/typescript/bin/tsc'),
      "const fs=require('fs');fs.mkdirSync('dist/cli',{recursive:true});fs.writeFileSync('dist/cli/main.js','// built '+process.argv.slice(2).join(' ')+'\\n');",
    );
    const r = runInstall(tree, ['--root', s.root], [s.bin, ...SYSTEM_PATH]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('building dist/ from src/');
    expect(fs.readFileSync(path.join(s.root, 'usr/local/relaywatch/dist/cli/main.js'), 'utf8')).toBe('// built -p tsconfig.json\n');
    expect(fs.readFileSync(path.join(s.root, 'usr/local/relaywatch/dist/data/zones.yaml'), 'utf8')).toBe('zones: []\n');
    // built and current: no second build
    const again = runInstall(tree, ['--root', s.root], [s.bin, ...SYSTEM_PATH]);
    expect(again.stdout).not.toContain('building');
    expect(again.stdout).toContain('nothing changed');
    // src/ newer than dist/: built again
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(tree, 'src/data/zones.yaml'), later, later);
    expect(runInstall(tree, ['--root', s.root], [s.bin, ...SYSTEM_PATH]).stdout).toContain('building dist/ from src/');
  });
});
