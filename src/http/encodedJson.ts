/**
 * A JSON answer encoded once per answer object: the overview carries the relay report (a megabyte
 * of JSON for 2,000 relay IPs), and serializing, hashing for the entity tag and sending it took
 * some 10 ms of the daemon's thread per request. An answer kept by its cache (derivedCache.ts,
 * answerCache.ts) is the same object for as long as its data is the same, so its bytes, their gzip
 * and their entity tag are made once and kept with it (and let go with it).
 */
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import type { Request, Response } from 'express';

interface Encoded {
  json: Buffer;
  /** made on the first request that accepts gzip */
  gzip: Buffer | null;
  etag: string;
}

const encoded = new WeakMap<object, Encoded>();

function encodingOf(value: object): Encoded {
  let e = encoded.get(value);
  if (!e) {
    const json = Buffer.from(JSON.stringify(value), 'utf8');
    e = { json, gzip: null, etag: `"${crypto.createHash('sha256').update(json).digest('base64url').slice(0, 27)}"` };
    encoded.set(value, e);
  }
  return e;
}

/**
 * Sends `value` as JSON, as res.json would (same bytes, status 200), with a strong entity tag (a
 * client that has it gets 304) and compressed for a client that accepts gzip. `value` must not be
 * modified afterwards: its bytes are kept.
 */
export function sendEncodedJson(req: Request, res: Response, value: object): void {
  const e = encodingOf(value);
  res.set('ETag', e.etag).vary('Accept-Encoding').type('json');
  if (req.fresh) {
    res.status(304).end();
    return;
  }
  if (req.acceptsEncodings('gzip', 'identity') === 'gzip') {
    e.gzip ??= zlib.gzipSync(e.json);
    res.set('Content-Encoding', 'gzip').send(e.gzip);
  } else {
    res.send(e.json);
  }
}
