/**
 * The lines of a cPanel mail log (/var/log/maillog), as Dovecot 2.3/2.4 and spamd write them through
 * syslog (cpanel-facts §4). Each function returns complete lines ending in "\n", after the prefix
 * `Nov 27 22:11:50 server1 ` that the caller passes in.
 *
 * Only `login()` writes a successful login. Everything else is what surrounds logins on a real
 * server: logouts, dropped connections, failed and aborted logins, password mismatches, local
 * deliveries and spam checks.
 */
import { BASE64, Random } from '../random';
import { FailureKind, LoginStyle, MailProtocol, Security } from '../world';

export interface LoginFields {
  user: string;
  protocol: MailProtocol;
  rip: string;
  security: Security;
  style: LoginStyle;
}

const SPAM_TESTS = [
  'BAYES_00,DKIM_SIGNED,DKIM_VALID,DKIM_VALID_AU,HTML_MESSAGE,RCVD_IN_DNSWL_NONE,SPF_HELO_NONE,SPF_PASS',
  'BAYES_05,DKIM_SIGNED,DKIM_VALID,MAILING_LIST_MULTI,SPF_PASS,URIBL_BLOCKED',
  'BAYES_50,HTML_IMAGE_RATIO_02,HTML_MESSAGE,MIME_HTML_ONLY,SPF_HELO_NONE,SPF_SOFTFAIL',
  'BAYES_00,HEADER_FROM_DIFFERENT_DOMAINS,RCVD_IN_MSPIKE_H2,SPF_PASS,T_SCC_BODY_TEXT_LINE',
];
const SPAMMY_TESTS = 'BAYES_99,BAYES_999,HTML_MESSAGE,PYZOR_CHECK,RAZOR2_CF_RANGE_51_100,RAZOR2_CHECK,URIBL_ABUSE_SURBL';

const SSL_ERRORS = [
  'SSL_accept() failed: error:0A000076:SSL routines::no suitable signature algorithm',
  'SSL_accept() failed: error:0A00006C:SSL routines::bad key share',
  'SSL_accept() failed: error:0A000102:SSL routines::unsupported protocol',
];

/** Writes the lines; holds the few pieces of state a real log has (process ids that increase). */
export class MailLogLines {
  private pid: number;
  /** syslog pid of the dovecot master (its log process writes every dovecot line) */
  dovecotPid: number;
  private spamdPid: number;

  constructor(
    private readonly rng: Random,
    private readonly lip4: string,
    private readonly lip6: string,
  ) {
    this.pid = rng.int(20_000, 900_000);
    this.dovecotPid = rng.int(800, 3000);
    this.spamdPid = rng.int(1000, 5000);
  }

  /** Process ids grow and wrap, as on Linux with pid_max 4194304. */
  nextPid(): number {
    this.pid += 1 + Math.floor(this.rng.next() * 40);
    if (this.pid > 4_194_000) this.pid = 1000;
    return this.pid;
  }

  /** Dovecot session id: 16 base64 characters (12 random bytes). */
  session(): string {
    let s = '';
    for (let k = 0; k < 4; k++) {
      const v = Math.floor(this.rng.next() * 16777216);
      s += BASE64[v & 63] + BASE64[(v >> 6) & 63] + BASE64[(v >> 12) & 63] + BASE64[(v >> 18) & 63];
    }
    return s;
  }

  /** The server address a client reached: same family as the client's, loopback for webmail. */
  lipFor(rip: string): string {
    if (rip === '::1' || rip === '127.0.0.1') return rip;
    if (rip.includes(':') && !rip.startsWith('::ffff:')) return this.lip6;
    return rip.startsWith('::ffff:') ? `::ffff:${this.lip4}` : this.lip4;
  }

  private dovecot(prefix: string): string {
    return `${prefix}dovecot[${this.dovecotPid}]: `;
  }

