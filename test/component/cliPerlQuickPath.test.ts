/**
 * The installed command's quick path for `relaywatch explain` (plugin/bin/relaywatch, which runs
 * plugin/bin/relaywatch-explain in Perl): with the daemon running it prints the daemon's rendering
 * of the command's output (http/cliOutput.ts). Run here as real processes from an install-like
 * layout (bin/ with both files, dist/cli/main.js running this checkout's sources), its stdout,
 * stderr and exit status must be the Node.js command's, byte for byte: the Node.js quick path's
 * with the daemon, and the answer computed without one; and everything it does not take (no
 * daemon, a socket others could have placed, a wrong or unreadable answer, other command lines)
 * must end in the Node.js command, with nothing printed before.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { loadConfig } from '../../src/config/config';
import { CliIo } from '../../src/cli/command';
import { printExplain } from '../../src/cli/explainOutput';
import { CLI_EXIT_HEADER, CLI_OUTPUT_HEADER, CLI_STDERR_HEADER, DEFAULT_SOCKET } from '../../src/http/daemonHeaders';
import { listenSocket, RunningServer } from '../../src/server';
import { createContext } from '../../src/services/context';
import { removeTree } from '../helpers/hostTree';
import { quickExplainHost } from '../helpers/quickExplainHost';

jest.setTimeout(180_000);

const REPO = path.resolve(__dirname, '../..');
let DAEMON_CLOCK: Date;
let root: string;
let daemon: RunningServer | null;
let layout: string;
let nodeLog: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const sockPath = (): string => path.join(root, DEFAULT_SOCKET);

function startDaemon(): Promise<RunningServer> {
  return listenSocket(createContext(loadConfig({ root }), { now: () => DAEMON_CLOCK }), sockPath());
}

function run(file: string, args: string[], cwd?: string): Promise<Run> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // the launcher finds this Node.js on PATH (no cPanel Node.js under this empty host root)
    PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`,
    RELAYWATCH_HOST_ROOT: layout,
    RW_TEST_NODE_LOG: nodeLog,
  };
  delete env.NODE_OPTIONS;
  return new Promise((resolve) => {
    execFile(file, args, { env, cwd, timeout: 120_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

/** The installed command (launcher, then Perl or Node.js). */
const launcher = (args: string[], cwd?: string): Promise<Run> => run(path.join(layout, 'bin/relaywatch'), args, cwd);
/** `node dist/cli/main.js …` of the same layout, without the launcher. */
const nodeCommand = (args: string[], cwd?: string): Promise<Run> => run(process.execPath, [path.join(layout, 'dist/cli/main.js'), ...args], cwd);

/** How many times the layout's Node.js command ran since the last call. */
function nodeRuns(): number {
  const n = fs.existsSync(nodeLog) ? fs.readFileSync(nodeLog, 'utf8').length : 0;
  fs.rmSync(nodeLog, { force: true });
  return n;
}

beforeAll(async () => {
  ({ root, daemonClock: DAEMON_CLOCK } = quickExplainHost());
  layout = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-perl-quick-'));
  nodeLog = path.join(layout, 'node-runs');
  fs.mkdirSync(path.join(layout, 'bin'));
  fs.mkdirSync(path.join(layout, 'dist/cli'), { recursive: true });
  for (const f of ['relaywatch', 'relaywatch-explain']) fs.copyFileSync(path.join(REPO, 'plugin/bin', f), path.join(layout, 'bin', f));
  for (const f of ['relaywatch', 'relaywatch-explain']) fs.chmodSync(path.join(layout, 'bin', f), 0o755);
  // dist/cli/main.js: this checkout's CLI from its sources, noting each run (one byte) first
  fs.writeFileSync(path.join(layout, 'dist/cli/main.js'), [
    "require('fs').appendFileSync(process.env.RW_TEST_NODE_LOG, 'n');",
    `require(${JSON.stringify(path.join(REPO, 'test/helpers/registerTs.js'))});`,
    `require(${JSON.stringify(path.join(REPO, 'src/cli/main.ts'))}).main(process.argv.slice(2));`,
    '',
  ].join('\n'));
  daemon = await startDaemon();
});

afterAll(async () => {
  if (daemon) await daemon.close();
  removeTree(root);
  fs.rmSync(layout, { recursive: true, force: true });
});

