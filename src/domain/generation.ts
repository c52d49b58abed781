/**
 * Which POP-before-SMTP generation this server runs (cpanel-facts §1): legacy Antirelayd with a plain
 * /etc/relayhosts, or modern RecentAuthedMailIpTracker with /etc/relayhosts a symlink. Decided from
 * the strongest evidence available, and every piece of evidence is returned so the page can show why.
 */

export type Generation = 'legacy' | 'modern';

export const LEGACY_DRIVER = 'Cpanel::TailWatch::Antirelayd';
export const MODERN_DRIVER = 'Cpanel::TailWatch::RecentAuthedMailIpTracker';

export interface GenerationFacts {
  /** drivers listed by `tailwatchd --status`, when it could be run */
  drivers: string[] | null;
  /** link target of /etc/relayhosts when it is a symlink */
  relayhostsLink: string | null;
  relayhostsExists: boolean;
  recentAuthedExists: boolean;
  /** content of /usr/local/cpanel/version */
  version: string | null;
}

export interface GenerationDecision {
  generation: Generation;
  evidence: string[];
}

/** 11.52 replaced Antirelayd with RecentAuthedMailIpTracker. */
export function isModernVersion(version: string): boolean | null {
  const m = /^(\d+)\.(\d+)/.exec(version.trim());
  if (!m) return null;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major > 11) return true;
  return major === 11 && minor >= 52;
}

export function detectGeneration(f: GenerationFacts): GenerationDecision {
  const evidence: string[] = [];
  let votes = 0; // > 0 modern, < 0 legacy
  if (f.drivers) {
    if (f.drivers.includes(MODERN_DRIVER)) {
      evidence.push(`tailwatchd lists ${MODERN_DRIVER}`);
      votes += 4;
    } else if (f.drivers.includes(LEGACY_DRIVER)) {
      evidence.push(`tailwatchd lists ${LEGACY_DRIVER}`);
      votes -= 4;
    }
  }
  if (f.relayhostsLink !== null) {
    evidence.push(`/etc/relayhosts is a symlink to ${f.relayhostsLink}`);
    votes += f.relayhostsLink.includes('recent_authed_mail_ips') ? 2 : 1;
  } else if (f.relayhostsExists) {
    evidence.push('/etc/relayhosts is a regular file');
    votes -= 2;
  }
  if (f.recentAuthedExists) {
    evidence.push('/etc/recent_authed_mail_ips exists');
    votes += 1;
  }
  if (f.version) {
    const modern = isModernVersion(f.version);
    if (modern !== null) {
      evidence.push(`cPanel version ${f.version.trim()} ${modern ? '(11.52 or later)' : '(before 11.52)'}`);
      votes += modern ? 3 : -3;
    }
  }
  if (evidence.length === 0) evidence.push('no evidence found; assuming a current cPanel server');
  return { generation: votes < 0 ? 'legacy' : 'modern', evidence };
}
