/**
 * `/etc/wwwacct.conf`, cPanel's basic server settings: one `KEY value` per line (`HOST`, `CONTACTEMAIL`,
 * `ADDR`, `NS`, …). Pure.
 */
export interface WwwAcct {
  /** the server's host name (HOST) */
  host: string | null;
  /** where cPanel sends the server's notices (CONTACTEMAIL) */
  contactEmail: string | null;
}

export function parseWwwAcct(text: string): WwwAcct {
  const values = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Z0-9_]+)(?:\s+(.*))?$/.exec(line);
    if (m) values.set(m[1], (m[2] ?? '').trim());
  }
  const pick = (k: string): string | null => values.get(k) || null;
  return { host: pick('HOST'), contactEmail: pick('CONTACTEMAIL') };
}
