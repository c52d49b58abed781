/**
 * The demo host holds the mail evidence of the reliance, autoresponder and backscatter reports:
 * mailboxes relying on POP-before-SMTP (by cPanel's identification line and by login timing),
 * autoresponders in .json and .conf form, a catch-all that bounces, a forwarder to an outside
 * domain, and the spam burst at the listing time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LISTING_AGO_MS } from '../../src/demo/autoresponders';
import { generateDemoHost } from '../../src/demo/generateDemoHost';
import { runCliCaptured } from '../helpers/hostTree';

const now = new Date();
const roots: string[] = [];
afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

async function demo(generation: 'modern' | 'legacy'): Promise<string> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'relaywatch-demo-evidence-'));
  roots.push(root);
  await generateDemoHost({ out: root, generation, sizeMb: 0.3, now });
  return root;
}

async function json(root: string, ...args: string[]): Promise<any> {
  const r = await runCliCaptured([...args, '--json', '--root', root]);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout);
}

describe.each(['modern', 'legacy'] as const)('%s demo host', (generation) => {
  let root = '';
  beforeAll(async () => {
    root = await demo(generation);
  });

  test('reliance: three accounts of different owners rely on POP-before-SMTP; many send with SMTP AUTH', async () => {
    const r = await json(root, 'reliance');
    const owners = new Set(r.users.map((u: any) => u.owner));
    expect(owners).toEqual(new Set(['resellera', 'resellerb', 'root']));
    expect(r.authenticated.length).toBeGreaterThan(20);
    if (generation === 'modern') {
      expect(r.evidence.identificationLines).toBeGreaterThan(0);
      expect(r.evidence.loginMatches).toBeGreaterThan(0);
    } else {
      expect(r.evidence.identificationLines).toBe(0);
      expect(r.evidence.loginMatches).toBeGreaterThan(0);
    }
    expect(r.rejected.length).toBeGreaterThanOrEqual(1);
    expect(r.rejectedOther.attempts).toBeGreaterThan(0);
    expect(r.problems).toEqual([]);
  });

  test('autoresponders: .json and .conf, interval 0 and unknown, stopped and orphaned ones', async () => {
    const r = await json(root, 'autoresponders');
    const a = r.autoresponders;
    expect(a).toHaveLength(6);
    expect(a.filter((x: any) => x.settingsFile === 'conf')).toHaveLength(1);
    const noisy = a.find((x: any) => x.interval === 0);
    expect(noisy.risks.map((k: any) => k.code)).toEqual(expect.arrayContaining(['interval-zero', 'always-on', 'spam-tagged']));
    expect(noisy.replies).toBe(noisy.received);
    expect(a.find((x: any) => x.interval === null).risks.map((k: any) => k.code)).toContain('interval-unknown');
    expect(a.filter((x: any) => !x.active).map((x: any) => x.routed).sort()).toEqual([false, true]);
    expect(a.find((x: any) => /Abwesenheitsnotiz/.test(x.subject))).toMatchObject({ interval: 8, active: true, risks: [] });
    expect(r.repliesNote).toBeNull();
  });

  test('backscatter: forwarder outside, catch-alls that bounce and deliver, the burst at the listing time', async () => {
    const at = new Date(now.getTime() - LISTING_AGO_MS).toISOString();
    const r = await json(root, 'backscatter', '--at', at);
    expect(r.forwarders).toHaveLength(1);
    expect(r.forwarders[0].forwarded).toBeGreaterThan(0);
    expect(r.defaultAddresses.filter((d: any) => d.risky).map((d: any) => d.kind).sort()).toEqual(['deliver', 'fail']);
    const fail = r.defaultAddresses.find((d: any) => d.kind === 'fail');
    expect(r.bounces.byDomain).toEqual([expect.objectContaining({ domain: fail.domain })]);
    expect(r.bounces.unattributed).toBeNull();
    expect(r.around.counts).toMatchObject({ autoresponderHits: 12, autoresponderReplies: 12 });
    expect(r.around.counts.bounces).toBeGreaterThanOrEqual(4);
  });
});