async function withoutDaemon<T>(fn: () => Promise<T>): Promise<T> {
  await daemon!.close();
  daemon = null;
  try {
    return await fn();
  } finally {
    daemon = await startDaemon();
  }
}

const withoutCheckedAt = (r: Run): object => ({ ...r, stdout: { ...JSON.parse(r.stdout), checkedAt: null } });

test('the daemon renders the output the Node.js command prints from its report, for every form and viewer', async () => {
  const get = (user: string, form?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> => new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'x-relaywatch-whm-user': user, 'x-relaywatch-security-token': '/cpsess0', 'accept-encoding': 'identity' };
    if (form) headers[CLI_OUTPUT_HEADER] = form;
    http.get({ socketPath: sockPath(), path: '/api/v1/relay-hosts', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body })).on('error', reject);
    }).on('error', reject);
  });
  for (const user of ['root', 'resellera']) {
    const report = JSON.parse((await get(user)).body);
    for (const form of ['json', 'text', 'verbose']) {
      let stdout = '';
      let stderr = '';
      const io: CliIo = { out: (t) => void (stdout += t), err: (t) => void (stderr += t), errIsTty: false, stdin: Readable.from([]) };
      const code = printExplain(io, report, { json: form === 'json', verbose: form === 'verbose' });
      const r = await get(user, form);
      expect(r.status).toBe(200);
      expect(r.headers['x-relaywatch-root']).toBe(encodeURIComponent(root));
      expect({ stdout: r.body, stderr: decodeURIComponent(String(r.headers[CLI_STDERR_HEADER])), code: Number(r.headers[CLI_EXIT_HEADER]) }).toEqual({ stdout, stderr, code });
    }
  }
  // the plain route is unchanged by a form it does not know
  expect((await get('root', 'xml')).headers[CLI_EXIT_HEADER]).toBeUndefined();
});

test('the installed command answers explain in Perl, byte for byte the Node.js command\'s answer', async () => {
  const rel = path.relative(path.dirname(root), root);
  const lines: Array<[string[], string?]> = [
    [['explain', '--json', '--root', root]],
    [['explain', '--root', root]],
    [['--root', root, 'explain', '-v']],
    [[`--root=${root}`, 'explain', '--verbose', '--json']],
    [['explain', '--as', 'resellera', '--root', root]],
    [['explain', '--json', '--as=resellera', '--root', `${root}/`]],
    [['explain', '-v', '--as', 'resellerb', '--root', `${root}/./x/..`]],
    [['explain', '-v', '--root', rel], path.dirname(root)],
  ];
  const quick: Run[] = [];
  const viaNode: Run[] = [];
  for (const [argv, cwd] of lines) {
    nodeRuns();
    quick.push(await launcher(argv, cwd));
    expect([argv, nodeRuns()]).toEqual([argv, 0]); // Perl answered
    viaNode.push(await nodeCommand(argv, cwd)); // the Node.js quick path
    expect(nodeRuns()).toBe(1);
  }
  for (const [i, [argv]] of lines.entries()) expect([argv, quick[i]]).toEqual([argv, viaNode[i]]);
  // not trivial answers: problems on stderr, the unknown verdict, the daemon's clock, a reseller's view
  expect(quick[1].stderr).toMatch(/^problem: .*alwaysrelay/m);
  expect(quick[1].code).toBe(3);
  expect(JSON.parse(quick[0].stdout).checkedAt).toBe(DAEMON_CLOCK.toISOString());
  expect(JSON.parse(quick[5].stdout).hosts.map((h: { ip: string }) => h.ip)).toEqual(['203.0.113.10']);
  expect(quick[2].stdout).toMatch(/^STATUS +IP/m);

  // without a daemon: the answer computed by the Node.js command (the same but for when it was checked)
  const alone = await withoutDaemon(async () => {
    const out: Run[] = [];
    for (const [argv, cwd] of lines) out.push(await launcher(argv, cwd));
    expect(nodeRuns()).toBe(lines.length);
    return out;
  });
  for (const [i, [argv]] of lines.entries()) {
    if (argv.some((a) => a === '--json')) expect([argv, withoutCheckedAt(quick[i])]).toEqual([argv, withoutCheckedAt(alone[i])]);
    else expect([argv, quick[i]]).toEqual([argv, alone[i]]);
  }
});

