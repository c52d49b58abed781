/**
 * Faults, each with the clear message relaywatch gives: a mail log truncated, rotated or deleted in
 * the middle of a scan, truncated and corrupt .gz rotations, a log relaywatch may not read, relay
 * list symlinks that loop or leave the host root, tailwatchd and whmapi1 that hang, crash or print
 * garbage, a DNS server that is down, an audit log that cannot be written, the daemon dying in the
 * middle of a request (the CGI still answers with a page), and a full disk under the login index.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { loadConfig } from '../../src/config/config';
import { viewerFor } from '../../src/domain/scope';
import { loadAccounts } from '../../src/services/accountsService';
import { createContext } from '../../src/services/context';
import { explain } from '../../src/services/explainService';
import { runCgi } from '../helpers/cgi';
import { loginLine, makeCpanelHost } from '../helpers/cpanelHost';
import { addToTree, removeTree, runCliCaptured } from '../helpers/hostTree';
import { portableCli } from '../helpers/portableCli';
import { callLines, clearCalls, installStandins, setStandinMode, writeRelaywatchConfig } from '../helpers/standins';

jest.setTimeout(180_000);

const roots: string[] = [];
afterAll(() => roots.forEach(removeTree));
const now = new Date();
const ago = (m: number): Date => new Date(now.getTime() - m * 60_000);
const RELAY = ['203.0.113.10', '198.51.100.7'];

function host(extra: Parameters<typeof addToTree>[1] = {}, maillog?: string[]): string {
  const root = makeCpanelHost({ generation: 'modern', popbeforesmtp: true, relayIps: RELAY, maillog: maillog ?? [loginLine(ago(5), 'bob@bob.example', RELAY[0], 'pop3')], now });
  addToTree(root, extra);
  roots.push(root);
  return root;
}

/** A mail log of about `mib` MiB: noise, with a login from each relay IP near the end. */
function bigMaillog(mib: number): string {
  const noise = `${' '.repeat(0)}Nov  1 00:00:00 server postfix/smtpd[1]: connect from unknown[192.0.2.200] ${'x'.repeat(120)}\n`;
  return noise.repeat(Math.ceil((mib * 1024 * 1024) / noise.length)) + RELAY.map((ip) => `${loginLine(ago(3), 'bob@bob.example', ip, 'pop3')}\n`).join('');
}

async function explainAsRoot(root: string, onProgress?: () => void) {
  const ctx = createContext(loadConfig({ root }));
  const viewer = viewerFor('root', await loadAccounts(ctx));
  return explain(ctx, viewer, { onProgress });
}

const problemText = (r: { problems: Array<{ message?: string; problem?: string }> }): string => r.problems.map((p) => `${p.message ?? ''} ${p.problem ?? ''}`).join('\n');

describe('the mail log changes in the middle of a scan', () => {
  const cases: Array<[string, (file: string) => void]> = [
    ['truncated to nothing', (f) => fs.truncateSync(f, 0)],
    ['truncated to half', (f) => fs.truncateSync(f, Math.floor(fs.statSync(f).size / 2))],
    ['rotated (renamed, a new file started)', (f) => {
      fs.renameSync(f, `${f}.1`);
      fs.writeFileSync(f, `${loginLine(ago(1), 'bob@bob.example', RELAY[0], 'pop3')}\n`);
    }],
    ['deleted', (f) => fs.rmSync(f)],
  ];
  test.each(cases)('%s: the scan finishes with an answer, no crash', async (_what, fault) => {
    const root = host({ files: { '/var/log/maillog': bigMaillog(24) } });
    const file = path.join(root, 'var/log/maillog');
    let done = false;
    const r = await explainAsRoot(root, () => {
      if (done) return;
      done = true;
      fault(file);
    });
    expect(done).toBe(true);
    expect(r.hosts.map((h) => h.ip).sort()).toEqual([...RELAY].sort());
    // Either the bytes read before the change still hold the logins, or the problem is named.
    expect(r.verdict).toBeTruthy();
  });
});

