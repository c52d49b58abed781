/**
 * Successful logins in columns (typed arrays and one string table) instead of one object per login:
 * a scan of a large log finds hundreds of thousands, and columns cost a few bytes each, move between
 * threads without copying, and are what the index stores.
 */
import { LOGIN_PATTERNS, MailProtocol, MailService } from '../parsers/patterns/loginPatterns';

export interface LoginBatch {
  n: number;
  /** line number (1-based) within the scanned range */
  line: Uint32Array;
  /** ms since the epoch, NaN when the line's stamp could not be read */
  time: Float64Array;
  /** indexes into strings */
  ip: Uint32Array;
  user: Uint32Array;
  /** loginKind() */
  kind: Uint16Array;
  strings: string[];
}

/** pattern index * 2, + 1 for POP3 */
export function loginKind(patternIndex: number, protocol: MailProtocol): number {
  return patternIndex * 2 + (protocol === 'pop3' ? 1 : 0);
}

export interface KindInfo {
  pattern: string;
  service: MailService;
  protocol: MailProtocol;
}

const KINDS: KindInfo[] = LOGIN_PATTERNS.flatMap((p) => [
  { pattern: p.name, service: p.service, protocol: 'imap' as const },
  { pattern: p.name, service: p.service, protocol: 'pop3' as const },
]);

export function kindInfo(kind: number): KindInfo {
  const k = KINDS[kind];
  if (!k) throw new Error(`unknown login kind ${kind}`);
  return k;
}

export const PATTERN_INDEX = new Map(LOGIN_PATTERNS.map((p, i) => [p.name, i]));

export class LoginBatchBuilder {
  private cap: number;
  n = 0;
  line: Uint32Array;
  time: Float64Array;
  ip: Uint32Array;
  user: Uint32Array;
  kind: Uint16Array;
  readonly strings: string[] = [];
  private readonly ids = new Map<string, number>();

  constructor(capacity = 1024) {
    this.cap = capacity;
    this.line = new Uint32Array(capacity);
    this.time = new Float64Array(capacity);
    this.ip = new Uint32Array(capacity);
    this.user = new Uint32Array(capacity);
    this.kind = new Uint16Array(capacity);
  }

  intern(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.ids.set(s, id);
    }
    return id;
  }

  private grow(): void {
    this.cap *= 2;
    const g = <T extends Uint32Array | Float64Array | Uint16Array>(a: T, make: (n: number) => T): T => {
      const b = make(this.cap);
      b.set(a);
      return b;
    };
    this.line = g(this.line, (n) => new Uint32Array(n));
    this.time = g(this.time, (n) => new Float64Array(n));
    this.ip = g(this.ip, (n) => new Uint32Array(n));
    this.user = g(this.user, (n) => new Uint32Array(n));
    this.kind = g(this.kind, (n) => new Uint16Array(n));
  }

  push(line: number, time: number, ip: string, user: string, kind: number): void {
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    this.line[i] = line;
    this.time[i] = time;
    this.ip[i] = this.intern(ip);
    this.user[i] = this.intern(user);
    this.kind[i] = kind;
  }

  /** The batch, with arrays trimmed to its size. */
  build(): LoginBatch {
    const n = this.n;
    return {
      n,
      line: this.line.slice(0, n),
      time: this.time.slice(0, n),
      ip: this.ip.slice(0, n),
      user: this.user.slice(0, n),
      kind: this.kind.slice(0, n),
      strings: this.strings,
    };
  }
}

/** The array buffers of a batch, to transfer it to another thread without a copy. */
export function batchTransferList(b: LoginBatch): ArrayBuffer[] {
  return [b.line.buffer, b.time.buffer, b.ip.buffer, b.user.buffer, b.kind.buffer] as ArrayBuffer[];
}
