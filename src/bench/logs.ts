/**
 * Log-file helpers for the benchmark: the mail logs of a host, and appending real lines to the
 * live one (its newest lines again, so the mix is the host's own).
 */
import fs from 'node:fs';
import path from 'node:path';

export function logFiles(root: string): string[] {
  const dir = path.join(root, 'var/log');
  return fs.readdirSync(dir).filter((n) => /^maillog/.test(n)).sort().map((n) => path.join(dir, n));
}

export function logBytes(root: string): number {
  return logFiles(root).reduce((n, f) => n + fs.statSync(f).size, 0);
}

/** The last complete lines of a file, about `bytes` of them. */
export function tailLines(file: string, bytes: number): Buffer {
  const size = fs.statSync(file).size;
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(Math.min(size, bytes));
  fs.readSync(fd, buf, 0, buf.length, size - buf.length);
  fs.closeSync(fd);
  return buf.subarray(buf.indexOf(0x0a) + 1);
}

/** Appends about `bytes` of real log lines (the newest ones again) to the live log. */
export function appendLines(root: string, bytes: number): void {
  const live = path.join(root, 'var/log/maillog');
  const chunk = tailLines(live, bytes + 64 * 1024);
  const cut = chunk.subarray(0, Math.min(chunk.length, bytes));
  fs.appendFileSync(live, cut.subarray(0, cut.lastIndexOf(0x0a) + 1));
}
