/**
 * Real temporary host trees for tests: files, symlinks and modification times, written to disk.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

export interface TreeSpec {
  /** host path -> content (a Buffer is written as is; `gz:` prefix in the key gzips the content) */
  files?: Record<string, string | Buffer>;
  /** host path -> link target (written verbatim, so absolute targets stay absolute) */
  links?: Record<string, string>;
  /** host path -> modification time */
  mtimes?: Record<string, Date>;
}

export function makeHostTree(spec: TreeSpec = {}): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'relaywatch-host-'));
  addToTree(root, spec);
  return root;
}

export function addToTree(root: string, spec: TreeSpec): void {
  for (const [hostPath, content] of Object.entries(spec.files ?? {})) {
    const real = path.join(root, hostPath);
    fs.mkdirSync(path.dirname(real), { recursive: true });
    fs.writeFileSync(real, hostPath.endsWith('.gz') && typeof content === 'string' ? zlib.gzipSync(content) : content);
  }
  for (const [hostPath, target] of Object.entries(spec.links ?? {})) {
    const real = path.join(root, hostPath);
    fs.mkdirSync(path.dirname(real), { recursive: true });
    fs.rmSync(real, { force: true });
    fs.symlinkSync(target, real);
  }
  for (const [hostPath, when] of Object.entries(spec.mtimes ?? {})) fs.utimesSync(path.join(root, hostPath), when, when);
}

export function removeTree(root: string): void {
  fs.rmSync(root, { recursive: true, force: true });
}

/** A syslog stamp ("Nov  7 09:05:03") for a local time, as cPanel's maillog writes it. */
export function syslogStamp(d: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${months[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Runs the CLI in-process and captures its output. */
export async function runCliCaptured(argv: string[], stdin?: string | Buffer): Promise<{ code: number; stdout: string; stderr: string }> {
  const { runCli } = await import('../../src/cli/main');
  const { Readable } = await import('node:stream');
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    out: (t) => (stdout += t),
    err: (t) => (stderr += t),
    errIsTty: false,
    stdin: Readable.from(stdin === undefined ? [] : [Buffer.from(stdin)]),
  });
  return { code, stdout, stderr };
}
