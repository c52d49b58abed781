/**
 * Failed POP3/IMAP logins, as data (cpanel-facts §4, "look-alikes that are not successful logins").
 * A failed login explains nothing, since anyone can fail a login from anywhere, but failures from an IP
 * against this server's mailboxes are the clearest sign of password guessing, and a failure naming a
 * mailbox ties the IP to that mailbox's account. Each entry is proven by real sample lines in
 * test/unit/failedLoginPatterns.test.ts; that test fails when an entry has no sample.
 *
 * - `needle`, `regex`, `user`, `ip`, `proto`/`prog` groups work as in loginPatterns.ts; `user` is
 *   optional here (Courier logs some failures without one).
 * - Counted where the login process reports the failure to the client, once per connection:
 *   Dovecot's `(auth failed, N attempts …)` counts N. Dovecot's auth process writes its own line for
 *   the same attempt (`auth-worker(…): pam(u,ip): pam_authenticate() failed`, `sql(u,ip,…): Password
 *   mismatch`) only with auth_verbose; counting it too would count each attempt twice.
 * - The event must come right after the program, before any field a client chooses (the user name).
 */
import { ANY_PROGRAM, BRACKET_IP, COURIER_PROGRAM, CYRUS_HOST, CYRUS_PROGRAM, DOVECOT_LOGIN_PROCESS, DOVECOT_RIP_FIELD, DOVECOT_USER_FIELD, IP, PID, UW_PROGRAM } from './fragments';
import { MailProtocol, MailService } from './loginPatterns';

/** UW's failure fields: `user=u auth=a host=h [1.2.3.4]` (`auth=` names the authenticating user, often the same). */
const UW_FAILED_USER_HOST = String.raw`user=(?<user>\S{1,256}) (?:auth=\S{0,256} )?host=(?:[^\s\[]{1,255} )?${BRACKET_IP}`;

/**
 * No `user=<…>` field on the rest of the line. An optional group around DOVECOT_USER_FIELD would not
 * do: a quantified group that matches the empty string is skipped, so its capture would never be set.
 */
const NO_DOVECOT_USER = String.raw`(?![\s\S]*?\buser=<)`;

export interface FailedLoginPattern {
  name: string;
  service: MailService;
  description: string;
  needle: string;
  regex: RegExp;
  protocol?: MailProtocol;
}

export const FAILED_LOGIN_PATTERNS: readonly FailedLoginPattern[] = [
  {
    name: 'dovecot-auth-failed',
    service: 'dovecot',
    description: 'Dovecot: "pop3-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<u>, …, rip=R", also "Aborted login (auth failed…", "Login aborted: … (auth failed, …", "Disconnected: Inactivity (auth failed…"',
    needle: '(auth failed, ',
    // The reason Dovecot writes before "(auth failed" is words and colons only; the user field comes after.
    regex: new RegExp(`${DOVECOT_LOGIN_PROCESS}[A-Za-z][A-Za-z :]{0,120}\\(auth failed, (?<attempts>\\d{1,9}) attempts?(?:${DOVECOT_USER_FIELD}|${NO_DOVECOT_USER})${DOVECOT_RIP_FIELD}`),
  },
  {
    name: 'courier-login-failed',
    service: 'courier',
    description: 'Courier: "imapd: LOGIN FAILED, user=u, ip=[::ffff:1.2.3.4]" (the user is missing in some releases)',
    needle: 'LOGIN FAILED, ',
    regex: new RegExp(`${COURIER_PROGRAM}LOGIN FAILED, (?:user=(?<user>[^,\\s]{1,256}), )?ip=${BRACKET_IP}`),
  },
  {
    name: 'uw-login-failed',
    service: 'uw-imap',
    description: 'UW IMAP: "imapd[n]: Login failed user=u auth=a host=h [1.2.3.4]"',
    needle: 'Login failed user=',
    regex: new RegExp(`${UW_PROGRAM}Login failed ${UW_FAILED_USER_HOST}`),
  },
  {
    name: 'uw-excessive-failures',
    service: 'uw-imap',
    description: 'UW IMAP: "imapd[n]: Login excessive login failures user=u auth=a host=h [1.2.3.4]" (the connection is dropped)',
    needle: 'Login excessive login failures',
    regex: new RegExp(`${UW_PROGRAM}Login excessive login failures ${UW_FAILED_USER_HOST}`),
  },
  {
    name: 'cyrus-badlogin',
    service: 'cyrus',
    description: 'Cyrus: "cyrus/pop3[n]: badlogin: host [1.2.3.4] mech user SASL(-13): authentication failure: …"',
    needle: 'badlogin: ',
    regex: new RegExp(`${CYRUS_PROGRAM}badlogin: ${CYRUS_HOST} \\S{1,64} (?<user>\\S{1,256}) SASL\\(`),
  },
  {
    name: 'vpopmail-password-fail',
    service: 'vpopmail',
    description: 'vpopmail: "vchkpw-pop3: password fail (pass: \'…\') user@dom:1.2.3.4", "vchkpw-imap: vpopmail user not found user@dom:1.2.3.4" (also -pop3s, -imaps)',
    needle: 'vchkpw-',
    // The attempted password is in the line: only the user and the address are taken from it.
    regex: new RegExp(`${ANY_PROGRAM}vchkpw-(?<proto>pop3s?|imaps?)${PID}: (?:password fail(?: \\([^\\n]{0,300}\\))?|vpopmail user not found) (?<user>[^:\\s]{1,256}):${IP}\\s*$`),
  },
];
