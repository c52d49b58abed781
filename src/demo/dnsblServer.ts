/**
 * A tiny DNS server for DNS blacklist zones, on UDP loopback: enough of a DNSBL for the demo host
 * (`relaywatch demo-dnsbl`) and for the tests, which point relaywatch's resolver at it.
 *
 * It answers A and TXT questions for the zones it is given, from a table of full names; any other
 * name under a served zone is NXDOMAIN (not listed), a name under no served zone is REFUSED. A zone
 * can also be made to answer SERVFAIL or REFUSED to everything, or never to answer at all (a dead
 * list). Every question is recorded, so a test can check the exact name relaywatch asked for.
 */
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';

/** What a served zone does with a question. */
export type ZoneMode = 'answer' | 'silent' | 'SERVFAIL' | 'REFUSED';

export interface DnsblRecord {
  /** A answers (any text: out-of-range answers are served as given) */
  a?: string[];
  /** TXT answers, one string per record */
  txt?: string[];
  /**
   * For tests of the client: serve the records under this owner name instead of the name asked
   * (a resolver answering for another name), or with this class instead of IN.
   */
  answerName?: string;
  answerClass?: 'IN' | 'CH' | 'HS';
}

export interface DnsblServerOptions {
  /** zone -> mode; names are lower-case without the trailing dot */
  zones: Record<string, ZoneMode>;
  /** full name (lower-case, no trailing dot) -> records */
  records?: Record<string, DnsblRecord>;
  /** loopback address to bind (default 127.0.0.1); port 0 = any free port */
  host?: string;
  port?: number;
}

export interface DnsQuestionSeen {
  name: string;
  type: string;
}

export interface RunningDnsblServer {
  host: string;
  port: number;
  /** "HOST:PORT" as relaywatch's `--resolver` takes it */
  address: string;
  /** every question received, in order (names lower-cased) */
  queries: DnsQuestionSeen[];
  zones: Map<string, ZoneMode>;
  records: Map<string, DnsblRecord>;
  close(): Promise<void>;
}

const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;
const FLAG_AA = 1 << 10;
const FLAG_RD = 1 << 8;
const FLAG_RA = 1 << 7;

function zoneOf(name: string, zones: Map<string, ZoneMode>): string | null {
  // Longest matching zone wins, so "dnsbl-2.uceprotect.net" is not taken for "uceprotect.net".
  let best: string | null = null;
  for (const z of zones.keys()) {
    if ((name === z || name.endsWith(`.${z}`)) && (best === null || z.length > best.length)) best = z;
  }
  return best;
}

/** A TXT record is a list of character-strings of at most 255 bytes each; long text is split. */
function characterStrings(text: string): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 255) out.push(bytes.subarray(i, i + 255));
  return out.length ? out : [Buffer.alloc(0)];
}

/** Builds the response packet for one query, or null when the question must go unanswered. */
export function answerQuery(query: dnsPacket.Packet, zones: Map<string, ZoneMode>, records: Map<string, DnsblRecord>): Buffer | null {
  const q = query.questions?.[0];
  const base = { type: 'response' as const, id: query.id ?? 0, questions: query.questions ?? [] };
  const flagsFor = (rcode: number, authoritative: boolean): number =>
    ((query.flags ?? 0) & FLAG_RD) | FLAG_RA | (authoritative ? FLAG_AA : 0) | rcode;
  if (!q) return dnsPacket.encode({ ...base, flags: flagsFor(1 /* FORMERR */, false) });
  const name = q.name.toLowerCase().replace(/\.$/, '');
  const zone = zoneOf(name, zones);
  if (zone === null) return dnsPacket.encode({ ...base, flags: flagsFor(RCODE.REFUSED, false) });
  const mode = zones.get(zone)!;
  if (mode === 'silent') return null;
  if (mode === 'SERVFAIL' || mode === 'REFUSED') return dnsPacket.encode({ ...base, flags: flagsFor(RCODE[mode], false) });
  const rec = records.get(name);
  if (!rec) return dnsPacket.encode({ ...base, flags: flagsFor(RCODE.NXDOMAIN, true) });
  const answers: dnsPacket.Answer[] = [];
  const owner = rec.answerName ?? q.name;
  const cls = rec.answerClass ?? 'IN';
  if (q.type === 'A') for (const a of rec.a ?? []) answers.push({ type: 'A', name: owner, ttl: 60, class: cls, data: a });
  if (q.type === 'TXT') for (const t of rec.txt ?? []) answers.push({ type: 'TXT', name: owner, ttl: 60, class: cls, data: characterStrings(t) });
  // A name that exists with no record of the asked type: NOERROR with no answers (NODATA).
  return dnsPacket.encode({ ...base, flags: flagsFor(RCODE.NOERROR, true), answers });
}

export async function startDnsblServer(opts: DnsblServerOptions): Promise<RunningDnsblServer> {
  const host = opts.host ?? '127.0.0.1';
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const zones = new Map(Object.entries(opts.zones).map(([z, m]) => [z.toLowerCase(), m]));
  const records = new Map(Object.entries(opts.records ?? {}).map(([n, r]) => [n.toLowerCase(), r]));
  const queries: DnsQuestionSeen[] = [];

  socket.on('message', (msg, rinfo) => {
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return; // not DNS: ignore, as a real server would
    }
    if (query.type !== 'query') return;
    for (const q of query.questions ?? []) queries.push({ name: q.name.toLowerCase().replace(/\.$/, ''), type: q.type });
    const reply = answerQuery(query, zones, records);
    if (reply) socket.send(reply, rinfo.port, rinfo.address);
  });

  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(opts.port ?? 0, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  const port = socket.address().port;
  return {
    host,
    port,
    address: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
    queries,
    zones,
    records,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