describe('rotated .gz files that are damaged', () => {
  test('a truncated .gz and a corrupt .gz are named as such; the other logs still count', async () => {
    const full = zlib.gzipSync(`${loginLine(ago(60 * 24), 'bob@bob.example', RELAY[1], 'pop3')}\n`.repeat(2000));
    const root = host({
      files: {
        '/var/log/maillog-20260101.gz': full.subarray(0, Math.floor(full.length / 2)),
        '/var/log/maillog-20251225.gz': Buffer.concat([full.subarray(0, 20), Buffer.from('this is not deflate data at all'.repeat(20))]),
      },
      mtimes: { '/var/log/maillog-20260101.gz': ago(60 * 24), '/var/log/maillog-20251225.gz': ago(60 * 48) },
    });
    const r = await explainAsRoot(root);
    const text = problemText(r as never);
    expect(text).toMatch(/maillog-20260101\.gz: (corrupt or truncated gzip data|.*unexpected end of file)/);
    expect(text).toMatch(/maillog-20251225\.gz: (corrupt or truncated gzip data|.*invalid)/);
    expect(r.hosts.find((h) => h.ip === RELAY[0])).toBeDefined();
    const cli = await runCliCaptured(['explain', '--root', root]);
    expect(cli.stdout + cli.stderr).toMatch(/maillog-20260101\.gz: (corrupt or truncated gzip data|.*unexpected end of file)/);
    expect(cli.stderr).not.toMatch(/unexpected error/);
  });
});

describe('a log relaywatch may not read', () => {
  // Root reads every file whatever its mode, so the check runs the CLI as the unprivileged user nobody.
  const canDrop = process.getuid?.() === 0;
  (canDrop ? test : test.skip)('permission denied is named, and the rest of the answer stands', async () => {
    const root = host();
    fs.chmodSync(path.join(root, 'var/log/maillog'), 0o600);
    // nobody may walk the tree and read everything but the mail log
    for (let d = root; ; ) {
      fs.chmodSync(d, 0o755);
      break;
    }
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isSymbolicLink()) continue;
        if (e.isDirectory()) {
          fs.chmodSync(p, 0o755);
          walk(p);
        } else if (p !== path.join(root, 'var/log/maillog')) fs.chmodSync(p, 0o644);
      }
    };
    walk(root);
    const r = await runAsNobody(['explain', '--json', '--root', root]);
    expect(r.stderr).not.toMatch(/unexpected error/);
    expect(r.stdout + r.stderr).toMatch(/\/var\/log\/maillog.*(EACCES|permission denied)/i);
    const body = JSON.parse(r.stdout);
    expect(body.hosts.map((h: { ip: string }) => h.ip).sort()).toEqual([...RELAY].sort());
  });
  if (!canDrop) test('permission denied (skipped)', () => console.log('skipped: not running as root, so the CLI cannot be run as another user'));
});

