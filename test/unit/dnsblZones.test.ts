/**
 * The zone catalogue: the shipped defaults say what the facts say, and the admin's overrides are
 * validated strictly with messages that name the file and the entry.
 */
import fs from 'node:fs';
import path from 'node:path';
import { applyZoneOverrides, parseZoneCatalogue, ZoneEntry } from '../../src/parsers/dnsblZones';

const defaultsText = fs.readFileSync(path.join(__dirname, '../../src/data/dnsbl-zones.yaml'), 'utf8');
const defaults = parseZoneCatalogue(defaultsText, 'defaults');
const byZone = (zones: ZoneEntry[]): Record<string, ZoneEntry> => Object.fromEntries(zones.map((z) => [z.zone, z]));
const Z = byZone(defaults);

describe('shipped defaults', () => {
  test('hold every list the facts name, queried except SORBS', () => {
    expect(defaults.map((z) => z.zone)).toEqual([
      'ips.backscatterer.org', 'dnsbl-1.uceprotect.net', 'dnsbl-2.uceprotect.net', 'dnsbl-3.uceprotect.net',
      'zen.spamhaus.org', 'bl.spamcop.net', 'b.barracudacentral.org', 'dnsbl.sorbs.net',
    ]);
    expect(defaults.filter((z) => !z.query).map((z) => z.zone)).toEqual(['dnsbl.sorbs.net']);
  });

  test('SORBS is defunct and never queried', () => {
    expect(Z['dnsbl.sorbs.net']).toMatchObject({ query: false });
    expect(Z['dnsbl.sorbs.net'].defunct).toMatch(/June 2024/);
  });

  test("UCEPROTECT 2 and 3 are the provider's network, low impact; level 1 is not", () => {
    for (const z of ['dnsbl-2.uceprotect.net', 'dnsbl-3.uceprotect.net']) {
      expect(Z[z]).toMatchObject({ providerNetwork: true, impact: 'low', evidence: 'provider' });
      expect(Z[z].listing).toMatch(/Your provider's network/);
      expect(Z[z].listing).toMatch(/not caused by this server alone/);
    }
    expect(Z['dnsbl-1.uceprotect.net']).toMatchObject({ providerNetwork: false });
    expect(Z['dnsbl-1.uceprotect.net'].expiry).toMatch(/7 days/);
  });

  test('Spamhaus ZEN has its return codes and treats all of 127.255.255.0/24 as error codes', () => {
    const zen = Z['zen.spamhaus.org'];
    expect(Object.keys(zen.codes)).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.9', '127.0.0.10', '127.0.0.11', '127.0.0.30']);
    expect(zen.codes['127.0.0.4']).toMatch(/^XBL/);
    expect(zen.codes['127.0.0.10']).toMatch(/^PBL/);
    expect(Object.keys(zen.errorCodes).sort()).toEqual(['127.255.255.0/24', '127.255.255.252', '127.255.255.254', '127.255.255.255']);
    expect(zen.errorCodes['127.255.255.254']).toMatch(/public or open resolver/);
    expect(zen).toMatchObject({ ipv6: true, impact: 'high' });
  });

  test('Backscatterer points at the backscatter evidence and expires 4 weeks after the last hit', () => {
    expect(Z['ips.backscatterer.org']).toMatchObject({ evidence: 'backscatter', expiry: '4 weeks after the last hit' });
    expect(Z['ips.backscatterer.org'].delisting).toMatch(/express delisting/);
  });

  test('Barracuda carries its registration caveat; SpamCop expires in about a day', () => {
    expect(Z['b.barracudacentral.org'].caveat).toMatch(/registered/);
    expect(Z['bl.spamcop.net'].expiry).toMatch(/24 hours/);
  });

  test('every entry explains its listing, its codes, its delisting path and its expiry', () => {
    for (const z of defaults) {
      expect(z.listing.length).toBeGreaterThan(30);
      expect(z.delisting.length).toBeGreaterThan(10);
      expect(z.expiry.length).toBeGreaterThan(5);
      expect(Object.keys(z.codes).length).toBeGreaterThan(0);
    }
  });
});

describe('admin overrides (/etc/relaywatch/zones.yaml)', () => {
  const file = '/etc/relaywatch/zones.yaml';

  test('an entry for a known zone changes only the fields it gives', () => {
    const out = byZone(applyZoneOverrides(defaults, 'zones:\n  - zone: DNSBL-3.uceprotect.net.\n    query: false\n', file));
    expect(out['dnsbl-3.uceprotect.net']).toEqual({ ...Z['dnsbl-3.uceprotect.net'], query: false });
    expect(out['zen.spamhaus.org']).toEqual(Z['zen.spamhaus.org']);
  });

  test('a new zone is added after the defaults when complete', () => {
    const text = [
      'zones:',
      '  - zone: dnsbl.example.net',
      '    name: Example list',
      '    query: true',
      '    ipv6: true',
      '    impact: high',
      '    listing: Listed by the example list for testing.',
      '    codes: { 127.0.0.2: test entry, 127.0.0.5: "open relay" }',
      '    errorCodes: { 127.255.0.0/16: list error }',
      '    delisting: Write to the list.',
      '    expiry: a week',
    ].join('\n');
    const out = applyZoneOverrides(defaults, text, file);
    expect(out).toHaveLength(defaults.length + 1);
    expect(out[out.length - 1]).toMatchObject({
      zone: 'dnsbl.example.net', ipv6: true, evidence: 'none', providerNetwork: false, caveat: null, defunct: null,
      errorCodes: { '127.255.0.0/16': 'list error' },
    });
  });

  test('an empty file changes nothing', () => {
    expect(applyZoneOverrides(defaults, '', file)).toEqual(defaults);
    expect(applyZoneOverrides(defaults, 'zones: []\n', file)).toEqual(defaults);
  });

  test.each([
    ['not YAML', 'zones: [\n', /is not valid YAML/],
    ['a list at the top', '- zone: x.example\n', /must be a mapping with one key/],
    ['an unknown top-level key', 'zone: []\n', /unknown top-level key "zone"/],
    ['zones not a list', 'zones: {}\n', /"zones" must be a list/],
    ['an entry without zone', 'zones:\n  - query: false\n', /zones\[0\] has no "zone"/],
    ['a misspelt key', 'zones:\n  - zone: zen.spamhaus.org\n    quer: false\n', /unknown key "zones\[0\]\.quer"/],
    ['a bad impact', 'zones:\n  - zone: zen.spamhaus.org\n    impact: severe\n', /impact must be one of low, medium, high/],
    ['a non-boolean query', 'zones:\n  - zone: zen.spamhaus.org\n    query: "no"\n', /query must be true or false/],
    ['a code outside 127/8', 'zones:\n  - zone: zen.spamhaus.org\n    codes: { 10.0.0.2: x }\n', /"10\.0\.0\.2" is not an address in 127\.0\.0\.0\/8/],
    ['a bad error range', 'zones:\n  - zone: zen.spamhaus.org\n    errorCodes: { 127.0.0.0/4: x }\n', /not a CIDR range inside 127\.0\.0\.0\/8/],
    ['an empty meaning', 'zones:\n  - zone: zen.spamhaus.org\n    listing: ""\n', /listing must be a non-empty text/],
    ['a bad zone name', 'zones:\n  - zone: "zen spamhaus"\n', /must be a DNS zone name/],
    ['a zone twice', 'zones:\n  - zone: a.example\n  - zone: A.example\n', /zone a\.example appears twice/],
    ['a defunct list switched on', 'zones:\n  - zone: dnsbl.sorbs.net\n    query: true\n', /marked defunct and cannot be queried/],
    ['an incomplete new zone', 'zones:\n  - zone: new.example.org\n    query: true\n', /new\.example\.org\) is a new zone and needs "name"/],
  ])('%s is refused with a clear message naming the file', (_label, text, message) => {
    expect(() => applyZoneOverrides(defaults, text, file)).toThrow(message);
    expect(() => applyZoneOverrides(defaults, text, file)).toThrow(/^Blacklist zones \/etc\/relaywatch\/zones\.yaml: /);
  });
});
