/**
 * IpTextFilter must never drop a line whose login is from one of its IPs, however the address is
 * written (IPv4, IPv4-mapped dotted or in hex, IPv6 expanded, compressed, with leading zeros, in
 * upper case); it is only worth having if it drops most of the others.
 */
import ipaddr from 'ipaddr.js';
import { canonicalIp } from '../../src/parsers/ip';
import { IpTextFilter, ipWitnesses, witnessNeedles } from '../../src/parsers/ipTextFilter';
import { parseLoginLine } from '../../src/parsers/loginLine';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

/** Every way a log may write this address. */
function spellings(canonical: string, r: () => number): string[] {
  const out = new Set<string>([canonical]);
  const v6 = canonical.includes(':')
    ? (ipaddr.parse(canonical) as ipaddr.IPv6)
    : ipaddr.IPv4.parse(canonical).toIPv4MappedAddress();
  const parts = v6.parts;
  const hex = (g: number, pad: boolean): string => {
    const h = g.toString(16);
    const s = pad ? h.padStart(4, '0') : h;
    return r() < 0.3 ? s.toUpperCase() : s;
  };
  out.add(parts.map((g) => hex(g, true)).join(':'));
  out.add(parts.map((g) => hex(g, false)).join(':'));
  out.add(parts.map((g) => hex(g, r() < 0.5)).join(':'));
  out.add(v6.toRFC5952String());
  out.add(v6.toRFC5952String().toUpperCase());
  // the last two groups as a dotted quad
  out.add(`${parts.slice(0, 6).map((g) => hex(g, r() < 0.5)).join(':')}:${parts[6] >> 8}.${parts[6] & 255}.${parts[7] >> 8}.${parts[7] & 255}`);
  // each letter in either case
  out.add([...v6.toRFC5952String()].map((ch) => (r() < 0.5 ? ch.toUpperCase() : ch)).join(''));
  if (!canonical.includes(':')) {
    out.add(`::ffff:${canonical}`);
    out.add(`::FFFF:${canonical}`);
    out.add(`0:0:0:0:0:ffff:${canonical}`);
  }
  return [...out];
}

function loginLines(ipText: string): string[] {
  return [
    `Nov 27 22:11:50 server1 dovecot[42]: imap-login: Login: user=<a@example.com>, method=PLAIN, rip=${ipText}, lip=192.0.2.1, mpid=7, TLS, session=<abc>`,
    `Nov 27 22:11:50 server1 pop3d: LOGIN, user=bob, ip=[${ipText}], port=[1234]`,
    `Nov 27 22:11:50 server1 imapd[4]: Login user=carol host=client.example [${ipText}]`,
  ];
}

const WANTED = ['203.0.113.10', '198.51.100.7', '2001:db8::5', '2001:db8:0:1::abcd', '2001:db8:4a1:7c00::2e', '2001:db8:5e7:1234:abcd:ef01:1:2', 'fe80::1:2', '::1', '10.0.0.1'];

test('the witnesses of an address are what any spelling of it must contain', () => {
  expect(ipWitnesses('203.0.113.10')).toEqual(['203.0.113.10', 'ffff:']);
  expect(ipWitnesses('2001:db8::5')).toEqual(['2001:']);
  // groups of four digits continue the witness: not "2001", which the server's own address shares
  expect(ipWitnesses('2001:db8:4a1:7c00::2e')).toEqual(['4a1:7c00:']);
  expect(ipWitnesses('2001:db8:5e7:1234:abcd:ef01:1:2')).toEqual(['5e7:1234:abcd:ef01:']);
  expect(ipWitnesses('::1')).toEqual([':']);
});

