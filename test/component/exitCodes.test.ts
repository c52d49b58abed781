/**
 * The README's exit-status table, row by row: 0 fine, 1 something to act on, 2 needs attention,
 * 3 could not decide or could not run, 64 usage error; the same for the same fact in every command
 * (an unexplained IP is 2 in `ip` as in `explain`, a failed change is 2 however it failed). Also:
 * a closed pipe keeps the status, an empty config means the defaults, and a run as another user
 * than root, a port in use or a folder that cannot be written each give one line, no stack trace.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loginLine, makeCpanelHost } from '../helpers/cpanelHost';
import { identification } from '../helpers/eximLines';
import { addToTree, makeHostTree, removeTree, runCliCaptured } from '../helpers/hostTree';
import { portableCli } from '../helpers/portableCli';
import { installStandins, setStandinMode, writeRelaywatchConfig } from '../helpers/standins';

jest.setTimeout(120_000);

const roots: string[] = [];
afterAll(() => roots.forEach(removeTree));
const now = new Date();
const ago = (m: number): Date => new Date(now.getTime() - m * 60_000);
const EXPLAINED = '203.0.113.10';
const UNEXPLAINED = '203.0.113.66';

/** A modern host with the stand-ins; `unexplained` adds a relay IP no login explains. */
function host(o: { unexplained?: boolean; popbeforesmtp?: boolean } = {}): string {
  const root = makeCpanelHost({
    generation: 'modern',
    popbeforesmtp: o.popbeforesmtp ?? true,
    relayIps: o.unexplained ? [EXPLAINED, UNEXPLAINED] : [EXPLAINED],
    maillog: [loginLine(ago(5), 'bob@bob.example', EXPLAINED, 'pop3')],
    now,
  });
  addToTree(root, { files: { '/var/log/exim_mainlog': '' } });
  roots.push(root);
  installStandins(root, 'modern');
  return root;
}

