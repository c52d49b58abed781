/**
 * The demo host's relaywatch configuration. Its one setting points the blacklist check at the local
 * DNS server `relaywatch demo-dnsbl` runs (npm start starts it), so that the demo never sends a
 * blacklist query out of the machine for its made-up addresses.
 */
import { DemoTree } from './demoTree';

export const DEMO_DNSBL_ADDRESS = '127.0.0.1:5354';

export async function writeDemoConfig(tree: DemoTree): Promise<void> {
  await tree.write(
    '/etc/relaywatch/config.yaml',
    [
      '# relaywatch configuration of the demo host (every key not named here keeps its default).',
      '# The blacklists of the demo are played by `relaywatch demo-dnsbl --listen ' + DEMO_DNSBL_ADDRESS + '`.',
      'blacklist:',
      `  resolver: "${DEMO_DNSBL_ADDRESS}"`,
      '',
    ].join('\n'),
  );
}
