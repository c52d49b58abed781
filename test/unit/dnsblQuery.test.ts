/**
 * DNSBL query names exactly as RFC 5782 §2.1 and §2.4 write them.
 */
import { dnsblQueryName, reversedLabels } from '../../src/parsers/dnsblQuery';

describe('RFC 5782 query names', () => {
  test('IPv4: the octets reversed, then the zone (RFC 5782 §2.1 example)', () => {
    expect(dnsblQueryName('192.0.2.99', 'dnsbl.example')).toBe('99.2.0.192.dnsbl.example');
    expect(dnsblQueryName('203.0.113.10', 'zen.spamhaus.org')).toBe('10.113.0.203.zen.spamhaus.org');
  });

  test('IPv6: 32 nibbles, least significant first (RFC 5782 §2.4 example)', () => {
    expect(dnsblQueryName('2001:db8:1:2:3:4:567:89ab', 'ugly.example.com')).toBe(
      'b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.ugly.example.com',
    );
  });

  test('IPv6 written compressed, expanded or in upper case gives the same name, always 32 nibbles', () => {
    const want = '5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org';
    expect(dnsblQueryName('2001:db8::5', 'zen.spamhaus.org')).toBe(want);
    expect(dnsblQueryName('2001:0DB8:0000:0000:0000:0000:0000:0005', 'zen.spamhaus.org')).toBe(want);
    expect(reversedLabels('2001:db8::5')!.split('.')).toHaveLength(32);
  });

  test('IPv4-mapped IPv6 is asked as the IPv4 address it is', () => {
    expect(dnsblQueryName('::ffff:198.51.100.7', 'bl.spamcop.net')).toBe('7.100.51.198.bl.spamcop.net');
  });

  test('the zone is lower-cased and loses a trailing dot', () => {
    expect(dnsblQueryName('127.0.0.2', 'ZEN.Spamhaus.ORG.')).toBe('2.0.0.127.zen.spamhaus.org');
  });

  test('text that is not an address is refused, not guessed at', () => {
    expect(reversedLabels('010.1.1.1')).toBeNull();
    expect(reversedLabels('1.2.3')).toBeNull();
    expect(reversedLabels('fe80::1%eth0')).toBeNull();
    expect(() => dnsblQueryName('example.com', 'zen.spamhaus.org')).toThrow(/not an IP/);
  });
});
