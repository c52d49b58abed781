/**
 * ~/.autorespond files: the message, the .json settings (with its unconfirmed interval key) and the
 * legacy .conf; and the active/risk judgement.
 */
import { activeState, autoresponderRisks, isSpamTagged, RiskFacts } from '../../src/domain/autoresponderRisk';
import { parseAutoresponderConf, parseAutoresponderJson, parseAutoresponderMessage } from '../../src/parsers/autoresponderFiles';
import { decodeEncodedWords } from '../../src/parsers/encodedWords';

test('message: headers (folded, encoded), charset, body', () => {
  const m = parseAutoresponderMessage('From: "Alice" <info@alice.example>\r\nSubject: =?utf-8?B?QWJ3ZXNlbmQ=?=\r\n =?utf-8?Q?_bis_M=C3=A4rz?=\r\nContent-Type: text/plain; charset="utf-8"\r\n\r\nI am away.\n');
  expect(m).toEqual({ from: '"Alice" <info@alice.example>', subject: 'Abwesend bis März', charset: 'utf-8', bodyLength: 11 });
  expect(parseAutoresponderMessage('no headers at all')).toMatchObject({ subject: null, from: null, bodyLength: 0 });
});

test('encoded words in latin1 and broken ones are left readable', () => {
  expect(decodeEncodedWords('=?iso-8859-1?Q?caf=E9?=')).toBe('café');
  expect(decodeEncodedWords('plain =?x?Z?bad?= text')).toBe('plain =?x?Z?bad?= text');
});

test('.json: start, stop, interval in hours; empty stop = no end', () => {
  expect(parseAutoresponderJson('{"start":1754000000,"stop":"","interval":8}')).toEqual({ start: 1754000000, stop: null, interval: 8, intervalNote: null, problems: [] });
  expect(parseAutoresponderJson('{"start":"1754000000","stop":1755000000,"interval":"0"}')).toMatchObject({ start: 1754000000, stop: 1755000000, interval: 0 });
});

test('.json: the interval key is unconfirmed, so other spellings are read and named, and a missing one is unknown', () => {
  expect(parseAutoresponderJson('{"start":1,"interval_hours":4}')).toMatchObject({ interval: 4, intervalNote: 'interval read from the key "interval_hours"' });
  expect(parseAutoresponderJson('{"start":1754000000}')).toMatchObject({ interval: null, intervalNote: 'no interval setting in the .json settings' });
  const bad = parseAutoresponderJson('{"interval":"often"}');
  expect(bad.interval).toBeNull();
  expect(bad.problems[0]).toMatch(/not a number of hours/);
  expect(parseAutoresponderJson('not json')).toMatchObject({ interval: null, problems: ['the .json settings file is not valid JSON'] });
  expect(parseAutoresponderJson('[1,2]').problems).toEqual(['the .json settings file is not an object']);
});

test('legacy .conf: interval=N lines', () => {
  expect(parseAutoresponderConf('# settings\ninterval=24\n')).toEqual({ start: null, stop: null, interval: 24, intervalNote: null, problems: [] });
  expect(parseAutoresponderConf('interval = 0\nstart=1754000000\n')).toMatchObject({ interval: 0, start: 1754000000 });
});

test('active: routed, has a message, within start/stop', () => {
  const now = 1_760_000_000;
  expect(activeState({ routed: true, hasMessage: true, schedule: null, nowSec: now }).active).toBe(true);
  expect(activeState({ routed: false, hasMessage: true, schedule: null, nowSec: now }).active).toBe(false);
  expect(activeState({ routed: true, hasMessage: false, schedule: null, nowSec: now }).why).toMatch(/message file is missing/);
  expect(activeState({ routed: true, hasMessage: true, schedule: { start: now + 10, stop: null }, nowSec: now }).active).toBe(false);
  expect(activeState({ routed: true, hasMessage: true, schedule: { start: now - 10, stop: now }, nowSec: now }).active).toBe(false);
  expect(activeState({ routed: true, hasMessage: true, schedule: { start: now - 10, stop: now + 10 }, nowSec: now }).active).toBe(true);
});

test('risks: interval 0, always on, spam-tagged, high volume, unknown interval', () => {
  const base: RiskFacts = { active: true, interval: 8, intervalNote: null, schedule: { start: 1, stop: 2e9 }, received: 10, spamReceived: 0, replies: 3, days: 7 };
  expect(autoresponderRisks(base)).toEqual([]);
  const codes = (o: Partial<RiskFacts>): string[] => autoresponderRisks({ ...base, ...o }).map((r) => r.code);
  expect(codes({ interval: 0 })).toEqual(['interval-zero']);
  expect(codes({ schedule: { start: 1, stop: null } })).toEqual(['always-on']);
  expect(codes({ schedule: null })).toEqual(['always-on']);
  expect(codes({ spamReceived: 4 })).toEqual(['spam-tagged']);
  expect(codes({ received: 350 })).toEqual(['high-volume']);
  expect(codes({ interval: null })).toEqual(['interval-unknown']);
  expect(codes({ active: false, interval: null, schedule: null })).toEqual([]);
  expect(autoresponderRisks({ ...base, spamReceived: 4 })[0].reason).toMatch(/4 of the 10 messages/);
});

test('spam tag', () => {
  expect(isSpamTagged('***SPAM*** cheap pills')).toBe(true);
  expect(isSpamTagged('Re: spam filter settings')).toBe(false);
  expect(isSpamTagged(null)).toBe(false);
});
