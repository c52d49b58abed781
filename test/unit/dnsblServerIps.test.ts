/**
 * The server's IPs from cPanel's files (cpanel-facts §6), and which ones are not checked.
 */
import { blacklistSkipReason, parseAddressList, parseEtcIps, parseMailIps, parseMainIp } from '../../src/parsers/serverIps';

test('/var/cpanel/mainip: one address, with or without a newline', () => {
  expect(parseMainIp('203.0.113.10')).toEqual({ ips: ['203.0.113.10'], rejected: [] });
  expect(parseMainIp('203.0.113.10\n').ips).toEqual(['203.0.113.10']);
  expect(parseMainIp('not-an-ip\n')).toEqual({ ips: [], rejected: [{ line: 1, text: 'not-an-ip' }] });
});

test('/etc/ips: ip:netmask:broadcast lines; IPv6 taken whole; junk rejected by line', () => {
  const r = parseEtcIps('203.0.113.11:255.255.255.0:203.0.113.255\n\n# comment\n203.0.113.12:255.255.255.0:203.0.113.255\n2001:db8:5e7::11\ngarbage:1:2\n203.0.113.11:255.255.255.0:203.0.113.255\n');
  expect(r.ips).toEqual(['203.0.113.11', '203.0.113.12', '2001:db8:5e7::11']);
  expect(r.rejected).toEqual([{ line: 6, text: 'garbage:1:2' }]);
});

test('/etc/mailips: domain: ip, including the * default; domains per address', () => {
  const r = parseMailIps('*: 203.0.113.10\nshop.example: 203.0.113.12\nBlog.Example: 203.0.113.12\nbad line\nv6.example: 2001:db8:5e7::10\n');
  expect(r.ips).toEqual(['203.0.113.10', '203.0.113.12', '2001:db8:5e7::10']);
  expect(r.domains).toEqual({ '203.0.113.10': ['*'], '203.0.113.12': ['shop.example', 'blog.example'], '2001:db8:5e7::10': ['v6.example'] });
  expect(r.rejected).toEqual([{ line: 4, text: 'bad line' }]);
});

test('the interface list: addresses with or without a prefix length, canonical form', () => {
  expect(parseAddressList('203.0.113.10/24\n2001:0db8:05e7::0010/64\nfe80::1\n127.0.0.1\n').ips).toEqual(['203.0.113.10', '2001:db8:5e7::10', 'fe80::1', '127.0.0.1']);
});

test.each([
  ['10.1.2.3', /private/],
  ['192.168.0.5', /private/],
  ['172.16.9.9', /private/],
  ['100.64.0.1', /private/],
  ['fd00::1', /private/],
  ['127.0.0.1', /loopback/],
  ['::1', /loopback/],
  ['169.254.10.10', /link-local/],
  ['fe80::1', /link-local/],
  ['0.0.0.0', /unspecified/],
  ['224.0.0.5', /multicast/],
])('%s is skipped (%s)', (ip, reason) => {
  expect(blacklistSkipReason(ip)).toMatch(reason);
});

test.each(['203.0.113.10', '2001:db8:5e7::10', '81.2.69.160', '2a01:4f8::1'])('%s is checked', (ip) => {
  expect(blacklistSkipReason(ip)).toBeNull();
});
