/**
 * `/etc/valiases/<domain>`: cPanel's per-domain alias file (cpanel-facts §7). Pure.
 *
 *   info@example.com: "|/usr/local/cpanel/bin/autorespond info@example.com /home/bob/.autorespond",info@example.com
 *   sales@example.com: someone@gmail.example
 *   *: :fail: No Such User Here
 *
 * One line per address, destinations comma separated; a destination in double quotes may hold
 * commas and spaces (pipes are written quoted). `:fail:` and `:defer:` take the rest of the line
 * as their message. The `*` line is the domain's default address (catch-all).
 */

export const AUTORESPOND_PROGRAM = '/usr/local/cpanel/bin/autorespond';

export type AliasTarget =
  | { kind: 'address'; address: string }
  /** a bare name: a cPanel user or system alias delivered locally */
  | { kind: 'local-user'; user: string }
  | { kind: 'pipe'; command: string; autoresponder: { address: string; dir: string } | null }
  | { kind: 'file'; path: string }
  | { kind: 'include'; path: string }
  | { kind: 'fail'; message: string }
  | { kind: 'defer'; message: string }
  | { kind: 'blackhole' };

export interface AliasEntry {
  /** 1-based line number */
  line: number;
  /** the alias as written, lower-cased: `info@example.com`, or `*` for the default address */
  source: string;
  targets: AliasTarget[];
}

export interface ValiasesFile {
  domain: string;
  entries: AliasEntry[];
  rejected: Array<{ line: number; text: string; reason: string }>;
}

/** Splits the destination list on commas outside double quotes; `:fail:`/`:defer:` end the list. */
function splitTargets(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  // Checked at each character, so it must not copy or rescan the line: a tenant can write a 1 MiB line.
  const SPECIAL = /:(?:fail|defer):/iy;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    SPECIAL.lastIndex = i;
    if (!quoted && c === ':' && /^\s*$/.test(cur) && SPECIAL.test(text)) {
      out.push(text.slice(i).trim());
      return out;
    }
    if (c === '\\' && quoted && i + 1 < text.length) {
      cur += text[++i];
      continue;
    }
    if (c === '"') {
      quoted = !quoted;
      continue;
    }
    if (c === ',' && !quoted) {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

export function parseAliasTarget(raw: string): AliasTarget | null {
  const t = raw.trim();
  if (t === '') return null;
  const special = /^:(fail|defer|blackhole):\s*(.*)$/i.exec(t);
  if (special) {
    const kind = special[1].toLowerCase();
    if (kind === 'blackhole') return { kind: 'blackhole' };
    return { kind: kind as 'fail' | 'defer', message: special[2] };
  }
  if (/^:include:/i.test(t)) return { kind: 'include', path: t.slice(':include:'.length).trim() };
  if (t.startsWith('|')) {
    const command = t.slice(1).trim();
    const words = command.split(/\s+/);
    const autoresponder = words[0] === AUTORESPOND_PROGRAM && words.length >= 3 ? { address: words[1].toLowerCase(), dir: words[2] } : null;
    return { kind: 'pipe', command, autoresponder };
  }
  if (t.startsWith('/')) return { kind: 'file', path: t };
  if (/^[^\s@]+@[^\s@]+$/.test(t)) return { kind: 'address', address: t.toLowerCase() };
  if (/^[A-Za-z0-9._+-]{1,64}$/.test(t)) return { kind: 'local-user', user: t };
  return null;
}

export function parseValiases(text: string, domain: string): ValiasesFile {
  const entries: AliasEntry[] = [];
  const rejected: ValiasesFile['rejected'] = [];
  text.split(/\r?\n/).forEach((rawLine, i) => {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      rejected.push({ line: i + 1, text: line, reason: 'no "address:" at the start' });
      return;
    }
    const source = line.slice(0, colon).trim().toLowerCase();
    if (source !== '*' && !/^[^\s@"]+@[^\s@"]+$/.test(source) && !/^[^\s@"]+$/.test(source)) {
      rejected.push({ line: i + 1, text: line, reason: 'the alias is not an address or *' });
      return;
    }
    const targets: AliasTarget[] = [];
    for (const raw of splitTargets(line.slice(colon + 1))) {
      const target = parseAliasTarget(raw);
      if (target) targets.push(target);
      else rejected.push({ line: i + 1, text: raw, reason: 'destination not understood' });
    }
    // A bare local part ("info: …") belongs to the file's domain.
    const full = source === '*' || source.includes('@') ? source : `${source}@${domain.toLowerCase()}`;
    entries.push({ line: i + 1, source: full, targets });
  });
  return { domain: domain.toLowerCase(), entries, rejected };
}
