/**
 * Exim's static host lists that sit beside the relay list (cpanel-facts §1, "Other allowlists"):
 * /etc/skipsmtpcheckhosts, /etc/trustedmailhosts, /etc/neighbor_netblocks. One entry per line: an
 * IP, a network (`192.0.2.0/24`) or a host name; `#` starts a comment. Pure: text in, records out.
 * Nothing is dropped: a line that is none of those is returned as `other`, so an audit sees it.
 */
import { canonicalIp } from './ip';

export interface HostListEntry {
  line: number;
  text: string;
  kind: 'ip' | 'network' | 'host' | 'other';
  /** canonical IP or `ip/len` for ip and network entries */
  value: string | null;
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9*](?:[A-Za-z0-9*-]{0,62})(?:\.[A-Za-z0-9*-]{1,63}){0,126}\.?$/;

export function parseHostList(text: string): HostListEntry[] {
  const out: HostListEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const t = raw.replace(/#.*$/, '').trim();
    if (t === '') return;
    const unquoted = t.replace(/^"(.*)"$/, '$1');
    const ip = canonicalIp(unquoted);
    if (ip) {
      out.push({ line: i + 1, text: t, kind: 'ip', value: ip });
      return;
    }
    const net = /^([^/\s]{2,45})\/(\d{1,3})$/.exec(unquoted);
    if (net) {
      const base = canonicalIp(net[1]);
      const len = Number(net[2]);
      if (base && len <= (base.includes(':') ? 128 : 32)) {
        out.push({ line: i + 1, text: t, kind: 'network', value: `${base}/${len}` });
        return;
      }
    }
    out.push({ line: i + 1, text: t, kind: HOSTNAME.test(unquoted) ? 'host' : 'other', value: null });
  });
  return out;
}
