/**
 * What a log file *is*, apart from its name: its device and inode, and a hash of its first line.
 * Rotation renames a file (same inode, new name), compression copies it (new inode, same first
 * line), truncation empties it (same inode, new first line). The index and the scan use this to
 * follow a file through all three and never read one log twice.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { Host } from './host';

export interface LogHead {
  /** sha256 (hex) of the first line, newline included; null while the file has no complete first line */
  hash: string | null;
  /** bytes the hash covers */
  bytes: number;
}

/** A first line longer than this is identified by its first HEAD_MAX bytes. */
export const HEAD_MAX = 4096;

export function headOf(data: Buffer, complete: boolean): LogHead {
  const nl = data.subarray(0, HEAD_MAX).indexOf(0x0a);
  let len: number;
  if (nl !== -1) len = nl + 1;
  else if (data.length >= HEAD_MAX) len = HEAD_MAX;
  else if (complete && data.length > 0) len = data.length; // a finished file of one unterminated line
  else return { hash: null, bytes: 0 };
  return { hash: crypto.createHash('sha256').update(data.subarray(0, len)).digest('hex'), bytes: len };
}

/** The first bytes of a file's content (decompressed for gzip), up to `max`. */
export function readStart(host: Host, hostPath: string, gz: boolean, max = HEAD_MAX): Buffer {
  const fd = fs.openSync(host.real(hostPath), 'r');
  try {
    if (!gz) {
      const buf = Buffer.allocUnsafe(max);
      const n = fs.readSync(fd, buf, 0, max, 0);
      return buf.subarray(0, n);
    }
    // Inflate only the start (a partial stream is fine with a sync flush), reading more compressed
    // bytes until there is enough text: log text compresses tenfold and more.
    const size = fs.fstatSync(fd).size;
    for (let rawBytes = 4096; ; rawBytes *= 16) {
      const raw = Buffer.allocUnsafe(Math.min(rawBytes, size));
      const n = fs.readSync(fd, raw, 0, raw.length, 0);
      const out = zlib.gunzipSync(raw.subarray(0, n), { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: 64 * 1024 * 1024 });
      if (out.length >= max || n >= size) return out.subarray(0, max);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Heads already read, by file identity and state: a file whose inode, size, modification and change
 * times are all unchanged has the same first line (the change time cannot be set back by anyone).
 */
const heads = new Map<string, LogHead>();
const HEADS_MAX = 1024;

/** The head of a log file; `complete` when nothing is appended to it any more (rotated). */
export function readHead(host: Host, hostPath: string, gz: boolean, complete: boolean): LogHead {
  const real = host.real(hostPath);
  const st = fs.statSync(real, { bigint: true });
  const key = `${real}\0${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}:${gz}:${complete}`;
  const known = heads.get(key);
  if (known) return known;
  const head = headOf(readStart(host, hostPath, gz), complete);
  if (heads.size >= HEADS_MAX) heads.clear();
  heads.set(key, head);
  return head;
}

/**
 * The uncompressed size of a gzip file modulo 2^32, from its trailer (ISIZE), or null when the file
 * is too short to have one.
 */
export function gzipSizeMod32(host: Host, hostPath: string): number | null {
  const fd = fs.openSync(host.real(hostPath), 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size < 18) return null;
    const b = Buffer.alloc(4);
    fs.readSync(fd, b, 0, 4, size - 4);
    return b.readUInt32LE(0);
  } finally {
    fs.closeSync(fd);
  }
}
