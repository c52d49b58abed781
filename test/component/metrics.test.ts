/**
 * The Prometheus face: `relaywatch metrics` and `serve --metrics-listen`, held to Prometheus's own
 * tools (promtool check metrics, check rules, test rules) and read back through Debian's real
 * prometheus, which scrapes the daemon on loopback.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { removeTree, runCliCaptured } from '../helpers/hostTree';
import { loginLine, makeWatchHost, sentMail } from '../helpers/watchHost';

const REPO = path.resolve(__dirname, '../..');
const MONITORING = path.join(REPO, 'plugin/monitoring');
const PROMETHEUS = '/usr/bin/prometheus';
const PROMTOOL = '/usr/bin/promtool';
const now = new Date();
const minutesAgo = (m: number): Date => new Date(now.getTime() - m * 60_000);
const roots: string[] = [];
/** every process started here, killed at the end whatever happened */
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  roots.forEach(removeTree);
});

function requireTool(tool: string): void {
  if (!fs.existsSync(tool)) throw new Error(`${tool} is missing: install Debian's prometheus package (apt-get install prometheus), as .ci/run does`);
}

function promtool(args: string[], input?: string): { status: number | null; out: string } {
  requireTool(PROMTOOL);
  const r = spawnSync(PROMTOOL, args, { input, encoding: 'utf8', cwd: MONITORING, timeout: 30_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function host(): string {
  const root = makeWatchHost({
    popbeforesmtp: true,
    relayIps: ['203.0.113.10', '198.51.100.66', '198.51.100.67'],
    maillog: [loginLine(minutesAgo(5), 'bob@bob.example', '203.0.113.10')],
    listings: [{ ip: '192.0.2.1', zone: 'dnsbl-3.uceprotect.net', name: 'UCEPROTECT Level 3', provider: true }],
  });
  roots.push(root);
  return root;
}

const value = (text: string, series: string): number | null => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : null;
};

test('relaywatch metrics: the counts and states, no IPs or user names, and promtool accepts them', async () => {
  const root = host();
  const r = await runCliCaptured(['metrics', '--root', root]);
  expect(r.code).toBe(0);
  const text = r.stdout;
  expect(value(text, 'relaywatch_relay_hosts{status="explained"}')).toBe(1);
  expect(value(text, 'relaywatch_relay_hosts{status="unexplained"}')).toBe(2);
  expect(value(text, 'relaywatch_relay_hosts{status="alwaysrelay"}')).toBe(0);
  expect(value(text, 'relaywatch_relay_hosts_stale')).toBe(0);
  expect(value(text, 'relaywatch_pop_before_smtp_allowed')).toBe(1);
  expect(value(text, 'relaywatch_blacklist_listings{class="server"}')).toBe(0);
  expect(value(text, 'relaywatch_blacklist_listings{class="provider"}')).toBe(1);
  expect(value(text, 'relaywatch_autoresponders_at_risk')).toBe(0);
  expect(value(text, 'relaywatch_check_state')).toBe(2);
  expect(value(text, 'relaywatch_index_lag_bytes')).toBe(fs.statSync(path.join(root, 'var/log/maillog')).size);
  expect(text).toMatch(/^# TYPE relaywatch_scan_seconds histogram$/m);
  // The textfile collector's node_exporter has process metrics of its own.
  expect(text).not.toMatch(/^process_/m);
  for (const secret of ['203.0.113.10', '198.51.100.66', '192.0.2.1', 'bob', 'admin@']) expect(text).not.toContain(secret);
  const lint = promtool(['check', 'metrics'], text);
  expect(lint.out).toBe('');
  expect(lint.status).toBe(0);

  // --out writes the file whole, for the collector.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-textfile-'));
  try {
    const out = await runCliCaptured(['metrics', '--root', root, '--out', path.join(dir, 'relaywatch.prom')]);
    expect(out.code).toBe(0);
    expect(fs.readdirSync(dir)).toEqual(['relaywatch.prom']);
    expect(value(fs.readFileSync(path.join(dir, 'relaywatch.prom'), 'utf8'), 'relaywatch_relay_hosts{status="unexplained"}')).toBe(2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the alert rules pass promtool check rules and their unit tests; the dashboard asks only for metrics that exist', async () => {
  const check = promtool(['check', 'rules', 'relaywatch-rules.yml']);
  expect(check.out).toMatch(/SUCCESS: 10 rules found/);
  expect(check.status).toBe(0);
  const unit = promtool(['test', 'rules', 'relaywatch-rules.test.yml']);
  expect(unit.out).toMatch(/SUCCESS/);
  expect(unit.status).toBe(0);

  const exposed = new Set((await runCliCaptured(['metrics', '--root', host()])).stdout.split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]));
  const named = (expr: string): string[] => [...expr.matchAll(/\b(relaywatch_[a-z_]+?)(?:_bucket|_sum|_count)?\b(?=[{\s)[]|$)/g)].map((m) => m[1]);
  const dashboard = JSON.parse(fs.readFileSync(path.join(MONITORING, 'relaywatch-dashboard.json'), 'utf8'));
  const exprs: string[] = dashboard.panels.flatMap((p: any) => p.targets.map((t: any) => t.expr));
  const rules = fs.readFileSync(path.join(MONITORING, 'relaywatch-rules.yml'), 'utf8').split('\n').filter((l) => /^\s+expr: /.test(l));
  const used = new Set([...exprs, ...rules].flatMap(named));
  expect(used.size).toBeGreaterThan(8);
  for (const name of used) expect(exposed).toContain(name);
});

/** Starts a process and resolves with the first match of `pattern` in its output; rejects at its exit or the deadline. */
function waitForOutput(child: ChildProcess, pattern: RegExp, ms: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${ms} ms; output:\n${seen.slice(-2000)}`)), ms);
    const look = (chunk: Buffer): void => {
      seen += chunk.toString();
      const m = pattern.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout?.on('data', look);
    child.stderr?.on('data', look);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before ${pattern}; output:\n${seen.slice(-2000)}`));
    });
  });
}

