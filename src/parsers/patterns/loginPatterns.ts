/**
 * The successful POP3/IMAP login patterns, as data (cpanel-facts §4). Each entry is proven by real
 * sample lines in test/unit/loginPatterns.test.ts; that test fails when an entry has no sample.
 *
 * - `needle` is a literal that every matching line contains: the scanner finds candidate lines with a
 *   byte search for the needles and runs the regular expressions only on those.
 * - `regex` runs on the line body (program onward, see syslogLine.ts) and must capture `user` and
 *   `ip`; the protocol comes from a `proto` group, a `prog` group (pop in the name = POP3), or `protocol`.
 * - Failures and look-alikes ("Login aborted", "LOGIN FAILED", "Login failed user=") must not match:
 *   each pattern requires the exact success wording right after the program.
 */
import {
  ANY_PROGRAM, BRACKET_IP, COURIER_PROGRAM, CYRUS_HOST, CYRUS_PROGRAM, DOVECOT_LOGIN_PROCESS, DOVECOT_PROXY_FIELDS,
  DOVECOT_RIP_FIELD, DOVECOT_USER_FIELD, IP, IP_END, PID, QPOPPER_PROGRAM, UW_PROGRAM, UW_USER_HOST,
} from './fragments';

export type MailService = 'dovecot' | 'courier' | 'uw-imap' | 'cyrus' | 'vpopmail' | 'qpopper';
export type MailProtocol = 'imap' | 'pop3';

export interface LoginPattern {
  name: string;
  service: MailService;
  description: string;
  needle: string;
  regex: RegExp;
  /** fixed protocol when the line does not say it */
  protocol?: MailProtocol;
}

export const LOGIN_PATTERNS: readonly LoginPattern[] = [
  {
    name: 'dovecot-login',
    service: 'dovecot',
    description: 'Dovecot 2.3 (cPanel today): "imap-login: Login: user=<u>, method=…, rip=R, …", fields in any order',
    needle: 'Login: ',
    regex: new RegExp(`${DOVECOT_LOGIN_PROCESS}Login: ${DOVECOT_USER_FIELD}${DOVECOT_RIP_FIELD}`),
  },
  {
    name: 'dovecot-logged-in',
    service: 'dovecot',
    description: 'Dovecot 2.4: the same line with "Logged in:"',
    needle: 'Logged in: ',
    regex: new RegExp(`${DOVECOT_LOGIN_PROCESS}Logged in: ${DOVECOT_USER_FIELD}${DOVECOT_RIP_FIELD}`),
  },
  {
    name: 'dovecot-proxy',
    service: 'dovecot',
    description: 'Dovecot proxy: "pop3-login: proxy(u): started proxying to host:port[/destuser][ (master m)]: user=<u>, …, rip=R, …"',
    needle: 'started proxying',
    // The user comes before the event here, so the rest of the line must be Dovecot's field list (see
    // DOVECOT_PROXY_FIELDS); the host part is "host:port", IPv6 hosts unbracketed, plus "/destuser".
    regex: new RegExp(
      `${DOVECOT_LOGIN_PROCESS}proxy\\((?<user>[^\\s()<>,]{1,256})\\): started proxying to [^\\s()<>]{1,300}` +
        `(?: \\(master [^\\s()<>]{1,256}\\))?: ${DOVECOT_RIP_FIELD}${DOVECOT_PROXY_FIELDS}`,
    ),
  },
  {
    name: 'courier-login',
    service: 'courier',
    description: 'Courier: "pop3d: LOGIN, user=u, ip=[::ffff:1.2.3.4], port=[n]" (also courierpop3login, imaplogin, -ssl)',
    needle: 'LOGIN, ',
    regex: new RegExp(`${COURIER_PROGRAM}LOGIN, user=(?<user>[^,\\s]{1,256}), ip=${BRACKET_IP}`),
  },
  {
    name: 'uw-login',
    service: 'uw-imap',
    description: 'UW IMAP: "imapd[n]: Login user=u host=h [1.2.3.4]" (ipop3d for POP3, followed by nmsgs=…)',
    needle: 'Login user=',
    regex: new RegExp(`${UW_PROGRAM}Login ${UW_USER_HOST}`),
  },
  {
    name: 'uw-authenticated',
    service: 'uw-imap',
    description: 'UW IMAP with SASL: "imapd[n]: Authenticated user=u host=h [1.2.3.4]" (optionally "mech=…")',
    needle: 'Authenticated user=',
    regex: new RegExp(`${UW_PROGRAM}Authenticated ${UW_USER_HOST}`),
  },
  {
    name: 'uw-pop-auth',
    service: 'uw-imap',
    description: 'UW ipop3d with SASL: "ipop3d[n]: Auth user=u host=h [1.2.3.4] nmsgs=…" (wording from UW\'s source)',
    needle: 'Auth user=',
    regex: new RegExp(`${UW_PROGRAM}Auth ${UW_USER_HOST}`),
  },
  {
    name: 'uw-apop',
    service: 'uw-imap',
    description: 'UW ipop3d with APOP: "ipop3d[n]: APOP user=u host=h [1.2.3.4] nmsgs=…" (wording from UW\'s source)',
    needle: 'APOP user=',
    regex: new RegExp(`${UW_PROGRAM}APOP ${UW_USER_HOST}`),
  },
  {
    name: 'cyrus-login',
    service: 'cyrus',
    description: 'Cyrus: "cyrus/imap[n]: login: host [1.2.3.4] user mech User logged in [SESSIONID=<…>]"',
    needle: 'User logged in',
    regex: new RegExp(`${CYRUS_PROGRAM}login: ${CYRUS_HOST} (?<user>\\S{1,256}) \\S{1,64} User logged in`),
  },
  {
    name: 'vpopmail-login',
    service: 'vpopmail',
    description: 'vpopmail: "vchkpw-pop3: (PLAIN) login success user@dom:1.2.3.4" (vchkpw-imap likewise; not -smtp)',
    needle: 'login success',
    regex: new RegExp(`${ANY_PROGRAM}vchkpw-(?<proto>pop3|imap)${PID}: (?:\\([\\w-]{1,32}\\) )?login success (?<user>[^:\\s]{1,256}):${IP}\\s*$`),
  },
  {
    name: 'qpopper-login',
    service: 'qpopper',
    description: 'Qpopper: "in.qpopper[n]: (v4.0.9) POP login by user "u" at (h) 1.2.3.4 [pop_log.c:244]"',
    needle: 'POP login by user',
    protocol: 'pop3',
    regex: new RegExp(`${QPOPPER_PROGRAM}(?:\\([^)]{0,64}\\) )?POP login by user "(?<user>[^"]{1,256})" at \\([^)]{0,255}\\) ${IP}${IP_END}`),
  },
];
