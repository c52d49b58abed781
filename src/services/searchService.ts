/**
 * Search by IP or mailbox from every page. An IP leads to its IP page; a mailbox, domain or account
 * name to the accounts and relay IPs that match. Scoped like everything else: a reseller finds only
 * what is tied to their own accounts, and an IP that is not tied to them finds nothing, exactly as
 * an IP nobody ever used.
 */
import { RelayHost } from '../domain/explain';
import { canSeeAccount, Viewer } from '../domain/scope';
import { AppError } from '../http/appError';
import { canonicalIp } from '../parsers/ip';
import { sharedAccounts } from './accountsService';
import { CoreContext } from './context';
import { explain } from './explainService';
import { ipReport } from './ipReportService';

export interface SearchResult {
  kind: 'ip' | 'account' | 'mailbox';
  title: string;
  detail: string;
  route: string;
}

export interface SearchAnswer {
  query: string;
  results: SearchResult[];
  /** the results were cut at this many */
  limited: boolean;
}

const MAX_RESULTS = 50;

export function normalizeQuery(q: unknown): string {
  const text = typeof q === 'string' ? q.trim() : '';
  if (text.length < 2) throw AppError.badRequest('Type at least 2 characters: an IP address, a mailbox, a domain or an account.');
  if (text.length > 320) throw AppError.badRequest('The search text is too long (320 characters at most).');
  return text;
}

/** What ties a mailbox to a relay IP, in words: only the evidence there is. */
export function mailboxDetail(h: RelayHost, user: string): string {
  const facts: string[] = [];
  if (h.loginUsers.includes(user)) facts.push(`logged in from ${h.ip}`);
  if (h.mapUsers.includes(user)) facts.push(`is named for ${h.ip} by cPanel's relay map`);
  if (h.failedLogins.users.includes(user)) facts.push(`was tried (failed logins) from ${h.ip}`);
  const status = h.status === 'unexplained' ? ', unexplained: no successful login from it was found' : h.status === 'alwaysrelay' ? ', listed in /etc/alwaysrelay' : '';
  return `${user} ${facts.join(', and ')}, which is in the relay list now${status}.`;
}

export async function search(ctx: CoreContext, viewer: Viewer, q: unknown): Promise<SearchAnswer> {
  const query = normalizeQuery(q);
  const ip = canonicalIp(query);
  if (ip) {
    const r = await ipReport(ctx, viewer, ip);
    const known = r.inRelayList === true || r.logins.length > 0 || r.failed.length > 0 || r.lines.length > 0;
    if (r.status === 'not-tied' || (!viewer.isRoot && !known)) return { query, results: [], limited: false };
    return {
      query,
      results: [{
        kind: 'ip',
        title: ip,
        detail: `${r.inRelayList ? `In the relay list (${r.status})` : 'Not in the relay list'}; ${r.logins.length} successful login${r.logins.length === 1 ? '' : 's'}, ${r.failedLogins.count} failed, ${r.lines.length} log line${r.lines.length === 1 ? '' : 's'}.`,
        route: `/ip/${ip}`,
      }],
      limited: false,
    };
  }

  const needle = query.toLowerCase();
  const accounts = await sharedAccounts(ctx);
  const results: SearchResult[] = [];
  for (const account of [...accounts.owners.keys()].sort()) {
    if (!canSeeAccount(viewer, account)) continue;
    const domains = accounts.domainsOf(account);
    const hit = account.toLowerCase().includes(needle) || domains.some((d) => d.includes(needle) || needle.endsWith(`@${d}`));
    if (hit) results.push({ kind: 'account', title: account, detail: `Owner ${accounts.ownerOf(account) ?? '—'}; ${domains.slice(0, 3).join(', ')}${domains.length > 3 ? ` +${domains.length - 3}` : ''}`, route: `/account/${account}` });
  }
  const relay = await explain(ctx, viewer);
  // Each mailbox with the evidence that really names it for that IP: a login, cPanel's map, failures.
  const byUser = new Map<string, Array<{ ip: string; detail: string }>>();
  for (const h of relay.hosts) {
    for (const u of new Set([...h.users, ...h.failedLogins.users])) {
      if (!u.toLowerCase().includes(needle)) continue;
      byUser.set(u, [...(byUser.get(u) ?? []), { ip: h.ip, detail: mailboxDetail(h, u) }]);
    }
  }
  for (const [user, hits] of [...byUser.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    for (const hit of hits) results.push({ kind: 'mailbox', title: `${user} → ${hit.ip}`, detail: hit.detail, route: `/ip/${hit.ip}` });
  }
  return { query, results: results.slice(0, MAX_RESULTS), limited: results.length > MAX_RESULTS };
}
