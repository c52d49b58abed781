/**
 * The release archive (`npm run package`), unpacked and installed with install.sh into a temporary
 * server tree (--root) with no npm on PATH, as on a stock cPanel server: every file, mode,
 * registration call and AppConfig key; the unit's sandbox, the Service Manager entry and the
 * logrotate file; a second run changes nothing; an upgrade replaces and restarts; the installed
 * daemon and CGI answer as root and as a reseller, and keep answering when cPanel's Node.js package
 * is switched; --uninstall, run from any folder, leaves the tree as it was.
 */
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ASSETS_DIR } from '../../src/app';
import { assetSet } from '../../src/http/assets';
import { PLUGIN_ACLS } from '../../src/http/identity';
import { runCgi, TOKEN } from '../helpers/cgi';
import { loginLine, makeCpanelHost } from '../helpers/cpanelHost';
import {
  makePathBin, makePathWithout, makeReleaseTree, prepareServer, REPO, runInstall, snapshot, standinCalls, STANDINS_STATE, systemctlCalls,
} from '../helpers/installTree';
import { removeTree } from '../helpers/hostTree';

// Every run copies the program tree and starts Node a few times: slow on a busy machine.
jest.setTimeout(180_000);

// The system's programs without npm (cPanel's Node.js package puts none on PATH); node stays.
const NO_NPM = makePathWithout(['npm', 'npx', 'corepack']);
const SYSTEM_PATH = [NO_NPM];
const NODE_ON_PATH = path.join(NO_NPM, 'node');
const ASSETS = '/usr/local/cpanel/whostmgr/docroot/cgi/relaywatch/assets';
const LOGROTATE = '/etc/logrotate.d/relaywatch';
/** The chkserv.d entry's process match: the fifth field, a regular expression over `ps`'s command lines. */
const processMatch = (entry: string): RegExp => new RegExp(/^service\[relaywatch\]=(?:[^,]*,){4}([^,]+),root\n$/.exec(entry)![1]);
const CGI = '/usr/local/cpanel/whostmgr/docroot/cgi/relaywatch/index.cgi';
const ICON = '/usr/local/cpanel/whostmgr/docroot/addon_plugins/relaywatch.png';
const UNIT = '/etc/systemd/system/relaywatch.service';
/** Where WHM looks for the drivers that declare ACLs; relaywatch's driver declares software-relaywatch. */
const DRIVERS = '/usr/local/cpanel/Cpanel/Config/ConfigObj/Driver';
const ACL_DRIVER = `${DRIVERS}/Relaywatch.pm`;
const ACL_META = `${DRIVERS}/Relaywatch/META.pm`;