test('no login from a wanted IP is ever filtered out, whatever the spelling', () => {
  const r = rng(5);
  const filter = new IpTextFilter(WANTED);
  let checked = 0;
  for (const ip of WANTED) {
    for (let round = 0; round < 20; round++) {
      for (const spelling of spellings(ip, r)) {
        for (const line of loginLines(spelling)) {
          const hit = parseLoginLine(line);
          if (!hit || !WANTED.includes(hit.ip)) continue;
          checked++;
          const buf = Buffer.from(`junk\n${line}\nmore`);
          expect([line, filter.mayContain(buf, 5, 5 + Buffer.byteLength(line))]).toEqual([line, true]);
        }
      }
    }
  }
  expect(checked).toBeGreaterThan(300);
});

test('random addresses: the filter passes every line whose parsed IP is wanted', () => {
  const r = rng(9);
  const wanted: string[] = [];
  for (let i = 0; i < 300; i++) {
    wanted.push(r() < 0.7
      ? [1 + Math.floor(r() * 223), Math.floor(r() * 256), Math.floor(r() * 256), Math.floor(r() * 256)].join('.')
      : canonicalIp(Array.from({ length: 8 }, () => (r() < 0.4 ? '0' : Math.floor(r() * 65536).toString(16))).join(':'))!);
  }
  const filter = new IpTextFilter(wanted);
  const set = new Set(wanted);
  for (let i = 0; i < 2000; i++) {
    const ip = pick(r, wanted);
    const spelling = pick(r, spellings(ip, r));
    for (const line of loginLines(spelling)) {
      const hit = parseLoginLine(line);
      if (hit && set.has(hit.ip)) expect([line, filter.mayContain(Buffer.from(line), 0, Buffer.byteLength(line))]).toEqual([line, true]);
    }
  }
});

test('it drops the lines of other addresses (else it would be no use)', () => {
  const filter = new IpTextFilter(['203.0.113.10', '2001:db8::5']);
  const other = loginLines('198.51.100.99').map((l) => filter.mayContain(Buffer.from(l), 0, Buffer.byteLength(l)));
  expect(other).toEqual([false, false, false]);
  const mapped = loginLines('::ffff:198.51.100.99').map((l) => filter.mayContain(Buffer.from(l), 0, Buffer.byteLength(l)));
  expect(mapped).toEqual([true, true, true]); // "ffff": the hex spelling of a wanted IPv4 could hide there
});

test('an address with no telling group makes every line with a colon pass', () => {
  const filter = new IpTextFilter(['::1']);
  const line = loginLines('0:0:0:0:0:0:0:1')[0];
  expect(filter.mayContain(Buffer.from(line), 0, line.length)).toBe(true);
});

test('as kernel needles, the witnesses are found exactly in every spelling of a wanted address', () => {
  const r = rng(13);
  const wanted = WANTED.filter((ip) => ipWitnesses(ip).every((w) => w.length >= 4));
  const needles = witnessNeedles(wanted)!;
  expect(needles).not.toBeNull();
  expect(needles).toContain('4a1:7C00:');
  for (const ip of wanted) {
    for (let round = 0; round < 20; round++) {
      for (const spelling of spellings(ip, r)) {
        for (const line of loginLines(spelling)) {
          const hit = parseLoginLine(line);
          if (hit && hit.ip === ip) expect([line, needles.some((n) => line.includes(n))]).toEqual([line, true]);
        }
      }
    }
  }
});

test('no kernel needles where they would not pay: a short witness, or too many addresses', () => {
  expect(witnessNeedles(['203.0.113.10', '::1'])).toBeNull();
  expect(witnessNeedles([])).toBeNull();
  const many = Array.from({ length: 300 }, (_, i) => `198.51.100.${i % 250}`).map((ip, i) => (i >= 250 ? `192.0.2.${i - 249}` : ip));
  expect(witnessNeedles(many)).toBeNull();
  // a long witness keeps a piece with at most four letters: at most 16 spellings
  const needles = witnessNeedles(['2001:db8:5e7:1234:abcd:ef01:1:2'])!;
  expect(needles.length).toBeLessThanOrEqual(16);
  expect(needles.every((n) => n.length >= 4 && '5e7:1234:abcd:ef01:'.includes(n.toLowerCase()))).toBe(true);
});
