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
  DOVECOT_PROXY_PREFIX_DEST, DOVECOT_PROXY_STARTED_TAIL, DOVECOT_RIP_FIELD, DOVECOT_USER_FIELD, IP, IP_END, PID,
  QPOPPER_PROGRAM, UW_PROGRAM, UW_USER_HOST,
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
    name: 'dovecot-proxy-started',
    service: 'dovecot',
    description: 'Dovecot 2.3.18 and later: "imap-login: proxy(u[,backend:port]): Started proxying to <backend> (0.012 secs): user=<u>, …, rip=R, …"',
    needle: 'Started proxying',
    // Same defence as dovecot-proxy: the user comes first, so the whole rest must be Dovecot's fields.
    regex: new RegExp(
      `${DOVECOT_LOGIN_PROCESS}proxy\\((?<user>[^\\s()<>,]{1,256})${DOVECOT_PROXY_PREFIX_DEST}\\): Started proxying to ` +
        `${DOVECOT_PROXY_STARTED_TAIL}: ${DOVECOT_RIP_FIELD}${DOVECOT_PROXY_FIELDS}`,
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
    name: 'cyrus-login-bare',
    service: 'cyrus',
    description: 'Cyrus 2.1/2.2 plaintext LOGIN and USER/PASS: "imap[n]: login: host [1.2.3.4] user plaintext[+TLS]" with nothing after it',
    // Cyrus's cmd_login() (imapd) and cmd_pass() (pop3d) logged "login: %s %s plaintext%s %s" with an
    // empty reply; every other success of those releases ends in "User logged in". The needle is the
    // mechanism word: "login: " itself is in every Dovecot login-process line, and so are all of its
    // three-byte pieces, which would make the byte search stop at most lines of a Dovecot log.
    needle: 'plaintext',
    // "anonymous" is Cyrus's anonymous login, whose second word is the client's own text.
    regex: new RegExp(`${CYRUS_PROGRAM}login: ${CYRUS_HOST} (?!anonymous )(?<user>\\S{1,256}) plaintext(?:\\+TLS)?\\s{0,4}$`),
  },
  {
    name: 'cyrus-login-logfmt',
    service: 'cyrus',
    description: 'Cyrus with logfmt logging: "imap[n]: event=login.good sessionid=… r.clienthost=[1.2.3.4] u.username=u login.mech=PLAIN login.tls=1" (a client host with a name is quoted)',
    // Cyrus's imap/loginlog.c and lib/logfmt.c: the fields in this order, a value in double quotes
    // when it holds a space or anything outside graphic ASCII; a quoted user name is not taken.
    needle: 'event=login.good',
    regex: new RegExp(
      `${CYRUS_PROGRAM}event=login\\.good(?: sessionid=[^\\s"]{1,200})?(?: r\\.tid=[^\\s"]{1,200})? ` +
        `r\\.clienthost="?${CYRUS_HOST}"? u\\.username=(?<user>[^\\s"\\\\=]{1,256})(?: |$)`,
    ),
  },
  {
    name: 'vpopmail-login',
    service: 'vpopmail',
    description: 'vpopmail: "vchkpw-pop3: (PLAIN) login success user@dom:1.2.3.4" (vchkpw-pop3s, -imap, -imaps likewise; not -smtp, -smtps, -submission)',
    needle: 'login success',
    // vchkpw names itself by the local port (vpopmail's vchkpw.c): 110 pop3, 143 imap, 993 imaps, 995
    // pop3s; 25 smtp, 465 smtps, 587 submission are SMTP AUTH. Any other port gives "vchkpw-<port>",
    // which may be SMTP AUTH as well, and "vchkpw-webmail" does not say POP3 or IMAP: neither is taken.
    regex: new RegExp(`${ANY_PROGRAM}vchkpw-(?<proto>pop3s?|imaps?)${PID}: (?:\\([\\w-]{1,32}\\) )?login success (?<user>[^:\\s]{1,256}):${IP}\\s*$`),
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
