/**
 * Content-Security-Policy nonces: 16 random bytes per response, drawn from a pool filled by the
 * system's random generator 64 KiB at a time (one call to it per request cost more than the rest
 * of a cached page's answer).
 */
import crypto from 'node:crypto';

const NONCE_BYTES = 16;
const POOL_BYTES = NONCE_BYTES * 4096;
let pool = Buffer.alloc(0);
let at = 0;

export function nextNonce(): string {
  if (at + NONCE_BYTES > pool.length) {
    pool = crypto.randomBytes(POOL_BYTES);
    at = 0;
  }
  const nonce = pool.toString('base64', at, at + NONCE_BYTES);
  // Each nonce is used once: wipe it from the pool.
  pool.fill(0, at, at + NONCE_BYTES);
  at += NONCE_BYTES;
  return nonce;
}
