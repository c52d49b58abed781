/**
 * The only code of relaywatch that asks DNS. Node's own resolver (c-ares, `dns.promises.Resolver`),
 * through the server's resolvers (/etc/resolv.conf) or the one resolver the config or `--resolver`
 * names; a timeout per attempt, one retry for the failures that can pass (timeout, SERVFAIL, an
 * unreachable resolver), and at most `concurrency` questions in flight, so that a check of many IPs
 * against many lists neither floods the resolver nor trips a list's rate limit.
 */
import { promises as dns } from 'node:dns';
import net from 'node:net';
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

export function createDnsblResolver(opts: DnsblResolverOptions): DnsblResolver {
  const timeoutMs = Math.max(100, Math.round(opts.timeoutMs));
  // tries: 1 — the retry is ours, so that its count and its reasons are known and reported.
  const resolver = new dns.Resolver({ timeout: timeoutMs, tries: 1 });
  const server = opts.server === null ? null : parseResolverAddress(opts.server);
  if (server !== null) resolver.setServers([server]);
  const limit = limiter(Math.max(1, Math.floor(opts.concurrency)));

  /** One attempt, bounded by our own clock too: a resolver that never settles must not hang a check. */
  async function attempt<T>(ask: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const guard = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error('timeout'), { code: 'ETIMEOUT' })), timeoutMs + 2000);
    });
    try {
      return await Promise.race([ask(), guard]);
    } finally {
      clearTimeout(timer);
    }
  }

  function query<T>(ask: () => Promise<T>, empty: (v: T) => boolean): Promise<DnsOutcome<T>> {
    return limit(async () => {
      let attempts = 0;
      for (;;) {
        attempts++;
        try {
          const values = await attempt(ask);
          return empty(values) ? { kind: 'nodata' } : { kind: 'answer', values };
        } catch (e) {
          const code = errorCode(e);
          if (code === 'ENOTFOUND') return { kind: 'nxdomain' };
          if (code === 'ENODATA') return { kind: 'nodata' };
          if (!RETRIED.has(code) || attempts >= 2) return { kind: 'error', code, attempts };
        }
      }
    });
  }

  return {
    describe: server ?? `the server's resolvers (${resolver.getServers().join(', ') || 'none configured'})`,
    a: (name) => query(() => resolver.resolve4(name), (v) => v.length === 0),
    txt: (name) => query(() => resolver.resolveTxt(name), (v) => v.length === 0),
    close: () => resolver.cancel(),
  };
}
