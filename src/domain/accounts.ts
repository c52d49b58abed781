/**
 * Who owns what: cPanel accounts, their domains and owners, and the resellers. Built from the parsed
 * account files; answers the questions scope and explanations ask.
 */

export class Accounts {
  constructor(
    /** account (system user) -> owner ("root" or a reseller) */
    readonly owners: ReadonlyMap<string, string>,
    /** domain (lower case) -> account */
    readonly domains: ReadonlyMap<string, string>,
    /** reseller -> ACLs */
    readonly resellers: ReadonlyMap<string, readonly string[]>,
  ) {}

  static empty(): Accounts {
    return new Accounts(new Map(), new Map(), new Map());
  }

  isAccount(name: string): boolean {
    return this.owners.has(name);
  }

  ownerOf(account: string): string | null {
    return this.owners.get(account) ?? null;
  }

  /**
   * The cPanel account behind a mail login name: `bob@example.com` -> the account owning example.com;
   * a bare system user name -> that account. cPanel also accepts `bob+example.com` and `bob%example.com`.
   */
  accountOfMailUser(user: string): string | null {
    const m = /^[^@+%\s]+[@+%]([^@+%\s]+)$/.exec(user);
    if (m) return this.domains.get(m[1].toLowerCase()) ?? null;
    return this.isAccount(user) ? user : null;
  }

  /** Accounts owned by a reseller, plus the reseller's own account when it has one. */
  ownedBy(reseller: string): Set<string> {
    const out = new Set<string>();
    for (const [account, owner] of this.owners) if (owner === reseller) out.add(account);
    if (this.isAccount(reseller)) out.add(reseller);
    return out;
  }

  domainsOf(account: string): string[] {
    const out: string[] = [];
    for (const [domain, acct] of this.domains) if (acct === account) out.push(domain);
    return out.sort();
  }
}