async function stop(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

test('Debian\'s prometheus scrapes serve --metrics-listen on loopback and answers a metric back', async () => {
  requireTool(PROMETHEUS);
  const root = host();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-prometheus-'));
  let daemon: ChildProcess | null = null;
  let prometheus: ChildProcess | null = null;
  try {
    // The daemon, as a real process: the WHM socket in a private folder, the metrics on an ephemeral port.
    daemon = spawn(process.execPath, ['-r', path.join(REPO, 'test/helpers/registerTs.js'), path.join(REPO, 'src/cli/main.ts'),
      'serve', '--root', root, '--socket', path.join(work, 'run/http.sock'), '--metrics-listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(daemon);
    const [, metricsUrl] = await waitForOutput(daemon, /Prometheus metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)/, 60_000);

    // Only GET /metrics.
    expect((await fetch(metricsUrl.replace('/metrics', '/'))).status).toBe(404);
    expect((await fetch(metricsUrl, { method: 'POST' })).status).toBe(405);
    const direct = await (await fetch(metricsUrl)).text();
    expect(direct).toMatch(/^process_cpu_user_seconds_total /m);
    expect(promtool(['check', 'metrics'], direct)).toEqual({ status: 0, out: '' });

    fs.writeFileSync(path.join(work, 'prometheus.yml'), [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: [${JSON.stringify(path.join(MONITORING, 'relaywatch-rules.yml'))}]`,
      'scrape_configs:',
      '  - job_name: relaywatch',
      `    static_configs: [{ targets: [${JSON.stringify(new URL(metricsUrl).host)}] }]`,
      '',
    ].join('\n'));
    prometheus = spawn(PROMETHEUS, [`--config.file=${path.join(work, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(work, 'data')}`,
      '--web.listen-address=127.0.0.1:0', '--storage.tsdb.retention.time=1h'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(prometheus);
    const [, promAddress] = await waitForOutput(prometheus, /msg="Listening on" address=(127\.0\.0\.1:\d+)/, 20_000);

    const query = `http://${promAddress}/api/v1/query?query=${encodeURIComponent('relaywatch_relay_hosts{status="unexplained"}')}`;
    const deadline = Date.now() + 30_000;
    let result: Array<{ metric: Record<string, string>; value: [number, string] }> = [];
    while (Date.now() < deadline) {
      const res = await fetch(query);
      // 503 until its storage is open ("Server is ready to receive web requests").
      if (res.status === 200) {
        const body = (await res.json()) as { status: string; data: { result: typeof result } };
        expect(body.status).toBe('success');
        result = body.data.result;
        if (result.length > 0) break;
      } else expect(res.status).toBe(503);
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(result).toHaveLength(1);
    expect(result[0].metric).toMatchObject({ job: 'relaywatch', status: 'unexplained' });
    expect(result[0].value[1]).toBe('2');
    const rules = (await (await fetch(`http://${promAddress}/api/v1/rules`)).json()) as { data: { groups: Array<{ name: string; rules: unknown[] }> } };
    expect(rules.data.groups.map((g) => [g.name, g.rules.length])).toEqual([['relaywatch', 10]]);

    // The same daemon mails the server's contact (through the sendmail stand-in): the unexplained IPs and the switch.
    const mailDeadline = Date.now() + 20_000;
    while (sentMail(root).length < 3 && Date.now() < mailDeadline) await new Promise((r) => setTimeout(r, 200));
    expect(sentMail(root).map((m) => /^X-Relaywatch-Event: (.*)$/m.exec(m)![1]).sort()).toEqual(['pop-before-smtp:on', 'unexplained:198.51.100.66', 'unexplained:198.51.100.67']);
  } finally {
    await stop(prometheus);
    await stop(daemon);
    fs.rmSync(work, { recursive: true, force: true });
  }
}, 150_000);
