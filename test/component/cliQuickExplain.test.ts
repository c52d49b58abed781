/**
 * The CLI's entry answers `relaywatch explain` from the running daemon before loading the rest of
 * the CLI (cli/explainFromDaemon.ts). Its answer must be the full CLI's, byte for byte, with the
 * same exit status and the same problem lines, for root and for a reseller, as JSON and as text;
 * and whatever it does not take (no daemon, one not to trust, a refusal, an index still being
 * built, a response it cannot read) must end as the full CLI ends, without asking the daemon twice.
 * The daemon here runs with a fixed clock, so its reports carry a checkedAt no local run can have.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { loadConfig } from '../../src/config/config';
import { CliIo } from '../../src/cli/command';
import { askDaemon, RELAY_HOSTS_ROUTE } from '../../src/cli/daemonClient';
import { explainFromDaemon, quickExplainArgs } from '../../src/cli/explainFromDaemon';
import { runCli } from '../../src/cli/main';
import { runFullCli } from '../../src/cli/runCli';
import { DEFAULT_SOCKET } from '../../src/http/daemonHeaders';
import { listenSocket, RunningServer } from '../../src/server';
import { createContext } from '../../src/services/context';
import { makeCpanelHost } from '../helpers/cpanelHost';
import { removeTree } from '../helpers/hostTree';
import { quickExplainHost } from '../helpers/quickExplainHost';

const REPO = path.resolve(__dirname, '../..');
let DAEMON_CLOCK: Date;
let root: string;
let daemon: RunningServer;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr in the order written */
  both: string;
}

function captured(): { io: CliIo; result: (code: number) => Run } {
  let stdout = '';
  let stderr = '';
  let both = '';
  const io: CliIo = {
    out: (t) => {
      stdout += t;
      both += t;
    },
    err: (t) => {
      stderr += t;
      both += t;
    },
    errIsTty: false,
    stdin: Readable.from([]),
  };
  return { io, result: (code) => ({ code, stdout, stderr, both }) };
}

async function full(argv: string[]): Promise<Run> {
  const c = captured();
  return c.result(await runFullCli(argv, c.io));
}

async function entry(argv: string[]): Promise<Run> {
  const c = captured();
  return c.result(await runCli(argv, c.io));
}

/** The quick path alone: its output, or 'declined' when it leaves the run to the full CLI. */
async function quick(argv: string[]): Promise<Run | 'declined'> {
  const args = quickExplainArgs(argv);
  if (!args) throw new Error(`not a quick command line: ${argv.join(' ')}`);
  const c = captured();
  const outcome = await explainFromDaemon(args, c.io);
  if ('declined' in outcome) {
    expect(c.result(0).both).toBe('');
    return 'declined';
  }
  return c.result(outcome.code);
}

const sockDir = (r: string): string => path.dirname(path.join(r, DEFAULT_SOCKET));

beforeAll(async () => {
  ({ root, daemonClock: DAEMON_CLOCK } = quickExplainHost());
  daemon = await listenSocket(createContext(loadConfig({ root }), { now: () => DAEMON_CLOCK }), path.join(root, DEFAULT_SOCKET));
});
afterAll(async () => {
  await daemon.close();
  removeTree(root);
});

test('with the daemon running, the quick path prints exactly what the full CLI prints, for root and a reseller', async () => {
  const lines = [
    ['explain', '--json', '--root', root],
    ['explain', '--root', root],
    ['--root', root, 'explain', '-v'],
    [`--root=${root}`, 'explain', '--verbose', '--json'],
    ['explain', '--as', 'resellera', '--root', root],
    ['explain', '--json', '--as=resellera', '--root', root],
    ['explain', '-v', '--as', 'resellerb', '--root', `${root}/`],
  ];
  for (const argv of lines) {
    const fast = await quick(argv);
    const slow = await full(argv);
    expect(fast).toEqual(slow);
    expect(await entry(argv)).toEqual(slow);
    if (argv.includes('--json') || argv.some((a) => a.startsWith('--json'))) {
      expect(JSON.parse(slow.stdout).checkedAt).toBe(DAEMON_CLOCK.toISOString());
    }
  }
  // The answers are not trivial: problems on stderr, the unknown verdict, a reseller's own view.
  const text = await full(['explain', '--root', root]);
  expect(text.stderr).toMatch(/^problem: .*alwaysrelay/m);
  expect(text.code).toBe(3);
  const reseller = JSON.parse((await full(['explain', '--json', '--as', 'resellera', '--root', root])).stdout);
  expect(reseller.hosts.map((h: { ip: string }) => h.ip)).toEqual(['203.0.113.10']);
});

