/**
 * The host's own interface addresses, one of the sources of "IPs this server sends mail from".
 *
 * Only on a real server (host root "/") are they the machine's interfaces (os.networkInterfaces()).
 * Under any other root (the demo host, tests) the machine running relaywatch is not the host being
 * looked at, so its interfaces would be wrong there: the addresses come instead from the optional file
 * /etc/relaywatch/interfaces under that root (one address per line, `ADDR` or `ADDR/PREFIX`, `#`
 * comments), and when it is absent there are none.
 */
import os from 'node:os';
import { Host } from './host';

export const INTERFACES_FILE = '/etc/relaywatch/interfaces';

export interface InterfaceSource {
  /** "network interfaces" on a real server, else the host path of the list file */
  source: string;
  /** raw text of the list file (null when the addresses came from the interfaces, or none exist) */
  text: string | null;
  /** addresses read from the interfaces (empty when `text` is to be parsed instead) */
  addresses: string[];
}

export async function readInterfaceAddresses(host: Host): Promise<InterfaceSource> {
  if (host.root === '/') {
    const addresses: string[] = [];
    for (const list of Object.values(os.networkInterfaces())) {
      for (const a of list ?? []) addresses.push(a.address);
    }
    return { source: 'network interfaces', text: null, addresses };
  }
  return { source: INTERFACES_FILE, text: await host.readOptional(INTERFACES_FILE), addresses: [] };
}
