/**
 * The demo host's interface list (/etc/relaywatch/interfaces): on a host root other than "/",
 * relaywatch reads the server's interface addresses from this file instead of the machine's own
 * interfaces (see host/interfaces.ts). It gives the blacklist check the server's IPv6 address and
 * the addresses it must skip: loopback, a private back-end network and IPv6 link-local.
 */
import { INTERFACES_FILE } from '../host/interfaces';
import { DemoTree } from './demoTree';
import { DemoWorld } from './world';

export async function writeInterfaceList(tree: DemoTree, world: DemoWorld): Promise<void> {
  const lines = [
    '# Addresses of the server\'s network interfaces (ADDR or ADDR/PREFIX per line).',
    '127.0.0.1/8',
    '::1/128',
    `${world.mainIp}/24`,
    ...world.extraIps.map((ip) => `${ip}/24`),
    `${world.mainIpv6}/64`,
    'fe80::5054:ff:fe12:3456/64',
    '10.20.0.5/24',
  ];
  await tree.write(INTERFACES_FILE, `${lines.join('\n')}\n`);
}