const run = (argv: string[]) => runCliCaptured(argv);
const noStack = (text: string): void => {
  expect(text).not.toMatch(/unexpected error|\n\s+at \S+ \(|node:internal/);
};

describe('0: fine', () => {
  test.each([
    ['explain: every IP explained', ['explain']],
    ['explain --json', ['explain', '--json']],
    ['ip: explained', ['ip', EXPLAINED]],
    ['ip: not in the relay list', ['ip', '192.0.2.200']],
    ['status: read and consistent', ['status']],
    ['reliance: nobody relies on it', ['reliance']],
    ['disable without --yes: the preview', ['disable']],
    ['search', ['search', 'bob']],
    ['audit', ['audit']],
  ])('%s', async (_what, argv) => {
    const r = await run([...argv, '--root', host()]);
    expect([r.code, r.stderr]).toEqual([0, '']);
  });

  test('disable --yes then enable --yes: changed and verified', async () => {
    const root = host();
    expect((await run(['disable', '--yes', '--root', root])).code).toBe(0);
    expect((await run(['enable', '--yes', '--root', root])).code).toBe(0);
    expect((await run(['enable', '--yes', '--root', root])).code).toBe(0); // already so
  });

  test('--version, help, help CMD, --help, CMD --help', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8'));
    const version = await run(['--version']);
    expect([version.code, version.stdout]).toEqual([0, `relaywatch ${pkg.version}\n`]);
    const help = await run(['help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^relaywatch: explains/);
    const helpExplain = await run(['help', 'explain']);
    expect([helpExplain.code, helpExplain.stdout]).toEqual([0, 'Explain every IP in the relay list from the mail logs\nUsage: relaywatch explain [--json] [--verbose]\n']);
    expect((await run(['--help'])).code).toBe(0);
    expect((await run(['status', '--help'])).code).toBe(0);
    expect((await run(['explain', '--version'])).code).toBe(0);
  });

  test('an empty config.yaml, or one of comments only, means the defaults', async () => {
    for (const text of ['', '# nothing set here\n', '\n\n# a comment\n   \n', '---\n']) {
      const root = host();
      writeRelaywatchConfig(root, text);
      const r = await run(['explain', '--json', '--root', root]);
      expect([JSON.stringify(text), r.code, r.stderr]).toEqual([JSON.stringify(text), 0, '']);
      expect(JSON.parse(r.stdout).verdict).toBe('clear');
    }
    const two = host();
    writeRelaywatchConfig(two, 'evidence:\n  days: 3\n---\nevidence:\n  days: 4\n');
    const r = await run(['explain', '--root', two]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/holds 2 YAML documents/);
  });
});

describe('1: something to act on', () => {
  test('reliance: a mailbox sends through POP-before-SMTP', async () => {
    const root = host();
    addToTree(root, { files: { '/var/log/exim_mainlog': `${identification(ago(30), { ip: EXPLAINED, cpuser: 'bob', sender: 'bob@bob.example' })}\n` } });
    expect((await run(['reliance', '--root', root])).code).toBe(1);
  });

  test('status: the switch files disagree', async () => {
    const root = host();
    fs.rmSync(path.join(root, 'etc/popbeforesmtp')); // cpanel.config still says popbeforesmtp=1
    expect((await run(['status', '--root', root])).code).toBe(1);
  });
});

describe('2: needs attention', () => {
  test('an unexplained IP: 2 in explain and in ip, text and JSON alike', async () => {
    const root = host({ unexplained: true });
    for (const argv of [['explain'], ['explain', '--json'], ['ip', UNEXPLAINED], ['ip', UNEXPLAINED, '--json']]) {
      const r = await run([...argv, '--root', root]);
      expect([argv.join(' '), r.code]).toEqual([argv.join(' '), 2]);
    }
    // the explained IP on the same host is fine in ip, as its row in explain is
    expect((await run(['ip', EXPLAINED, '--root', root])).code).toBe(0);
    const ip = JSON.parse((await run(['ip', UNEXPLAINED, '--json', '--root', root])).stdout);
    expect(ip.status).toBe('unexplained');
  });

  test('a failed change is 2 however it failed', async () => {
    const failing = host();
    setStandinMode(failing, 'whmapi1', 'fail');
    const programFailed = await run(['disable', '--yes', '--root', failing]);
    expect([programFailed.code, programFailed.stdout]).toEqual([2, expect.stringMatching(/^failed \(NOT verified\)/)]);
    expect((await run(['enable', '--yes', '--json', '--root', host({ popbeforesmtp: false })])).code).toBe(0);

    const refused = await run(['disable', '--yes', '--as', 'resellera', '--root', host()]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/Only root/);

    const unrecorded = host();
    fs.mkdirSync(path.join(unrecorded, 'var/log/relaywatch/audit.log'), { recursive: true });
    const notRecorded = await run(['disable', '--yes', '--root', unrecorded]);
    expect(notRecorded.code).toBe(2);
    expect(notRecorded.stderr).toMatch(/audit log/);

    const noLock = host();
    writeRelaywatchConfig(noLock, 'stateDir: /etc/trueuserowners/state\n'); // a file where a folder should be
    const cannotLock = await run(['disable', '--yes', '--root', noLock]);
    expect(cannotLock.code).toBe(2);
    expect(cannotLock.stderr).toMatch(/^relaywatch disable: cannot create .*: a part of the path is a file, not a folder\.\n$/);
    noStack(cannotLock.stderr);
  });
});

describe('3: could not decide, or could not run', () => {
  test('a folder that is not a cPanel host: 3 with a sentence, for every command that reads the host', async () => {
    const empty = makeHostTree({ files: { '/README': 'not a server\n' } });
    roots.push(empty);
    for (const argv of [['explain'], ['explain', '--json'], ['ip', EXPLAINED], ['status'], ['reliance'], ['autoresponders'], ['backscatter'], ['search', 'bob'], ['audit'], ['disable']]) {
      const r = await run([...argv, '--root', empty]);
      expect([argv.join(' '), r.code]).toEqual([argv.join(' '), 3]);
      expect(r.stderr).toContain(`${empty} is not a cPanel host: it has no /usr/local/cpanel/version, no relay list`);
    }
    const json = JSON.parse((await run(['explain', '--json', '--root', empty])).stdout);
    expect(json.error.code).toBe('not_a_cpanel_host');
  });

  test('a relay list that cannot be read, and a bad config file', async () => {
    const root = host();
    fs.rmSync(path.join(root, 'etc/recent_authed_mail_ips'));
    fs.mkdirSync(path.join(root, 'etc/recent_authed_mail_ips'));
    expect((await run(['explain', '--root', root])).code).toBe(3);
    const bad = host();
    writeRelaywatchConfig(bad, 'evidence:\n  dayz: 3\n');
    const r = await run(['explain', '--root', bad]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/unknown key "evidence.dayz"/);
    // nothing is tried: 3 for a change as well
    expect((await run(['disable', '--yes', '--root', bad])).code).toBe(3);
  });

  test('serve on a port that is in use: one line, no stack trace', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', () => resolve()));
    const port = (holder.address() as net.AddressInfo).port;
    try {
      const r = await run(['serve', '--listen', `127.0.0.1:${port}`, '--dev-user', 'root', '--root', host()]);
      expect(r.code).toBe(3);
      expect(r.stderr).toBe(`relaywatch serve: cannot listen on 127.0.0.1:${port}: the address is already in use (another relaywatch serve, or another program?); choose another with --listen HOST:PORT.\n`);
    } finally {
      holder.close();
    }
  });
});

describe('64: usage error', () => {
  test.each([
    ['no command', []],
    ['an unknown command', ['explode']],
    ['help for an unknown command', ['help', 'explode']],
    ['an unknown option', ['explain', '--loud']],
    ['--root ""', ['explain', '--root', '']],
    ['--config ""', ['explain', '--config', '']],
    ['ip without an IP', ['ip']],
    ['a bad --days', ['reliance', '--days', 'many']],
  ])('%s', async (_what, argv) => {
    // on a cPanel host and on a folder that is not one alike: the arguments are checked first
    for (const root of [host(), os.tmpdir()]) {
      const r = await run(argv.length ? [...argv, ...(argv.includes('--root') ? [] : ['--root', root])] : argv);
      expect([argv.join(' '), r.code]).toEqual([argv.join(' '), 64]);
      noStack(r.stderr);
    }
  });

  test('check, a monitoring plugin, answers a usage error with 3 (UNKNOWN), as Nagios expects', async () => {
    for (const argv of [['check', '--loud'], ['check', '--root', '']]) {
      const r = await run(argv);
      expect([argv.join(' '), r.code]).toEqual([argv.join(' '), 3]);
    }
  });

  test('--root "" never reads the working folder', async () => {
    const r = await run(['explain', '--root', '']);
    expect(r.stderr).toMatch(/--root needs a value; it was given as an empty string/);
    expect(r.stdout).toBe('');
  });
});

describe('the real process', () => {
  let cli: { dir: string; main: string };
  beforeAll(() => {
    cli = portableCli();
    roots.push(cli.dir);
  });

  function spawnCli(argv: string[], o: { closeStdout?: boolean; uid?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [cli.main, ...argv], {
        cwd: os.tmpdir(),
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(o.uid !== undefined ? { uid: o.uid, gid: o.uid } : {}),
      });
      let stdout = '';
      let stderr = '';
      // the reader goes away before the command has written a byte: every write meets EPIPE
      if (o.closeStdout) child.stdout.destroy();
      else child.stdout.on('data', (c) => (stdout += c));
      child.stderr.on('data', (c) => (stderr += c));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  test('a reader that closes the pipe early does not change the exit status', async () => {
    const root = host({ unexplained: true });
    const closed = await spawnCli(['explain', '--verbose', '--root', root], { closeStdout: true });
    expect([closed.code, closed.stderr]).toEqual([2, '']);
    const closedJson = await spawnCli(['ip', UNEXPLAINED, '--json', '--root', root], { closeStdout: true });
    expect(closedJson.code).toBe(2);
    const open = await spawnCli(['explain', '--root', root]);
    expect(open.code).toBe(2);
    expect(open.stdout).toMatch(/^CRITICAL: /);
  });

  const asRoot = process.getuid?.() === 0;
  (asRoot ? test : test.skip)('another user than root: one line says so, answers fall back to reading the logs, nothing crashes', async () => {
    const root = host({ unexplained: true });
    const build = await runCliCaptured(['index', '--root', root]); // a login index root made, in a root-only folder
    expect(build.code).toBe(0);
    fs.chmodSync(path.join(root, 'var/lib/relaywatch'), 0o700);
    for (let d = root; d !== path.dirname(d) && d.startsWith(os.tmpdir()) && d !== os.tmpdir(); d = path.dirname(d)) fs.chmodSync(d, 0o755);
    const nobody = 65534;

    // the logs are readable, the index is not: the answer is the same as root's, from the logs
    const asRootAnswer = JSON.parse((await runCliCaptured(['explain', '--json', '--root', root])).stdout);
    const fallback = await spawnCli(['explain', '--json', '--root', root], { uid: nobody });
    expect([fallback.code, fallback.stderr]).toEqual([2, '']);
    const body = JSON.parse(fallback.stdout);
    expect(body.hosts.map((h: { ip: string; status: string }) => [h.ip, h.status])).toEqual(asRootAnswer.hosts.map((h: { ip: string; status: string }) => [h.ip, h.status]));
    expect((await spawnCli(['reliance', '--root', root], { uid: nobody })).code).toBe(0);

    // the mail log closed to this user: one line says why, before the answer's own problems
    fs.chmodSync(path.join(root, 'var/log/maillog'), 0o600);
    const closed = await spawnCli(['explain', '--root', root], { uid: nobody });
    expect(closed.code).toBe(3);
    const lines = closed.stderr.split('\n').filter(Boolean);
    expect(lines[0]).toBe('relaywatch explain: running as uid 65534, not root: /var/log/maillog cannot be read by this user, so the answer below is only what the rest shows. Run it as root for the whole answer.');
    noStack(closed.stderr);

    // what only root may do: one line each, no stack trace
    const index = await spawnCli(['index', '--root', root], { uid: nobody });
    expect(index.code).toBe(3);
    expect(index.stderr).toMatch(/relaywatch index: cannot \w+ .*\/var\/lib\/relaywatch\/login-index.*: permission denied\. relaywatch runs as root on a cPanel server; this process runs as uid 65534\.\n$/);
    noStack(index.stderr);
    const change = await spawnCli(['disable', '--yes', '--root', root], { uid: nobody });
    expect(change.code).toBe(2);
    expect(change.stderr).toMatch(/relaywatch disable: cannot .*: permission denied\./);
    noStack(change.stderr);
    fs.mkdirSync(path.join(root, 'run'), { mode: 0o755 }); // root's, as /run is
    const serve = await spawnCli(['serve', '--socket', path.join(root, 'run/relaywatch/http.sock'), '--root', root], { uid: nobody });
    expect(serve.code).toBe(3);
    expect(serve.stderr).toMatch(/relaywatch serve: cannot create .*\/run\/relaywatch: permission denied\./);
    noStack(serve.stderr);
  });
  if (!asRoot) test('another user than root (skipped)', () => console.log('skipped: not running as root, so the CLI cannot be run as another user'));
});
