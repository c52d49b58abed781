/**
 * Hostile text in a host's mail log, exim log, relay list and user map, tailwatchd log, alias files
 * and an autoresponder subject (src/demo/hostileLines.ts), then every page and JSON route of the app
 * (read from the router) and every CLI command in text and JSON: no server error, no markup made from
 * data (parsed, not grepped), valid JSON, and terminal text without control or bidi characters.
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app';
import { COMMANDS } from '../../src/cli/commands';
import { loadConfig } from '../../src/config/config';
import { hostileFile, hostileLines, MARKUP_MARKER, MARKUP_PAYLOADS } from '../../src/demo/hostileLines';
import { createContext } from '../../src/services/context';
import { appRoutes, markupProblems } from '../helpers/appRoutes';
import { addToTree, removeTree, runCliCaptured } from '../helpers/hostTree';
import { arrival } from '../helpers/eximLines';
import { makeEvidenceHost } from '../helpers/mailEvidenceHost';
import { installStandins } from '../helpers/standins';

jest.setTimeout(300_000);

const now = new Date();
const RELAY = ['203.0.113.10', '198.51.100.7'];
/** C0 controls but tab and newline, DEL, C1, bidi controls: none may reach a terminal. */
const UNSAFE_TERMINAL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** The same on pages, and the line and paragraph separators and the BOM as well. */
const UNSAFE_PAGE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;

/** Sample URLs for routes with parameters, in this host (hostile values included). */
const SAMPLES: Record<string, string[]> = {
  '/api/v1/ip/:ip': RELAY.map((ip) => `/api/v1/ip/${ip}`),
  '/ip/:ip': [...RELAY.map((ip) => `/ip/${ip}`), `/ip/${encodeURIComponent(MARKUP_PAYLOADS[0])}`],
  '/api/v1/accounts/:name': ['/api/v1/accounts/alice', '/api/v1/accounts/bob'],
  '/account/:name': ['/account/alice', '/account/bob', `/account/${encodeURIComponent(MARKUP_PAYLOADS[2])}`],
};
/** Queries worth adding to routes without parameters. */
const QUERIES: Record<string, string[]> = {
  '/search': ['?q=alice', `?q=${encodeURIComponent(MARKUP_MARKER)}`, `?q=${encodeURIComponent(MARKUP_PAYLOADS[1])}`, `?q=${encodeURIComponent('\u202e\u001b[2J<b>')}`],
  '/api/v1/search': ['?q=alice', `?q=${encodeURIComponent(MARKUP_MARKER)}`],
  '/reliance': ['?days=30'],
  '/backscatter': ['?days=30', `?at=${encodeURIComponent(MARKUP_PAYLOADS[0])}`],
  '/status/confirm': ['?action=disable', `?action=${encodeURIComponent(MARKUP_PAYLOADS[4])}`],
  '/audit': [`?limit=${encodeURIComponent(MARKUP_PAYLOADS[0])}`],
};

let root: string;
beforeAll(() => {
  root = makeEvidenceHost(now).root;
  // 3,000 hostile lines (two of them 1 MiB) about the relay IPs, stamped within the last hour
  const lines = hostileLines({ count: 3000, longLines: 2, ips: RELAY, now });
  const append = (p: string, extra: Buffer): void => {
    const file = path.join(root, p);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.appendFileSync(file, extra);
  };
  append('/var/log/maillog', hostileFile(lines, 'maillog'));
  append('/var/log/exim_mainlog', hostileFile(lines, 'exim'));
  // A null-sender message with a terminal escape and a bidi override in its subject, for the backscatter page.
  append('/var/log/exim_mainlog', Buffer.from(`${arrival(new Date(now.getTime() - 3 * 3600_000), { sender: '<>', localUser: 'alice', subject: 'notice\u202e\u001b[33m', to: ['victim@elsewhere.example'] })}\n`));
  append('/etc/recent_authed_mail_ips', hostileFile(lines, 'relaylist'));
  append('/etc/recent_authed_mail_ips_users', hostileFile(lines, 'usermap'));
  append('/usr/local/cpanel/logs/tailwatchd_log', hostileFile(lines, 'tailwatchd'));
  append('/etc/valiases/alice.example', hostileFile(lines, 'valiases'));
  addToTree(root, {
    files: {
      '/home/alice/.autorespond/info@alice.example': `From: "${MARKUP_PAYLOADS[2]}" <info@alice.example>\nSubject: ${MARKUP_PAYLOADS[0]}\u202e\u001b[31m\nContent-Type: text/plain; charset="utf-8"\n\n${MARKUP_PAYLOADS[1]}\n`,
      '/etc/relaywatch/config.yaml': 'blacklist:\n  resolver: "127.0.0.1:9"\n  timeoutMs: 200\n',
      '/var/log/relaywatch/audit.log': `${JSON.stringify({ time: now.toISOString(), user: MARKUP_PAYLOADS[0], via: 'web', action: `x${MARKUP_PAYLOADS[1]}`, target: '\u001b[2J', outcome: 'refused', summary: MARKUP_PAYLOADS[2], evidence: [MARKUP_PAYLOADS[3], '\u202eevil'] })}\n`,
    },
  });
  installStandins(root, 'modern');
});
afterAll(() => removeTree(root));

