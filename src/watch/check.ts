/**
 * `relaywatch check`: the facts judged in the Nagios/Icinga plugin convention. Pure: facts and the
 * `check:` section of the configuration in; the state, the one-line answer with its performance
 * data, and the exit status out.
 *
 *   RELAYWATCH CRITICAL - 2 relay IPs with no login behind them; POP-before-SMTP relaying is on | relay_hosts=7 …
 *
 * A listing of the provider's network alone (UCEPROTECT 2/3) is never CRITICAL: the server did not
 * cause it and cannot end it, so a check that went red on it would stay red for good.
 */
import { CheckConfig, CheckLevel } from '../config/config';
import { WatchFacts } from './facts';

export type CheckState = 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';

export const CHECK_EXIT: Record<CheckState, number> = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 };

export interface Finding {
  /** what it is about, stable for scripts */
  key: 'unexplained' | 'serverListed' | 'providerListed' | 'popBeforeSmtp' | 'staleHosts' | 'riskyAutoresponders' | 'blacklistStale' | 'indexLag' | 'undecided';
  state: CheckState;
  text: string;
}

export interface CheckResult {
  state: CheckState;
  exitCode: number;
  /** the findings that set the state, worst first, joined */
  summary: string;
  /** name -> value; null is written as U (undetermined) */
  perfdata: Record<string, number | null>;
  /** the plugin's output line */
  line: string;
  /** every finding, including those the configuration sets to ok */
  findings: Finding[];
  checkedAt: string;
}

const RANK: Record<CheckState, number> = { OK: 0, WARNING: 1, UNKNOWN: 2, CRITICAL: 3 };
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
const stateOf = (level: CheckLevel): CheckState => (level === 'critical' ? 'CRITICAL' : level === 'warning' ? 'WARNING' : 'OK');
const mib = (n: number): string => `${(n / 1048576).toFixed(n >= 10 * 1048576 ? 0 : 1)} MiB`;

export function perfdataText(perf: CheckResult['perfdata']): string {
  return Object.entries(perf)
    .map(([k, v]) => `${k}=${v === null ? 'U' : v}${k.endsWith('_bytes') && v !== null ? 'B' : ''}`)
    .join(' ');
}

export function evaluateCheck(f: WatchFacts, cfg: CheckConfig): CheckResult {
  const findings: Finding[] = [];
  const add = (key: Finding['key'], state: CheckState, text: string): void => {
    findings.push({ key, state, text });
  };

  if (!f.relay.decided) add('undecided', 'UNKNOWN', `the relay list could not be explained${f.relay.problems.length ? `: ${f.relay.problems[0]}` : ''}`);
  else {
    if (f.relay.unexplained > 0) add('unexplained', stateOf(cfg.unexplained), `${plural(f.relay.unexplained, 'relay IP')} with no login behind ${f.relay.unexplained === 1 ? 'it' : 'them'}`);
    if (f.relay.stale > 0) add('staleHosts', stateOf(cfg.staleHosts), `${plural(f.relay.stale, 'relay IP')} past the relay window (is tailwatchd running?)`);
  }
  if (f.popBeforeSmtp.allowed === null) add('undecided', 'UNKNOWN', `the POP-before-SMTP status could not be read${f.popBeforeSmtp.error ? `: ${f.popBeforeSmtp.error}` : ''}`);
  else if (f.popBeforeSmtp.allowed) add('popBeforeSmtp', stateOf(cfg.popBeforeSmtp), 'POP-before-SMTP relaying is on');

  const b = f.blacklist;
  if (b.server > 0) {
    const first = b.listings.find((l) => !l.provider)!;
    add('serverListed', stateOf(cfg.serverListed), `${first.ip} listed on ${first.name}${b.server > 1 ? ` (${plural(b.server, 'server listing')} in all)` : ''}`);
  }
  if (b.provider > 0) {
    const first = b.listings.find((l) => l.provider)!;
    add('providerListed', cfg.providerListed === 'warning' ? 'WARNING' : 'OK', `the provider's network is listed on ${first.name} (${plural(b.provider, 'provider-level listing')}; not caused by this server)`);
  }
  if (b.stale) add('blacklistStale', stateOf(cfg.blacklistStale), b.checkedAt ? `the last blacklist check is from ${b.checkedAt.slice(0, 16).replace('T', ' ')} UTC` : 'the server\'s IPs have not been checked against the blacklists yet');
  if (f.autoresponders.atRisk > 0) add('riskyAutoresponders', stateOf(cfg.riskyAutoresponders), `${plural(f.autoresponders.atRisk, 'autoresponder')} may answer spam (backscatter)`);
  if (cfg.indexLagBytes > 0 && f.index.lagBytes > cfg.indexLagBytes) add('indexLag', 'WARNING', `${mib(f.index.lagBytes)} of mail log not yet in the login index`);

  const counted = findings.filter((x) => x.state !== 'OK').sort((x, y) => RANK[y.state] - RANK[x.state]);
  const state: CheckState = counted.length ? counted[0].state : 'OK';
  const summary = counted.length
    ? counted.map((x) => x.text).join('; ')
    : `${f.relay.hosts === 0 ? 'relay list empty' : f.relay.hosts === 1 ? 'the one relay IP explained' : `all ${f.relay.hosts} relay IPs explained`}; POP-before-SMTP ${f.popBeforeSmtp.allowed ? 'on' : 'off'}; ${b.checkedAt ? (b.server ? 'listed' : 'no server listing') : 'blacklists not checked'}`;
  const perfdata: CheckResult['perfdata'] = {
    relay_hosts: f.relay.decided ? f.relay.hosts : null,
    unexplained: f.relay.decided ? f.relay.unexplained : null,
    stale: f.relay.decided ? f.relay.stale : null,
    listed: b.checkedAt ? b.server : null,
    provider_listed: b.checkedAt ? b.provider : null,
    pop_before_smtp: f.popBeforeSmtp.allowed === null ? null : f.popBeforeSmtp.allowed ? 1 : 0,
    risky_autoresponders: f.autoresponders.atRisk,
    index_lag_bytes: f.index.lagBytes,
  };
  // The plugin output is one line: the texts come from files and programs, so line breaks and the
  // perfdata separator are taken out.
  const clean = (t: string): string => t.replace(/[\u0000-\u001f\u007f|]+/g, ' ').replace(/ {2,}/g, ' ');
  return {
    state,
    exitCode: CHECK_EXIT[state],
    summary: clean(summary),
    perfdata,
    line: `RELAYWATCH ${state} - ${clean(summary)} | ${perfdataText(perfdata)}`,
    findings: findings.map((x) => ({ ...x, text: clean(x.text) })),
    checkedAt: f.checkedAt,
  };
}
