/**
 * `relaywatch explain` asks the running daemon for this host when there is one (cli/daemonClient.ts)
 * and answers by itself otherwise: for another host's daemon, a socket folder others can write to,
 * an explicit --config, or a daemon that cannot answer for the user. The daemon here runs with a
 * fixed clock, so its reports carry a checkedAt no local run can have.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/config';
import { DEFAULT_SOCKET } from '../../src/http/daemonHeaders';
import { listenSocket, RunningServer } from '../../src/server';
import { createContext } from '../../src/services/context';
import { loginLine, makeCpanelHost } from '../helpers/cpanelHost';
import { removeTree, runCliCaptured } from '../helpers/hostTree';

const now = new Date();
const minutesAgo = (m: number): Date => new Date(now.getTime() - m * 60_000);
const DAEMON_CLOCK = new Date(now.getTime() - 1000);
let root: string;
let other: string;

function host(): string {
  return makeCpanelHost({
    generation: 'modern',
    relayIps: ['203.0.113.10', '203.0.113.11'],
    maillog: [loginLine(minutesAgo(5), 'bob@bob.example', '203.0.113.10'), loginLine(minutesAgo(4), 'carol@carol.example', '203.0.113.11')],
  });
}

beforeAll(() => {
  root = host();
  other = host();
});
afterAll(() => {
  removeTree(root);
  removeTree(other);
});

async function daemonFor(served: string, socketUnder: string): Promise<RunningServer> {
  return listenSocket(createContext(loadConfig({ root: served }), { now: () => DAEMON_CLOCK }), path.join(socketUnder, DEFAULT_SOCKET));
}

async function explainJson(...extra: string[]): Promise<{ code: number; report: { checkedAt: string; hosts: Array<{ ip: string }> } }> {
  const r = await runCliCaptured(['explain', '--json', '--root', root, ...extra]);
  return { code: r.code, report: JSON.parse(r.stdout) };
}

test('with a daemon for this host, explain is its answer, the same as computed here', async () => {
  const local = await explainJson();
  expect(local.report.checkedAt).not.toBe(DAEMON_CLOCK.toISOString());
  const nobodyLocal = await runCliCaptured(['explain', '--json', '--root', root, '--as', 'nobody-here']);
  const daemon = await daemonFor(root, root);
  try {
    const asked = await explainJson();
    expect(asked.report.checkedAt).toBe(DAEMON_CLOCK.toISOString());
    expect({ ...asked.report, checkedAt: null }).toEqual({ ...local.report, checkedAt: null });
    expect(asked.code).toBe(local.code);
    // a reseller's view comes from the daemon too, scoped by it
    const reseller = await explainJson('--as', 'resellera');
    expect(reseller.report.checkedAt).toBe(DAEMON_CLOCK.toISOString());
    expect(reseller.report.hosts.map((h) => h.ip)).toEqual(['203.0.113.10']);
    // --config: the daemon reads its own, so this run answers by itself
    const config = path.join(root, 'rw-config.yaml');
    fs.writeFileSync(config, 'evidence: { days: 7 }\n');
    const withConfig = await explainJson('--config', config);
    expect(withConfig.report.checkedAt).not.toBe(DAEMON_CLOCK.toISOString());
    // a user the daemon refuses: the command decides as it always did
    const nobody = await runCliCaptured(['explain', '--json', '--root', root, '--as', 'nobody-here']);
    expect([nobody.code, nobody.stdout]).toEqual([nobodyLocal.code, nobodyLocal.stdout]);
  } finally {
    await daemon.close();
  }
});

test('a daemon of another host on this host\'s socket is not asked', async () => {
  const daemon = await daemonFor(other, root);
  try {
    expect((await explainJson()).report.checkedAt).not.toBe(DAEMON_CLOCK.toISOString());
  } finally {
    await daemon.close();
  }
});

test('a socket in a folder others can write to is not trusted', async () => {
  const daemon = await daemonFor(root, root);
  const dir = path.dirname(path.join(root, DEFAULT_SOCKET));
  try {
    fs.chmodSync(dir, 0o777);
    expect((await explainJson()).report.checkedAt).not.toBe(DAEMON_CLOCK.toISOString());
    fs.chmodSync(dir, 0o700);
    expect((await explainJson()).report.checkedAt).toBe(DAEMON_CLOCK.toISOString());
  } finally {
    fs.chmodSync(dir, 0o700);
    await daemon.close();
  }
});

test('no daemon, or no socket where its socket should be: explain answers by itself', async () => {
  const daemon = await daemonFor(root, root);
  await daemon.close();
  const sock = path.join(root, DEFAULT_SOCKET);
  expect(fs.existsSync(sock)).toBe(false);
  expect((await explainJson()).report.hosts).toHaveLength(2);
  fs.writeFileSync(sock, 'not a socket');
  try {
    const r = await explainJson();
    expect(r.report.checkedAt).not.toBe(DAEMON_CLOCK.toISOString());
    expect(r.report.hosts).toHaveLength(2);
  } finally {
    fs.rmSync(sock, { force: true });
  }
});
