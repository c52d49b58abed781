/**
 * The Prometheus metrics, with prom-client: counts and states only, never an IP address or a user
 * name (the metrics endpoint has no login). The same names from `relaywatch metrics` (for
 * node_exporter's textfile collector) and from the daemon's GET /metrics.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CoreContext } from '../services/context';
import { onScanTimed } from '../scan/scanTimings';
import { CHECK_EXIT, evaluateCheck } from './check';
import { gatherWatchFacts, WatchFacts } from './facts';
import { readNotifyState } from './notifyState';

/**
 * prom-client's defaults include three gauges named like counters (`nodejs_active_handles_total`
 * and the like), which Prometheus's naming rules (`promtool check metrics`) reject; their twins
 * without `_total` stay.
 */
const MISNAMED_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export interface WatchMetrics {
  registry: Registry;
  /** reads the facts and returns the text exposition */
  render(ctx: CoreContext): Promise<string>;
  /** stops following the daemon's scans */
  close(): void;
}

export function createWatchMetrics(opts: { processMetrics: boolean }): WatchMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (opts.processMetrics) {
    collectDefaultMetrics({ register: registry });
    for (const name of MISNAMED_DEFAULTS) registry.removeSingleMetric(name);
  }
  const relayHosts = new Gauge({ name: 'relaywatch_relay_hosts', help: 'IPs in the relay list, by why they are there.', labelNames: ['status'], registers });
  const stale = new Gauge({ name: 'relaywatch_relay_hosts_stale', help: 'Relay IPs whose last login is older than twice the relay window.', registers });
  const decided = new Gauge({ name: 'relaywatch_relay_list_decided', help: '1 when every file needed to explain the relay list could be read, else 0.', registers });
  const pop = new Gauge({ name: 'relaywatch_pop_before_smtp_allowed', help: '1 when POP-before-SMTP relaying is on, 0 when off (absent when unknown).', registers });
  const listings = new Gauge({ name: 'relaywatch_blacklist_listings', help: 'Listings of the server\'s IPs: class="server" lists this server, class="provider" the provider\'s network (UCEPROTECT 2/3).', labelNames: ['class'], registers });
  const failedChecks = new Gauge({ name: 'relaywatch_blacklist_checks_failed', help: 'Blacklist queries of the last check that got no usable answer.', registers });
  const lastCheck = new Gauge({ name: 'relaywatch_blacklist_last_check_timestamp_seconds', help: 'When the last blacklist check finished (absent before the first).', registers });
  const autoresponders = new Gauge({ name: 'relaywatch_autoresponders_at_risk', help: 'Active autoresponders that may answer spam (backscatter).', registers });
  const lag = new Gauge({ name: 'relaywatch_index_lag_bytes', help: 'Bytes of mail log not yet read into the login index.', registers });
  const checkState = new Gauge({ name: 'relaywatch_check_state', help: 'The state `relaywatch check` reports: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.', registers });
  const notifyFailing = new Gauge({ name: 'relaywatch_notify_failing', help: '1 when the last mail to the server\'s contact could not be sent.', registers });
  const notifySent = new Counter({ name: 'relaywatch_notify_messages_total', help: 'Mails sent to the server\'s contact, kept across restarts.', registers });
  const scans = new Histogram({
    name: 'relaywatch_scan_seconds',
    help: 'How long the daemon\'s reads of the mail logs into the login index took (kind="build" the first, "update" the later).',
    labelNames: ['kind'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
    registers,
  });
  const stop = onScanTimed((kind, seconds) => scans.observe({ kind }, seconds));

  const apply = (f: WatchFacts, ctx: CoreContext): void => {
    relayHosts.reset();
    if (f.relay.decided) {
      relayHosts.set({ status: 'explained' }, f.relay.explained);
      relayHosts.set({ status: 'unexplained' }, f.relay.unexplained);
      relayHosts.set({ status: 'alwaysrelay' }, f.relay.alwaysrelay);
      stale.set(f.relay.stale);
    } else stale.reset();
    decided.set(f.relay.decided ? 1 : 0);
    pop.reset();
    if (f.popBeforeSmtp.allowed !== null) pop.set(f.popBeforeSmtp.allowed ? 1 : 0);
    listings.reset();
    lastCheck.reset();
    if (f.blacklist.checkedAt) {
      listings.set({ class: 'server' }, f.blacklist.server);
      listings.set({ class: 'provider' }, f.blacklist.provider);
      lastCheck.set(Date.parse(f.blacklist.checkedAt) / 1000);
    }
    failedChecks.set(f.blacklist.unknown);
    autoresponders.set(f.autoresponders.atRisk);
    lag.set(f.index.lagBytes);
    checkState.set(CHECK_EXIT[evaluateCheck(f, ctx.config.check).state]);
  };

  return {
    registry,
    async render(ctx) {
      const { facts } = await gatherWatchFacts(ctx);
      apply(facts, ctx);
      const notify = await readNotifyState(ctx);
      notifyFailing.set(notify.lastFailure && (!notify.lastSent || notify.lastFailure.time > notify.lastSent) ? 1 : 0);
      notifySent.reset();
      notifySent.inc(notify.sentTotal);
      return registry.metrics();
    },
    close: stop,
  };
}
