import { parseAlwaysRelay, parseAntirelaydConf, parseRelayList, parseUserMap } from '../../src/parsers/relayFiles';
import { parseResellers, parseTrueUserOwners, parseUserDomains, parseKeyValue } from '../../src/parsers/accountFiles';

describe('relay list', () => {
  test('plain IPv4, quoted expanded IPv6, IPv4-mapped and junk', () => {
    const r = parseRelayList('203.0.113.5\n"2001:0db8:0000:0000:0000:0000:0000:0005"\n::ffff:198.51.100.7\n\nnot-an-ip\n203.0.113.5\n');
    expect(r.ips).toEqual(['203.0.113.5', '2001:db8::5', '198.51.100.7']);
    expect(r.rejected).toEqual([{ line: 5, text: 'not-an-ip', reason: 'not an IP address' }]);
  });
});

describe('user map', () => {
  test('modern "IP: user1, user2" with quoted IPv6', () => {
    const m = parseUserMap('203.0.113.5: bob@example.com, alice\n"2001:0db8:0000:0000:0000:0000:0000:0005": carol\n');
    expect(m.users.get('203.0.113.5')).toEqual(['bob@example.com', 'alice']);
    expect(m.users.get('2001:db8::5')).toEqual(['carol']);
    expect(m.rejected).toEqual([]);
  });
  test('legacy "IP user", unquoted IPv6 and "IP:user" without a space', () => {
    const m = parseUserMap('203.0.113.5 bob\n2001:db8::7 dave\n198.51.100.1:erin\n');
    expect(m.users.get('203.0.113.5')).toEqual(['bob']);
    expect(m.users.get('2001:db8::7')).toEqual(['dave']);
    expect(m.users.get('198.51.100.1')).toEqual(['erin']);
  });
  test('lines without an IP are rejected with their number', () => {
    expect(parseUserMap('bob: 1.2.3.4\n').rejected[0]).toMatchObject({ line: 1 });
  });
});

describe('alwaysrelay', () => {
  test('IP, IP: user, IP user, IP=user, quoted IPv6', () => {
    const r = parseAlwaysRelay('192.0.2.1\n192.0.2.2: backup\n192.0.2.3 relay\n192.0.2.4=x\n"2001:db8::9": v6\n# comment\nbad line\n');
    expect(r.entries.map((e) => [e.ip, e.user])).toEqual([
      ['192.0.2.1', null], ['192.0.2.2', 'backup'], ['192.0.2.3', 'relay'], ['192.0.2.4', 'x'], ['2001:db8::9', 'v6'],
    ]);
    expect(r.rejected).toHaveLength(1);
  });
});

describe('antirelayd.conf', () => {
  test('name = value ; comment, default window', () => {
    const c = parseAntirelaydConf('expire_host_mins = 45 ; minutes\nalwaysrelay=/etc/alwaysrelay\n');
    expect(c.expireHostMins).toBe(45);
    expect(c.alwaysrelay).toBe('/etc/alwaysrelay');
    expect(parseAntirelaydConf('').expireHostMins).toBe(30);
    expect(parseAntirelaydConf('expire_host_mins = soon\n').expireHostMins).toBe(30);
  });
});

describe('account files', () => {
  test('userdomains skips the *: nobody line and lower-cases domains', () => {
    const m = parseUserDomains('Example.COM: bob\n*: nobody\n');
    expect([...m]).toEqual([['example.com', 'bob']]);
  });
  test('trueuserowners, resellers, key=value', () => {
    expect(parseTrueUserOwners('bob: resellera\nalice:\n').get('alice')).toBe('root');
    expect(parseResellers('ra:list-accts,create-acct\nboss:all\n').get('boss')).toEqual(['all']);
    expect(parseKeyValue('OWNER=ra\nDNS=bob.example\n# x\n')).toEqual({ OWNER: 'ra', DNS: 'bob.example' });
  });
});