  /** A successful login; returns the line and the mail process's id and session for the logout. */
  login(prefix: string, f: LoginFields): { text: string; mpid: number; session: string } {
    const mpid = this.nextPid();
    const session = this.session();
    const lip = this.lipFor(f.rip);
    const sec = f.security ? `, ${f.security}` : '';
    let fields: string;
    if (f.style === 'session-first') fields = `user=<${f.user}>, session=<${session}>, method=PLAIN, rip=${f.rip}, lip=${lip}, mpid=${mpid}${sec}`;
    else fields = `user=<${f.user}>, method=PLAIN, rip=${f.rip}, lip=${lip}, mpid=${mpid}${sec}, session=<${session}>`;
    const verb = f.style === 'logged-in' ? 'Logged in' : 'Login';
    return { text: `${this.dovecot(prefix)}${f.protocol}-login: ${verb}: ${fields}\n`, mpid, session };
  }

  /** The end of a mail session (no address on it: only the login line links it to an IP). */
  logout(prefix: string, user: string, protocol: MailProtocol, mpid: number, session: string): string {
    const head = `${this.dovecot(prefix)}${protocol}(${user})<${mpid}><${session}>: `;
    const r = this.rng;
    if (protocol === 'pop3') {
      const n = r.int(0, 6);
      const bytes = n * r.int(2000, 60000);
      return `${head}Disconnected: Logged out top=0/0, retr=${n}/${bytes}, del=${n}/${n + r.int(0, 40)}, size=${bytes + r.int(0, 900000)}\n`;
    }
    const inB = r.int(80, 4000);
    const outB = r.int(400, 250000);
    if (r.chance(0.35)) {
      return `${head}Disconnected: Connection closed (IDLE running for 0.001 + waiting input for ${r.int(60, 1800)}.${r.int(100, 999)} secs, 2 B in + 10 B out, state=wait-input) in=${inB}, out=${outB}, bytes=${inB}/${outB}\n`;
    }
    return `${head}Logged out in=${inB}, out=${outB}, bytes=${inB}/${outB}\n`;
  }

  /** A connection that never tried to log in (scanners, TLS failures, health checks). */
  noAuth(prefix: string, rip: string): string {
    const r = this.rng;
    const proto = r.chance(0.6) ? 'imap' : 'pop3';
    const lip = this.lipFor(rip);
    const s = this.session();
    const pick = r.int(0, 3);
    if (pick === 0) return `${this.dovecot(prefix)}${proto}-login: Disconnected: Connection closed (no auth attempts in ${r.int(0, 2)} secs): user=<>, rip=${rip}, lip=${lip}, TLS handshaking: ${r.pick(SSL_ERRORS)}, session=<${s}>\n`;
    if (pick === 1) return `${this.dovecot(prefix)}${proto}-login: Disconnected: Too many invalid commands. (no auth attempts in ${r.int(1, 20)} secs): user=<>, rip=${rip}, lip=${lip}, session=<${s}>\n`;
    return `${this.dovecot(prefix)}${proto}-login: Disconnected (no auth attempts in ${r.int(0, 60)} secs): user=<>, rip=${rip}, lip=${lip}, TLS, session=<${s}>\n`;
  }