test('the daemon\'s answer as node:http reads it is the answer the CLI reads', async () => {
  for (const user of ['root', 'resellera']) {
    const viaHttp = await new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
      http.get({ socketPath: path.join(root, DEFAULT_SOCKET), path: RELAY_HOSTS_ROUTE, headers: { 'x-relaywatch-whm-user': user, 'x-relaywatch-security-token': '/cpsess0', 'accept-encoding': 'identity' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks) })).on('error', reject);
      }).on('error', reject);
    });
    expect(await askDaemon(root, RELAY_HOSTS_ROUTE, user)).toEqual(viaHttp);
  }
});

test('command lines the quick path does not take are left to the full CLI', () => {
  for (const argv of [
    ['explain', '--config', '/x.yaml'],
    ['explain', '--root'],
    ['explain', '--root', ''],
    ['explain', '--root=', '--json'],
    ['explain', '--root', '--json'],
    ['explain', '--root', 'a', '--root', 'b'],
    ['explain', '--as', 'x', '--as', 'y'],
    ['explain', 'extra'],
    ['explain', 'explain'],
    ['explain', '--json=yes'],
    ['explain', '-vj'],
    ['explain', '--help'],
    ['explain', '--version'],
    ['explain', '--'],
    ['status', '--json'],
    ['--json'],
    [],
  ]) expect([argv, quickExplainArgs(argv)]).toEqual([argv, null]);
  expect(quickExplainArgs(['--as', 'resellera', 'explain', '-v', '--root', 'rel/dir'])).toEqual({ root: path.resolve('rel/dir'), user: 'resellera', json: false, verbose: true });
  expect(quickExplainArgs(['explain'])).toEqual({ root: '/', user: 'root', json: false, verbose: false });
});

test('a user the daemon refuses, a user name no header can carry: the full CLI answers, as it would alone', async () => {
  for (const user of ['nobody-here', 'bad\nname', '']) {
    const argv = ['explain', '--json', '--root', root, '--as', user];
    if (quickExplainArgs(argv)) expect(await quick(argv)).toBe('declined');
    const got = await entry(argv);
    expect(got).toEqual(await full(argv));
    expect(got.stderr).toMatch(/^relaywatch explain: /);
    expect(got.stderr).not.toMatch(/unexpected error/);
  }
});

