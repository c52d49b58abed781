/**
 * `relaywatch check` (the Nagios/Icinga plugin) and GET /api/v1/check: the line, the performance
 * data and the exit status for each state, on real temporary host trees.
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { createContext } from '../../src/services/context';
import { removeTree, runCliCaptured } from '../helpers/hostTree';
import { writeRelaywatchConfig } from '../helpers/standins';
import { loginLine, makeWatchHost } from '../helpers/watchHost';

const now = new Date();
const minutesAgo = (m: number): Date => new Date(now.getTime() - m * 60_000);
const roots: string[] = [];
afterAll(() => roots.forEach(removeTree));

function host(o: Parameters<typeof makeWatchHost>[0] = {}): string {
  const r = makeWatchHost({ relayIps: ['203.0.113.10'], maillog: [loginLine(minutesAgo(5), 'bob@bob.example', '203.0.113.10')], ...o });
  roots.push(r);
  return r;
}

const PERF = /^RELAYWATCH (OK|WARNING|CRITICAL|UNKNOWN) - [^|\n]+ \| relay_hosts=(\d+|U) unexplained=(\d+|U) stale=(\d+|U) listed=(\d+|U) provider_listed=(\d+|U) pop_before_smtp=(0|1|U) risky_autoresponders=\d+ index_lag_bytes=\d+B$/;

async function check(root: string): Promise<{ code: number; line: string; rest: string[]; perf: Record<string, string> }> {
  const r = await runCliCaptured(['check', '--root', root]);
  const [line, ...rest] = r.stdout.trimEnd().split('\n');
  expect(line).toMatch(PERF);
  const perf = Object.fromEntries(line.split(' | ')[1].split(' ').map((kv) => kv.split('=')));
  return { code: r.code, line, rest, perf };
}

test('OK: every relay IP explained, POP-before-SMTP off, no listing', async () => {
  const r = await check(host());
  expect(r.code).toBe(0);
  expect(r.line).toMatch(/^RELAYWATCH OK - the one relay IP explained; POP-before-SMTP off; no server listing \| /);
  expect(r.perf).toMatchObject({ relay_hosts: '1', unexplained: '0', stale: '0', listed: '0', provider_listed: '0', pop_before_smtp: '0', risky_autoresponders: '0' });
});

test('WARNING: POP-before-SMTP on (by default), and OK when the configuration ignores it', async () => {
  const root = host({ popbeforesmtp: true });
  const r = await check(root);
  expect(r.code).toBe(1);
  expect(r.line).toMatch(/^RELAYWATCH WARNING - POP-before-SMTP relaying is on \| .*pop_before_smtp=1/);
  writeRelaywatchConfig(root, 'check:\n  popBeforeSmtp: ok\n');
  const quiet = await check(root);
  expect(quiet.code).toBe(0);
  expect(quiet.line).toMatch(/^RELAYWATCH OK - /);
  expect(quiet.rest).toContain('ignored: POP-before-SMTP relaying is on');
});

test('CRITICAL: a relay IP no login explains; the worst finding comes first', async () => {
  const r = await check(host({ popbeforesmtp: true, relayIps: ['203.0.113.10', '198.51.100.66'] }));
  expect(r.code).toBe(2);
  expect(r.line).toMatch(/^RELAYWATCH CRITICAL - 1 relay IP with no login behind it; POP-before-SMTP relaying is on \| relay_hosts=2 unexplained=1 /);
});

test('a provider-level listing alone is a WARNING, never CRITICAL; a listing of the server is CRITICAL', async () => {
  const provider = await check(host({ listings: [{ ip: '192.0.2.1', zone: 'dnsbl-3.uceprotect.net', name: 'UCEPROTECT Level 3', provider: true }] }));
  expect(provider.code).toBe(1);
  expect(provider.line).toMatch(/WARNING - the provider's network is listed on UCEPROTECT Level 3 .* listed=0 provider_listed=1 /);

  const root = host({ listings: [{ ip: '192.0.2.1', zone: 'dnsbl-3.uceprotect.net', name: 'UCEPROTECT Level 3', provider: true }] });
  writeRelaywatchConfig(root, 'check:\n  providerListed: critical\n');
  const refused = await runCliCaptured(['check', '--root', root]);
  expect(refused.code).toBe(3);
  expect(refused.stdout).toMatch(/^RELAYWATCH UNKNOWN - .*"check.providerListed" must be one of ok, warning/);

  const server = await check(host({ listings: [{ ip: '192.0.2.1', zone: 'ips.backscatterer.org', name: 'Backscatterer', provider: false }] }));
  expect(server.code).toBe(2);
  expect(server.line).toMatch(/CRITICAL - 192\.0\.2\.1 listed on Backscatterer \| .* listed=1 provider_listed=0 /);
});

test('no blacklist result yet is a WARNING with listed=U', async () => {
  const r = await check(host({ listings: null }));
  expect(r.code).toBe(1);
  expect(r.line).toMatch(/WARNING - the server's IPs have not been checked against the blacklists yet \| .* listed=U provider_listed=U /);
});

test('UNKNOWN when the relay list cannot be explained (no mail log)', async () => {
  const root = host();
  fs.rmSync(path.join(root, 'var/log/maillog'));
  const r = await check(root);
  expect(r.code).toBe(3);
  expect(r.line).toMatch(/^RELAYWATCH UNKNOWN - the relay list could not be explained: No mail log found .* \| relay_hosts=U unexplained=U stale=U /);
});

test('--json, the JSON route and the exit status agree; resellers are refused', async () => {
  const root = host({ relayIps: ['203.0.113.10', '198.51.100.66'] });
  const cli = await runCliCaptured(['check', '--json', '--root', root]);
  const body = JSON.parse(cli.stdout);
  expect(cli.code).toBe(2);
  expect(body).toMatchObject({ state: 'CRITICAL', exitCode: 2, perfdata: { relay_hosts: 2, unexplained: 1 } });
  expect(body.line).toMatch(PERF);
  const app = createApp(createContext(loadConfig({ root })), { identity: { kind: 'dev', user: 'root' } });
  const web = await request(app).get('/api/v1/check').expect(200);
  expect(web.body).toMatchObject({ state: body.state, exitCode: body.exitCode, perfdata: body.perfdata, summary: body.summary });
  const reseller = createApp(createContext(loadConfig({ root })), { identity: { kind: 'dev', user: 'resellera' } });
  await request(reseller).get('/api/v1/check').expect(403);
  const cliReseller = await runCliCaptured(['check', '--root', root, '--as', 'resellera']);
  expect(cliReseller.code).toBe(3);
  expect(cliReseller.stdout).toMatch(/^RELAYWATCH UNKNOWN - Only root/);
});
