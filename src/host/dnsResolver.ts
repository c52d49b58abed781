/**
 * The only code of relaywatch that asks DNS for the blacklists. It sends its own questions (with
 * dns-packet) to the server's resolvers (as /etc/resolv.conf names them, read by Node's resolver) or
 * to the one resolver the config or `--resolver` names, over UDP, and over TCP when the answer is
 * truncated. A timeout per attempt, one retry for the failures that can pass (timeout, SERVFAIL, an
 * unreachable resolver), and at most `concurrency` questions in flight, so that a check of many IPs
 * against many lists neither floods the resolver nor trips a list's rate limit.
 *
 * Why not Node's resolve4/resolveTxt: c-ares takes every A (or TXT) record of the answer section,
 * whatever name it is for, so a resolver (or anyone on the path) answering 4.3.2.1.zen.spamhaus.org
 * with a record for another name made relaywatch report a listing. Here an answer counts only when
 * it comes from the server asked (address and port), carries the question's random id and the very
 * question asked, and every record in it is for the exact name asked, class IN and the type asked.
 * Anything else is "could not check" with the reason, never a listing and never "clean".
 */
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import { promises as dns } from 'node:dns';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { AppError } from '../http/appError';
import { DnsOutcome } from '../parsers/dnsblAnswer';

export interface DnsblResolverOptions {
  /** "IP:PORT" or "[IPv6]:PORT"; null = the server's own resolvers */
  server: string | null;
  timeoutMs: number;
  concurrency: number;
}

export interface DnsblResolver {
  /** which resolver answers, for the report */
  describe: string;
  a(name: string): Promise<DnsOutcome<string[]>>;
  txt(name: string): Promise<DnsOutcome<string[][]>>;
  /** cancels anything still outstanding */
  close(): void;
}

const RETRIED = new Set(['ETIMEOUT', 'ESERVFAIL', 'ECONNREFUSED', 'ECONNRESET']);

/** Checks a resolver address ("IP:PORT" / "[IPv6]:PORT"); Node's resolver takes addresses, not names. */
export function parseResolverAddress(text: string): string {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|(\d{1,3}(?:\.\d{1,3}){3})):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  const host = m ? (m[1] ?? m[2]) : '';
  if (!m || !(port >= 1 && port <= 65535) || net.isIP(host) === 0) {
    throw AppError.badRequest(`The resolver must be IP:PORT or [IPv6]:PORT (an address, not a name), got "${text}".`);
  }
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/** At most `max` tasks at a time; a finished task hands its slot to the next one in line. */
function limiter(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    if (active < max) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

function errorCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
}

interface Server {
  host: string;
  port: number;
}

/** "1.2.3.4", "1.2.3.4:5353", "2001:db8::1", "[2001:db8::1]:5353", as Resolver.getServers() gives them. */
function serverOf(text: string): Server {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (v6) return { host: v6[1], port: v6[2] ? Number(v6[2]) : 53 };
  if (net.isIPv6(text)) return { host: text, port: 53 };
  const v4 = /^([^:]+)(?::(\d+))?$/.exec(text);
  return { host: v4 ? v4[1] : text, port: v4?.[2] ? Number(v4[2]) : 53 };
}

type RecordType = 'A' | 'TXT';

function dnsError(code: string): Error {
  return Object.assign(new Error(code), { code });
}

function sameName(a: string, b: string): boolean {
  return a.replace(/\.$/, '').toLowerCase() === b.replace(/\.$/, '').toLowerCase();
}

/** Whether a decoded packet is the answer to our question: a response, our id, the same question. */
function answersQuestion(p: dnsPacket.DecodedPacket, id: number, name: string, type: RecordType): boolean {
  const q = p.questions ?? [];
  return p.type === 'response' && p.id === id && q.length === 1 && sameName(q[0].name, name) && q[0].type === type && (q[0].class ?? 'IN') === 'IN';
}

const RCODE_ERRORS: Record<string, string> = { SERVFAIL: 'ESERVFAIL', REFUSED: 'EREFUSED', NOTIMP: 'ENOTIMP', FORMERR: 'EFORMERR' };

/**
 * The outcome of a response to our question. Every record of the answer section must be for the
 * name asked, class IN and the type asked; one that is not makes the whole answer untrustworthy.
 */
function outcomeOf(p: dnsPacket.DecodedPacket, name: string, type: RecordType): DnsOutcome<string[] | string[][]> {
  const rcode = (p as { rcode?: string }).rcode ?? 'NOERROR';
  if (rcode === 'NXDOMAIN') return { kind: 'nxdomain' };
  if (rcode !== 'NOERROR') return { kind: 'error', code: RCODE_ERRORS[rcode] ?? 'EBADRESP', attempts: 1 };
  const answers = (p.answers ?? []) as Array<{ name: string; type: string; class?: string; data: unknown }>;
  const values: Array<string | string[]> = [];
  for (const r of answers) {
    if (!sameName(r.name, name)) return { kind: 'error', code: 'EOTHERNAME', attempts: 1 };
    if ((r.class ?? 'IN') !== 'IN') return { kind: 'error', code: 'EWRONGCLASS', attempts: 1 };
    if (r.type !== type) return { kind: 'error', code: 'EWRONGTYPE', attempts: 1 };
    if (type === 'A') {
      if (typeof r.data !== 'string' || net.isIPv4(r.data) === false) return { kind: 'error', code: 'EBADRESP', attempts: 1 };
      values.push(r.data);
    } else {
      const chunks = Array.isArray(r.data) ? r.data : [r.data];
      values.push(chunks.map((c) => (Buffer.isBuffer(c) ? c.toString('utf8') : String(c))));
    }
  }
  return values.length === 0 ? { kind: 'nodata' } : { kind: 'answer', values: values as string[] | string[][] };
}

