/**
 * `relaywatch reliance` and /api/v1/reliance on real temporary host trees: who would break when
 * POP-before-SMTP is turned off.
 */
import request from 'supertest';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { viewerFor } from '../../src/domain/scope';
import { loadAccounts } from '../../src/services/accountsService';
import { createContext } from '../../src/services/context';
import { relianceReport } from '../../src/services/relianceService';
import { loginLine, makeCpanelHost } from '../helpers/cpanelHost';
import { arrival, identification, messageId, rejectedRelay } from '../helpers/eximLines';
import { removeTree, runCliCaptured } from '../helpers/hostTree';

const now = new Date();
const minutesAgo = (m: number): Date => new Date(now.getTime() - m * 60_000);
const daysAgo = (d: number): Date => new Date(now.getTime() - d * 86_400_000);
const roots: string[] = [];
afterAll(() => roots.forEach(removeTree));

function host(exim: string[], maillog: string[] = []): string {
  const root = makeCpanelHost({
    generation: 'modern',
    popbeforesmtp: true,
    relayIps: ['203.0.113.10'],
    maillog,
    extra: { files: { '/var/log/exim_mainlog': exim.map((l) => `${l}\n`).join('') }, mtimes: {} },
  });
  roots.push(root);
  return root;
}

test('identification lines name the mailboxes that rely on the relay list', async () => {
  const root = host([
    identification(minutesAgo(50), { ip: '203.0.113.10', cpuser: 'bob', sender: 'bob@bob.example' }),
    arrival(minutesAgo(50), { sender: 'bob@bob.example', ip: '203.0.113.10', to: ['friend@elsewhere.example'] }),
    identification(minutesAgo(20), { ip: '198.51.100.7', cpuser: 'carol', sender: 'carol@carol.example', method: 'recent_authed_mail_ips_domain' }),
    identification(minutesAgo(10), { ip: '203.0.113.10', cpuser: 'bob', sender: 'bob@bob.example' }),
    arrival(minutesAgo(5), { sender: 'alice@alice.example', ip: '192.0.2.50', auth: 'alice@alice.example', to: ['x@elsewhere.example'] }),
  ]);
  const ctx = createContext(loadConfig({ root }), { now: () => now });
  const viewer = viewerFor('root', await loadAccounts(ctx));
  const r = await relianceReport(ctx, viewer, { days: 7 });
  expect(r.users).toEqual([
    { user: 'bob@bob.example', account: 'bob', owner: 'resellera', messages: 2, lastSeen: new Date(Math.floor(minutesAgo(10).getTime() / 1000) * 1000).toISOString(), ips: ['203.0.113.10'] },
    { user: 'carol@carol.example', account: 'carol', owner: 'resellerb', messages: 1, lastSeen: expect.any(String), ips: ['198.51.100.7'] },
  ]);
  expect(r.authenticated).toEqual([{ user: 'alice@alice.example', messages: 1 }]);
  expect(new Date(r.since).getTime()).toBe(now.getTime() - 7 * 86_400_000);
});
