/**
 * The check's judgement on facts (pure): every finding, the configured levels, the worst-first
 * order, and the one-line output that no text from a file can break.
 */
import { defaultConfig } from '../../src/config/config';
import { evaluateCheck } from '../../src/watch/check';
import { WatchFacts } from '../../src/watch/facts';

function facts(o: Partial<{ [K in keyof WatchFacts]: Partial<WatchFacts[K]> }> = {}): WatchFacts {
  return {
    checkedAt: '2026-12-06T10:00:00.000Z',
    relay: { decided: true, summary: '', hosts: 3, explained: 3, unexplained: 0, alwaysrelay: 0, stale: 0, problems: [], ...o.relay },
    popBeforeSmtp: { allowed: false, why: '', error: null, ...o.popBeforeSmtp },
    blacklist: { checkedAt: '2026-12-06T09:00:00.000Z', stale: false, server: 0, provider: 0, unknown: 0, listings: [], problem: null, ...o.blacklist },
    autoresponders: { atRisk: 0, decided: true, ...o.autoresponders },
    index: { lagBytes: 0, indexed: true, ...o.index },
  };
}
const cfg = defaultConfig().check;

test('OK with every count in the performance data', () => {
  const r = evaluateCheck(facts(), cfg);
  expect(r.line).toBe('RELAYWATCH OK - all 3 relay IPs explained; POP-before-SMTP off; no server listing | relay_hosts=3 unexplained=0 stale=0 listed=0 provider_listed=0 pop_before_smtp=0 risky_autoresponders=0 index_lag_bytes=0B');
  expect(r.exitCode).toBe(0);
});

test('stale hosts, risky autoresponders and index lag are WARNINGs by default; each level can be changed', () => {
  const f = facts({ relay: { stale: 2 }, autoresponders: { atRisk: 3 }, index: { lagBytes: 300 * 1048576 } });
  const r = evaluateCheck(f, cfg);
  expect(r.state).toBe('WARNING');
  expect(r.summary).toBe('2 relay IPs past the relay window (is tailwatchd running?); 3 autoresponders may answer spam (backscatter); 300 MiB of mail log not yet in the login index');
  const strict = evaluateCheck(f, { ...cfg, riskyAutoresponders: 'critical', staleHosts: 'ok', indexLagBytes: 0 });
  expect(strict.state).toBe('CRITICAL');
  expect(strict.summary).toBe('3 autoresponders may answer spam (backscatter)');
  expect(strict.findings.map((x) => [x.key, x.state])).toEqual([['staleHosts', 'OK'], ['riskyAutoresponders', 'CRITICAL']]);
});

test('CRITICAL outranks UNKNOWN, UNKNOWN outranks WARNING', () => {
  const unknownPop = facts({ popBeforeSmtp: { allowed: null, error: 'tailwatchd was not found' }, autoresponders: { atRisk: 1 } });
  expect(evaluateCheck(unknownPop, cfg).state).toBe('UNKNOWN');
  expect(evaluateCheck(unknownPop, cfg).perfdata.pop_before_smtp).toBeNull();
  expect(evaluateCheck(facts({ popBeforeSmtp: { allowed: null }, relay: { unexplained: 1 } }), cfg).state).toBe('CRITICAL');
});

test('text from files cannot add lines or perfdata to the output', () => {
  const r = evaluateCheck(facts({ relay: { decided: false, problems: ['/etc/relayhosts | x=1\nRELAYWATCH OK'] } }), cfg);
  expect(r.line.split('\n')).toHaveLength(1);
  expect(r.line.split('|')).toHaveLength(2);
  expect(r.line).toMatch(/^RELAYWATCH UNKNOWN - the relay list could not be explained: \/etc\/relayhosts x=1 RELAYWATCH OK \| relay_hosts=U/);
});

test('serve takes the metrics address from --metrics-listen, else from metrics.listen, and checks it first', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { metricsAddress } = require('../../src/cli/commands/serveCommand') as typeof import('../../src/cli/commands/serveCommand');
  const config = defaultConfig();
  expect(metricsAddress(undefined, config)).toBeNull();
  expect(metricsAddress(undefined, { ...config, metrics: { listen: '127.0.0.1:9839' } })).toBe('127.0.0.1:9839');
  expect(metricsAddress('[::1]:9100', { ...config, metrics: { listen: '127.0.0.1:9839' } })).toBe('[::1]:9100');
  expect(() => metricsAddress('9100', config)).toThrow(/--metrics-listen must be HOST:PORT \(e\.g\. 127\.0\.0\.1:9839\), got "9100"/);
});
