/**
 * Runs relaywatch's WHM CGI (plugin/cgi/index.cgi, or an installed copy) as cpsrvd would: the file
 * itself (a Perl program, run by its #! line), a CGI environment, the body on stdin, and
 * the CGI output parsed into status, headers and body.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/config';
import { listenSocket, RunningServer } from '../../src/server';
import { createContext } from '../../src/services/context';

export const CGI_SCRIPT = path.resolve(__dirname, '../../plugin/cgi/index.cgi');
export const TOKEN = '/cpsess1234567890';

export interface CgiRequest {
  /** WHM user (REMOTE_USER); null leaves it out */
  user: string | null;
  route?: string;
  /** extra query string after route= (raw) */
  query?: string;
  method?: string;
  body?: string;
  contentType?: string;
  token?: string | null;
  socket: string;
  /** extra or overriding environment */
  env?: Record<string, string>;
  /** run this file instead of the checkout's CGI (an installed index.cgi) */
  script?: string;
}

export interface CgiAnswer {
  exitCode: number | null;
  status: number;
  /** lower-case header name -> value */
  headers: Record<string, string>;
  body: string;
  raw: string;
  stderr: string;
}

export function parseCgiOutput(raw: string): { status: number; headers: Record<string, string>; body: string } {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`CGI output has no header end:\n${raw.slice(0, 500)}`);
  const headers: Record<string, string> = {};
  for (const line of raw.slice(0, end).split('\r\n')) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  const status = Number(/^(\d{3})/.exec(headers.status ?? '')?.[1] ?? 200);
  return { status, headers, body: raw.slice(end + 4) };
}

export function runCgi(r: CgiRequest): Promise<CgiAnswer> {
  const qs = [r.route !== undefined ? `route=${encodeURIComponent(r.route)}` : '', r.query ?? ''].filter(Boolean).join('&');
  const body = r.body !== undefined ? Buffer.from(r.body) : null;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: 'HTTP/1.1',
    SERVER_SOFTWARE: 'cpsrvd/11.120.0.16',
    SCRIPT_NAME: '/cgi/relaywatch/index.cgi',
    REQUEST_METHOD: r.method ?? 'GET',
    QUERY_STRING: qs,
    REMOTE_ADDR: '198.51.100.250',
    HTTP_ACCEPT: 'text/html,application/xhtml+xml',
    RELAYWATCH_SOCKET: r.socket,
    RELAYWATCH_HOST_ROOT: '/nonexistent-host-root',
  };
  if (r.user !== null) env.REMOTE_USER = r.user;
  const token = r.token === undefined ? TOKEN : r.token;
  if (token !== null) env.cp_security_token = token;
  if (body) {
    env.CONTENT_LENGTH = String(body.length);
    env.CONTENT_TYPE = r.contentType ?? 'application/x-www-form-urlencoded';
  }
  Object.assign(env, r.env ?? {});
  return new Promise((resolve, reject) => {
    const child = spawn(r.script ?? CGI_SCRIPT, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => {
      const raw = Buffer.concat(out).toString('utf8');
      try {
        resolve({ exitCode, ...parseCgiOutput(raw), raw, stderr });
      } catch (e) {
        reject(new Error(`${(e as Error).message}\nstderr: ${stderr}`));
      }
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(body ?? undefined);
  });
}

export interface SocketDaemon {
  running: RunningServer;
  socket: string;
  dir: string;
  secret: Buffer;
  close(): Promise<void>;
}

/** The daemon as systemd runs it, in this process, on a socket in a fresh private folder. */
export async function startSocketDaemon(root: string, secret = Buffer.alloc(32, 7)): Promise<SocketDaemon> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-sock-'));
  const socket = path.join(dir, 'run', 'http.sock');
  const running = await listenSocket(createContext(loadConfig({ root })), socket, { secret });
  return {
    running,
    socket,
    dir,
    secret,
    close: async () => {
      await running.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