describe('pages and JSON routes', () => {
  const app = () => createApp(createContext(loadConfig({ root })), { identity: { kind: 'dev', user: 'root' } });

  test('every GET route has samples when it needs them', () => {
    const gets = appRoutes(app()).filter((r) => r.method === 'get');
    expect(gets.filter((r) => r.hasParams && !SAMPLES[r.path]).map((r) => r.path)).toEqual([]);
  });

  test('every GET route as root: no server error, no markup from data, JSON valid', async () => {
    const a = app();
    const gets = appRoutes(a).filter((r) => r.method === 'get');
    const problems: string[] = [];
    let markerSeen = 0;
    let pages = 0;
    for (const route of gets) {
      const urls = SAMPLES[route.path] ?? [route.path, ...(QUERIES[route.path] ?? []).map((q) => route.path + q)];
      for (const url of urls) {
        for (const accept of ['text/html', 'application/json']) {
          const res = await request(a).get(url).set('Accept', accept);
          if (res.status >= 500) problems.push(`${url} (${accept}): ${res.status} ${res.text.slice(0, 200)}`);
          const type = String(res.headers['content-type'] ?? '');
          if (type.startsWith('text/html')) {
            pages++;
            problems.push(...markupProblems(res.text, MARKUP_MARKER).map((p) => `${url}: ${p}`));
            if (res.text.includes(MARKUP_MARKER)) markerSeen++;
            // Control and bidi characters of the data are shown as marks on every page, never raw.
            const raw = UNSAFE_PAGE.exec(res.text);
            if (raw) problems.push(`${url}: raw U+${raw[0].charCodeAt(0).toString(16).padStart(4, '0')} in the page`);
            // The CSP that stops any script that slipped through is on every page.
            if (!/script-src 'self' 'nonce-/.test(String(res.headers['content-security-policy']))) problems.push(`${url}: no strict CSP`);
          } else if (type.startsWith('application/json')) {
            try {
              JSON.parse(res.text);
            } catch {
              problems.push(`${url}: JSON that does not parse`);
            }
          }
          for (const [name, value] of Object.entries(res.headers)) if (/[\r\n]/.test(String(value)) || String(value).includes(MARKUP_MARKER)) problems.push(`${url}: header ${name} made from data`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(pages).toBeGreaterThan(15);
    // the hostile text did reach the pages (shown escaped), or the test would prove nothing
    expect(markerSeen).toBeGreaterThan(3);
  });

  test('control and bidi characters are visible marks on the dashboard, account, search, autoresponder, backscatter and audit pages', async () => {
    const a = app();
    const anyMark = /\\(x[01][0-9a-f]|u20[0-9a-f]{2})/;
    const marks: Record<string, Array<string | RegExp>> = {
      '/': [anyMark],
      '/account/alice': [anyMark],
      '/autoresponders?days=30': ['\\u202e\\x1b[31m'],
      [`/backscatter?days=30&window=10&at=${encodeURIComponent(new Date(now.getTime() - 3 * 3600_000).toISOString())}`]: ['notice\\u202e\\x1b[33m'],
      [`/search?q=${encodeURIComponent('\u202e\u001b[2J\u0000x')}`]: ['\\u202e\\x1b[2J\\x00x'],
      '/audit': ['\\x1b[2J', '\\u202eevil'],
    };
    for (const [url, want] of Object.entries(marks)) {
      const res = await request(a).get(url).set('Accept', 'text/html');
      expect(res.status).toBe(200);
      expect(UNSAFE_PAGE.exec(res.text)).toBeNull();
      for (const w of want) expect({ url, shown: typeof w === 'string' ? res.text.includes(w) : w.test(res.text) }).toEqual({ url, shown: true });
    }
  });

  test('the hostile user names are shown on the IP page as text', async () => {
    const res = await request(app()).get(`/ip/${RELAY[0]}`).set('Accept', 'text/html');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/&lt;script&gt;rwxss|&lt;img\/src=x\/onerror=rwxss|&#34;&gt;&lt;svg/);
    expect(markupProblems(res.text, MARKUP_MARKER)).toEqual([]);
  });
});

describe('CLI', () => {
  const ARGS: Record<string, string[][] | { skip: string }> = {
    explain: [[], ['--verbose']],
    overview: [[]],
    index: [[]],
    ip: [[RELAY[0]], [RELAY[0], '--lines'], [RELAY[1]]],
    logins: [['@maillog']],
    reliance: [['--days', '30'], ['--csv', '--days', '30']],
    autoresponders: [['--days', '30']],
    backscatter: [['--days', '30']],
    blacklist: [[]],
    status: [[]],
    disable: [[]],
    enable: [[]],
    audit: [[], ['--verbose']],
    search: [['alice'], [MARKUP_MARKER], ['\u202e\u001b[2J']],
    check: [[]],
    metrics: [[]],
    notify: [[]],
    demo: { skip: 'writes a demo host; shows no host data' },
    'demo-dnsbl': { skip: 'serves made-up zones; shows no host data' },
    serve: { skip: 'long-running server; its answers are the routes above' },
  };

  test('every command is listed', () => {
    expect(COMMANDS.map((c) => c.name).filter((n) => !ARGS[n])).toEqual([]);
  });

  test('text output has no control or bidi character; JSON output parses', async () => {
    const problems: string[] = [];
    for (const [name, samples] of Object.entries(ARGS)) {
      if (!Array.isArray(samples)) continue;
      for (const sample of samples) {
        const args = sample.map((a) => (a === '@maillog' ? path.join(root, 'var/log/maillog') : a));
        const text = await runCliCaptured([name, ...args, '--root', root]);
        const label = `relaywatch ${[name, ...sample].join(' ')}`;
        // CSV ends its rows with CRLF (RFC 4180); any other control character is a finding.
        if (sample.includes('--csv')) text.stdout = text.stdout.replace(/\r\n/g, '\n');
        if (UNSAFE_TERMINAL.test(text.stdout)) problems.push(`${label}: raw control/bidi character on stdout at ${JSON.stringify(text.stdout.slice(Math.max(0, text.stdout.search(UNSAFE_TERMINAL) - 40), text.stdout.search(UNSAFE_TERMINAL) + 10))}`);
        if (UNSAFE_TERMINAL.test(text.stderr)) problems.push(`${label}: raw control/bidi character on stderr`);
        if (/unexpected error/.test(text.stderr)) problems.push(`${label}: ${text.stderr.slice(0, 200)}`);
        if (sample.includes('--csv')) continue;
        const json = await runCliCaptured([name, ...args, '--json', '--root', root]);
        try {
          // one document, or one per line (logins streams JSON lines)
          if (name === 'logins') json.stdout.split('\n').filter(Boolean).forEach((l) => JSON.parse(l));
          else JSON.parse(json.stdout);
        } catch {
          problems.push(`${label} --json: output does not parse: ${json.stdout.slice(0, 120)}`);
        }
        if (/unexpected error/.test(json.stderr)) problems.push(`${label} --json: ${json.stderr.slice(0, 200)}`);
      }
    }
    expect(problems).toEqual([]);
  });

  test('the hostile user names reach the text output, made visible', async () => {
    const r = await runCliCaptured(['ip', RELAY[0], '--lines', '--root', root]);
    expect(r.stdout).toContain(MARKUP_MARKER);
    expect(r.stdout).toMatch(/\\x1b|\\u202e|\\x00/);
  });
});
