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
  ANY_PROGRAM, BRACKET_IP, COURIER_PROGRAM, CYRUS_PROGRAM, DOVECOT_LOGIN_PROCESS, DOVECOT_RIP_FIELD,
  DOVECOT_USER_FIELD, IP, PID, UW_PROGRAM,
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
    description: 'Dovecot proxy: "pop3-login: proxy(u): started proxying to host:port: …, rip=R, …"',
    needle: 'started proxying',
    regex: new RegExp(`${DOVECOT_LOGIN_PROCESS}proxy\\((?<user>[^)]{1,256})\\): started proxying to ${DOVECOT_RIP_FIELD}`),
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
    description: 'UW IMAP: "imapd[n]: Login user=u host=h [1.2.3.4]" (ipop3d for POP3)',
    needle: 'Login user=',
    regex: new RegExp(`${UW_PROGRAM}Login user=(?<user>\\S{1,256}) host=(?:[^\\s\\[]{1,255} )?${BRACKET_IP}`),
  },
  {
    name: 'uw-authenticated',
    service: 'uw-imap',
    description: 'UW IMAP with SASL: "imapd[n]: Authenticated user=u host=h [1.2.3.4]"',
    needle: 'Authenticated user=',
    regex: new RegExp(`${UW_PROGRAM}Authenticated user=(?<user>\\S{1,256}) host=(?:[^\\s\\[]{1,255} )?${BRACKET_IP}`),
  },
  {
    name: 'cyrus-login',
    service: 'cyrus',
    description: 'Cyrus: "cyrus/imap[n]: login: host [1.2.3.4] user mech User logged in"',
    needle: 'User logged in',
    regex: new RegExp(`${CYRUS_PROGRAM}login: (?:[^\\s\\[]{1,255} )?${BRACKET_IP} (?<user>\\S{1,256}) \\S{1,64} User logged in`),
  },
  {
    name: 'vpopmail-login',
    service: 'vpopmail',
    description: 'vpopmail: "vchkpw-pop3: (PLAIN) login success user@dom:1.2.3.4"',
    needle: 'login success',
    regex: new RegExp(`${ANY_PROGRAM}vchkpw-(?<proto>pop3|imap)${PID}: (?:\\([\\w-]{1,32}\\) )?login success (?<user>[^:\\s]{1,256}):${IP}$`),
  },
  {
    name: 'qpopper-login',
    service: 'qpopper',
    description: 'Qpopper: "popper[n]: (v4.0.5) POP login by user "u" at (h) 1.2.3.4"',
    needle: 'POP login by user',
    protocol: 'pop3',
    regex: new RegExp(`^q?popper${PID}: (?:\\([^)]{0,64}\\) )?POP login by user "(?<user>[^"]{1,256})" at \\([^)]{0,255}\\) ${IP}`),
  },
];
