/**
 * The relay list and its companions (cpanel-facts §1), per generation:
 * - modern: /etc/recent_authed_mail_ips (+ _users), IPv6 fully expanded and double-quoted, random line
 *   order; /etc/relayhosts and /etc/relayhostsusers are ABSOLUTE symlinks to them, as on a real
 *   server (relaywatch resolves them under the host root); /etc/popbeforesmtp exists (relaying on).
 * - legacy: plain /etc/relayhosts and /etc/relayhostsusers (`IP user`, the format old Exim code reads;
 *   unconfirmed). IPv6 is written as the modern tracker writes it, expanded and quoted (unconfirmed
 *   too): Exim's lsearch ends an unquoted key at its first colon, so a working file must quote it.
 * Both: /etc/antirelayd.conf, /etc/alwaysrelay, /etc/skipsmtpcheckhosts, /etc/trustedmailhosts.
 */
import { expandedIpv6, isIpv6 } from '../parsers/ip';
import { DemoTree } from './demoTree';
import { Random } from './random';
import { DemoWorld } from './world';


/** How cPanel's tracker writes an address in the relay files: IPv6 expanded and double-quoted. */
export function modernListForm(ip: string): string {
  return isIpv6(ip) ? `"${expandedIpv6(ip)}"` : ip;
}

function text(rows: readonly string[]): string {
  return rows.length === 0 ? '' : `${rows.join('\n')}\n`;
}

/** The instant the tracker last rewrote the list: its newest login (or a minute ago). */
function listMtime(world: DemoWorld): number {
  let last = 0;
  for (const h of world.relayHosts) for (const l of h.logins) if (h.status === 'explained' && l.at > last) last = l.at;
  return last > 0 ? last + 2_000 : world.nowMs - 60_000;
}

export async function writeRelayFiles(tree: DemoTree, world: DemoWorld, rng: Random): Promise<void> {
  const hosts = rng.shuffle(world.relayHosts);
  const mtime = listMtime(world);
  if (world.generation === 'modern') {
    await tree.write('/etc/recent_authed_mail_ips', text(hosts.map((h) => modernListForm(h.ip))));
    const withUsers = rng.shuffle(hosts.filter((h) => h.mapUsers.length > 0));
    await tree.write('/etc/recent_authed_mail_ips_users', text(withUsers.map((h) => `${modernListForm(h.ip)}: ${h.mapUsers.join(', ')}`)));
    await tree.symlink('/etc/relayhosts', '/etc/recent_authed_mail_ips');
    await tree.symlink('/etc/relayhostsusers', '/etc/recent_authed_mail_ips_users');
    await tree.write('/etc/popbeforesmtp', '');
    await tree.setMtime('/etc/recent_authed_mail_ips', mtime);
    await tree.setMtime('/etc/recent_authed_mail_ips_users', mtime);
  } else {
    await tree.write('/etc/relayhosts', text(hosts.map((h) => modernListForm(h.ip))));
    const withUsers = rng.shuffle(hosts.filter((h) => h.mapUsers.length > 0));
    await tree.write('/etc/relayhostsusers', text(withUsers.map((h) => `${modernListForm(h.ip)} ${h.mapUsers[0]}`)));
    await tree.setMtime('/etc/relayhosts', mtime);
    await tree.setMtime('/etc/relayhostsusers', mtime);
  }

  await tree.write('/etc/antirelayd.conf', `expire_host_mins = ${world.expireHostMins} ; minutes an IP stays in the list after its last login\n`);
  const always = world.relayHosts.filter((h) => h.status === 'alwaysrelay');
  await tree.write('/etc/alwaysrelay', text(always.map((h) => (h.alwaysRelayUser ? `${h.ip}: ${h.alwaysRelayUser}` : h.ip))));
  await tree.write('/etc/skipsmtpcheckhosts', `${world.skipSmtpCheckHost}\n`);
  await tree.write('/etc/trustedmailhosts', '');
  // cPanel fills this with the server's own netblocks
  await tree.write('/etc/neighbor_netblocks', `${world.mainIp.split('.').slice(0, 3).join('.')}.0/24\n`);
}
