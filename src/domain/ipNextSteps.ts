/**
 * What to do about one IP, in order: block it when it guesses passwords, reset the password of each
 * mailbox it went for, and turn POP-before-SMTP off while the relay list lets it send mail. Pure:
 * the IP report's facts in, the steps out (the IP page and `relaywatch ip` show the same ones).
 */
import type { FailedLogins } from './failedLogins';

/** A place to go: a relaywatch page, or directions inside WHM or cPanel (no guessed URLs). */
export type StepLink =
  | { kind: 'route'; label: string; route: string; query?: Record<string, string> }
  | { kind: 'directions'; label: string; where: string };

export interface NextStep {
  id: 'block' | 'reset-password' | 'pop-before-smtp';
  text: string;
  /** a command that does it on the server, when there is one */
  command: string | null;
  links: StepLink[];
}

export interface NextStepFacts {
  ip: string;
  isRoot: boolean;
  status: 'explained' | 'alwaysrelay' | 'unexplained' | 'not-listed' | 'not-tied';
  inRelayList: boolean;
  failedLogins: Pick<FailedLogins, 'count' | 'users'>;
  /** mailboxes that logged in from the IP */
  users: readonly string[];
  /** mailboxes cPanel's map names for the IP */
  mapUsers: readonly string[];
  /** the account of a mail user on this server, or null when it is not one */
  accountOf: (user: string) => string | null;
  /** POP-before-SMTP relaying is on (null: not known to this viewer) */
  relayingAllowed: boolean | null;
}

export function ipNextSteps(f: NextStepFacts): NextStep[] {
  const steps: NextStep[] = [];
  const attempts = f.failedLogins.count;
  if (f.isRoot && (attempts > 0 || f.status === 'unexplained')) {
    steps.push({
      id: 'block',
      text: attempts > 0
        ? `Block ${f.ip}: ${attempts} failed password attempt${attempts === 1 ? '' : 's'} came from it.`
        : `Block ${f.ip} if you do not know it: no mailbox logged in from it, yet it is in the relay list.`,
      command: `whmapi1 create_cphulk_record list_name=black ip=${f.ip} comment=relaywatch`,
      links: [{ kind: 'directions', label: 'cPHulk blacklist', where: 'Security Center » cPHulk Brute Force Protection » Blacklist Management' }],
    });
  }
  // The mailboxes it went for: names it tried that are real mailboxes here, and those cPanel's map names.
  const targeted = [...new Set([...f.failedLogins.users, ...f.mapUsers])].filter((u) => f.accountOf(u) !== null && !f.users.includes(u));
  const unknownLogins = f.users.filter((u) => f.accountOf(u) !== null);
  for (const u of targeted.slice(0, 5)) {
    const account = f.accountOf(u)!;
    steps.push({
      id: 'reset-password',
      text: `Reset the password of ${u} (account ${account}): ${f.failedLogins.users.includes(u) ? 'passwords were tried for it from this IP' : 'cPanel’s record of recent logins names it for this IP'}.`,
      command: null,
      links: [
        { kind: 'route', label: `Account ${account}`, route: `/account/${account}` },
        { kind: 'directions', label: 'Email Accounts', where: `cPanel of ${account} » Email » Email Accounts » Manage ${u} » Security` },
      ],
    });
  }
  if (!targeted.length && unknownLogins.length && attempts > 0) {
    const u = unknownLogins[0];
    const account = f.accountOf(u)!;
    steps.push({
      id: 'reset-password',
      text: `If the owner of ${u} does not know this IP, reset its password: it logged in from here after failed attempts.`,
      command: null,
      links: [{ kind: 'route', label: `Account ${account}`, route: `/account/${account}` }, { kind: 'directions', label: 'Email Accounts', where: `cPanel of ${account} » Email » Email Accounts` }],
    });
  }
  if (f.isRoot && f.inRelayList && f.relayingAllowed) {
    steps.push({
      id: 'pop-before-smtp',
      text: `Turn POP-before-SMTP off: while it is on, ${f.ip} may send mail through this server without a password.`,
      command: 'relaywatch disable --yes',
      links: [{ kind: 'route', label: 'Turn it off safely', route: '/status/confirm', query: { action: 'disable' } }],
    });
  }
  return steps;
}
