/**
 * The pieces of the server's mail that must hold against hostile text: the message composer, the
 * wwwacct.conf parser and the watch settings in config.yaml.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/config';
import { parseWwwAcct } from '../../src/parsers/wwwacct';
import { composeMail } from '../../src/watch/mailMessage';

const base = { from: 'relaywatch@server1.example', to: ['admin@example.com'], subject: 'Hello', body: 'Body\n', date: new Date('2026-12-06T10:00:00Z'), event: 'unexplained:192.0.2.1' };
const headers = (m: string): string[] => m.split('\n\n')[0].split('\n');

test('a line break in a subject never becomes a header of its own', () => {
  const m = composeMail({ ...base, subject: 'IP 192.0.2.1\r\nBcc: victim@example.org\nX-Evil: 1' });
  expect(headers(m).filter((h) => /^(Bcc|X-Evil):/i.test(h))).toEqual([]);
  expect(headers(m)).toContain('Subject: IP 192.0.2.1 Bcc: victim@example.org X-Evil: 1');
});

test('addresses with line breaks, spaces or angle brackets are refused', () => {
  for (const bad of ['a@b.example\nBcc: x@y.example', 'a b@c.example', '<a@b.example>', 'no-at-sign', 'a@b']) {
    expect(() => composeMail({ ...base, to: [bad] })).toThrow(/is not a mail address relaywatch will write to/);
    expect(() => composeMail({ ...base, from: bad })).toThrow();
  }
  expect(() => composeMail({ ...base, to: [] })).toThrow(/needs a recipient/);
});

test('a non-ASCII subject is RFC 2047 encoded; the body keeps its text without control bytes; auto-replies are asked not to answer', () => {
  const m = composeMail({ ...base, subject: 'Relais für “alle” – Prüfung', body: 'Zeile 1\r\n\u001b[31mrot\u0007\n.\nEnde' });
  const subject = headers(m).find((h) => h.startsWith('Subject: '))!;
  expect(subject).toMatch(/^Subject: =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
  const decoded = m.split('\n\n')[0].match(/=\?UTF-8\?B\?([^?]+)\?=/g)!.map((w) => Buffer.from(w.slice(10, -2), 'base64').toString('utf8')).join('');
  expect(decoded).toBe('Relais für “alle” – Prüfung');
  expect(m.split('\n\n').slice(1).join('\n\n')).toBe('Zeile 1\n[31mrot\n.\nEnde\n');
  expect(headers(m)).toContain('Auto-Submitted: auto-generated');
  expect(headers(m)).toContain('X-Relaywatch-Event: unexplained:192.0.2.1');
  expect(headers(m)).toContain('Date: Sun, 06 Dec 2026 10:00:00 +0000');
});

test('wwwacct.conf: HOST and CONTACTEMAIL, comments and empty values', () => {
  expect(parseWwwAcct('# cPanel\nADDR 192.0.2.1\nCONTACTEMAIL admin@example.com\nCONTACTPAGER \nHOST server1.example.com\nNS ns1.example.com\n')).toEqual({ host: 'server1.example.com', contactEmail: 'admin@example.com' });
  expect(parseWwwAcct('CONTACTEMAIL\nHOST\n')).toEqual({ host: null, contactEmail: null });
});

describe('watch settings in config.yaml', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const load = (yaml: string) => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-watchcfg-'));
    dirs.push(root);
    fs.mkdirSync(path.join(root, 'etc/relaywatch'), { recursive: true });
    fs.writeFileSync(path.join(root, 'etc/relaywatch/config.yaml'), yaml);
    return loadConfig({ root });
  };

  test('defaults, notify: off, and a mapping', () => {
    const d = load('{}\n');
    expect(d.check).toMatchObject({ unexplained: 'critical', providerListed: 'warning', popBeforeSmtp: 'warning' });
    expect(d.notify).toMatchObject({ enabled: true, to: null, maxPerHour: 10, events: ['unexplained', 'pop-before-smtp', 'listed'] });
    expect(d.metrics.listen).toBeNull();
    expect(load('notify: off\n').notify.enabled).toBe(false);
    expect(load('notify: false\n').notify.enabled).toBe(false);
    expect(load('notify:\n  to: noc@example.net\n  events: [listed]\nmetrics:\n  listen: 127.0.0.1:9839\n')).toMatchObject({ notify: { enabled: true, to: 'noc@example.net', events: ['listed'] }, metrics: { listen: '127.0.0.1:9839' } });
  });

  test('bad values are refused with the key named', () => {
    expect(() => load('check:\n  providerListed: critical\n')).toThrow(/"check.providerListed" must be one of ok, warning/);
    expect(() => load('check:\n  unexplained: loud\n')).toThrow(/"check.unexplained" must be one of ok, warning, critical/);
    expect(() => load('notify:\n  to: "a@b.example\\nBcc: c@d.example"\n')).toThrow(/"notify.to" must be a mail address/);
    expect(() => load('notify:\n  events: [everything]\n')).toThrow(/"notify.events" must be a list of unexplained, pop-before-smtp, listed/);
    expect(() => load('notify: maybe\n')).toThrow(/"notify" must be off or a mapping/);
    expect(() => load('metrics:\n  listen: 9839\n')).toThrow(/"metrics.listen" must be HOST:PORT/);
    expect(() => load('reliance:\n  warning:\n    body: "Dear {{name}}"\n')).toThrow(/placeholders are among .*found \{\{name\}\}/);
    expect(() => load('reliance:\n  warning:\n    subject: "two\\nlines"\n')).toThrow(/"reliance.warning.subject" must be one line/);
  });
});
