/**
 * exim_mainlog lines in the format a cPanel server writes (cpanel-facts §5), for component tests.
 */
let seq = 0;

/** `2026-08-11 01:35:09` in the server's local time, as Exim writes it. */
export function eximStamp(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** A fresh message id in Exim 4.97's format (6-11-4). */
export function messageId(): string {
  seq++;
  return `1wt${String(seq).padStart(3, '0').slice(-3)}-0000000GRS${String.fromCharCode(65 + (seq % 26))}-2tQh`;
}

export interface ArrivalSpec {
  id?: string;
  sender: string;
  ip?: string;
  helo?: string;
  protocol?: string;
  auth?: string;
  localUser?: string;
  subject?: string;
  to: string[];
}

export function arrival(at: Date, a: ArrivalSpec): string {
  const id = a.id ?? messageId();
  const host = a.ip ? ` H=(${a.helo ?? 'client'}) [${a.ip}]:${50000 + (seq % 1000)} ` : ` U=${a.localUser ?? 'mailnull'} `;
  const proto = `P=${a.protocol ?? (a.ip ? (a.auth ? 'esmtpsa' : 'esmtp') : 'local')}`;
  const auth = a.auth ? ` A=dovecot_login:${a.auth}` : '';
  const subject = a.subject === undefined ? '' : ` T="${a.subject.replace(/"/g, '\\"')}"`;
  return `${eximStamp(at)} ${id} <= ${a.sender}${host.trimEnd()} ${proto}${auth} S=1834${subject} for ${a.to.join(' ')}`;
}

export function identification(at: Date, o: { ip: string; cpuser: string; sender: string; method?: string; id?: string }): string {
  return `${eximStamp(at)} ${o.id ? `${o.id} ` : ''}SMTP connection identification H=(client) A=${o.ip} P=51234 U=${o.cpuser} ID=1001 S=${o.sender} B=${o.method ?? 'get_recent_authed_mail_ips_entry'}`;
}

export function autoresponderPipe(at: Date, id: string, address: string, home: string, transport = 'virtual_address_pipe'): string {
  return `${eximStamp(at)} ${id} => |/usr/local/cpanel/bin/autorespond ${address} ${home}/.autorespond (${address}) <${address}> R=virtual_aliases_nostar T=${transport}`;
}

export function localDelivery(at: Date, id: string, address: string): string {
  return `${eximStamp(at)} ${id} => ${address} R=virtual_user T=virtual_userdelivery`;
}

export function remoteDelivery(at: Date, id: string, address: string, original?: string): string {
  return `${eximStamp(at)} ${id} => ${address}${original ? ` <${original}>` : ''} R=dkim_lookuphost T=dkim_remote_smtp H=mx.example.net [192.0.2.25] X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes C="250 2.0.0 OK"`;
}

export function bounce(at: Date, of: string, to: string, id = messageId()): string {
  return `${eximStamp(at)} ${id} <= <> R=${of} U=mailnull P=local S=3456 T="Mail delivery failed: returning message to sender" for ${to}`;
}

export function failure(at: Date, id: string, address: string): string {
  return `${eximStamp(at)} ${id} ** ${address} R=virtual_user: No Such User Here`;
}

export function rejectedRelay(at: Date, ip: string, from: string, to: string): string {
  return `${eximStamp(at)} H=(client) [${ip}]:50123 F=<${from}> rejected RCPT <${to}>: Rejected relay attempt: '${ip}' From: '${from}' To: '${to}'`;
}

export function completed(at: Date, id: string): string {
  return `${eximStamp(at)} ${id} Completed`;
}
