/**
 * Parsers for cPanel's account files (cpanel-facts §6). Pure: text in, maps out.
 */

function pairs(text: string, sep: RegExp): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const raw of text.split(/\r?\n/)) {
    const t = raw.trim();
    if (t === '' || t.startsWith('#')) continue;
    const m = sep.exec(t);
    if (!m) continue;
    out.push([m[1].trim(), m[2].trim()]);
  }
  return out;
}

/** `/etc/userdomains`: `domain: user`; the `*: nobody` line is skipped. Domains are lower-cased. */
export function parseUserDomains(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const [domain, user] of pairs(text, /^([^:\s]+)\s*:\s*(\S+)$/)) {
    if (domain === '*') continue;
    map.set(domain.toLowerCase(), user);
  }
  return map;
}

/** `/etc/trueuserowners`: `user: owner` (owner `root` when none). */
export function parseTrueUserOwners(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const [user, owner] of pairs(text, /^([^:\s]+)\s*:\s*(\S*)$/)) map.set(user, owner || 'root');
  return map;
}

/** `/var/cpanel/resellers`: `reseller:acl1,acl2`. */
export function parseResellers(text: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const [name, acls] of pairs(text, /^([^:\s]+)\s*:\s*(.*)$/)) {
    map.set(name, acls.split(',').map((a) => a.trim()).filter(Boolean));
  }
  return map;
}

/** `/var/cpanel/users/<user>` and `/var/cpanel/cpanel.config`: `KEY=VALUE` lines. */
export function parseKeyValue(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const t = raw.trim();
    if (t === '' || t.startsWith('#')) continue;
    const i = t.indexOf('=');
    if (i <= 0) continue;
    out[t.slice(0, i).trim()] = t.slice(i + 1).trim();
  }
  return out;
}

/**
 * `/etc/passwd`: `name:password:uid:gid:gecos:home:shell`; name -> uid. Lines that are not seven
 * fields with a whole-number uid are skipped; the first line for a name wins, as for the C library.
 */
export function parsePasswdUids(text: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of text.split('\n')) {
    const f = line.replace(/\r$/, '').split(':');
    if (f.length !== 7 || f[0] === '' || !/^\d{1,10}$/.test(f[2])) continue;
    if (!map.has(f[0])) map.set(f[0], Number(f[2]));
  }
  return map;
}