  /** A failed login of the given kind: never a success, whatever the user name says. */
  failure(prefix: string, kind: FailureKind, user: string, protocol: MailProtocol, rip: string): string {
    const r = this.rng;
    const lip = this.lipFor(rip);
    const s = this.session();
    const tls = r.chance(0.7) ? ', TLS' : '';
    const attempts = r.int(1, 3);
    if (kind === 'aborted') {
      if (r.chance(0.3)) {
        // Dovecot 2.4 wording
        return `${this.dovecot(prefix)}${protocol}-login: Login aborted: Connection closed (auth failed, ${attempts} attempts in ${r.int(2, 20)} secs) (auth_failed): user=<${user}>, method=PLAIN, rip=${rip}, lip=${lip}${tls}, session=<${s}>\n`;
      }
      return `${this.dovecot(prefix)}${protocol}-login: Aborted login (auth failed, ${attempts} attempts in ${r.int(2, 20)} secs): user=<${user}>, method=PLAIN, rip=${rip}, lip=${lip}${tls}, session=<${s}>\n`;
    }
    const disconnected = `${this.dovecot(prefix)}${protocol}-login: Disconnected (auth failed, ${attempts} attempts in ${r.int(2, 20)} secs): user=<${user}>, method=PLAIN, rip=${rip}, lip=${lip}${tls}, session=<${s}>\n`;
    if (kind === 'auth-failed') return disconnected;
    // password-mismatch: the auth worker's line, then the login process gives up
    const worker = user.includes('@')
      ? `${this.dovecot(prefix)}auth: dict(${user},${rip},<${s}>): Password mismatch\n`
      : `${this.dovecot(prefix)}auth-worker(${this.nextPid()}): pam(${user},${rip},<${s}>): pam_authenticate() failed: Authentication failure (password mismatch?)\n`;
    return worker + disconnected;
  }

  /** An unknown user tried by a password-guessing script. */
  unknownUser(prefix: string, user: string, rip: string): string {
    return `${this.dovecot(prefix)}auth: dict(${user},${rip},<${this.session()}>): unknown user\n`;
  }

  /** A local delivery through LMTP. */
  delivery(prefix: string, mailbox: string, domain: string): string {
    const r = this.rng;
    const pid = this.nextPid();
    const msgid = `${r.token(12, BASE64.slice(0, 62))}@${domain}`;
    const head = this.dovecot(prefix);
    const stored = r.chance(0.3)
      ? `${head}lmtp(${mailbox})<${pid}><${this.session()}>: sieve: msgid=<${msgid}>: stored mail into mailbox 'INBOX'\n`
      : `${head}lmtp(${mailbox})<${pid}><${this.session()}>: msgid=<${msgid}>: saved mail to INBOX\n`;
    return `${head}lmtp(${pid}): Connect from local\n${stored}${head}lmtp(${pid}): Disconnect from local: Client has quit the connection (state=READY)\n`;
  }

  /** spamd checking one message for a cPanel user (spamd connects over loopback: no login involved). */
  spamCheck(prefix: string, cpUser: string, uid: number, domain: string): string {
    const r = this.rng;
    const child = this.nextPid();
    const port = r.int(32768, 60999);
    const size = r.int(900, 90000);
    const secs = `${r.int(0, 4)}.${r.int(0, 9)}`;
    const spam = r.chance(0.08);
    const score = spam ? `${r.int(5, 25)}.${r.int(0, 9)}` : `${r.chance(0.5) ? '-' : ''}${r.int(0, 3)}.${r.int(0, 9)}`;
    const mid = `<${r.token(10, BASE64.slice(0, 62))}@${domain}>`;
    const head = `${prefix}spamd[${child}]: spamd: `;
    return (
      `${prefix}spamd[${this.spamdPid}]: spamd: connection from localhost [::1]:${port} to port 783, fd 5\n` +
      `${head}setuid to ${cpUser} succeeded\n` +
      `${head}processing message ${mid} for ${cpUser}:${uid}\n` +
      `${head}${spam ? 'identified spam' : 'clean message'} (${score}/5.0) for ${cpUser}:${uid} in ${secs} seconds, ${size} bytes.\n` +
      `${head}result: ${spam ? 'Y' : '.'} ${Math.trunc(Number(score))} - ${spam ? SPAMMY_TESTS : r.pick(SPAM_TESTS)} scantime=${secs},size=${size},user=${cpUser},uid=${uid},required_score=5.0,rhost=localhost,raddr=::1,rport=${port},mid=${mid},autolearn=no autolearn_force=no\n`
    );
  }

  /** spamd's parent reporting its children. */
  prefork(prefix: string): string {
    return `${prefix}spamd[${this.spamdPid}]: prefork: child states: ${this.rng.pick(['I', 'II', 'BI', 'IB', 'III'])}\n`;
  }
}
