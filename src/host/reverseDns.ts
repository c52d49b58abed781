/**
 * Reverse DNS (PTR) for one address, with a short timeout. Only the real server asks DNS: under any
 * other host root (demo hosts, tests) the answer is null, because the demo's addresses are made up and
 * a test must not depend on the network.
 */
import dns from 'node:dns';

export interface ReverseDnsOptions {
  /** the host root; DNS is asked only when it is "/" */
  root: string;
  timeoutMs?: number;
}

export async function reverseLookup(ip: string, opts: ReverseDnsOptions): Promise<string | null> {
  if (opts.root !== '/') return null;
  const timeoutMs = opts.timeoutMs ?? 1500;
  const resolver = new dns.promises.Resolver({ timeout: timeoutMs, tries: 1 });
  let timer: NodeJS.Timeout | undefined;
  try {
    const names = await Promise.race([
      resolver.reverse(ip),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs + 200);
      }),
    ]);
    return names.length > 0 ? names[0] : null;
  } catch {
    resolver.cancel();
    return null;
  } finally {
    if (timer) clearTimeout(timer);
  }
}
