/**
 * Search by IP or mailbox, over HTTP and the CLI: results link to the right page, and a reseller
 * finds nothing about an IP not tied to their accounts (the same answer as an unused IP).
 */
import request from 'supertest';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { createContext } from '../../src/services/context';
import { failedLine, loginLine, makeCpanelHost } from '../helpers/cpanelHost';
import { removeTree, runCliCaptured } from '../helpers/hostTree';

const now = new Date();
const minutesAgo = (m: number): Date => new Date(now.getTime() - m * 60_000);
let root: string;
beforeAll(() => {
  root = makeCpanelHost({
    generation: 'modern',
    relayIps: ['203.0.113.10', '203.0.113.11', '192.0.2.99'],
    maillog: [
      loginLine(minutesAgo(5), 'bob@bob.example', '203.0.113.10'),
      loginLine(minutesAgo(4), 'carol@carol.example', '203.0.113.11'),
      failedLine(minutesAgo(3), 'alice@alice.example', '192.0.2.99'),
    ],
  });
});
afterAll(() => removeTree(root));
const app = (user: string): ReturnType<typeof createApp> => createApp(createContext(loadConfig({ root })), { identity: { kind: 'dev', user } });

test('an IP finds its IP page; a mailbox finds its account and the relay IPs it logged in from', async () => {
  const ip = (await request(app('root')).get('/api/v1/search').query({ q: ' 203.0.113.10 ' }).expect(200)).body;
  expect(ip.results).toEqual([expect.objectContaining({ kind: 'ip', title: '203.0.113.10', route: '/ip/203.0.113.10' })]);
  const mailbox = (await request(app('root')).get('/api/v1/search').query({ q: 'carol@carol.example' }).expect(200)).body;
  expect(mailbox.results.map((r: any) => [r.kind, r.route])).toEqual([['account', '/account/carol'], ['mailbox', '/ip/203.0.113.11']]);
  const page = await request(app('root')).get('/search').query({ q: 'bob' }).expect(200);
  expect(page.text).toContain('href="/account/bob"');
  expect(page.text).toContain('href="/ip/203.0.113.10"');
});

test('a reseller finds only their own; an IP not tied to them answers like an unused one', async () => {
  const a = app('resellera');
  const theirs = (await request(a).get('/api/v1/search').query({ q: '203.0.113.10' }).expect(200)).body;
  expect(theirs.results).toHaveLength(1);
  const notTheirs = (await request(a).get('/api/v1/search').query({ q: '192.0.2.99' }).expect(200)).body;
  const unused = (await request(a).get('/api/v1/search').query({ q: '198.51.100.77' }).expect(200)).body;
  expect(notTheirs.results).toEqual([]);
  expect({ ...notTheirs, query: 'X' }).toEqual({ ...unused, query: 'X' });
  const carol = (await request(a).get('/api/v1/search').query({ q: 'carol' }).expect(200)).body;
  expect(carol.results).toEqual([]);
});

test('too short a query is a clear 400; the page keeps the form and says why', async () => {
  const api = await request(app('root')).get('/api/v1/search').query({ q: 'a' }).expect(400);
  expect(api.body.error.message).toMatch(/at least 2 characters/);
  const page = await request(app('root')).get('/search').query({ q: 'a' }).expect(400);
  expect(page.text).toMatch(/at least 2 characters/);
  await request(app('root')).get('/search').expect(200);
});

test('relaywatch search prints the same answer', async () => {
  const r = await runCliCaptured(['search', 'carol', '--json', '--root', root]);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout).results.map((x: any) => x.route)).toEqual(['/account/carol', '/ip/203.0.113.11']);
  const reseller = await runCliCaptured(['search', '192.0.2.99', '--as', 'resellera', '--root', root]);
  expect(reseller.stdout).toBe('Nothing found.\n');
});
