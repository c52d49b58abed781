/**
 * Grows a generated demo host to a given number of accounts and relay IPs, for the serving
 * benchmark (2,000 relay hosts, 10,000 accounts): extra accounts with a domain and a mailbox each,
 * extra relay IPs from the benchmarking range 198.18.0.0/15 (RFC 2544) and a few IPv6 ones from
 * 2001:db8::/32, and for most of them a fresh successful login appended to the live mail log, so
 * that they are explained as on a busy real server (the rest stay unexplained, some named only by
 * cPanel's IP→user map).
 */
import fs from 'node:fs';
import { expandedIpv6 } from '../parsers/ip';
import { DemoTree } from './demoTree';
import { Random } from './random';
import { syslogStamp } from './logs/syslogStamp';

export interface ScaleOptions {
  /** total accounts wanted (existing ones count) */
  accounts: number;
  /** total relay-list IPs wanted (existing ones count) */
  relayHosts: number;
  now?: Date;
  seed?: number;
}

export interface ScaleSummary {
  accounts: number;
  relayHosts: number;
  explained: number;
  unexplained: number;
  loginLines: number;
}

function countLines(text: string): number {
  return text.split('\n').filter((l) => l.trim() !== '').length;
}

function benchIp(i: number): string {
  if (i % 20 === 19) return `2001:db8:be:${(i >> 8).toString(16)}::${(i & 0xff).toString(16) || '0'}`;
  const n = i + 1;
  return `198.${18 + (n >> 16)}.${(n >> 8) & 0xff}.${n & 0xff}`;
}

export async function scaleHost(root: string, opts: ScaleOptions): Promise<ScaleSummary> {
  const tree = new DemoTree(root);
  const rng = new Random(opts.seed ?? 2544);
  const nowMs = (opts.now ?? new Date()).getTime();
  const read = (p: string): string => (fs.existsSync(tree.real(p)) ? fs.readFileSync(tree.real(p), 'utf8') : '');
  const append = (p: string, rows: string[]): void => {
    if (rows.length === 0) return;
    const cur = read(p);
    fs.appendFileSync(tree.real(p), `${cur === '' || cur.endsWith('\n') ? '' : '\n'}${rows.join('\n')}\n`);
  };

  // accounts: owned by root or by one of the host's resellers
  const resellers = read('/var/cpanel/resellers').split('\n').map((l) => l.split(':')[0]).filter(Boolean);
  const existing = countLines(read('/etc/trueuserowners'));
  const owners: string[] = [];
  const domains: string[] = [];
  const mailboxes: string[] = [];
  for (let i = existing; i < opts.accounts; i++) {
    const user = `bench${i}`;
    const domain = `bench${i}.example`;
    owners.push(`${user}: ${rng.chance(0.8) || resellers.length === 0 ? 'root' : rng.pick(resellers)}`);
    domains.push(`${domain}: ${user}`);
    mailboxes.push(rng.chance(0.3) ? user : `${rng.pick(['info', 'office', 'sales', 'anna', 'tom'])}@${domain}`);
  }
  append('/etc/trueuserowners', owners);
  append('/etc/trueuserdomains', domains);
  append('/etc/userdomains', domains);

  // relay IPs, in the file the host's generation uses
  const modern = fs.existsSync(tree.real('/etc/recent_authed_mail_ips'));
  const listPath = modern ? '/etc/recent_authed_mail_ips' : '/etc/relayhosts';
  const usersPath = modern ? '/etc/recent_authed_mail_ips_users' : '/etc/relayhostsusers';
  const listMtime = fs.statSync(tree.real(listPath)).mtime;
  const have = countLines(read(listPath));
  const pool = mailboxes.length > 0 ? mailboxes : ['info@bench.example'];
  const list: string[] = [];
  const userMap: string[] = [];
  const logins: string[] = [];
  let explained = 0;
  let unexplained = 0;
  let t = nowMs - 25 * 60_000;
  for (let i = 0; have + i < opts.relayHosts; i++) {
    const ip = benchIp(i);
    const written = ip.includes(':') ? `"${expandedIpv6(ip)}"` : ip;
    list.push(written);
    const user = rng.pick(pool);
    const r = rng.next();
    if (r < 0.85) {
      explained++;
      t += rng.int(50, 600);
      const session = rng.int(0, 2 ** 30).toString(36);
      logins.push(`${syslogStamp(t)} server1 dovecot[2665]: ${rng.chance(0.7) ? 'imap' : 'pop3'}-login: Login: user=<${user}>, method=PLAIN, rip=${ip}, lip=192.0.2.1, mpid=${rng.int(1000, 99999)}, TLS, session=<${session}>`);
      userMap.push(modern ? `${written}: ${user}` : `${written} ${user}`);
    } else {
      unexplained++;
      if (r < 0.9) userMap.push(modern ? `${written}: ${user}` : `${written} ${user}`);
    }
  }
  append(listPath, list);
  append(usersPath, userMap);
  fs.utimesSync(tree.real(listPath), listMtime, new Date(nowMs - 30_000));
  const maillog = tree.real('/var/log/maillog');
  const logMtime = fs.statSync(maillog).mtime;
  append('/var/log/maillog', logins);
  fs.utimesSync(maillog, logMtime, new Date(Math.max(nowMs, logMtime.getTime())));
  return { accounts: Math.max(existing, opts.accounts), relayHosts: have + list.length, explained, unexplained, loginLines: logins.length };
}