/** One question to one server: UDP first, TCP when the answer comes back truncated. */
class Exchange {
  private readonly active = new Set<() => void>();

  ask(server: Server, name: string, type: RecordType, timeoutMs: number): Promise<DnsOutcome<string[] | string[][]>> {
    const id = crypto.randomInt(0, 0x10000);
    const query = dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, class: 'IN', name }] });
    return this.udp(server, query, id, name, type, timeoutMs).then((p) =>
      (p.flags ?? 0) & dnsPacket.TRUNCATED_RESPONSE ? this.tcp(server, query, id, name, type, timeoutMs) : p,
    ).then((p) => outcomeOf(p, name, type));
  }

  private bounded<T>(timeoutMs: number, start: (done: (e: Error | null, v?: T) => void) => () => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let cleanup: () => void = () => undefined;
      const finish = (e: Error | null, v?: T): void => {
        clearTimeout(timer);
        this.active.delete(cancel);
        cleanup();
        if (e) reject(e);
        else resolve(v as T);
      };
      const cancel = (): void => finish(dnsError('ECANCELLED'));
      const timer = setTimeout(() => finish(dnsError('ETIMEOUT')), timeoutMs);
      this.active.add(cancel);
      cleanup = start(finish);
    });
  }

  private udp(server: Server, query: Buffer, id: number, name: string, type: RecordType, timeoutMs: number): Promise<dnsPacket.DecodedPacket> {
    return this.bounded(timeoutMs, (done) => {
      const socket = dgram.createSocket(net.isIPv6(server.host) ? 'udp6' : 'udp4');
      socket.on('error', (e) => done(dnsError(errorCode(e) === 'ECONNREFUSED' ? 'ECONNREFUSED' : errorCode(e))));
      socket.on('message', (msg, rinfo) => {
        // Only the server asked, from the port asked, with our id and our question; anything else is
        // ignored as a real resolver library would (a forged datagram must not end the wait either).
        if (rinfo.address !== server.host || rinfo.port !== server.port) return;
        let p: dnsPacket.DecodedPacket;
        try {
          p = dnsPacket.decode(msg);
        } catch {
          return;
        }
        if (answersQuestion(p, id, name, type)) done(null, p);
      });
      // connect() makes the kernel report ICMP "port unreachable" as ECONNREFUSED.
      socket.connect(server.port, server.host, () => socket.send(query));
      return () => socket.close();
    });
  }

  private tcp(server: Server, query: Buffer, id: number, name: string, type: RecordType, timeoutMs: number): Promise<dnsPacket.DecodedPacket> {
    return this.bounded(timeoutMs, (done) => {
      const sock = net.connect(server.port, server.host);
      let buf = Buffer.alloc(0);
      sock.on('connect', () => sock.write(dnsPacket.streamEncode(dnsPacket.decode(query))));
      sock.on('data', (c) => {
        buf = Buffer.concat([buf, c]);
        if (buf.length > 70_000) return done(dnsError('EBADRESP'));
        if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
        try {
          const p = dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0)));
          done(answersQuestion(p, id, name, type) ? null : dnsError('EBADRESP'), p);
        } catch {
          done(dnsError('EBADRESP'));
        }
      });
      sock.on('error', (e) => done(dnsError(errorCode(e))));
      sock.on('end', () => done(dnsError('ECONNRESET')));
      return () => sock.destroy();
    });
  }

  cancelAll(): void {
    for (const cancel of [...this.active]) cancel();
  }
}

export function createDnsblResolver(opts: DnsblResolverOptions): DnsblResolver {
  const timeoutMs = Math.max(100, Math.round(opts.timeoutMs));
  const server = opts.server === null ? null : parseResolverAddress(opts.server);
  // The server's own resolvers, as Node's resolver reads them from /etc/resolv.conf.
  const servers = server !== null ? [serverOf(server)] : new dns.Resolver().getServers().map(serverOf);
  const limit = limiter(Math.max(1, Math.floor(opts.concurrency)));
  const exchange = new Exchange();

  function query<T>(name: string, type: RecordType): Promise<DnsOutcome<T>> {
    return limit(async () => {
      if (servers.length === 0) return { kind: 'error', code: 'ECONNREFUSED', attempts: 1 };
      let attempts = 0;
      for (;;) {
        // The retry goes to the next resolver, when there is more than one.
        const to = servers[attempts % servers.length];
        attempts++;
        let outcome: DnsOutcome<unknown>;
        try {
          outcome = await exchange.ask(to, name, type, timeoutMs);
        } catch (e) {
          outcome = { kind: 'error', code: errorCode(e), attempts };
        }
        if (outcome.kind !== 'error') return outcome as DnsOutcome<T>;
        if (!RETRIED.has(outcome.code) || attempts >= 2) return { ...outcome, attempts };
      }
    });
  }

  return {
    describe: server ?? `the server's resolvers (${servers.map((s) => (s.host.includes(':') ? `[${s.host}]:${s.port}` : `${s.host}:${s.port}`)).join(', ') || 'none configured'})`,
    a: (name) => query<string[]>(name, 'A'),
    txt: (name) => query<string[][]>(name, 'TXT'),
    close: () => exchange.cancelAll(),
  };
}
