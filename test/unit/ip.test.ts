import ipaddr from 'ipaddr.js';
import { canonicalIp, compareIps, expandedIpv6, ipOrder, ipRange, isCanonicalIp, isIpv6 } from '../../src/parsers/ip';

describe('canonicalIp', () => {
  test.each([
    // as logs write them
    ['1.2.3.4', '1.2.3.4'],
    ['255.255.255.255', '255.255.255.255'],
    ['0.0.0.0', '0.0.0.0'],
    ['  10.0.0.5 ', '10.0.0.5'],
    // IPv4-mapped IPv6 (Courier, Dovecot on a dual-stack socket) becomes IPv4
    ['::ffff:192.168.0.100', '192.168.0.100'],
    ['::FFFF:1.2.3.4', '1.2.3.4'],
    ['0:0:0:0:0:ffff:1.2.3.4', '1.2.3.4'],
    ['::ffff:0102:0304', '1.2.3.4'],
    ['0000:0000:0000:0000:0000:ffff:0102:0304', '1.2.3.4'],
    // the relay list: quoted, fully expanded IPv6
    ['"2001:0db8:0000:0000:0000:0000:0000:0001"', '2001:db8::1'],
    ['"1.2.3.4"', '1.2.3.4'],
    ['"0000:0000:0000:0000:0000:0000:0000:0001"', '::1'],
    // RFC 5952: lower case, leading zeros dropped, longest zero run compressed (first on a tie), no :: for one group
    ['2001:DB8::ABCD', '2001:db8::abcd'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['::1', '::1'],
    ['::', '::'],
    ['1::', '1::'],
    ['fe80::1', 'fe80::1'],
    // brackets, as Courier/UW/Cyrus write addresses
    ['[::ffff:1.2.3.4]', '1.2.3.4'],
    ['[1.2.3.4]', '1.2.3.4'],
    ['[2001:db8::1]', '2001:db8::1'],
    // IPv4 tail in a non-mapped address stays IPv6 (NAT64 prefix, IPv4-compatible)
    ['64:ff9b::1.2.3.4', '64:ff9b::102:304'],
    ['::1.2.3.4', '::102:304'],
  ])('%s -> %s', (input, expected) => {
    expect(canonicalIp(input)).toBe(expected);
  });

  test.each([
    [''], ['   '], ['""'], ['[]'], ['garbage'], ['1.2.3.4x'], ['x1.2.3.4'], ['1.2.3.4 5.6.7.8'],
    // out of range / wrong shape
    ['256.1.1.1'], ['1.2.3.4.5'], ['1.2.3.'], ['.1.2.3'], ['-1.2.3.4'],
    // shorthand and non-decimal IPv4 that ipaddr.js would accept
    ['1.2.3'], ['1.2'], ['16909060'], ['0x7f.1'], ['0x7f000001'], ['127.1'],
    // leading zeros: octal to some parsers, decimal to others
    ['010.1.1.1'], ['1.2.3.04'], ['::ffff:010.1.1.1'],
    // zone ids
    ['fe80::1%eth0'], ['fe80::1%1'], ['::ffff:1.2.3.4%1'],
    // bad IPv6
    ['1::2::3'], [':::'], [':1::2'], ['1:2:3:4:5:6:7:8:9'], ['1:2:3:4:5:6:7'], ['1:2:3:4:5:6:7::8'],
    ['12345::1'], ['g::1'], ['::ffff:1.2.3'], ['::ffff:256.1.1.1'], ['::1.2.3.4:5'], ['1.2.3.4::'],
    ['::ffff:0x1.2.3.4'], ['2001:db8::1:'], [':2001:db8::1'],
    // brackets/quotes that do not close, ports
    ['[1.2.3.4'], ['"1.2.3.4'], ['[::1]:25'], ['1.2.3.4:25'],
    // far too long
    ['1'.repeat(100)], ['0:'.repeat(30) + '1'],
  ])('rejects %j', (input) => {
    expect(canonicalIp(input)).toBeNull();
  });

  test('gives what ipaddr.js gives for every address (IPv4-mapped as IPv4, else RFC 5952), zero runs of every length and place', () => {
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    const group = (): number => [0, 0, 0, 1, 0xffff, 0xdb8, 0xabc, 0x1000, rnd(0x10000)][rnd(9)];
    const cases: number[][] = [];
    for (let i = 0; i < 20000; i++) {
      const p = Array.from({ length: 8 }, group);
      if (i % 4 === 0) p.splice(0, 6, 0, 0, 0, 0, 0, 0xffff); // IPv4-mapped, and its near misses below
      if (i % 8 === 1) p.splice(0, 6, 0, 0, 0, 0, 0xffff, 0);
      cases.push(p);
    }
    for (let mask = 0; mask < 256; mask++) cases.push(Array.from({ length: 8 }, (_, k) => ((mask >> k) & 1 ? 0 : 0x2a)));
    for (const p of cases) {
      const text = p.map((g) => g.toString(16).padStart(4, '0')).join(':');
      const v6 = new ipaddr.IPv6(p);
      const expected = v6.isIPv4MappedAddress() ? v6.toIPv4Address().toString() : v6.toRFC5952String();
      expect([text, canonicalIp(text)]).toEqual([text, expected]);
    }
    for (let i = 0; i < 5000; i++) {
      const t = `${rnd(256)}.${rnd(256)}.${rnd(256)}.${rnd(256)}`;
      expect(canonicalIp(t)).toBe(ipaddr.IPv4.parse(t).toString());
    }
  });

  test('every spelling of an address gives what ipaddr.js gives, and only the canonical one is taken as it stands', () => {
    let seed = 11;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const group = (): number => [0, 0, 0, 1, 0xffff, 0xdb8, 0xabc, 0x1000, 0xf, rnd(0x10000)][rnd(10)];
    /** a group as hex: plain, with leading zeros, or in upper case */
    const hex = (g: number, style: number): string => {
      const h = g.toString(16);
      return style === 0 ? h : style === 1 ? h.padStart(4, '0') : style === 2 ? h.toUpperCase() : h.padStart(1 + rnd(4), '0');
    };
    /** the groups written with "::" for groups [a, b) (a === b: no "::") */
    const spell = (p: readonly number[], a: number, b: number, style: number): string => {
      const w = (q: readonly number[]): string => q.map((g) => hex(g, style === 4 ? rnd(4) : style)).join(':');
      return a === b ? w(p) : `${w(p.slice(0, a))}::${w(p.slice(b))}`;
    };
    let checked = 0;
    let canonicalSeen = 0;
    const check = (text: string, expected: string | null): void => {
      checked++;
      expect([text, canonicalIp(text)]).toEqual([text, expected]);
      expect([text, isCanonicalIp(text)]).toEqual([text, text === expected]);
      if (text === expected) canonicalSeen++;
    };
    for (let i = 0; i < 6000; i++) {
      const p = Array.from({ length: 8 }, group);
      if (i % 5 === 0) p.splice(0, 6, 0, 0, 0, 0, 0, 0xffff); // IPv4-mapped, and near misses below
      if (i % 7 === 1) p.splice(0, 6, 0, 0, 0, 0, 0xffff, 0);
      if (i % 9 === 2) p.splice(0, 5, 0, 0, 0, 0, 0);
      const v6 = new ipaddr.IPv6(p);
      const expected = v6.isIPv4MappedAddress() ? v6.toIPv4Address().toString() : v6.toRFC5952String();
      for (let style = 0; style < 5; style++) {
        check(spell(p, 0, 0, style), expected);
        // every run of zero groups written as "::", the longest or not, one group or many
        for (let a = 0; a < 8; a++) {
          for (let b = a + 1; b <= 8 && p[b - 1] === 0; b++) check(spell(p, a, b, style), expected);
        }
      }
      // an IPv4 tail, as Dovecot and Courier write mapped addresses
      const quad = `${p[6] >> 8}.${p[6] & 255}.${p[7] >> 8}.${p[7] & 255}`;
      check(`${spell(p.slice(0, 6), 0, 0, 0)}:${quad}`, expected);
    }
    for (let i = 0; i < 3000; i++) {
      const t = `${rnd(256)}.${rnd(256)}.${rnd(256)}.${rnd(256)}`;
      check(t, ipaddr.IPv4.parse(t).toString());
    }
    expect(checked).toBeGreaterThan(100_000);
    expect(canonicalSeen).toBeGreaterThan(5000);
  });

  test.each([
    // look-alikes of canonical text that are not addresses, or not as written
    ['1:2:3:4:5:6:7:8:9', null], ['12345::1', null], ['1::2::3', null], [':::', null], ['1:::2', null], [':1::2', null],
    ['1::2:', null], ['2001:db8::1:', null], ['::g', null], ['fe80::1%eth0', null], ['1:2:3:4:5:6:7', null],
    ['1:2:3:4:5:6:7::8', null], ['::1.2.3', null], ['::ffff:1.2.3.4%1', null], ['2001:db8::1 ', '2001:db8::1'],
    // valid, but not as RFC 5952 writes it
    ['1::2:3:4:5:6:7', '1:0:2:3:4:5:6:7'], ['1:0::2', '1::2'], ['0::1', '::1'], ['1::0', '1::'], ['::0:1', '::1'],
    ['1:0:0:2::3', '1:0:0:2::3'], ['1::2:0:0:3', '1::2:0:0:3'], ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'], ['01::1', '1::1'],
    ['::ffff:1:2', '0.1.0.2'], ['::ffff:0:0', '0.0.0.0'], ['::fffe:1:2', '::fffe:1:2'], ['::ffff:1:2:3', '::ffff:1:2:3'],
    ['1:2:3:4:5:6:7:0', '1:2:3:4:5:6:7:0'], ['0:1:2:3:4:5:6:7', '0:1:2:3:4:5:6:7'], ['::', '::'], ['::0', '::'],
  ])('%j -> %j, taken as it stands only when it is the answer', (text, expected) => {
    expect(canonicalIp(text)).toBe(expected);
    expect(isCanonicalIp(text)).toBe(text === expected);
  });

  test('is idempotent on its own output', () => {
    for (const t of ['::ffff:1.2.3.4', '2001:DB8:0:0:0:0:0:1', '"2001:0db8:0000:0000:0000:0000:0000:0001"', '::1', '10.0.0.1']) {
      const once = canonicalIp(t)!;
      expect(canonicalIp(once)).toBe(once);
    }
  });
});

describe('ipRange', () => {
  test.each([
    ['8.8.8.8', 'public'],
    ['2a00:1450:4001:80b::200e', 'public'],
    ['2002:c000:204::1', 'public'], // 6to4
    ['2001::1', 'public'], // Teredo
    ['64:ff9b::102:304', 'public'], // NAT64
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'], // carrier-grade NAT
    ['fd00::1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['169.254.1.1', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['0.0.0.0', 'reserved'],
    ['::', 'reserved'],
    ['224.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.1', 'reserved'], // documentation
    ['2001:db8::1', 'reserved'], // documentation
  ])('%s is %s', (ip, range) => {
    expect(ipRange(ip)).toBe(range);
  });
});

describe('expandedIpv6', () => {
  test('writes 8 groups of 4 lower-case hex digits, as the relay list does', () => {
    expect(expandedIpv6('2001:db8::1')).toBe('2001:0db8:0000:0000:0000:0000:0000:0001');
    expect(expandedIpv6('::1')).toBe('0000:0000:0000:0000:0000:0000:0000:0001');
    expect(expandedIpv6('::')).toBe('0000:0000:0000:0000:0000:0000:0000:0000');
    expect(expandedIpv6('FE80::ABCD')).toBe('fe80:0000:0000:0000:0000:0000:0000:abcd');
  });

  test('round-trips through canonicalIp', () => {
    for (const ip of ['2001:db8::1', '::1', 'fe80::1:2', '2001:db8:1:2:3:4:5:6']) {
      expect(canonicalIp(`"${expandedIpv6(ip)}"`)).toBe(ip);
    }
  });

  test('refuses an IPv4 address with a clear error', () => {
    expect(() => expandedIpv6('1.2.3.4')).toThrow(/not an IPv6 address/);
  });
});

describe('isIpv6', () => {
  test('tells the families apart on canonical text', () => {
    expect(isIpv6('::1')).toBe(true);
    expect(isIpv6('1.2.3.4')).toBe(false);
  });
});

describe('compareIps', () => {
  test('sorts IPv4 before IPv6, numerically (not as text) within each', () => {
    const ips = ['::1', '10.0.0.10', '2001:db8::2', '9.255.255.255', '10.0.0.9', '2001:db8::10', '1.2.3.4'];
    expect([...ips].sort(compareIps)).toEqual(['1.2.3.4', '9.255.255.255', '10.0.0.9', '10.0.0.10', '::1', '2001:db8::2', '2001:db8::10']);
  });

  test('is 0 for the same address and antisymmetric', () => {
    expect(compareIps('1.2.3.4', '1.2.3.4')).toBe(0);
    expect(compareIps('2001:db8::1', '2001:db8::1')).toBe(0);
    expect(Math.sign(compareIps('1.2.3.4', '1.2.3.5'))).toBe(-1);
    expect(Math.sign(compareIps('1.2.3.5', '1.2.3.4'))).toBe(1);
    expect(Math.sign(compareIps('::1', '1.2.3.4'))).toBe(1);
  });

  test('ipOrder sorts exactly as compareIps, with each address parsed once per sort', () => {
    const ips = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? `2001:db8::${(i * 7919) % 4096}` : `10.${i % 7}.${(i * 31) % 256}.${(i * 17) % 256}`));
    expect([...ips].sort(ipOrder())).toEqual([...ips].sort(compareIps));
  });
});
