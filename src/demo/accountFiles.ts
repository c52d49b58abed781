/**
 * cPanel's account files (cpanel-facts §6): who owns which account, which domains belong to whom,
 * the resellers and their ACLs, and one `/var/cpanel/users/<user>` file per account.
 */
import { DemoTree } from './demoTree';
import { DemoAccount, DemoWorld } from './world';

function lines(rows: readonly string[]): string {
  return rows.length === 0 ? '' : `${rows.join('\n')}\n`;
}

/** `/var/cpanel/users/<user>`: KEY=VALUE, sorted as cPanel writes it. */
export function userFile(a: DemoAccount, world: DemoWorld): string {
  const kv: Record<string, string> = {
    BACKUP: '1',
    BWLIMIT: 'unlimited',
    CONTACTEMAIL: a.contactEmail,
    CONTACTEMAIL2: '',
    DEMO: '0',
    DNS: a.domain,
    FEATURELIST: 'default',
    HASCGI: '1',
    HASDKIM: '1',
    HASSPF: '1',
    IP: world.mainIp,
    LANG: 'en',
    LOCALE: 'en',
    MAXADDON: 'unlimited',
    MAXFTP: 'unlimited',
    MAXLST: 'unlimited',
    MAXPARK: 'unlimited',
    MAXPOP: 'unlimited',
    MAXSQL: 'unlimited',
    MAXSUB: 'unlimited',
    MAX_EMAIL_PER_HOUR: 'unlimited',
    MTIME: String(Math.floor(world.nowMs / 1000) - 86400 * ((a.uid % 60) + 1)),
    OWNER: a.owner,
    PLAN: a.plan,
    RS: 'jupiter',
    STARTDATE: String(a.startDate),
    USER: a.user,
    UTF8MAILBOX: '1',
  };
  a.addonDomains.forEach((d, i) => {
    kv[`DNS${i + 1}`] = d;
  });
  const body = Object.keys(kv)
    .sort()
    .map((k) => `${k}=${kv[k]}`);
  return lines(['# cPanel -- If you edit this file directly you must run /usr/local/cpanel/scripts/updateuserdomains afterwards', ...body]);
}

export async function writeAccountFiles(tree: DemoTree, world: DemoWorld): Promise<void> {
  const accts = world.accounts;
  await tree.write('/etc/trueuserowners', lines(accts.map((a) => `${a.user}: ${a.owner}`)), 0o640);
  await tree.write('/etc/trueuserdomains', lines(accts.map((a) => `${a.domain}: ${a.user}`)), 0o640);

  // Every domain, including an addon domain's subdomain of the primary (addon.primary.example).
  const userDomains: string[] = [];
  for (const a of accts) {
    userDomains.push(`${a.domain}: ${a.user}`);
    for (const d of a.addonDomains) {
      userDomains.push(`${d}: ${a.user}`);
      userDomains.push(`${d.split('.')[0]}.${a.domain}: ${a.user}`);
    }
  }
  userDomains.push('*: nobody');
  await tree.write('/etc/userdomains', lines(userDomains), 0o640);

  await tree.write('/var/cpanel/resellers', lines(world.resellers.map((r) => `${r.name}:${r.acls.join(',')}`)), 0o644);
  for (const a of accts) await tree.write(`/var/cpanel/users/${a.user}`, userFile(a, world), 0o640);
}
