#!/usr/bin/env node
/*
 * relaywatch's WHM entry: the CGI cpsrvd runs (as root) for /cgi/relaywatch/index.cgi. It holds no
 * logic of its own: it passes the request and the WHM user over the root-only Unix socket to the
 * relaywatch daemon and copies the daemon's answer back as CGI output. When the daemon does not
 * answer, it shows a page that says so and how to start it.
 *
 * Plain CommonJS without dependencies: it must run with any Node >= 20 (install.sh writes the path of
 * the Node it found into the first line). Settings, for tests and unusual set-ups:
 *   RELAYWATCH_SOCKET          daemon socket (default /run/relaywatch/http.sock)
 *   RELAYWATCH_HOST_ROOT       host root for WHM's chrome cache on the "not running" page (default /)
 *   RELAYWATCH_CGI_TIMEOUT_MS  how long to wait for the daemon's answer (default 120000)
 *   RELAYWATCH_CGI_BODY_TIMEOUT_MS  how long to wait for the request body (default 30000)
 * cpsrvd passes only CGI variables of its own making, so a browser cannot set these.
 */
'use strict';

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const SOCKET = process.env.RELAYWATCH_SOCKET || '/run/relaywatch/http.sock';
const HOST_ROOT = process.env.RELAYWATCH_HOST_ROOT || '/';
const TIMEOUT_MS = Number(process.env.RELAYWATCH_CGI_TIMEOUT_MS) > 0 ? Number(process.env.RELAYWATCH_CGI_TIMEOUT_MS) : 120000;
/** A client that announces a body and never sends it must not keep a root process waiting. */
const BODY_TIMEOUT_MS = Number(process.env.RELAYWATCH_CGI_BODY_TIMEOUT_MS) > 0 ? Number(process.env.RELAYWATCH_CGI_BODY_TIMEOUT_MS) : 30000;
/** The daemon refuses bodies over 64 KiB anyway; this only stops the CGI from buffering a huge one. */
const MAX_BODY = 1024 * 1024;
/** Largest answer relayed (a CSV export of a big server stays far below it). */
const MAX_ANSWER = 64 * 1024 * 1024;
const CGI_PATH = '/cgi/relaywatch/index.cgi';

/** Must match BRIDGE_HEADERS in src/http/identity.ts. */
const BRIDGE = {
  user: 'x-relaywatch-whm-user',
  token: 'x-relaywatch-security-token',
  base: 'x-relaywatch-base',
  remoteAddr: 'x-relaywatch-remote-addr',
};

/** Response headers copied from the daemon to the browser (anything else stays between the two). */
const RELAYED = {
  'content-type': 'Content-Type',
  'content-security-policy': 'Content-Security-Policy',
  'cache-control': 'Cache-Control',
  'content-disposition': 'Content-Disposition',
  'x-content-type-options': 'X-Content-Type-Options',
  'referrer-policy': 'Referrer-Policy',
  'x-frame-options': 'X-Frame-Options',
  location: 'Location',
  etag: 'ETag',
  'last-modified': 'Last-Modified',
};

/** Request headers passed on to the daemon (CGI variable -> header). */
const FORWARDED = {
  HTTP_ACCEPT: 'accept',
  HTTP_X_CSRF_TOKEN: 'x-csrf-token',
  HTTP_X_REQUESTED_WITH: 'x-requested-with',
  HTTP_IF_NONE_MATCH: 'if-none-match',
};

const REASONS = http.STATUS_CODES;

function cgiHead(status, headers) {
  let head = `Status: ${status} ${REASONS[status] || ''}\r\n`;
  for (const [name, value] of headers) head += `${name}: ${String(value).replace(/[\r\n]+/g, ' ')}\r\n`;
  return `${head}\r\n`;
}

function writeAndExit(text, code) {
  process.stdout.write(text, () => process.exit(code));
}