/** A stand-in for the daemon on this host's socket that sends `response` to whoever connects. */
async function fakeDaemon(response: string): Promise<{ connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const server = net.createServer((s) => {
    connections++;
    s.once('data', () => s.end(response));
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(sockPath(), resolve));
  fs.chmodSync(sockPath(), 0o600);
  return { connections: () => connections, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

test('no daemon, a socket others could have placed, a wrong or unreadable answer: the Node.js command answers', async () => {
  const argv = ['explain', '-v', '--root', root];
  const expected = await withoutDaemon(async () => {
    const alone = await nodeCommand(argv);
    nodeRuns();
    expect(await launcher(argv)).toEqual(alone);
    expect(nodeRuns()).toBe(1);
    return alone;
  });
  expect(expected.stdout).toMatch(/^(OK|CRITICAL|UNKNOWN): /);

  // the socket's folder writable by its group: neither Perl nor Node.js asks that daemon
  fs.chmodSync(path.dirname(sockPath()), 0o770);
  try {
    nodeRuns();
    expect(await launcher(argv)).toEqual(expected);
    expect(nodeRuns()).toBe(1);
  } finally {
    fs.chmodSync(path.dirname(sockPath()), 0o700);
  }

  const enc = encodeURIComponent(root);
  const ok = (extra: string, body = 'OK: fake\n'): string =>
    `HTTP/1.1 200 OK\r\nX-Relaywatch-Root: ${enc}\r\nX-Relaywatch-Cli-Exit: 0\r\nX-Relaywatch-Cli-Stderr: \r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  // the stand-in's own answer is taken as it is: the Perl path reads it like the daemon's
  const taken = ok('');
  const cases = [
    ok('X-Relaywatch-Index-Building: 1\r\n'),
    taken.replace('200 OK', '500 Internal Server Error'),
    taken.replace(`X-Relaywatch-Root: ${enc}`, 'X-Relaywatch-Root: %2Fsomewhere%2Felse'),
    taken.replace('X-Relaywatch-Cli-Exit: 0\r\n', ''),
    taken.replace('X-Relaywatch-Cli-Exit: 0', 'X-Relaywatch-Cli-Exit: two'),
    taken.replace('X-Relaywatch-Cli-Stderr: ', 'X-Relaywatch-Cli-Stderr: 100%'),
    ok('Content-Encoding: gzip\r\n'),
    taken.replace(/Content-Length: \d+/, 'Content-Length: 99'),
    taken.replace(/Content-Length: \d+/, 'Content-Length: 3'),
    `${taken.replace(/Content-Length: \d+\r\n/, 'Content-Length: 10\r\nContent-Length: 10\r\n')}`,
    'HTTP/1.1 200 OK\r\nbroken header\r\n\r\n',
    'SSH-2.0-OpenSSH_9.6\r\n',
    '',
  ];
  await withoutDaemon(async () => {
    for (const response of cases) {
      const fake = await fakeDaemon(response);
      try {
        nodeRuns();
        expect([response, await launcher(argv)]).toEqual([response, expected]);
        expect([response, nodeRuns()]).toEqual([response, 1]);
        // Perl asked once, then the Node.js command asked once and answered by itself
        expect([response, fake.connections()]).toEqual([response, 2]);
      } finally {
        await fake.close();
      }
    }
    // and a well-formed answer from the stand-in is printed as it is (so the cases above are refused for what they change)
    const fake = await fakeDaemon(taken.replace('X-Relaywatch-Cli-Stderr: ', 'X-Relaywatch-Cli-Stderr: problem%3A%20x%0A').replace('Cli-Exit: 0', 'Cli-Exit: 2'));
    try {
      nodeRuns();
      expect(await launcher(argv)).toEqual({ code: 2, stdout: 'OK: fake\n', stderr: 'problem: x\n' });
      expect(nodeRuns()).toBe(0);
    } finally {
      await fake.close();
    }
  });
});

test('command lines the Perl path does not take go to the Node.js command as they are', async () => {
  for (const argv of [
    ['explain', '--root', root, 'extra'],
    ['explain', '-vj', '--root', root],
    ['explain', '--root', root, '--root', root],
    ['explain', '--root', '--json'],
    ['explain', '--as', '', '--root', root],
    ['explain', '--as', 'bad name', '--root', root],
    ['explain', '--help'],
    ['--help'],
  ]) {
    const expected = await nodeCommand(argv);
    nodeRuns();
    expect([argv, await launcher(argv)]).toEqual([argv, expected]);
    expect([argv, nodeRuns()]).toEqual([argv, 1]);
  }
});
