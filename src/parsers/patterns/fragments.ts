/**
 * Shared pieces of the log patterns. Each is a regular-expression *source* string, combined by the
 * pattern tables. Keeping them here means a fix to, say, the IP fragment reaches every pattern.
 *
 * All fragments are linear: no nested quantifiers, and every repetition is bounded by a character
 * class that excludes its own terminator, so a 100 KiB hostile line cannot make them backtrack.
 * test/unit/loginPatterns.test.ts times every pattern on such lines.
 *
 * Everything a client chooses (its user name, its reverse-DNS name) is attacker-controlled text. A
 * pattern must therefore decide "success" from text the server wrote *before* any such field (the
 * event word right after the program name), or, where the server writes the user first (Dovecot's
 * proxy line), from the whole rest of the line (see DOVECOT_PROXY_FIELDS).
 */

/**
 * Any character of a line. Not `.`, which stops at CR, U+2028 and U+2029: a user name holding one
 * would hide the fields after it (a CR in front of the real rip= would let a crafted one win).
 */
const ANY_CHAR = String.raw`[\s\S]`;

/** Optional syslog program pid: `dovecot[5678]`. */
export const PID = String.raw`(?:\[\d{1,10}\])?`;

/** An IP as logged: IPv4, IPv6, IPv4-mapped IPv6. Validated afterwards by canonicalIp(). */
export const IP = String.raw`(?<ip>[0-9A-Fa-f:.]{2,45})`;

/**
 * Where an unbracketed address must end: at white space or the end of the line. Without it
 * `1.2.3.4x` would yield 1.2.3.4 (the IP class stops at the x and the rest is ignored).
 */
export const IP_END = String.raw`(?=\s|$)`;

/** An IP inside square brackets, as Courier, UW and Cyrus write it: `[::ffff:1.2.3.4]`. */
export const BRACKET_IP = String.raw`\[${IP}\]`;

/**
 * Dovecot's program part at the start of a body: `dovecot[123]: imap-login: ` in syslog,
 * `imap-login: Info: ` in Dovecot's own log file, `Info: imap-login: ` in the old own-file format.
 * The program tag may come twice (`dovecot[442]: dovecot: ...`, seen in fail2ban's Dovecot test log
 * when Dovecot's own "dovecot: " log prefix is kept under syslog). Captures the protocol; only
 * imap-login and pop3-login count (submission-login and managesieve-login are not POP3/IMAP).
 * `journalctl -o with-unit` names the unit instead of the program (`dovecot.service[123]: `).
 */
export const DOVECOT_LOGIN_PROCESS = String.raw`^(?:dovecot(?:\.service)?${PID}: ){0,2}(?:Info: )?(?<proto>imap|pop3)-login${PID}: (?:Info: )?`;

/**
 * Dovecot's `user=<name>` field anywhere after the event (fields may come in any order); the first
 * one is taken, which Dovecot writes before any field a client controls. The name may contain
 * neither `<` nor `>`: that keeps each attempt short on a line of repeated `user=<` (with `[^>]` a
 * hostile line costs 256 steps per occurrence, about 35 ms per 100 KiB), and Dovecot's default
 * auth_username_chars allow neither anyway.
 */
export const DOVECOT_USER_FIELD = String.raw`(?=${ANY_CHAR}*?\buser=<(?<user>[^<>]{1,256})>)`;

/**
 * Dovecot's `rip=` field: the *last* one, which Dovecot writes after the user name, so a user name
 * crafted to contain ", rip=6.6.6.6" cannot move the address. The value runs to the next comma
 * whatever it holds, so that the last field always wins: were it malformed, the pattern must not fall
 * back to an earlier, crafted one (canonicalIp() then refuses it).
 */
export const DOVECOT_RIP_FIELD = String.raw`(?=(?:${ANY_CHAR}*, )?rip=(?<ip>[^,]*))`;

/**
 * One field of Dovecot's login_log_format_elements as Dovecot writes it: `name=value`,
 * `name=<value>`, or bare words (`TLS`, `secured`, `TLS handshaking`,
 * `TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)`). No `(`, `)` or `:` outside `<...>`:
 * Dovecot's failure wording (`): Login failed to ...`) cannot pass for a field.
 */
const DOVECOT_FIELD = String.raw`(?:[a-z][a-z_]{0,31}=(?:<[^<>]{0,256}>|[^\s,<>()]{0,256})|[A-Za-z][\w.-]{0,63}(?: [\w./-]{1,64}){0,8}(?: \(\d{1,5}/\d{1,5} bits\))?)`;

/**
 * The whole rest of a Dovecot proxy line after "started proxying to host:port: ": a strict field list
 * to the end of the line, with exactly the user named in `proxy(...)`. The user name comes *before*
 * the event there, so a client can choose a name that contains a complete success line
 * (`a): started proxying to h:1: user=<a>, rip=6.6.6.6`); Dovecot's own text that follows the name
 * in a failure (`): Login failed to ...`) is what this refuses. Needs a `user` group defined before.
 */
