/**
 * Shared pieces of the log patterns. Each is a regular-expression *source* string, combined by the
 * pattern tables. Keeping them here means a fix to, say, the IP fragment reaches every pattern.
 *
 * All fragments are linear: no nested quantifiers, and every repetition is bounded by a character
 * class that excludes its own terminator, so a 100 KiB hostile line cannot make them backtrack.
 */

/** Optional syslog program pid: `dovecot[5678]`. */
export const PID = String.raw`(?:\[\d{1,10}\])?`;

/** An IP as logged: IPv4, IPv6, IPv4-mapped IPv6. Validated afterwards by canonicalIp(). */
export const IP = String.raw`(?<ip>[0-9A-Fa-f:.]{2,45})`;

/** An IP inside square brackets, as Courier, UW and Cyrus write it: `[::ffff:1.2.3.4]`. */
export const BRACKET_IP = String.raw`\[${IP}\]`;

/**
 * Dovecot's program part at the start of a body: `dovecot[123]: imap-login: ` in syslog,
 * `imap-login: Info: ` in Dovecot's own log file, `Info: imap-login: ` in the old own-file format.
 * Captures the protocol.
 */
export const DOVECOT_LOGIN_PROCESS = String.raw`^(?:dovecot${PID}: )?(?:Info: )?(?<proto>imap|pop3)-login${PID}: (?:Info: )?`;

/**
 * Dovecot's `user=<name>` field anywhere after the event (fields may come in any order). `[^>]*`
 * stops at the first `>`, so the first user field is taken.
 */
export const DOVECOT_USER_FIELD = String.raw`(?=.*?\buser=<(?<user>[^>]{1,256})>)`;

/**
 * Dovecot's `rip=` field. The greedy `.*` takes the *last* rip field, which Dovecot writes after the
 * user name: a user name crafted to contain ", rip=6.6.6.6" cannot move the address.
 */
export const DOVECOT_RIP_FIELD = String.raw`(?=(?:.*, )?rip=${IP}(?:,|$))`;

/** Courier's login programs; POP3 when the name says pop. */
export const COURIER_PROGRAM = String.raw`^(?<prog>courierpop3login|pop3d-ssl|pop3d|imapd-ssl|imapd|imaplogin|courier-imapd|courier-pop3d)${PID}: `;

/** UW IMAP's programs (ipop3d for POP3). */
export const UW_PROGRAM = String.raw`^(?<prog>imapd|ipop3d|ipop2d)${PID}: `;

/** Cyrus services: `cyrus/imap`, `cyrus/imaps`, `cyrus/pop3`, `cyrus/pop3s` (or bare names). */
export const CYRUS_PROGRAM = String.raw`^(?<prog>(?:cyrus/)?(?:imaps?|pop3s?)|cyrus-imapd)${PID}: `;

/** A syslog program name, any (used where the login message carries its own service tag). */
export const ANY_PROGRAM = String.raw`^(?:[\w./-]{1,64}${PID}: )?`;

/**
 * An Exim message id: `1hfiw4-0004PJ-6h` (6-6-2, Exim before 4.97) or `1wtYaK-0000000GRSy-2tQh`
 * (6-11-4, Exim 4.97 and later). Base-62 characters only.
 */
export const EXIM_MESSAGE_ID = String.raw`[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}`;
