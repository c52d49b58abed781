/**
 * Loads cPanel's account files into an Accounts model.
 */
import { Accounts } from '../domain/accounts';
import { parseResellers, parseTrueUserOwners, parseUserDomains } from '../parsers/accountFiles';
import { cachedAnswer } from '../cache/answerCache';
import { CoreContext } from './context';
import { Problems } from './problems';

export const ACCOUNT_FILES = {
  trueuserowners: '/etc/trueuserowners',
  userdomains: '/etc/userdomains',
  resellers: '/var/cpanel/resellers',
} as const;

export async function loadAccounts(ctx: CoreContext, problems = new Problems()): Promise<Accounts> {
  const read = async (p: string): Promise<string> => {
    const r = await ctx.host.readText(p);
    if (r.ok) return r.value;
    // A server without resellers has no resellers file; the others always exist on cPanel.
    if (!(r.problem === 'missing' && p === ACCOUNT_FILES.resellers)) problems.add(r, false);
    return '';
  };
  const [owners, domains, resellers] = await Promise.all([
    read(ACCOUNT_FILES.trueuserowners),
    read(ACCOUNT_FILES.userdomains),
    read(ACCOUNT_FILES.resellers),
  ]);
  return new Accounts(parseTrueUserOwners(owners), parseUserDomains(domains), parseResellers(resellers));
}

/**
 * The account list as a reused answer (answerCache.ts): parsed once per change of the three files,
 * however many reports and requests need it (10,000 accounts take about 100 ms to parse). What could
 * not be read is added to `problems` every time.
 */
export async function sharedAccounts(ctx: CoreContext, problems?: Problems): Promise<Accounts> {
  const { accounts, found } = await cachedAnswer(ctx, 'accounts', 300_000, async (c) => {
    const p = new Problems();
    return { accounts: await loadAccounts(c, p), found: p.list };
  });
  if (problems) for (const { blocking, ...issue } of found) problems.add(issue, blocking);
  return accounts;
}
