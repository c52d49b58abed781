/**
 * Host trees for the monitoring tests: a small cPanel host with the stand-ins (tailwatchd, whmapi1,
 * sendmail), cPanel's contact address, and optionally a last blacklist result in the state dir.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loginLine, makeCpanelHost, SmallHostOptions } from './cpanelHost';
import { addToTree } from './hostTree';
import { installStandins, STANDINS_STATE } from './standins';

export const CONTACT = 'admin@hosting.example';

export interface Listing {
  ip: string;
  zone: string;
  name: string;
  provider: boolean;
}

export function writeBlacklistResult(root: string, listings: Listing[], checkedAt = new Date()): void {
  const ips = [...new Set(['192.0.2.1', ...listings.map((l) => l.ip)])];
  const report = {
    checkedAt: checkedAt.toISOString(),
    scope: 'server',
    verdict: listings.length ? 'listed' : 'clean',
    counts: { ips: ips.length, checkedIps: ips.length, skippedIps: 0, listings: listings.length, listedIps: 0, unknown: 0, clean: 1 },
    ips: ips.map((ip) => ({
      ip,
      sources: ['/var/cpanel/mainip'],
      domains: [],
      skipped: null,
      notQueried: [],
      results: [
        { zone: 'zen.spamhaus.org', name: 'Spamhaus ZEN', status: 'clean', providerNetwork: false, meaning: 'not listed', txtTime: null, txtTimeLabel: null },
        ...listings.filter((l) => l.ip === ip).map((l) => ({ zone: l.zone, name: l.name, status: 'listed', providerNetwork: l.provider, meaning: `listed by ${l.name}`, txtTime: null, txtTimeLabel: null })),
      ],
    })),
  };
  const file = path.join(root, 'var/lib/relaywatch/blacklist.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(report));
}

export function makeWatchHost(o: Partial<SmallHostOptions> & { contact?: string | null; listings?: Listing[] | null } = {}): string {
  const root = makeCpanelHost({ generation: 'modern', ...o });
  installStandins(root, 'modern');
  const standinSendmail = path.resolve(__dirname, '../fixtures/standins/usr/sbin/sendmail');
  fs.mkdirSync(path.join(root, 'usr/sbin'), { recursive: true });
  fs.copyFileSync(standinSendmail, path.join(root, 'usr/sbin/sendmail'));
  fs.chmodSync(path.join(root, 'usr/sbin/sendmail'), 0o755);
  const contact = o.contact === undefined ? CONTACT : o.contact;
  addToTree(root, { files: { '/etc/wwwacct.conf': `ADDR 192.0.2.1\nHOST server1.hosting.example\n${contact === null ? '' : `CONTACTEMAIL ${contact}\n`}NS ns1.hosting.example\n` } });
  if (o.listings !== null) writeBlacklistResult(root, o.listings ?? []);
  return root;
}

/** The messages the sendmail stand-in received, in order. */
export function sentMail(root: string): string[] {
  const dir = path.join(root, STANDINS_STATE, 'mail');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).sort().map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
}

export function setSendmailMode(root: string, mode: 'normal' | 'fail' | 'hang'): void {
  fs.mkdirSync(path.join(root, STANDINS_STATE), { recursive: true });
  fs.writeFileSync(path.join(root, STANDINS_STATE, 'sendmail.mode'), `${mode}\n`);
}

export function auditLines(root: string): any[] {
  const file = path.join(root, 'var/log/relaywatch/audit.log');
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

export { loginLine };