function plain(status, message, code = 0) {
  writeAndExit(cgiHead(status, [['Content-Type', 'text/plain; charset=utf-8'], ['Cache-Control', 'no-store']]) + `${message}\n`, code);
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** Which route the request is for: PATH_INFO when the server passes one, else ?route=, else "/". */
function routeOf(env, params) {
  const info = env.PATH_INFO || '';
  if (info && info !== '/' && info !== CGI_PATH && !info.endsWith(`/${path.posix.basename(CGI_PATH)}`)) return info;
  return params.get('route') || '/';
}

/** The query string without `route`, other parameters kept exactly as sent. */
function restOfQuery(qs) {
  return qs
    .split('&')
    .filter((part) => {
      if (!part) return false;
      const name = part.split('=')[0].replace(/\+/g, ' ');
      try {
        return decodeURIComponent(name) !== 'route';
      } catch {
        return true;
      }
    })
    .join('&');
}

/** The body, or null when it did not arrive in full within BODY_TIMEOUT_MS. */
function readBody(length) {
  return new Promise((resolve, reject) => {
    if (length === 0) return resolve(Buffer.alloc(0));
    const chunks = [];
    let got = 0;
    const timer = setTimeout(() => {
      process.stdin.removeAllListeners();
      process.stdin.pause();
      resolve(null);
    }, BODY_TIMEOUT_MS);
    const done = () => {
      clearTimeout(timer);
      process.stdin.removeAllListeners();
      process.stdin.pause();
      resolve(Buffer.concat(chunks).subarray(0, length));
    };
    process.stdin.on('data', (c) => {
      chunks.push(c);
      got += c.length;
      if (got >= length) done();
    });
    process.stdin.on('end', done);
    process.stdin.on('error', reject);
  });
}

/** WHM's cached chrome for the "not running" page; null when it cannot be had. */
function whmChrome(user, token, title, nonce) {
  try {
    const dir = path.join(HOST_ROOT, 'var/cpanel/caches/_generated_header_files');
    const keys = JSON.parse(fs.readFileSync(path.join(dir, 'cache_keys.json'), 'utf8'));
    const key = keys && Object.prototype.hasOwnProperty.call(keys, user) ? keys[user] : null;
    if (typeof key !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(key)) return null;
    let header = null;
    for (const skipSupport of ['0', '1']) {
      try {
        header = fs.readFileSync(path.join(dir, `${key}_${skipSupport}_0.html`), 'utf8');
        break;
      } catch {
        /* try the next variant */
      }
    }
    if (header === null || !/<body[\s>]/i.test(header)) return null;
    let footer = null;
    try {
      footer = fs.readFileSync(path.join(HOST_ROOT, 'var/cpanel/caches/_generated_footer_files/footer.html'), 'utf8');
    } catch {
      footer = null;
    }
    const fill = (t) =>
      t
        .split('/cpsess0000000000').join(token)
        .split('cpuser00000000000').join(escapeHtml(user))
        .split('Results of Your Request').join(escapeHtml(title))
        .split('nonce="00000000000"').join(`nonce="${nonce}"`);
    return { header: fill(header), footer: footer === null ? null : fill(footer) };
  } catch {
    return null;
  }
}

/** The answer when the daemon is not there: a page in WHM's look (or plain), JSON for the API, 503. */
function daemonDown(ctx, reason) {
  const { user, token, route, isRoot } = ctx;
  const problem =
    reason === 'timeout'
      ? `The relaywatch daemon did not answer within ${Math.round(TIMEOUT_MS / 1000)} seconds.`
      : reason === 'died'
        ? 'The relaywatch daemon stopped while it was answering (or its answer was too large).'
        : reason === 'denied'
        ? `This program may not connect to the relaywatch socket ${SOCKET} (it must run as root).`
        : `The relaywatch daemon is not running (nothing answers on ${SOCKET}).`;
  if (route.startsWith('/api/')) {
    writeAndExit(
      cgiHead(503, [['Content-Type', 'application/json; charset=utf-8'], ['Cache-Control', 'no-store']]) +
        `${JSON.stringify({ error: { code: 'daemon_unavailable', message: `${problem} Start it with: systemctl start relaywatch` } })}\n`,
      0,
    );
    return;
  }
  if (route.startsWith('/assets/')) return plain(503, problem);
  const nonce = require('node:crypto').randomBytes(16).toString('base64');
  const title = 'relaywatch is not running';
  const help = isRoot
    ? `<p>Start it in <strong>WHM » Service Configuration » Service Manager</strong> (relaywatch is listed under “Additional Services”), or as root in a shell:</p>
<pre>systemctl start relaywatch
systemctl status relaywatch
journalctl -u relaywatch --since "1 hour ago"</pre>
<p>The last command shows why it stopped. Then <a href="${escapeHtml(`${token}${CGI_PATH}`)}">reload relaywatch</a>.</p>`
    : `<p>Please ask the server's administrator to start the relaywatch service. Then <a href="${escapeHtml(`${token}${CGI_PATH}`)}">reload relaywatch</a>.</p>`;
  const body = `<div class="rw-down">
<h1>${escapeHtml(title)}</h1>
<p><strong>${escapeHtml(problem)}</strong></p>
${help}
</div>`;
  const style = `<style nonce="${nonce}">.rw-down{font-family:"Open Sans","Segoe UI",Roboto,Arial,sans-serif;max-width:760px;margin:24px;padding:16px 20px;border:1px solid #ef9a9a;background:#fdecea;border-radius:6px;color:#263238}.rw-down h1{font-size:20px;margin:0 0 8px;color:#b71c1c}.rw-down pre{background:#263238;color:#eceff1;padding:10px 12px;border-radius:4px}</style>`;
  const chrome = whmChrome(user, token, `relaywatch: ${title}`, nonce);
  const html = chrome
    ? `${chrome.header}\n${style}\n${body}\n${chrome.footer === null ? '</body>\n</html>' : chrome.footer}\n`
    : `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${escapeHtml(title)}</title>\n${style}\n</head>\n<body>\n${body}\n</body>\n</html>\n`;
  const csp = `default-src 'none'; script-src 'self' 'nonce-${nonce}'; style-src 'self' 'nonce-${nonce}'; style-src-attr 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'`;
  writeAndExit(
    cgiHead(503, [
      ['Content-Type', 'text/html; charset=utf-8'],
      ['Cache-Control', 'no-store'],
      ['Content-Security-Policy', csp],
      ['X-Content-Type-Options', 'nosniff'],
    ]) + html,
    0,
  );
}

async function main() {
  const env = process.env;
  const user = env.REMOTE_USER || '';
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(user)) {
    return plain(403, 'relaywatch: no WHM user (REMOTE_USER). This program runs only inside WHM: open WHM » Plugins » relaywatch.', 1);
  }
  const token = env.cp_security_token || '';
  if (!/^\/cpsess\d{1,32}$/.test(token)) {
    return plain(403, 'relaywatch: no WHM security token (cp_security_token). Open relaywatch from WHM » Plugins.', 1);
  }
  const method = (env.REQUEST_METHOD || 'GET').toUpperCase();
  if (!/^(GET|HEAD|POST)$/.test(method)) return plain(405, `relaywatch: method ${method} is not supported.`);
  const qs = env.QUERY_STRING || '';
  const route = routeOf(env, new URLSearchParams(qs));
  // A route is a plain absolute path: no scheme or host, no second leading slash, no dot segments, no control characters.
  if (!route.startsWith('/') || route.startsWith('//') || /[\u0000-\u001f\u007f\\]/.test(route) || route.length > 2048 || route.split('/').some((seg) => seg === '..' || seg === '.')) {
    return plain(400, 'relaywatch: the route parameter is not a valid path.');
  }
  const length = env.CONTENT_LENGTH ? Number(env.CONTENT_LENGTH) : 0;
  if (!Number.isInteger(length) || length < 0) return plain(400, 'relaywatch: bad CONTENT_LENGTH.');
  if (length > MAX_BODY) return plain(413, 'relaywatch: the request body is too large.');
  const body = method === 'POST' ? await readBody(length) : Buffer.alloc(0);
  if (body === null) return plain(408, `relaywatch: the request body did not arrive within ${Math.round(BODY_TIMEOUT_MS / 1000)} seconds.`);

  const rest = restOfQuery(qs);
  const target = route.split('/').map((seg) => encodeURIComponent(seg)).join('/') + (rest ? `?${rest}` : '');
  const headers = {
    host: 'relaywatch',
    [BRIDGE.user]: user,
    [BRIDGE.token]: token,
    [BRIDGE.base]: `${token}${CGI_PATH}`,
    connection: 'close',
  };
  if (env.REMOTE_ADDR) headers[BRIDGE.remoteAddr] = env.REMOTE_ADDR;
  for (const [variable, name] of Object.entries(FORWARDED)) if (env[variable]) headers[name] = env[variable];
  if (method === 'POST') {
    headers['content-type'] = env.CONTENT_TYPE || 'application/octet-stream';
    headers['content-length'] = String(body.length);
  }
  const ctx = { user, token, route, isRoot: user === 'root' };

  const req = http.request({ socketPath: SOCKET, method, path: target, headers });
  let answered = false;
  const timer = setTimeout(() => {
    if (answered) return;
    answered = true;
    req.destroy();
    daemonDown(ctx, 'timeout');
  }, TIMEOUT_MS);
  req.on('error', (e) => {
    if (answered) return;
    answered = true;
    clearTimeout(timer);
    daemonDown(ctx, e.code === 'EACCES' || e.code === 'EPERM' ? 'denied' : 'down');
  });
  req.on('response', (res) => {
    if (answered) return res.resume();
    answered = true;
    clearTimeout(timer);
    const out = [];
    for (const [name, canonical] of Object.entries(RELAYED)) {
      const v = res.headers[name];
      if (typeof v === 'string') out.push([canonical, v]);
    }
    // The answer is held until it is complete: a daemon that dies half way through must give the
    // admin an error page, not half a page under a 200 status.
    const chunks = [];
    let size = 0;
    let failed = false;
    const fail = () => {
      if (failed) return;
      failed = true;
      daemonDown(ctx, 'died');
    };
    res.on('data', (c) => {
      size += c.length;
      if (size > MAX_ANSWER) {
        res.destroy();
        return fail();
      }
      chunks.push(c);
    });
    res.on('aborted', fail);
    res.on('error', fail);
    res.on('end', () => {
      if (failed) return;
      if (!res.complete) return fail();
      process.stdout.write(cgiHead(res.statusCode || 502, out));
      if (method === 'HEAD') return process.stdout.write('', () => process.exit(0));
      process.stdout.write(Buffer.concat(chunks), () => process.exit(0));
    });
  });
  req.end(body);
}

main().catch((e) => plain(500, `relaywatch: ${e && e.message ? e.message : String(e)}`, 1));