/** A stand-in for the daemon on this host's socket that sends `response` to whoever connects. */
async function fakeDaemon(response: Buffer | string): Promise<{ connections: () => number; close: () => Promise<void> }> {
  const sock = path.join(root, DEFAULT_SOCKET);
  let connections = 0;
  const server = net.createServer((s) => {
    connections++;
    s.once('data', () => s.end(response));
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(sock, resolve));
  fs.chmodSync(sock, 0o600);
  return { connections: () => connections, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function withoutDaemon<T>(fn: () => Promise<T>): Promise<T> {
  await daemon.close();
  try {
    return await fn();
  } finally {
    daemon = await listenSocket(createContext(loadConfig({ root }), { now: () => DAEMON_CLOCK }), path.join(root, DEFAULT_SOCKET));
  }
}

/** The full CLI's own answer, computed here: the same as the entry's apart from when it was checked. */
function sameButComputedHere(got: Run, alone: Run): void {
  const report = JSON.parse(got.stdout);
  expect(report.checkedAt).not.toBe(DAEMON_CLOCK.toISOString());
  const comparable = (r: Run, json: object): object => ({ code: r.code, stderr: r.stderr, stdout: { ...json, checkedAt: null } });
  expect(comparable(got, report)).toEqual(comparable(alone, JSON.parse(alone.stdout)));
}

test('a stand-in that speaks chunked HTTP with the daemon\'s report: the same bytes printed', async () => {
  const argvs = [['explain', '--json', '--root', root], ['explain', '-v', '--root', root]];
  const expected = await Promise.all(argvs.map((a) => full(a)));
  const body = (await askDaemon(root, RELAY_HOSTS_ROUTE, 'root'))!.body;
  const chunks: Buffer[] = [];
  for (let i = 0; i < body.length; i += 1000) {
    const piece = body.subarray(i, i + 1000);
    chunks.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
  }
  const response = Buffer.concat([
    Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Relaywatch-Root: ${encodeURIComponent(root)}\r\nTransfer-Encoding: chunked\r\n\r\n`),
    ...chunks,
    Buffer.from('0\r\n\r\n'),
  ]);
  await withoutDaemon(async () => {
    const fake = await fakeDaemon(response);
    try {
      for (const [i, argv] of argvs.entries()) {
        expect(await quick(argv)).toEqual(expected[i]);
        expect(await entry(argv)).toEqual(expected[i]);
      }
    } finally {
      await fake.close();
    }
  });
});

test('no daemon, a socket others could have placed, another host\'s daemon: the full CLI computes the answer', async () => {
  const argv = ['explain', '--json', '--root', root];
  await withoutDaemon(async () => {
    expect(await quick(argv)).toBe('declined');
    sameButComputedHere(await entry(argv), await full(argv));
  });
  fs.chmodSync(sockDir(root), 0o770);
  try {
    expect(await quick(argv)).toBe('declined');
    sameButComputedHere(await entry(argv), await full(argv));
  } finally {
    fs.chmodSync(sockDir(root), 0o700);
  }
  const other = makeCpanelHost({ generation: 'modern', relayIps: ['192.0.2.99'] });
  try {
    await withoutDaemon(async () => {
      const foreign = await listenSocket(createContext(loadConfig({ root: other }), { now: () => DAEMON_CLOCK }), path.join(root, DEFAULT_SOCKET));
      try {
        expect(await quick(argv)).toBe('declined');
        sameButComputedHere(await entry(argv), await full(argv));
      } finally {
        await foreign.close();
      }
    });
  } finally {
    removeTree(other);
  }
});

test('a daemon still building its index, an error status, an unreadable or wrong answer: asked once, then computed here', async () => {
  const head = (status: string, extra = ''): string => `HTTP/1.1 ${status}\r\nX-Relaywatch-Root: ${encodeURIComponent(root)}\r\n${extra}`;
  const body = '{"verdict":"clear"}';
  const cases = [
    `${head('200 OK', 'X-Relaywatch-Index-Building: 1\r\n')}Content-Length: ${body.length}\r\n\r\n${body}`,
    `${head('500 Internal Server Error')}Content-Length: ${body.length}\r\n\r\n${body}`,
    `${head('403 Forbidden')}Content-Length: 2\r\n\r\n{}`,
    `${head('200 OK')}Content-Length: 4\r\n\r\nnull`,
    `${head('200 OK')}Content-Length: 9\r\n\r\nnot json!`,
    `${head('200 OK', 'Content-Encoding: gzip\r\n')}Content-Length: ${body.length}\r\n\r\n${body}`,
    `${head('200 OK')}Content-Length: 99\r\n\r\n${body}`,
    `HTTP/1.1 200 OK\r\nX-Relaywatch-Root: %2Fsomewhere%2Felse\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    'SSH-2.0-OpenSSH_9.6\r\n',
  ];
  const argv = ['explain', '--json', '--root', root];
  await withoutDaemon(async () => {
    const alone = await full(argv); // (no daemon: the answer computed here)
    for (const response of cases) {
      const fake = await fakeDaemon(response);
      try {
        expect(await quick(argv)).toBe('declined');
        expect(fake.connections()).toBe(1);
        sameButComputedHere(await entry(argv), alone);
        expect(fake.connections()).toBe(2);
      } finally {
        await fake.close();
      }
    }
  });
});

test('a report the full CLI fails to print: the quick path prints nothing and the full CLI says what it says', async () => {
  const body = '{"verdict":"clear","summary":"s","hosts":[]}';
  await withoutDaemon(async () => {
    const fake = await fakeDaemon(`HTTP/1.1 200 OK\r\nX-Relaywatch-Root: ${encodeURIComponent(root)}\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    try {
      const argv = ['explain', '--root', root];
      expect(await quick(argv)).toBe('declined');
      const r = await entry(argv);
      expect(fake.connections()).toBe(2);
      expect(r.stdout).toBe('OK: s (undefined, undefined)\n');
      expect(r.stderr).toMatch(/^relaywatch explain: unexpected error: TypeError/);
      expect(r.code).toBe(3);
      // as JSON it prints (the full CLI prints whatever the daemon reported)
      expect(await quick(['explain', '--json', '--root', root])).toEqual(await full(['explain', '--json', '--root', root]));
    } finally {
      await fake.close();
    }
  });
});

test('the process: `node main.js explain` prints the full CLI\'s answer and exits with its status', async () => {
  for (const argv of [['explain', '--json', '--root', root], ['explain', '--as', 'resellera', '-v', '--root', root]]) {
    const expected = await full(argv);
    const got = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['-r', path.join(REPO, 'test/helpers/registerTs.js'), path.join(REPO, 'src/cli/main.ts'), ...argv], { timeout: 60_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr });
      });
    });
    expect(got).toEqual({ code: expected.code, stdout: expected.stdout, stderr: expected.stderr });
  }
});
