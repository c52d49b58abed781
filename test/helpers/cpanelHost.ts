/**
 * A small but complete cPanel host tree for component tests, in either generation. Tests change it
 * further with addToTree().
 */
import { makeHostTree, syslogStamp, TreeSpec } from './hostTree';

export interface SmallHostOptions {
  generation: 'legacy' | 'modern';
  now?: Date;
  relayIps?: string[];
  /** raw maillog lines (without trailing newline) */
  maillog?: string[];
  alwaysrelay?: string;
  popbeforesmtp?: boolean;
  extra?: TreeSpec;
}

export const ACCOUNTS = {
  trueuserowners: 'alice: root\nbob: resellera\ncarol: resellerb\nresellera: root\nresellerb: root\n',
  userdomains: 'alice.example: alice\nbob.example: bob\nshop.bob.example: bob\ncarol.example: carol\nresellera.example: resellera\nresellerb.example: resellerb\n*: nobody\n',
  // relaywatch opens for its own privilege (software-relaywatch), not for list-accts
  resellers: 'resellera:list-accts,create-acct,software-relaywatch\nresellerb:list-accts,software-relaywatch\nboss:all\n',
};

export function loginLine(at: Date, user: string, ip: string, proto: 'imap' | 'pop3' = 'imap'): string {
  return `${syslogStamp(at)} server dovecot[1234]: ${proto}-login: Login: user=<${user}>, method=PLAIN, rip=${ip}, lip=192.0.2.1, mpid=4242, TLS, session=<abcdefgh>`;
}

export function failedLine(at: Date, user: string, ip: string): string {
  return `${syslogStamp(at)} server dovecot[1234]: pop3-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<${user}>, method=PLAIN, rip=${ip}, lip=192.0.2.1, TLS, session=<zzzz>`;
}

export function makeCpanelHost(o: SmallHostOptions): string {
  const now = o.now ?? new Date();
  const ips = o.relayIps ?? [];
  const files: Record<string, string> = {
    '/etc/trueuserowners': ACCOUNTS.trueuserowners,
    '/etc/userdomains': ACCOUNTS.userdomains,
    '/var/cpanel/resellers': ACCOUNTS.resellers,
    '/etc/antirelayd.conf': 'expire_host_mins = 30 ; minutes\n',
    '/var/log/maillog': (o.maillog ?? []).map((l) => `${l}\n`).join(''),
    '/var/cpanel/cpanel.config': `popbeforesmtp=${o.popbeforesmtp ? 1 : 0}\n`,
  };
  const links: Record<string, string> = {};
  const listText = ips.map((ip) => (ip.includes(':') ? `"${ip}"` : ip)).join('\n') + (ips.length ? '\n' : '');
  if (o.generation === 'modern') {
    files['/usr/local/cpanel/version'] = '11.120.0.16\n';
    files['/etc/recent_authed_mail_ips'] = listText;
    files['/etc/recent_authed_mail_ips_users'] = '';
    links['/etc/relayhosts'] = '/etc/recent_authed_mail_ips';
    links['/etc/relayhostsusers'] = '/etc/recent_authed_mail_ips_users';
    if (o.popbeforesmtp) files['/etc/popbeforesmtp'] = '';
  } else {
    files['/usr/local/cpanel/version'] = '11.44.1.19\n';
    files['/etc/relayhosts'] = listText;
  }
  if (o.alwaysrelay !== undefined) files['/etc/alwaysrelay'] = o.alwaysrelay;
  const root = makeHostTree({ files, links, mtimes: { '/var/log/maillog': now } });
  if (o.extra) {
    const { addToTree } = require('./hostTree') as typeof import('./hostTree');
    addToTree(root, o.extra);
  }
  return root;
}
