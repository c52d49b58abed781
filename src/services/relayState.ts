/**
 * Reads the relay list, its user map, /etc/alwaysrelay, /etc/antirelayd.conf, the generation and the
 * relay switch from the host. Every file that cannot be read is reported, never taken as empty.
 */
import { Accounts } from '../domain/accounts';
import { ExplainInput, IpLoginEvidence } from '../domain/explain';
import { IpFailedEvidence } from '../domain/failedLogins';
import { Viewer } from '../domain/scope';
import { detectGeneration, Generation, GenerationDecision, LEGACY_DRIVER, MODERN_DRIVER } from '../domain/generation';
import { decideRelaying, driverDiskState, RelayingDecision, RelayingFacts } from '../domain/relaySwitch';
import { parseKeyValue } from '../parsers/accountFiles';
import { AlwaysRelayEntry, parseAlwaysRelay, parseAntirelaydConf, parseRelayList, parseUserMap, Rejected } from '../parsers/relayFiles';
import { CoreContext } from './context';
import { Problems } from './problems';

export const RELAY_FILES = {
  relayhosts: '/etc/relayhosts',
  relayhostsusers: '/etc/relayhostsusers',
  recentAuthed: '/etc/recent_authed_mail_ips',
  recentAuthedUsers: '/etc/recent_authed_mail_ips_users',
  alwaysrelay: '/etc/alwaysrelay',
  antirelaydConf: '/etc/antirelayd.conf',
  popbeforesmtp: '/etc/popbeforesmtp',
  cpanelConfig: '/var/cpanel/cpanel.config',
  version: '/usr/local/cpanel/version',
} as const;

export async function readGeneration(ctx: CoreContext, drivers: string[] | null = null): Promise<GenerationDecision & { version: string | null }> {
  const { host } = ctx;
  const version = await host.readOptional(RELAY_FILES.version).catch(() => null);
  const decision = detectGeneration({
    drivers,
    relayhostsLink: await host.readlink(RELAY_FILES.relayhosts),
    relayhostsExists: await host.exists(RELAY_FILES.relayhosts),
    recentAuthedExists: await host.exists(RELAY_FILES.recentAuthed),
    version,
  });
  return { ...decision, version: version ? version.trim() : null };
}

export interface RelayListState {
  /** the path read (through symlinks) */
  path: string;
  /** what /etc/relayhosts links to, if it is a link */
  linkTarget: string | null;
  exists: boolean;
  mtime: string | null;
  ips: string[];
  userMap: Map<string, string[]>;
  rejected: Rejected[];
  alwaysRelay: AlwaysRelayEntry[];
  expireHostMins: number;
}

export async function readRelayList(ctx: CoreContext, generation: Generation, problems: Problems): Promise<RelayListState> {
  const { host } = ctx;
  const conf = parseAntirelaydConf((await host.readText(RELAY_FILES.antirelaydConf).then((r) => (r.ok ? r.value : ''))) ?? '');
  // /etc/relayhosts is the name every admin knows; on modern servers it links to the tracker's file.
  let listPath: string = RELAY_FILES.relayhosts;
  if (generation === 'modern' && !(await host.exists(RELAY_FILES.relayhosts))) listPath = conf.recentAuthedMailIps ?? RELAY_FILES.recentAuthed;
  const usersPath = generation === 'modern' && !(await host.exists(RELAY_FILES.relayhostsusers))
    ? (conf.recentAuthedMailIpsUsers ?? RELAY_FILES.recentAuthedUsers)
    : RELAY_FILES.relayhostsusers;

  const list = await host.readText(listPath);
  let ips: string[] = [];
  let rejected: Rejected[] = [];
  let mtime: string | null = null;
  if (list.ok) {
    const parsed = parseRelayList(list.value);
    ips = parsed.ips;
    rejected = parsed.rejected;
    mtime = (await host.stat(listPath).catch(() => null))?.mtime.toISOString() ?? null;
  } else {
    problems.add(list, list.problem !== 'missing');
  }
  const usersText = await host.readText(usersPath);
  const userMap = usersText.ok ? parseUserMap(usersText.value).users : new Map<string, string[]>();
  if (!usersText.ok && usersText.problem !== 'missing') problems.add(usersText, false);

  const alwaysPath = conf.alwaysrelay ?? RELAY_FILES.alwaysrelay;
  const alwaysText = await host.readText(alwaysPath);
  if (!alwaysText.ok && alwaysText.problem !== 'missing') problems.add(alwaysText, true);
  const alwaysRelay = alwaysText.ok ? parseAlwaysRelay(alwaysText.value).entries : [];

  return {
    path: listPath,
    linkTarget: await host.readlink(RELAY_FILES.relayhosts),
    exists: list.ok,
    mtime,
    ips,
    userMap,
    rejected,
    alwaysRelay,
    expireHostMins: conf.expireHostMins,
  };
}

/** expire_host_mins from /etc/antirelayd.conf (its default when absent or unreadable). */
export async function readExpireHostMins(ctx: CoreContext): Promise<number> {
  const text = await ctx.host.readText(RELAY_FILES.antirelaydConf);
  return parseAntirelaydConf(text.ok ? text.value : '').expireHostMins;
}

export async function readCpanelConfig(ctx: CoreContext): Promise<Record<string, string>> {
  const text = await ctx.host.readOptional(RELAY_FILES.cpanelConfig).catch(() => null);
  return text ? parseKeyValue(text) : {};
}

/** The facts behind "may the listed IPs relay?", from disk (and from tailwatchd --status when given). */
export async function readRelayingFacts(ctx: CoreContext, generation: Generation, driverActiveNow: boolean | null = null): Promise<RelayingFacts> {
  const { host } = ctx;
  const cfg = await readCpanelConfig(ctx);
  const driverName = generation === 'legacy' ? LEGACY_DRIVER : MODERN_DRIVER;
  const short = driverName.split('::').pop()!.toLowerCase();
  return {
    generation,
    tailwatchd: driverDiskState('Cpanel::TailWatch::tailwatchd', cfg, {
      disable: await host.exists('/etc/tailwatchddisable'),
      isevil: false,
    }),
    driver: driverDiskState(driverName, cfg, {
      disable: await host.exists(`/etc/${short}disable`),
      isevil: await host.exists(`/etc/${short}isevil`),
    }),
    driverActiveNow,
    flagFile: await host.exists(RELAY_FILES.popbeforesmtp),
    tweak: cfg.popbeforesmtp ?? null,
    expireHostMins: await readExpireHostMins(ctx),
  };
}

export async function readRelaying(ctx: CoreContext, generation: Generation, driverActiveNow: boolean | null = null): Promise<RelayingDecision> {
  return decideRelaying(await readRelayingFacts(ctx, generation, driverActiveNow));
}

/** The explainer's input from the relay list as read, the accounts and the login evidence (successful and failed). */
export function explainInputFrom(
  ctx: CoreContext,
  viewer: Viewer,
  list: RelayListState,
  accounts: Accounts,
  evidence: ReadonlyMap<string, IpLoginEvidence>,
  failed: ReadonlyMap<string, IpFailedEvidence>,
): ExplainInput {
  return {
    relayIps: list.ips,
    userMap: list.userMap,
    alwaysRelay: new Map(list.alwaysRelay.map((e) => [e.ip, e.user])),
    evidence,
    failed,
    accounts,
    expireHostMins: list.expireHostMins,
    now: ctx.now(),
    viewer,
  };
}