/** Runs a copy of the CLI (see helpers/portableCli.ts) as uid/gid 65534. */
function runAsNobody(argv: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = portableCli();
  roots.push(cli.dir);
  const script = `
    const { runCli } = require(${JSON.stringify(cli.main)});
    runCli(${JSON.stringify(argv)}, { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t), errIsTty: false, stdin: process.stdin }).then((c) => { process.exitCode = c; });
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { uid: 65534, gid: 65534, cwd: os.tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('relay list symlinks', () => {
  test('a loop is named as a loop', async () => {
    const root = host({ links: { '/etc/relayhosts': '/etc/relayhosts.a', '/etc/relayhosts.a': '/etc/relayhosts.b', '/etc/relayhosts.b': '/etc/relayhosts.a' } });
    fs.rmSync(path.join(root, 'etc/recent_authed_mail_ips'));
    const r = await runCliCaptured(['explain', '--json', '--root', root]);
    expect(r.stderr).not.toMatch(/unexpected error/);
    expect(r.stdout + r.stderr).toMatch(/symlink loop/);
  });

  test('a link that climbs out of the host root is refused, not followed', async () => {
    const root = host();
    fs.rmSync(path.join(root, 'etc/relayhosts'));
    fs.rmSync(path.join(root, 'etc/recent_authed_mail_ips'));
    fs.symlinkSync('../../../../../../../../etc/passwd', path.join(root, 'etc/recent_authed_mail_ips'));
    fs.symlinkSync('/etc/recent_authed_mail_ips', path.join(root, 'etc/relayhosts'));
    const r = await runCliCaptured(['explain', '--json', '--root', root]);
    expect(r.stderr).not.toMatch(/unexpected error/);
    expect(r.stdout + r.stderr).toMatch(/points outside the host root/);
    expect(r.stdout).not.toMatch(/root:x:0:0/);
  });
});

describe('tailwatchd and whmapi1 that hang, crash or print garbage', () => {
  const modes = ['hang', 'crash', 'garbage', 'fail'] as const;
  const MESSAGE: Record<(typeof modes)[number], RegExp> = {
    hang: /timed out|did not (answer|finish)|no answer|within/i,
    crash: /killed|signal|SIGKILL|crash/i,
    garbage: /not understood|could not (be )?(read|parse|understand)|unexpected|garbage|no .* in|not JSON|did not (say|report|show)/i,
    fail: /exit(ed)? (code |status )?1|failed/i,
  };
  // On a modern server a change goes through whmapi1; on a legacy one through tailwatchd --disable.
  const cases = modes.flatMap((m) => [['tailwatchd', 'legacy', m], ['whmapi1', 'modern', m]] as const);
  test.each(cases)('%s (%s server) that does "%s": disable changes nothing it cannot prove and says why', async (program, generation, mode) => {
    const root = makeCpanelHost({ generation, popbeforesmtp: true, relayIps: RELAY, now });
    roots.push(root);
    installStandins(root, generation);
    writeRelaywatchConfig(root, 'commands:\n  timeoutMs: 1500\n');
    setStandinMode(root, program, `${mode} change`);
    const off = await runCliCaptured(['disable', '--yes', '--json', '--root', root]);
    expect(off.stderr).not.toMatch(/unexpected error/);
    expect(off.code).not.toBe(0);
    const body = JSON.parse(off.stdout);
    expect(body.outcome ?? 'error').not.toBe('changed');
    const text = JSON.stringify(body) + off.stderr;
    expect(text).toContain(program);
    expect([mode, text.match(MESSAGE[mode])?.[0] ?? text.slice(0, 600)]).toEqual([mode, expect.stringMatching(MESSAGE[mode])]);
  });

  test.each(modes)('tailwatchd --status that does "%s": status names the problem', async (mode) => {
    const root = host();
    installStandins(root, 'modern');
    writeRelaywatchConfig(root, 'commands:\n  timeoutMs: 1500\n');
    setStandinMode(root, 'tailwatchd', mode);
    const status = await runCliCaptured(['status', '--json', '--root', root]);
    expect(status.stderr).not.toMatch(/unexpected error/);
    const text = status.stdout + status.stderr;
    expect([mode, text.match(MESSAGE[mode])?.[0] ?? text.slice(0, 600)]).toEqual([mode, expect.stringMatching(MESSAGE[mode])]);
  });
});

describe('the DNS server is down', () => {
  test('every blacklist answer is "unknown" with the reason, never "clean"', async () => {
    const root = host({ files: { '/var/cpanel/mainip': '192.0.2.1\n' } });
    writeRelaywatchConfig(root, 'blacklist:\n  resolver: "127.0.0.1:9"\n  timeoutMs: 300\n');
    const r = await runCliCaptured(['blacklist', '--json', '--root', root]);
    expect(r.stderr).not.toMatch(/unexpected error/);
    const body = JSON.parse(r.stdout);
    const text = JSON.stringify(body);
    expect(text).not.toMatch(/"status":"clean"/);
    expect(text).toMatch(/refused|timed out|did not answer|not reachable|unreachable/i);
    expect(r.code).not.toBe(0);
  });
});

describe('the audit log cannot be written', () => {
  test('a change is refused before anything is done, with the reason', async () => {
    const root = host();
    installStandins(root, 'modern');
    fs.mkdirSync(path.join(root, 'var/log/relaywatch/audit.log'), { recursive: true }); // a folder where the file should be
    clearCalls(root);
    const r = await runCliCaptured(['disable', '--yes', '--json', '--root', root]);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/audit log .*could not be written.*no change it cannot record/);
    expect(callLines(root).filter((c) => !/--status|get_tweaksetting/.test(c))).toEqual([]);
    expect(fs.readFileSync(path.join(root, 'var/cpanel/cpanel.config'), 'utf8')).toMatch(/popbeforesmtp=1/);
  });
});

describe('the daemon dies in the middle of a request', () => {
  /** A stand-in daemon on a socket that dies after `when`: on connect, after reading the request, or halfway through its answer. */
  async function dyingDaemon(when: 'request' | 'answer'): Promise<{ socket: string; close: () => Promise<void> }> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-dying-'));
    const socket = path.join(dir, 'http.sock');
    const server = net.createServer((c) => {
      c.once('data', () => {
        if (when === 'request') return c.destroy();
        c.write('HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 100000\r\n\r\n<!doctype html><html><body><p>half an ans');
        setTimeout(() => c.destroy(), 50);
      });
    });
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    return { socket, close: () => new Promise((resolve) => server.close(() => (fs.rmSync(dir, { recursive: true, force: true }), resolve()))) };
  }

  test('killed after reading the request: the CGI answers 503 with a page that says so', async () => {
    const d = await dyingDaemon('request');
    try {
      const r = await runCgi({ user: 'root', route: '/', socket: d.socket });
      expect(r.status).toBe(503);
      expect(r.headers['content-type']).toMatch(/text\/html/);
      expect(r.body).toMatch(/relaywatch daemon/i);
      const api = await runCgi({ user: 'root', route: '/api/v1/dashboard', socket: d.socket });
      expect(api.status).toBe(503);
      expect(JSON.parse(api.body).error.code).toBe('daemon_unavailable');
    } finally {
      await d.close();
    }
  });

  test('killed halfway through its answer: the CGI answers 503 with a page that says so, never half a page', async () => {
    const d = await dyingDaemon('answer');
    try {
      const r = await runCgi({ user: 'root', route: '/', socket: d.socket });
      expect(r.status).toBe(503);
      expect(r.body).toMatch(/stopped while it was answering/);
      expect(r.body).not.toContain('half an ans');
    } finally {
      await d.close();
    }
  });
});

describe('the disk fills up while the login index is written', () => {
  const mounts: string[] = [];
  afterAll(() => {
    for (const m of mounts) spawnSyncQuiet('umount', [m]);
  });

  /** Mounts a small tmpfs; null (with the reason) when this process may not mount. */
  function mountTmpfs(dir: string, size: string): string | null {
    fs.mkdirSync(dir, { recursive: true });
    // mode=0700: a state folder must be private, or relaywatch does not use it
    const r = spawnSyncQuiet('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir]);
    if (r.status !== 0) return `mount -t tmpfs failed (${r.stderr.trim() || `exit ${r.status}`}); a full disk cannot be made here`;
    mounts.push(dir);
    return null;
  }

  test('the index write fails with a clear message, explain still answers right, and the index is rebuilt once there is room', async () => {
    const logins = Array.from({ length: 6000 }, (_, i) => loginLine(ago(600 - i / 20), `user${i % 300}@bob.example`, i % 2 ? RELAY[0] : RELAY[1], 'pop3'));
    const root = host({}, logins);
    const reference = await runCliCaptured(['explain', '--json', '--root', root]);
    const state = path.join(root, 'var/lib/relaywatch');
    const why = mountTmpfs(state, '256k');
    if (why) {
      console.log(`skipped: ${why}`);
      return;
    }
    // leave a few KiB free: the index cannot be written whole
    fs.writeFileSync(path.join(state, 'filler'), Buffer.alloc(256 * 1024 - 12 * 1024));
    const full = await runCliCaptured(['index', '--json', '--root', root]);
    expect(full.stderr).not.toMatch(/unexpected error/);
    expect(full.code).not.toBe(0);
    expect(full.stderr).toMatch(/login index .* could not be written \(no space left on the device\)/);

    const during = await runCliCaptured(['explain', '--json', '--root', root]);
    expect(during.stderr).not.toMatch(/unexpected error/);
    const hostsOf = (t: string) => JSON.parse(t).hosts.map((h: { ip: string; logins?: unknown; lastLogin?: unknown }) => JSON.stringify(h));
    expect(hostsOf(during.stdout)).toEqual(hostsOf(reference.stdout));

    fs.rmSync(path.join(state, 'filler'));
    const again = await runCliCaptured(['index', '--json', '--root', root]);
    expect([again.code, again.stderr]).toEqual([0, '']);
    expect(JSON.parse(again.stdout).logins).toBe(6000);
    const after = await runCliCaptured(['explain', '--json', '--root', root]);
    expect(hostsOf(after.stdout)).toEqual(hostsOf(reference.stdout));

  });

  // With an index already there, a full disk must not make answers that read logins fail: the
  // index refresh falls back to reading the new lines into memory and says so.
  test('with an index there, the log grows and the disk fills: explain still answers, with the new logins', async () => {
    const logins = Array.from({ length: 3000 }, (_, i) => loginLine(ago(600 - i / 20), `user${i % 300}@bob.example`, i % 2 ? RELAY[0] : RELAY[1], 'pop3'));
    const root = host({}, logins);
    const state = path.join(root, 'var/lib/relaywatch');
    const why = mountTmpfs(state, '256k');
    if (why) {
      console.log(`skipped: ${why}`);
      throw new Error(why); // counted as the expected failure; the reason is printed
    }
    const built = await runCliCaptured(['index', '--json', '--root', root]);
    expect(built.code).toBe(0);
    fs.appendFileSync(path.join(root, 'var/log/maillog'), `${loginLine(ago(1), 'late@bob.example', RELAY[0], 'pop3')}\n`.repeat(3000));
    fs.writeFileSync(path.join(state, 'filler'), Buffer.alloc(Math.max(0, 256 * 1024 - 4096 - dirBytes(state))));
    const grown = await runCliCaptured(['explain', '--json', '--root', root]);
    expect(grown.stderr).not.toMatch(/unexpected error/);
    expect(grown.stdout).toContain('late@bob.example');
  });
});

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    n += e.isDirectory() ? dirBytes(p) + 4096 : Math.ceil(fs.statSync(p).size / 4096) * 4096;
  }
  return n;
}

function spawnSyncQuiet(cmd: string, args: string[]): { status: number | null; stderr: string } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const r = (require('node:child_process') as typeof import('node:child_process')).spawnSync(cmd, args, { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr ?? String(r.error ?? '') };
}