let release: string;
let root: string;
let bin: string;
let before: Record<string, string>;
const temps: string[] = [NO_NPM];

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
  test('the archive holds the built program and production packages only; npm is not on the install\'s PATH', () => {
    expect(spawnSync('/bin/sh', ['-c', 'command -v npm'], { env: { PATH: SYSTEM_PATH.join(':') } }).status).not.toBe(0);
    expect(path.basename(release)).toBe(`relaywatch-${JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version}`);
    for (const f of ['install.sh', 'README.md', 'LICENSE', 'dist/cli/main.js', 'plugin/cgi/index.cgi', 'plugin/bin/relaywatch', 'plugin/bin/relaywatch-explain', 'plugin/acl/Relaywatch.pm', 'plugin/acl/Relaywatch/META.pm', 'plugin/monitoring', 'node_modules/express/package.json']) {
      expect([f, fs.existsSync(path.join(release, f))]).toEqual([f, true]);
    }
    expect(fs.lstatSync(path.join(release, 'node_modules')).isSymbolicLink()).toBe(false);
    for (const dev of ['typescript', 'jest', 'ts-jest', 'supertest', 'playwright-core', '@types', 'autocannon', 'madge', 'axe-core']) expect([dev, fs.existsSync(path.join(release, 'node_modules', dev))]).toEqual([dev, false]);
    expect(fs.existsSync(path.join(release, 'src'))).toBe(false); // nothing to build
  });

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
    expect(mode(`${prefix}/dist/cli/main.js`)).toBe(0o755);
    // the archive's code cache, made by this Node.js (the build's training run)
    expect(fs.existsSync(path.join(root, `${prefix}/dist/v8-code-cache/${process.version}-${process.arch}.bin`))).toBe(true);
    expect(mode(`${prefix}/bin/relaywatch`)).toBe(0o755);
    // Node is found when the launcher runs, not named at install time
    expect(read(`${prefix}/bin/relaywatch`)).toBe(fs.readFileSync(path.join(REPO, 'plugin/bin/relaywatch'), 'utf8'));
    expect(fs.readlinkSync(path.join(root, '/usr/local/bin/relaywatch'))).toBe(`${prefix}/bin/relaywatch`);
    // the launcher's Perl quick path for `explain`, under the Perl found (as the CGI)
    expect(mode(`${prefix}/bin/relaywatch-explain`)).toBe(0o755);
    const quick = read(`${prefix}/bin/relaywatch-explain`).split('\n');
    expect(quick[0]).toBe('#!/usr/bin/perl');
    expect(quick.slice(1)).toEqual(fs.readFileSync(path.join(REPO, 'plugin/bin/relaywatch-explain'), 'utf8').split('\n').slice(1));
    expect(fs.readdirSync(path.join(root, '/usr/local')).filter((n) => n.startsWith('.relaywatch'))).toEqual([]);

    // the CGI: root only, the checkout's Perl program under the Perl found (no cPanel Perl in this tree); no Node path in it
    expect(mode(CGI)).toBe(0o700);
    const cgi = read(CGI).split('\n');
    expect(cgi[0]).toBe('#!/usr/bin/perl');
    expect(cgi.slice(1)).toEqual(fs.readFileSync(path.join(REPO, 'plugin/cgi/index.cgi'), 'utf8').split('\n').slice(1));
    expect(cgi.join('\n')).not.toContain(NODE_ON_PATH);

    // the static files, in the CGI's docroot folder under the names the pages link to
    const hashed = assetSet(ASSETS_DIR).hashed;
    expect(fs.readdirSync(path.join(root, ASSETS)).sort()).toEqual([...hashed.values()].sort());
    for (const [plain, name] of hashed) {
      expect(mode(`${ASSETS}/${name}`)).toBe(0o644);
      expect(fs.readFileSync(path.join(root, ASSETS, name)).equals(fs.readFileSync(path.join(ASSETS_DIR, plain)))).toBe(true);
    }

    // logrotate: the audit log's folder, rotated by rename
    expect(mode(LOGROTATE)).toBe(0o644);
    expect(read(LOGROTATE)).toBe(fs.readFileSync(path.join(REPO, 'plugin/logrotate.d/relaywatch'), 'utf8'));
    expect(read(LOGROTATE)).toMatch(/^\/var\/log\/relaywatch\/\*\.log \{$/m);
    expect(read(LOGROTATE)).not.toMatch(/^\s*copytruncate/m);
    const lr = spawnSync('logrotate', ['--debug', '--state', path.join(root, 'logrotate.state'), path.join(root, LOGROTATE)], { encoding: 'utf8' });
    if (!lr.error) expect([lr.status, lr.stderr]).toEqual([0, expect.not.stringMatching(/error/i)]);
    fs.rmSync(path.join(root, 'logrotate.state'), { force: true });

    // the icon: the committed 48x48 PNG
    expect(mode(ICON)).toBe(0o644);
    const png = fs.readFileSync(path.join(root, ICON));
    expect(png.equals(fs.readFileSync(path.join(REPO, 'plugin/relaywatch.png')))).toBe(true);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([48, 48]);

    // the privilege's driver, where WHM reads it, beside cPanel's own drivers
    for (const [f, from] of [[ACL_DRIVER, 'plugin/acl/Relaywatch.pm'], [ACL_META, 'plugin/acl/Relaywatch/META.pm']]) {
      expect([f, mode(f)]).toEqual([f, 0o644]);
      expect([f, read(f)]).toEqual([f, fs.readFileSync(path.join(REPO, from), 'utf8')]);
    }
    expect(mode(`${DRIVERS}/Relaywatch`)).toBe(0o755);
    expect(fs.readdirSync(path.join(root, DRIVERS)).sort()).toEqual(['Other.pm', 'Relaywatch', 'Relaywatch.pm']);

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
      'ConditionPathExists=!/etc/relaywatchdisable',
      'MemoryDenyWriteExecute=no',
    ]) expect(unit.split('\n')).toContain(line);
    const exposure = unitExposure(path.join(root, UNIT));
    if (exposure !== null) expect(exposure).toBeLessThanOrEqual(6.0);

    // Service Manager: the chkserv.d entry and the monitoring switch
    expect(read('/etc/chkserv.d/relaywatch')).toBe('service[relaywatch]=x,x,x,systemctl restart relaywatch,relaywatch serve --socket,root\n');
    // chkservd's process check: the daemon's own title, and nothing else that mentions relaywatch
    const match = processMatch(read('/etc/chkserv.d/relaywatch'));
    expect(match.test('relaywatch serve --socket /run/relaywatch/http.sock')).toBe(true);
    for (const other of [
      '/usr/local/cpanel/3rdparty/bin/perl /usr/local/cpanel/whostmgr/docroot/cgi/relaywatch/index.cgi',
      '/usr/local/cpanel/whostmgr/docroot/cgi/relaywatch/index.cgi',
      'journalctl -u relaywatch',
      'journalctl -u relaywatch -f',
      'systemctl restart relaywatch',
      '/opt/cpanel/ea-nodejs22/bin/node /usr/local/relaywatch/dist/cli/main.js explain',
      'tail -f /var/log/relaywatch/audit.log',
      'vim /etc/chkserv.d/relaywatch',
    ]) expect([other, match.test(other)]).toEqual([other, false]);
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
      searchtext: expect.stringMatching(/relay.*pop-before-smtp.*blacklist.*backscatter.*autoresponder/),
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

  test('a new META.pm replaces the old one and makes the drivers\' folder newer, so WHM reads its ACL list again', () => {
    const folder = path.join(root, DRIVERS);
    const old = new Date(Date.now() - 3_600_000);
    fs.utimesSync(folder, old, old); // as if WHM's ACL cache (/var/cpanel/dynamicaclitems.cache) were newer
    fs.appendFileSync(path.join(release, 'plugin/acl/Relaywatch/META.pm'), '# upgraded\n');
    const r = install();
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`installed ${ACL_META}`);
    expect(r.stdout).not.toContain(`installed ${ACL_DRIVER}`);
    expect(read(ACL_META).endsWith('# upgraded\n')).toBe(true);
    expect(fs.statSync(folder).mtimeMs).toBeGreaterThan(old.getTime() + 1000);
    // nothing changed: the folder keeps its time
    fs.utimesSync(folder, old, old);
    const set = fs.statSync(folder).mtimeMs; // as the file system stored it (sub-millisecond rounding)
    expect(install().stdout).toContain('already installed and up to date; nothing changed');
    expect(fs.statSync(folder).mtimeMs).toBe(set);
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
      // the launcher execs Node, whose title chkservd's match finds (the file ps reads)
      const title = fs.readFileSync(`/proc/${daemon.pid}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
      expect(title).toBe(`relaywatch serve --socket ${socket}`);
      expect(processMatch(read('/etc/chkserv.d/relaywatch')).test(title)).toBe(true);
      const script = path.join(root, CGI);
      const env = { PATH: SYSTEM_PATH.join(':') };
      const asRoot = await runCgi({ user: 'root', route: '/api/v1/relay-hosts', socket, script, env });
      expect(asRoot.raw).toMatch(/^Status: 200 OK\r\nContent-Type: application\/json/);
      expect(JSON.parse(asRoot.body).hosts.map((h: { ip: string }) => h.ip).sort()).toEqual(['203.0.113.10', '203.0.113.11']);
      const asReseller = await runCgi({ user: 'resellera', route: '/', socket, script, env });
      expect(asReseller.raw).toMatch(/^Status: 200 OK\r\nContent-Type: text\/html/);
      expect(asReseller.body).toContain('Signed in as <strong>resellera</strong> (reseller)');
      expect(asReseller.body).toContain(`${TOKEN}/cgi/relaywatch/index.cgi?route=`);
      expect(asReseller.body).not.toMatch(/carol|203\.0\.113\.11/);
      // the page links its static files where install.sh put them, for cpsrvd to serve
      const css = /href="\/cpsess\d+(\/cgi\/relaywatch\/assets\/relaywatch\.[0-9a-f]{12}\.css)"/.exec(asReseller.body)![1];
      expect(fs.existsSync(path.join(root, '/usr/local/cpanel/whostmgr/docroot', css))).toBe(true);
    } finally {
      daemon.kill('SIGTERM');
      await new Promise((r) => daemon.once('exit', r));
    }
    expect(fs.existsSync(socket)).toBe(false);
  });

  test('switching cPanel\'s Node.js package after the install breaks nothing; with no Node.js at all the CGI says what to install', async () => {
    // The CGI is Perl and needs no Node.js; the launcher (command line and daemon) finds it each time it starts.
    const used = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-used-'));
    temps.push(used);
    const log = path.join(used, 'node-used.log');
    /** A stand-in for cPanel's ea-nodejsNN package: its node notes that it ran, then is the real one. */
    const eaNode = (pkg: string): void => {
      const f = path.join(root, 'opt/cpanel', pkg, 'bin/node');
      fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(f, `#!/bin/sh\necho ${pkg} >> ${JSON.stringify(log)}\nexec ${JSON.stringify(process.execPath)} "$@"\n`, { mode: 0o755 });
    };
    const noNode = makePathWithout(['node', 'nodejs', 'npm', 'npx', 'corepack']);
    temps.push(noNode);
    const env = { PATH: noNode, RELAYWATCH_HOST_ROOT: root };
    const launcher = path.join(root, '/usr/local/relaywatch/bin/relaywatch');
    const sockDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-switch-'));
    temps.push(sockDir);
    const socket = path.join(sockDir, 'run/http.sock');
    const lines = (): string[] => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : []);
    try {
      eaNode('ea-nodejs22');
      const daemon = spawn(launcher, ['serve', '--root', root, '--socket', socket], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      daemon.stderr!.on('data', (c: Buffer) => (err += c.toString()));
      try {
        for (let i = 0; i < 200 && !(fs.existsSync(socket) && err.includes('for WHM on unix:')); i++) await new Promise((r) => setTimeout(r, 50));
        expect(lines()).toEqual(['ea-nodejs22']); // the daemon started on ea-nodejs22
        const before = await runCgi({ user: 'root', route: '/api/v1/relay-hosts', socket, script: path.join(root, CGI), env });
        expect(before.status).toBe(200);
        expect(lines()).toEqual(['ea-nodejs22']); // the CGI ran no Node.js

        // ea-nodejs20 replaces ea-nodejs22 (they conflict: one package removes the other)
        fs.rmSync(path.join(root, 'opt/cpanel/ea-nodejs22'), { recursive: true });
        eaNode('ea-nodejs20');
        const after = await runCgi({ user: 'root', route: '/api/v1/relay-hosts', socket, script: path.join(root, CGI), env });
        expect(after.status).toBe(200);
        expect(JSON.parse(after.body).hosts).toHaveLength(2);
        const cli = spawnSync(launcher, ['explain', '--root', root, '--json'], { env, encoding: 'utf8' });
        expect(JSON.parse(cli.stdout).hosts).toHaveLength(2);
        expect(lines().slice(1)).toEqual(['ea-nodejs20']);
        // and the daemon restarts on ea-nodejs20 (as after `systemctl restart relaywatch`)
        daemon.kill('SIGTERM');
        await new Promise((r) => daemon.once('exit', r));
        const again = spawn(launcher, ['serve', '--root', root, '--socket', socket], { env, stdio: ['ignore', 'ignore', 'pipe'] });
        let err2 = '';
        again.stderr!.on('data', (c: Buffer) => (err2 += c.toString()));
        for (let i = 0; i < 200 && !(fs.existsSync(socket) && err2.includes('for WHM on unix:')); i++) await new Promise((r) => setTimeout(r, 50));
        expect(lines().slice(1)).toEqual(['ea-nodejs20', 'ea-nodejs20']);
        expect((await runCgi({ user: 'root', route: '/api/v1/relay-hosts', socket, script: path.join(root, CGI), env })).status).toBe(200);
        again.kill('SIGTERM');
        await new Promise((r) => again.once('exit', r));

        // no Node.js anywhere, so no daemon: a page that says what to install, JSON for the API; the launcher says the same
        fs.rmSync(path.join(root, 'opt'), { recursive: true });
        const page = await runCgi({ user: 'root', route: '/', socket, script: path.join(root, CGI), env });
        expect(page.status).toBe(503);
        expect(page.headers['content-type']).toMatch(/^text\/html/);
        expect(page.headers['content-security-policy']).toMatch(/style-src 'self' 'nonce-/);
        expect(page.body).toContain('relaywatch needs Node.js');
        expect(page.body).toContain('dnf install ea-nodejs22');
        const reseller = await runCgi({ user: 'resellera', route: '/', socket, script: path.join(root, CGI), env });
        expect(reseller.body).toMatch(/ask the server's administrator/);
        expect(reseller.body).not.toContain('dnf install');
        const api = await runCgi({ user: 'root', route: '/api/v1/relay-hosts', socket, script: path.join(root, CGI), env });
        expect([api.status, JSON.parse(api.body).error.code]).toEqual([503, 'node_missing']);
        const none = spawnSync(launcher, ['explain', '--root', root], { env, encoding: 'utf8' });
        expect(none.status).toBe(69);
        expect(none.stderr).toContain('Node.js 20 or later was not found');
      } finally {
        if (daemon.exitCode === null && daemon.signalCode === null) {
          daemon.kill('SIGTERM');
          await new Promise((r) => daemon.once('exit', r));
        }
      }
    } finally {
      fs.rmSync(path.join(root, 'opt'), { recursive: true, force: true });
    }
  });

  test('--uninstall removes all of it through unregister_appconfig; the audit log stays; a second run has nothing to do', () => {
    fs.mkdirSync(path.join(root, 'var/log/relaywatch'), { recursive: true });
    fs.writeFileSync(path.join(root, 'var/log/relaywatch/audit.log'), '{"action":"test"}\n');
    fs.mkdirSync(path.join(root, 'var/lib/relaywatch/cache'), { recursive: true });
    const calls = systemctlCalls(bin).length;
    // run from a folder that holds a folder named relaywatch (which unregister_appconfig would take for the AppConfig)
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-cwd-'));
    temps.push(elsewhere);
    fs.mkdirSync(path.join(elsewhere, 'relaywatch'));
    const r = runInstall(release, ['--root', root, '--uninstall'], [bin, ...SYSTEM_PATH], {}, elsewhere);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('kept /var/log/relaywatch');
    expect(r.stdout).toContain(`removed ${LOGROTATE}`);
    expect(r.stdout).toContain(`removed the software-relaywatch privilege (${ACL_DRIVER} and ${DRIVERS}/Relaywatch/)`);
    expect(fs.readdirSync(path.join(root, DRIVERS))).toEqual(['Other.pm']);
    expect(standinCalls(root).slice(1)).toEqual([{ program: '/usr/local/cpanel/bin/unregister_appconfig', args: [path.join(root, '/usr/local/relaywatch/plugin/relaywatch.conf')] }]);
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

  test('an archive without a code cache for this server\'s Node.js gets one made at install; a second run changes nothing', async () => {
    const s = await server();
    const bare = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-release-bare-'));
    temps.push(bare);
    fs.cpSync(release, bare, { recursive: true });
    // as if the archive had been made by another Node.js
    fs.rmSync(path.join(bare, 'dist/v8-code-cache'), { recursive: true, force: true });
    const cache = path.join(s.root, `usr/local/relaywatch/dist/v8-code-cache/${process.version}-${process.arch}.bin`);
    const r = runInstall(bare, ['--root', s.root], [s.bin, ...SYSTEM_PATH]);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain('no code cache');
    expect(fs.readFileSync(cache).subarray(0, 27).toString('latin1')).toBe('relaywatch-v8-code-cache-1\n');
    const files = snapshot(s.root, { times: true, skip: [STANDINS_STATE] });
    const again = runInstall(bare, ['--root', s.root], [s.bin, ...SYSTEM_PATH]);
    expect(again.stdout).toContain('already installed and up to date; nothing changed');
    expect(snapshot(s.root, { times: true, skip: [STANDINS_STATE] })).toEqual(files);
  });

  test('prefers cPanel\'s ea-nodejs22 and cPanel\'s Perl, honours --prefix, and keeps an admin\'s monitoring choice', async () => {
    const s = await server('exim:1\nrelaywatch:0');
    const ea = path.join(s.root, 'opt/cpanel/ea-nodejs22/bin/node');
    fs.mkdirSync(path.dirname(ea), { recursive: true });
    fs.writeFileSync(ea, `#!/bin/sh\nexec ${JSON.stringify(NODE_ON_PATH)} "$@"\n`, { mode: 0o755 });
    const perl = path.join(s.root, 'usr/local/cpanel/3rdparty/bin/perl');
    fs.mkdirSync(path.dirname(perl), { recursive: true });
    fs.writeFileSync(perl, '#!/bin/sh\nexec /usr/bin/perl "$@"\n', { mode: 0o755 });
    const r = runInstall(release, ['--root', s.root, '--prefix', '/opt/relaywatch'], [s.bin, ...SYSTEM_PATH]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(/opt/cpanel/ea-nodejs22/bin/node)');
    expect(fs.readFileSync(path.join(s.root, CGI), 'utf8').split('\n')[0]).toBe('#!/usr/local/cpanel/3rdparty/bin/perl');
    expect(fs.readFileSync(path.join(s.root, 'opt/relaywatch/bin/relaywatch'), 'utf8')).not.toContain(s.root);
    expect(fs.readFileSync(path.join(s.root, 'opt/relaywatch/bin/relaywatch-explain'), 'utf8').split('\n')[0]).toBe('#!/usr/local/cpanel/3rdparty/bin/perl');
    expect(fs.statSync(path.join(s.root, 'opt/relaywatch/bin/relaywatch-explain')).mode & 0o777).toBe(0o755);
    expect(fs.readFileSync(path.join(s.root, UNIT), 'utf8')).toContain('ExecStart=/opt/relaywatch/bin/relaywatch serve --socket /run/relaywatch/http.sock');
    expect(fs.readlinkSync(path.join(s.root, 'usr/local/bin/relaywatch'))).toBe('/opt/relaywatch/bin/relaywatch');
    expect(fs.readFileSync(path.join(s.root, 'etc/chkserv.d/chkservd.conf'), 'utf8')).toBe('exim:1\nrelaywatch:0');
    const un = runInstall(release, ['--root', s.root, '--prefix', '/opt/relaywatch', '--uninstall'], [s.bin, ...SYSTEM_PATH]);
    expect(un.code).toBe(0);
    expect(fs.existsSync(path.join(s.root, 'opt/relaywatch'))).toBe(false);
    expect(fs.existsSync(path.join(s.root, 'opt/relaywatch/bin/relaywatch-explain'))).toBe(false);
    expect(fs.readFileSync(path.join(s.root, 'etc/chkserv.d/chkservd.conf'), 'utf8')).toBe('exim:1\n');
  });

  test('a register_appconfig that refuses searchtext= (older cPanel) gets the AppConfig without it', async () => {
    const s = await server();
    const tool = path.join(s.root, 'usr/local/cpanel/bin/register_appconfig');
    fs.renameSync(tool, `${tool}.real`);
    fs.writeFileSync(tool, `#!/bin/sh\nif grep -q '^searchtext=' "$1"; then echo "Invalid key: searchtext" >&2; exit 1; fi\nexec ${JSON.stringify(`${tool}.real`)} "$@"\n`, { mode: 0o755 });
    const r = runInstall(release, ['--root', s.root], [s.bin, ...SYSTEM_PATH]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('trying again without searchtext=');
    expect(r.stdout).toContain('registered the plugin with WHM (Plugins » relaywatch), without menu search words');
    const conf = fs.readFileSync(path.join(s.root, 'var/cpanel/apps/relaywatch.conf'), 'utf8');
    expect(conf).toContain('entryurl=relaywatch/index.cgi');
    expect(conf).not.toContain('searchtext=');
    // and a second run sees it registered: nothing changes
    const again = runInstall(release, ['--root', s.root], [s.bin, ...SYSTEM_PATH]);
    expect(again.stdout).toContain('already installed and up to date; nothing changed');
  });

  test('upgrading from an AppConfig that opened for list-accts names the resellers who must now be granted the privilege', async () => {
    const s = await server();
    const registered = fs.readFileSync(path.join(REPO, 'plugin/relaywatch.conf'), 'utf8').replace(/^acls=.*$/m, 'acls=all,list-accts');
    fs.writeFileSync(path.join(s.root, 'var/cpanel/apps/relaywatch.conf'), registered);
    fs.mkdirSync(path.join(s.root, 'var/cpanel'), { recursive: true });
    fs.writeFileSync(
      path.join(s.root, 'var/cpanel/resellers'),
      'ra:list-accts,create-acct\nrb:list-accts,software-relaywatch\nboss:all,list-accts\nrc:create-acct\nrd: list-accts , passwd\n',
    );
    const r = runInstall(release, ['--root', s.root], [s.bin, ...SYSTEM_PATH]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('relaywatch: relaywatch now has its own privilege, software-relaywatch; list-accts no longer opens it.');
    // ra and rd had it through list-accts; rb already has the privilege, boss has all, rc never had access
    expect(r.stdout).toContain('Edit Reseller Nameservers and Privileges, under "Third-Party Services"): ra rd\n');
    expect(r.stdout).toContain('registered the plugin with WHM');
    expect(fs.readFileSync(path.join(s.root, 'var/cpanel/apps/relaywatch.conf'), 'utf8')).toMatch(/^acls=all,software-relaywatch$/m);
    // nothing is granted on root's behalf
    expect(fs.readFileSync(path.join(s.root, 'var/cpanel/resellers'), 'utf8')).toContain('ra:list-accts,create-acct\n');
    // said once: the registered AppConfig no longer opens for list-accts
    expect(runInstall(release, ['--root', s.root], [s.bin, ...SYSTEM_PATH]).stdout).not.toContain('list-accts');
  });

  test('without cPanel\'s driver folder the privilege cannot be defined: it says so, and installs the rest', async () => {
    const s = await server();
    fs.rmSync(path.join(s.root, DRIVERS), { recursive: true });
    const r = runInstall(release, ['--root', s.root], [s.bin, ...SYSTEM_PATH]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`warning: ${DRIVERS} is missing, so the software-relaywatch privilege cannot be defined: only root and resellers with "all" can open relaywatch`);
    expect(fs.existsSync(path.join(s.root, DRIVERS))).toBe(false);
    expect(fs.existsSync(path.join(s.root, CGI))).toBe(true);
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

/** `systemd-analyze security --offline=true`'s overall exposure for a unit file; null where the tool is missing. */
function unitExposure(unitFile: string): number | null {
  const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  if (probe.status !== 0) return null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-unit-'));
  try {
    fs.copyFileSync(unitFile, path.join(dir, 'relaywatch.service'));
    const r = spawnSync('systemd-analyze', ['security', '--offline=true', '--no-pager', 'relaywatch.service'], { cwd: dir, encoding: 'utf8' });
    const m = /Overall exposure level for relaywatch\.service: ([\d.]+)/.exec(r.stdout);
    if (!m) throw new Error(`systemd-analyze gave no exposure level:\n${r.stdout}${r.stderr}`);
    return Number(m[1]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
