/**
 * Subjects as Exim logs them (T="…" with backslash-octal escapes for every byte outside printable
 * ASCII, and RFC 2047 encoded words Exim left undecoded) are decoded before they are compared with an
 * autoresponder's subject and before they are shown: in the CLI's JSON, the JSON routes and the
 * pages, where they are still escaped as text.
 */
import request from 'supertest';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { createContext } from '../../src/services/context';
import { arrival, autoresponderPipe } from '../helpers/eximLines';
import { removeTree, runCliCaptured } from '../helpers/hostTree';
import { makeEvidenceHost } from '../helpers/mailEvidenceHost';

const now = new Date();
const roots: string[] = [];
afterAll(() => roots.forEach(removeTree));

/** "Abwesend bis März – <b>" as the autoresponder file writes it (RFC 2047) and as Exim logs it (octal). */
const SUBJECT = 'Abwesend bis März – <b>';
const HEADER = '=?utf-8?Q?Abwesend_bis_M=C3=A4rz_=E2=80=93_<b>?=';
const EXIM_T = 'Abwesend bis M\\303\\244rz \\342\\200\\223 <b>';

function host(): { root: string; at: Date } {
  const at = new Date(now.getTime() - 30 * 60_000);
  const s = (sec: number): Date => new Date(at.getTime() + sec * 1000);
  // The message that reached the autoresponder is not in the log (an earlier, rotated-away arrival),
  // so only the reply's subject can tie the reply to it; the spam's own subject is an encoded word.
  const eximExtra = [
    arrival(s(0), { id: '1yyyyy-0000000YYYY-yyyy', sender: 'x@spam.example', ip: '192.0.2.99', subject: '=?utf-8?B?R3LDvMOfZSDwn5iA?=', to: ['info@alice.example'] }),
    autoresponderPipe(s(1), '1yyyyy-0000000YYYY-yyyy', 'info@alice.example', '/home/alice'),
    arrival(s(2), { sender: 'info@alice.example', localUser: 'alice', subject: 'Re: the spam', to: ['x@spam.example'] }),
    autoresponderPipe(s(3), '1zzzzz-0000000ZZZZ-zzzz', 'info@alice.example', '/home/alice'),
    arrival(s(4), { sender: 'info@alice.example', localUser: 'alice', subject: EXIM_T, to: ['forged@innocent.example'] }),
  ];
  const h = makeEvidenceHost(now, { aliceSubject: HEADER, eximExtra });
  roots.push(h.root);
  return { root: h.root, at };
}

test('the CLI shows decoded subjects, and a reply is recognised by its decoded subject', async () => {
  const { root, at } = host();
  const ar = await runCliCaptured(['autoresponders', '--json', '--root', root]);
  const alice = JSON.parse(ar.stdout).autoresponders.find((a: { address: string }) => a.address === 'info@alice.example');
  expect(alice.subject).toBe(SUBJECT);

  const bs = await runCliCaptured(['backscatter', '--json', '--root', root, '--at', at.toISOString()]);
  const events = JSON.parse(bs.stdout).around.events as Array<{ kind: string; subject: string | null; to: string[] }>;
  expect(events.find((e) => e.kind === 'autoresponder-hit')?.subject).toBe('Grüße 😀');
  expect(events.find((e) => e.to.includes('forged@innocent.example'))).toMatchObject({ kind: 'autoresponder-reply', subject: SUBJECT });

  const table = await runCliCaptured(['backscatter', '--root', root, '--at', at.toISOString()]);
  expect(table.stdout).toContain(SUBJECT);
  expect(table.stdout).not.toMatch(/\\303|=\?utf-8\?/);
});

test('the pages show decoded subjects, escaped as text', async () => {
  const { root, at } = host();
  const app = createApp(createContext(loadConfig({ root }), { now: () => now }), { identity: { kind: 'dev', user: 'root' } });
  const api = await request(app).get('/api/v1/backscatter').query({ at: at.toISOString() }).expect(200);
  expect(api.body.around.events.map((e: { subject: string | null }) => e.subject)).toEqual(['Grüße 😀', 'Re: the spam', null, SUBJECT]);
  for (const page of [await request(app).get('/backscatter').query({ at: at.toISOString() }).expect(200), await request(app).get('/autoresponders').expect(200)]) {
    expect(page.text).toContain('Abwesend bis März – &lt;b&gt;');
    expect(page.text).not.toContain(SUBJECT);
    expect(page.text).not.toMatch(/\\303|=\?utf-8\?/);
  }
});
