/**
 * Loads cPanel's account files into an Accounts model.
 */
import { Accounts } from '../domain/accounts';
import { parseResellers, parseTrueUserOwners, parseUserDomains } from '../parsers/accountFiles';
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
