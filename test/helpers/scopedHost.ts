/**
 * A host with data of three owners, for access tests: reseller A (resellera: bob), reseller B
 * (resellerb: carol), root (alice), and server-wide data only root may see. MARKERS lists text of
 * each owner, so an answer can be searched for data that is not the viewer's.
 */
import { failedLine, loginLine } from './cpanelHost';
import { addToTree } from './hostTree';
import { makeEvidenceHost } from './mailEvidenceHost';
import { installStandins } from './standins';
import fs from 'node:fs';
import path from 'node:path';

export type Owner = 'resellerA' | 'resellerB' | 'root';

/** Text that belongs to one owner only. */
export const MARKERS: Record<Owner, string[]> = {
  resellerA: ['bob.example', '203.0.113.10', 'lead@prospect'],
  resellerB: ['resellerb', 'carol', '198.51.100.7', '2001:db8::b0', '198.51.100.77', 'dad@elsewhere'],
  root: ['alice', '192.0.2.150', 'victim@innocent', '192.0.2.99', 'admin-guess', '198.51.100.200', 'backupmx', 'audit-marker', 'boss'],
};

export function makeScopedHost(now: Date): string {
  const minutesAgo = (m: number): Date => new Date(now.getTime() - m * 60_000);
  const root = makeEvidenceHost(now).root;
  const v6 = '2001:0db8:0000:0000:0000:0000:0000:00b0';
  const maillog = fs.readFileSync(path.join(root, 'var/log/maillog'), 'utf8');
  addToTree(root, {
    files: {
      '/etc/recent_authed_mail_ips': ['203.0.113.10', '198.51.100.7', '192.0.2.150', '192.0.2.99', `"${v6}"`, '198.51.100.200'].join('\n') + '\n',
      '/etc/recent_authed_mail_ips_users': `203.0.113.10: bob@bob.example\n198.51.100.7: carol@carol.example\n192.0.2.150: alice@alice.example\n"${v6}": carol@carol.example\n198.51.100.200: -alwaysrelay-\n`,
      '/etc/alwaysrelay': '198.51.100.200: backupmx\n',
      '/etc/mailips': 'carol.example: 198.51.100.77\n',
      '/etc/trueuserdomains': 'alice.example: alice\nbob.example: bob\ncarol.example: carol\nresellera.example: resellera\nresellerb.example: resellerb\n',
      '/var/cpanel/users/bob': 'USER=bob\nOWNER=resellera\nDNS=bob.example\nDNS1=shop.bob.example\n',
      '/var/cpanel/users/resellera': 'USER=resellera\nOWNER=root\nDNS=resellera.example\n',
      '/var/cpanel/users/resellerb': 'USER=resellerb\nOWNER=root\nDNS=resellerb.example\n',
      '/var/cpanel/mainip': '192.0.2.1\n',
      '/etc/ips': '192.0.2.1:255.255.255.0:192.0.2.255\n198.51.100.77:255.255.255.0:198.51.100.255\n',
      '/var/log/maillog':
        maillog +
        [
          loginLine(minutesAgo(20), 'alice@alice.example', '192.0.2.150', 'pop3'),
          loginLine(minutesAgo(10), 'carol@carol.example', '2001:db8::b0'),
          loginLine(minutesAgo(8), 'bob@bob.example', '203.0.113.10'),
          failedLine(minutesAgo(6), 'admin-guess', '192.0.2.99'),
        ]
          .map((l) => `${l}\n`)
          .join(''),
      '/var/log/relaywatch/audit.log': `${JSON.stringify({ time: now.toISOString(), user: 'root', via: 'web', action: 'disable', note: 'audit-marker' })}\n`,
      // no network in tests: a resolver on a closed loopback port, answered (refused) at once
      '/etc/relaywatch/config.yaml': 'blacklist:\n  resolver: "127.0.0.1:9"\n  timeoutMs: 200\n',
    },
  });
  installStandins(root, 'modern');
  return root;
}
