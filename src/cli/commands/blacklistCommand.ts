import { blacklistMonitor, blacklistReportExitCode, BlacklistReport, checkBlacklists } from '../../services/blacklistService';
import { parseResolverAddress } from '../../host/dnsResolver';
import { CliCommand, printJson } from '../command';
import { progressReporter } from '../progress';
import { terminalSafe } from '../terminal';

function evidenceText(route: string, query: Record<string, string>): string {
  const qs = new URLSearchParams(query).toString();
  return qs ? `${route}?${qs}` : route;
}

function groupBy<T>(items: T[], key: (t: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const g = groups.get(k);
    if (g) g.push(item);
    else groups.set(k, [item]);
  }
  return [...groups.values()];
}

/** The text answer: one line per IP, then what each listing means and what could not be checked. */
function printReport(out: (t: string) => void, r: BlacklistReport): void {
  const s = (t: string): string => terminalSafe(t);
  const label = { clean: 'OK', listed: 'LISTED', unknown: 'UNKNOWN' }[r.verdict];
  out(`${label}: ${s(r.summary)}\n`);
  out(`Checked ${r.checkedAt} through ${s(r.resolver)} in ${(r.durationMs / 1000).toFixed(1)} s.\n\n`);

  const width = Math.max(...r.ips.map((i) => i.ip.length), 2);
  for (const ip of r.ips) {
    const head = ip.ip.padEnd(width);
    if (ip.skipped) {
      out(`${head}  skipped: ${s(ip.skipped)}\n`);
      continue;
    }
    const by = (st: string): string[] => ip.results.filter((x) => x.status === st).map((x) => x.name);
    const parts: string[] = [];
    if (by('listed').length) parts.push(`LISTED on ${by('listed').join(', ')}`);
    if (by('unknown').length) parts.push(`could not check ${by('unknown').join(', ')}`);
    if (by('clean').length) parts.push(`clean on ${by('clean').length} list${by('clean').length === 1 ? '' : 's'}`);
    if (ip.results.length === 0) parts.push('no list to ask');
    out(`${head}  ${s(parts.join('; '))}  (${s(ip.sources.join(', '))})\n`);
  }

  // Lists that list several IPs alike (a provider's network) are told once, with every IP.
  const listed = groupBy(r.ips.flatMap((i) => i.results.filter((x) => x.status === 'listed').map((x) => ({ ip: i.ip, x }))), ({ x }) => `${x.zone} ${x.codes.join(',')}`);
  if (listed.length) out('\nListings:\n');
  for (const group of listed) {
    const { x } = group[0];
    const ips = group.map((g) => g.ip);
    out(`  ${ips.join(', ')} on ${s(x.name)} (${x.zone}), code ${x.codes.join(', ')}, impact ${x.impact}${x.providerNetwork ? ", your provider's network" : ''}\n`);
    out(`    What it means: ${s(x.meaning)}\n`);
    for (const g of group) {
      const who = ips.length > 1 ? `${g.ip}: ` : '';
      for (const t of g.x.txt) out(`    The list says: ${who}${s(t)}\n`);
      if (g.x.txtTime) out(`    ${g.x.txtTimeLabel ?? "Time in the list's answer"}: ${who}${s(g.x.txtTime)}\n`);
    }
    if (x.nextStep) out(`    Next step: ${s(x.nextStep)}\n`);
    for (const g of group) for (const e of g.x.evidence) out(`    Evidence: ${s(e.label)}: relaywatch page ${s(evidenceText(e.route, e.query))}\n`);
    out(`    Delisting: ${s(x.delisting)}\n`);
  }

  const unknown = groupBy(r.ips.flatMap((i) => i.results.filter((x) => x.status === 'unknown').map((x) => ({ ip: i.ip, x }))), ({ x }) => `${x.zone} ${x.codes.join(',')} ${x.reason}`);
  if (unknown.length) out('\nCould not check:\n');
  for (const group of unknown) {
    const { x } = group[0];
    out(`  ${group.map((g) => g.ip).join(', ')} on ${s(x.name)}${x.codes.length ? ` (answer ${x.codes.join(', ')})` : ''}: ${s(x.reason ?? '')}\n`);
  }

  const failed = r.selfTest.filter((t) => !t.ok);
  if (failed.length) out('\nSelf-test failed (answers from these lists are not trusted):\n');
  for (const t of failed) out(`  ${s(t.name)} (${t.zone}): ${s(t.reason ?? '')}\n`);

  const notQueried = new Map<string, string>();
  for (const i of r.ips) for (const n of i.notQueried) if (!/IPv4 entries only/.test(n.reason)) notQueried.set(n.name, n.reason);
  if (notQueried.size) out('\nNot queried:\n');
  for (const [name, reason] of notQueried) out(`  ${s(name)}: ${s(reason)}\n`);
  const v6 = r.ips.filter((i) => i.notQueried.some((n) => /IPv4 entries only/.test(n.reason)));
  if (v6.length) out(`  For IPv6 addresses only the lists that publish IPv6 entries are asked (${v6.map((i) => i.ip).join(', ')}).\n`);

  for (const p of r.problems) out(`\nproblem: ${s(p.message)}`);
  if (r.problems.length) out('\n');
}

/** The configured resolver as parseResolverAddress writes it (null: the server's own resolvers). */
function canonicalResolver(configured: string | null): string | null {
  if (configured === null) return null;
  try {
    return parseResolverAddress(configured);
  } catch {
    return configured;
  }
}

export const blacklistCommand: CliCommand = {
  name: 'blacklist',
  summary: "Check the server's IPs against DNS blacklists and explain each listing",
  usage: 'relaywatch blacklist [--json] [--resolver HOST:PORT] [--ip IP]...',
  options: { resolver: { type: 'string' }, ip: { type: 'string', multiple: true } },
  async run(r) {
    const resolverText = r.values.resolver as string | undefined;
    const resolver = resolverText === undefined ? undefined : parseResolverAddress(resolverText);
    const ips = (r.values.ip as string[] | undefined) ?? [];
    const ctx = r.context();
    const viewer = await r.viewer();
    const progress = progressReporter(r.io, 'Asking the blacklists');
    const report = await checkBlacklists(ctx, viewer, {
      resolver,
      ips,
      onProgress: ({ done, total }) => progress.update({ bytesDone: done, bytesTotal: total }),
    });
    progress.done();
    // The server's result is kept for the page, which never waits on DNS itself. A check through
    // another resolver than the configured one (--resolver, to compare) is an answer for this run
    // only: it must not replace what the daemon checked through the configured resolver.
    const adHoc = resolver !== undefined && resolver !== canonicalResolver(ctx.config.blacklist.resolver);
    if (report.scope === 'server' && adHoc) {
      r.io.err(`relaywatch blacklist: checked through ${terminalSafe(resolver)}, not the configured resolver; the page keeps its own result.\n`);
    } else if (report.scope === 'server') {
      try {
        await blacklistMonitor(ctx).saveCache(report);
      } catch (e) {
        r.io.err(`relaywatch blacklist: the result could not be saved for the page: ${terminalSafe((e as Error).message)}\n`);
      }
    }
    if (r.json) printJson(r.io, report);
    else printReport(r.io.out, report);
    return blacklistReportExitCode(report);
  },
};
