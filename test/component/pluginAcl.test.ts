/**
 * relaywatch's own WHM privilege: the Perl driver that declares it (plugin/acl/), loaded the way WHM's
 * driver loader does (META first, then the driver, then acl_desc), with cPanel's parent class stood in
 * by a small module in a temporary @INC, so `perl -c` compiles the real files against a real parent;
 * and the three places that name the privilege agree: the driver, the AppConfig's acls= (what WHM
 * checks) and PLUGIN_ACLS (what the daemon checks again).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PLUGIN_ACL, PLUGIN_ACLS } from '../../src/http/identity';

const REPO = path.resolve(__dirname, '../..');
const DRIVER_PATH = 'Cpanel/Config/ConfigObj/Driver';
const PARENT_PATH = 'Cpanel/Config/ConfigObj/Interface/Config/v1.pm';

/** cPanel's Cpanel::Config::ConfigObj::Interface::Config::v1, reduced to the factory the driver calls. */
const PARENT_STANDIN = `package Cpanel::Config::ConfigObj::Interface::Config::v1;
use strict;
use warnings;
sub base {
    my ( $class, $defaults, $software_obj ) = @_;
    return bless { 'settings' => {}, 'args' => {}, 'version' => 1, %{ $defaults || {} }, 'software' => $software_obj }, $class;
}
1;
`;

/** What WHM's loader (Cpanel::Config::ConfigObj::get_available_drivers) and its ACL list ask of a driver. */
const LOADER = `use strict;
use warnings;
use JSON::PP ();
my $meta = 'Cpanel::Config::ConfigObj::Driver::Relaywatch::META';
eval "require $meta; 1" or die "META: $@";
die "no spec_version\\n" unless $meta->can('spec_version');
my $driver = 'Cpanel::Config::ConfigObj::Driver::Relaywatch';
eval "require $driver; 1" or die "driver: $@";
my $obj = $driver->init(undef);
print JSON::PP->new->canonical->encode({
    spec => $meta->spec_version(),
    driverName => $meta->get_driver_name(),
    content => $meta->content(),
    ns => $obj->{thirdparty_ns},
    isa => ($obj->isa('Cpanel::Config::ConfigObj::Interface::Config::v1') ? 1 : 0),
    enable => $obj->enable(), disable => $obj->disable(),
    acls => $driver->acl_desc(),
    version => $driver->VERSION,
});
`;

const temps: string[] = [];
afterAll(() => temps.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A temporary @INC: the plugin's driver files where cPanel's tree has them, and (optionally) the parent stand-in. */
function inc(opts: { parent: boolean; driver?: (text: string) => string }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-acl-inc-'));
  temps.push(dir);
  fs.mkdirSync(path.join(dir, DRIVER_PATH, 'Relaywatch'), { recursive: true });
  const driver = fs.readFileSync(path.join(REPO, 'plugin/acl/Relaywatch.pm'), 'utf8');
  fs.writeFileSync(path.join(dir, DRIVER_PATH, 'Relaywatch.pm'), opts.driver ? opts.driver(driver) : driver);
  fs.copyFileSync(path.join(REPO, 'plugin/acl/Relaywatch/META.pm'), path.join(dir, DRIVER_PATH, 'Relaywatch/META.pm'));
  if (opts.parent) {
    fs.mkdirSync(path.dirname(path.join(dir, PARENT_PATH)), { recursive: true });
    fs.writeFileSync(path.join(dir, PARENT_PATH), PARENT_STANDIN);
  }
  return dir;
}

function perl(dir: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('perl', ['-w', `-I${dir}`, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function appConfigAcls(): string[] {
  const line = fs.readFileSync(path.join(REPO, 'plugin/relaywatch.conf'), 'utf8').split('\n').find((l) => /^\s*acls\s*=/.test(l));
  return line!.replace(/^\s*acls\s*=\s*/, '').split(',').map((a) => a.trim());
}

describe('the driver that declares the privilege', () => {
  test('both files compile (perl -c) against the parent class, without a warning', () => {
    const dir = inc({ parent: true });
    for (const f of ['Relaywatch/META.pm', 'Relaywatch.pm']) {
      const r = perl(dir, '-c', path.join(dir, DRIVER_PATH, f));
      expect([f, r.status, r.stderr.trim()]).toEqual([f, 0, `${path.join(dir, DRIVER_PATH, f)} syntax OK`]);
    }
  });

  test('the syntax check is real: it fails without cPanel\'s parent class, and on a broken driver', () => {
    const bare = inc({ parent: false });
    const missing = perl(bare, '-c', path.join(bare, DRIVER_PATH, 'Relaywatch.pm'));
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain("Can't locate Cpanel/Config/ConfigObj/Interface/Config/v1.pm");
    const brokenDir = inc({ parent: true, driver: (t) => t.replace("sub enable  { return 1; }", 'sub enable  { return 1; ') });
    const broken = perl(brokenDir, '-c', path.join(brokenDir, DRIVER_PATH, 'Relaywatch.pm'));
    expect(broken.status).not.toBe(0);
  });

  test('loaded as WHM loads it, it declares software-relaywatch under Third-Party Services, granted to nobody by default', () => {
    const r = perl(inc({ parent: true }), '-e', LOADER);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const got = JSON.parse(r.stdout);
    expect(got).toMatchObject({ spec: 1, driverName: 'relaywatch_driver', ns: 'Relaywatch', isa: 1, enable: 1, disable: 1, version: '1.0' });
    expect(got.content).toMatchObject({ name: { driver: 'relaywatch_driver' }, abstract: expect.stringContaining('reseller') });
    expect(got.acls).toEqual([
      {
        acl: 'software-relaywatch',
        name: expect.stringMatching(/^relaywatch\b/),
        default_value: 0,
        default_ui_value: 0,
        acl_subcat: 'Third-Party Services',
      },
    ]);
  });
});

describe('one privilege list everywhere', () => {
  test('the AppConfig\'s acls= and the daemon\'s PLUGIN_ACLS are the same list, and hold the driver\'s ACL', () => {
    expect(appConfigAcls()).toEqual([...PLUGIN_ACLS]);
    expect(PLUGIN_ACLS).toContain(PLUGIN_ACL);
    const declared = /'acl'\s*=>\s*'([^']+)'/.exec(fs.readFileSync(path.join(REPO, 'plugin/acl/Relaywatch.pm'), 'utf8'))![1];
    expect(declared).toBe(PLUGIN_ACL);
    // cPanel's convention for a third-party ACL; list-accts no longer opens the plugin
    expect(PLUGIN_ACL).toMatch(/^software-/);
    expect(appConfigAcls()).not.toContain('list-accts');
  });
});
