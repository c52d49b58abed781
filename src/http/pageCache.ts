/**
 * Keeps rendered pages whose data has not changed. A busy dashboard costs milliseconds of template
 * work per request; under load, 50 clients at once would queue behind each other for the same HTML.
 *
 * A page is kept per user, WHM session and base URL (the form token, the links and WHM's chrome
 * depend on them) and per version of its data, for at most MAX_AGE_MS (WHM's chrome files are not
 * part of the version). The one part that differs per request, the CSP nonce, is rendered as a
 * marker and filled in when the page is sent; a client that accepts gzip gets the page compressed
 * once, with the nonce stitched in (stitchedGzip.ts).
 */
import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { allowChromeStyleAttributes } from './whmChrome';
import { joinOrRun } from '../cache/joinOrRun';
import { canStitchGzip, prepareStitchedGzip, StitchedGzip, stitchGzip } from './stitchedGzip';

const MAX_AGE_MS = 15_000;
const MAX_PAGES = 64;

interface KeptPage {
  /** the page's bytes cut where the nonce goes, and the same compressed */
  parts: Buffer[];
  gzip: StitchedGzip | null;
  /** the page wore WHM's chrome, whose markup needs inline style attributes (see whmChrome.ts) */
  styleAttr: boolean;
  at: number;
}

export interface PageCache {
  /** renders `view` unless a page for the same viewer and `dataKey` is kept, and sends it */
  render(req: Request, res: Response, next: NextFunction, view: string, locals: object, dataKey: string): void;
}

export function createPageCache(): PageCache {
  const pages = new Map<string, KeptPage>();
  // Random per process: data shown on a page can never contain it by chance or by design.
  const marker = `rw-nonce-${crypto.randomBytes(12).toString('hex')}`;

  const send = (req: Request, res: Response, page: KeptPage): void => {
    const nonce = Buffer.from(String(res.locals.nonce ?? ''));
    if (page.styleAttr) allowChromeStyleAttributes(res);
    let chunks: Buffer[];
    if (page.gzip && req.acceptsEncodings('gzip', 'identity') === 'gzip') {
      res.set('Content-Encoding', 'gzip');
      chunks = stitchGzip(page.gzip, nonce);
    } else {
      chunks = page.parts.flatMap((part, i) => (i === 0 ? [part] : [nonce, part]));
    }
    // One buffer, one write: copying a page of some kilobytes costs less than passing each piece
    // through Node's HTTP writing. No entity tag: the page is never stored (Cache-Control: no-store)
    // and every answer differs by its nonce.
    const body = Buffer.concat(chunks);
    res.status(200).set('Content-Type', 'text/html; charset=utf-8').set('Vary', 'Accept-Encoding');
    res.set('Content-Length', String(body.length));
    res.end(body);
  };

  /** pages being rendered now: others asking for the same page wait for that one */
  const rendering = new Map<string, Promise<KeptPage>>();

  return {
    render(req, res, next, view, locals, dataKey) {
      const id = req.identity!;
      const key = [id.user, id.session, id.base ?? '', view, dataKey].join('\n');
      const now = Date.now();
      const kept = pages.get(key);
      if (kept && now - kept.at >= 0 && now - kept.at < MAX_AGE_MS) return send(req, res, kept);
      // However many ask while it renders, the page is rendered once (with the first asker's locals,
      // which the key makes the same for all).
      joinOrRun(rendering, key, () =>
        new Promise<KeptPage>((resolve, reject) => {
          const nonce = res.locals.nonce;
          const cspBefore = res.getHeader('Content-Security-Policy');
          res.locals.nonce = marker;
          res.render(view, locals, (err: Error | null, html: string) => {
            res.locals.nonce = nonce;
            if (err) return reject(err);
            const parts = html.split(marker).map((part) => Buffer.from(part));
            const page = { parts, gzip: canStitchGzip ? prepareStitchedGzip(parts) : null, styleAttr: res.getHeader('Content-Security-Policy') !== cspBefore, at: now };
            pages.delete(key);
            pages.set(key, page);
            // Oldest first in a Map's order: drop what was kept longest ago.
            while (pages.size > MAX_PAGES) pages.delete(pages.keys().next().value!);
            resolve(page);
          });
        }),
      ).then((page) => send(req, res, page), next);
    },
  };
}
