/**
 * The host both quick-path suites ask about (the Node.js one and the installed command's Perl one):
 * two relay IPs explained by logins, one with failed logins only, and a relay-list companion that
 * cannot be read, so the answer has a problem line on stderr and no clear verdict.
 */
import fs from 'node:fs';
import path from 'node:path';
import { failedLine, loginLine, makeCpanelHost } from './cpanelHost';

/** The daemon's clock: a second after the host was made, so every login is minutes old. */
export function quickExplainHost(): { root: string; daemonClock: Date } {
  const now = new Date();
  const minutesAgo = (m: number): Date => new Date(now.getTime() - m * 60_000);
  const root = makeCpanelHost({
    generation: 'modern',
    relayIps: ['203.0.113.10', '203.0.113.11', '198.51.100.7'],
    maillog: [
      loginLine(minutesAgo(5), 'bob@bob.example', '203.0.113.10'),
      loginLine(minutesAgo(4), 'carol@carol.example', '203.0.113.11'),
      failedLine(minutesAgo(3), 'alice@alice.example', '198.51.100.7'),
    ],
  });
  fs.mkdirSync(path.join(root, 'etc/alwaysrelay'));
  return { root, daemonClock: new Date(now.getTime() - 1000) };
}
