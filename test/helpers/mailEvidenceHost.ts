/**
 * A small cPanel host with the mail evidence the reliance, autoresponder and backscatter reports
 * read: alias files, ~/.autorespond files in .json and legacy .conf form, a catch-all that bounces,
 * a forwarder to an outside domain, a mailbox that relies on POP-before-SMTP, and an exim log that
 * shows it all. Times are relative to `now`.
 */
import { loginLine, makeCpanelHost } from './cpanelHost';
import {
  arrival, autoresponderPipe, bounce, eximStamp, failure, identification, localDelivery, messageId, rejectedRelay, remoteDelivery,
} from './eximLines';

export interface EvidenceHost {
  root: string;
  /** the moment of the spam burst that made alice.example's autoresponder answer a forged sender */
  burst: Date;
}

export function makeEvidenceHost(now: Date, o: { withReplies?: boolean; eximExtra?: string[]; aliceSubject?: string } = {}): EvidenceHost {
  const withReplies = o.withReplies ?? true;
  const m = (min: number): Date => new Date(now.getTime() - min * 60_000);
  const s = (min: number, sec: number): Date => new Date(now.getTime() - min * 60_000 + sec * 1000);
  const nowSec = Math.floor(now.getTime() / 1000);
  const burst = m(120);

  const spam1 = messageId();
  const ham = messageId();
  const spam2 = messageId();
  const toNobody = messageId();
  const fwd = messageId();
  const relied = messageId();
  const identified = messageId();
  const exim: string[] = [
    // POP-before-SMTP: bob checks mail over POP3 from 203.0.113.10, then sends without a password.
    arrival(m(300), { id: relied, sender: 'bob@bob.example', ip: '203.0.113.10', helo: 'bobs-pc', to: ['client@elsewhere.example'], subject: 'Invoice' }),
    remoteDelivery(s(300, 2), relied, 'client@elsewhere.example'),
    // cPanel identified carol's message through the relay list.
    identification(m(250), { id: identified, ip: '198.51.100.7', cpuser: 'carol', sender: 'carol@carol.example' }),
    arrival(m(250), { id: identified, sender: 'carol@carol.example', ip: '198.51.100.7', to: ['dad@elsewhere.example'] }),
    // alice sends with SMTP AUTH: safe.
    arrival(m(200), { sender: 'alice@alice.example', ip: '192.0.2.50', auth: 'alice@alice.example', to: ['x@elsewhere.example'] }),
    arrival(m(190), { sender: 'alice@alice.example', ip: '192.0.2.50', auth: 'alice@alice.example', to: ['y@elsewhere.example'] }),
    // A relay attempt refused.
    rejectedRelay(m(180), '192.0.2.77', 'carol@carol.example', 'z@elsewhere.example'),
    // The burst: spam with a forged sender reaches info@alice.example's autoresponder (interval 0).
    arrival(burst, { id: spam1, sender: 'victim@innocent.example', ip: '192.0.2.66', helo: 'bad', subject: '***SPAM*** cheap pills', to: ['info@alice.example'] }),
    autoresponderPipe(s(120, 1), spam1, 'info@alice.example', '/home/alice'),
    ...(withReplies ? [arrival(s(120, 2), { sender: 'info@alice.example', localUser: 'alice', subject: 'Away until Monday', to: ['victim@innocent.example'] })] : []),
    arrival(s(119, 0), { id: ham, sender: 'customer@client.example', ip: '198.51.100.30', subject: 'Order question', to: ['info@alice.example'] }),
    autoresponderPipe(s(119, 1), ham, 'info@alice.example', '/home/alice', 'cagefs_virtual_address_pipe'),
    ...(withReplies ? [arrival(s(119, 3), { sender: 'info@alice.example', localUser: 'alice', subject: 'Away until Monday', to: ['customer@client.example'] })] : []),
    // Spam to a made-up address of alice.example: the default address fails it, Exim bounces it.
    arrival(s(118, 0), { id: toNobody, sender: 'other-victim@innocent.example', ip: '192.0.2.66', helo: 'bad', subject: 'hello', to: ['nosuch@alice.example'] }),
    failure(s(118, 1), toNobody, 'nosuch@alice.example'),
    bounce(s(118, 1), toNobody, 'other-victim@innocent.example'),
    // Spam to carol's autoresponder, long before the burst.
    arrival(m(600), { id: spam2, sender: 'someone@innocent.example', ip: '192.0.2.66', subject: '***SPAM*** win', to: ['help@carol.example'] }),
    autoresponderPipe(s(600, 1), spam2, 'help@carol.example', '/home2/carol'),
    // sales@bob.example forwards to an outside mailbox.
    arrival(m(100), { id: fwd, sender: 'lead@prospect.example', ip: '198.51.100.31', to: ['sales@bob.example'] }),
    remoteDelivery(s(100, 1), fwd, 'friend@mail.example', 'sales@bob.example'),
    localDelivery(s(100, 1), fwd, 'sales-archive@bob.example'),
    ...(o.eximExtra ?? []),
  ];
  const json = (v: unknown): string => JSON.stringify(v);
  const root = makeCpanelHost({
    generation: 'modern',
    popbeforesmtp: true,
    relayIps: ['203.0.113.10', '198.51.100.7'],
    maillog: [loginLine(m(305), 'bob@bob.example', '203.0.113.10', 'pop3'), loginLine(m(255), 'carol@carol.example', '198.51.100.7', 'pop3')],
    extra: {
      files: {
        '/var/log/exim_mainlog': exim.map((l) => `${l}\n`).join(''),
        '/var/cpanel/users/carol': 'USER=carol\nOWNER=resellerb\nHOMEDIR=/home2/carol\nDNS=carol.example\n',
        '/var/cpanel/users/alice': 'USER=alice\nOWNER=root\nDNS=alice.example\n',
        '/etc/valiases/alice.example': [
          'info@alice.example: "|/usr/local/cpanel/bin/autorespond info@alice.example /home/alice/.autorespond",info@alice.example',
          '*: :fail: No Such User Here',
          '',
        ].join('\n'),
        '/etc/valiases/bob.example': 'sales@bob.example: friend@mail.example,sales-archive@bob.example\n*: :blackhole:\n',
        '/etc/valiases/shop.bob.example': '*: bob\n',
        '/etc/valiases/carol.example': 'help@carol.example: "|/usr/local/cpanel/bin/autorespond help@carol.example /home2/carol/.autorespond"\n*: :blackhole:\n',
        '/home/alice/.autorespond/info@alice.example': `From: "Alice" <info@alice.example>\nSubject: ${o.aliceSubject ?? 'Away until Monday'}\nContent-Type: text/plain; charset="utf-8"\n\nI am away.\n`,
        '/home/alice/.autorespond/info@alice.example.json': json({ start: nowSec - 86400, stop: '', interval: 0 }),
        '/home2/carol/.autorespond/help@carol.example': 'From: help@carol.example\nSubject: We got your message\nContent-Type: text/plain; charset=us-ascii\n\nThanks.\n',
        '/home2/carol/.autorespond/help@carol.example.conf': 'interval=24\n',
        '/home/bob/.autorespond/old@bob.example': 'Subject: <script>alert(1)</script> old notice\n\nGone.\n',
        '/home/bob/.autorespond/old@bob.example.json': json({ start: nowSec - 90 * 86400, stop: nowSec - 30 * 86400, interval: 8 }),
        '/etc/shadow': 'root:$6$secret:19000:0:99999:7:::\nSubject: leaked\n',
      },
      links: { '/home/bob/.autorespond/evil@bob.example': '/etc/shadow' },
    },
  });
  return { root, burst };
}

export { eximStamp };