export const DOVECOT_PROXY_FIELDS = String.raw`(?:${DOVECOT_FIELD}, ){0,16}user=<\k<user>>(?:, ${DOVECOT_FIELD}){0,32}\s*$`;

/**
 * What Dovecot 2.3.18 and later write between "proxy(user" and "): Started proxying": nothing, or the
 * backend's address as ",ip:port" (IPv6 bracketed or not). Server text, never the client's.
 */
export const DOVECOT_PROXY_PREFIX_DEST = String.raw`(?:,[0-9A-Fa-f:.\[\]]{2,64})?`;

/**
 * The rest of Dovecot's (2.3.18+) "Started proxying to <10.0.0.2>" up to the ": " before the fields,
 * from client_proxy_finish_destroy_client() in Dovecot's login-common: the backend in angle brackets
 * (accepted bare too), then, each optional and in this order, " (<hostname>)" when the host was named
 * by name, " from <source address>", " as user <destuser>", " (master <user>)", and the time it took,
 * " (0.012 secs)" or " (3 secs, 1 reconnects)". None of these is chosen by the client.
 */
export const DOVECOT_PROXY_STARTED_TAIL = String.raw`(?:<[^\s<>()]{1,300}>|[^\s<>()]{1,300})(?: \(<[^\s<>()]{1,300}>\))?(?: from [^\s<>()]{1,300})?(?: as user [^\s<>()]{1,256})?(?: \(master [^\s<>()]{1,256}\))?(?: \(\d{1,9}(?:\.\d{1,9})? secs(?:, \d{1,9} reconnects)?\))?`;

/** Courier's login programs; POP3 when the name says pop. */
export const COURIER_PROGRAM = String.raw`^(?<prog>courierpop3login|pop3d-ssl|pop3d|imapd-ssl|imapd|imaplogin|courier-imapd|courier-pop3d)${PID}: `;

/**
 * UW IMAP's programs: imapd, ipop3d, ipop2d, and the names `imapsd`/`ipop3sd` that
 * pop-before-smtp's sample configuration also matches.
 */
export const UW_PROGRAM = String.raw`^(?<prog>imaps?d|ipop3s?d|ipop2d)${PID}: `;

/**
 * UW's `user=u host=h [1.2.3.4]` after the event word: host is "name [address]" or "[address]".
 * UW cuts both at 80 characters; an address cut off simply does not match.
 */
export const UW_USER_HOST = String.raw`user=(?<user>\S{1,256}) host=(?:[^\s\[]{1,255} )?${BRACKET_IP}`;

/**
 * Cyrus services. Cyrus's master names each process `<syslog_prefix>/<service>`: the prefix is
 * `cyrus` unless cyrus.conf's syslog_prefix says otherwise (hosted set-ups run several instances:
 * `mail2/imap`, `cust7/imapmail`), and the service is the name of its SERVICES entry in cyrus.conf,
 * free text that names POP3 and IMAP services `imap`, `imaps`, `imapmail`, `pop3`, `pop3s`, ... The
 * prefixed form therefore takes any instance and any service name that starts with imap or pop
 * (lmtp, sieve, nntp, http and the rest are not POP3/IMAP); bare names are the ones seen in real logs:
 * `imap`, `imapd`, `pop3d` (fail2ban's Cyrus test log), `cyrus-imapd` (`cyrus-imapd.service` in
 * `journalctl -o with-unit`).
 */
export const CYRUS_PROGRAM = String.raw`^(?<prog>[\w.-]{1,64}/(?:imap|pop)[\w-]{0,32}|(?:imap|pop3)[ds]?|cyrus-imapd(?:\.service)?)${PID}: `;


/**
 * Cyrus's client host: `name [1.2.3.4]`, `[1.2.3.4]`, or with older releases `name[1.2.3.4]`
 * (no space, as in fail2ban's Cyrus test log).
 */
export const CYRUS_HOST = String.raw`(?:[^\s\[]{1,255} ?)?${BRACKET_IP}`;

/** Qpopper's program: `popper`, `qpopper`, `in.qpopper` (inetd), possibly with a version suffix. */
export const QPOPPER_PROGRAM = String.raw`^(?<prog>(?:in\.)?q?popper[\w.-]{0,32})${PID}: `;

/** A syslog program name, any (used where the login message carries its own service tag). */
export const ANY_PROGRAM = String.raw`^(?:[\w./-]{1,64}${PID}: )?`;

/**
 * An Exim message id: `1hfiw4-0004PJ-6h` (6-6-2, Exim before 4.97) or `1wtYaK-0000000GRSy-2tQh`
 * (6-11-4, Exim 4.97 and later). Base-62 characters only.
 */
export const EXIM_MESSAGE_ID = String.raw`[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}`;
