/**
 * WHM's own header and footer around the plugin's pages, without running WHM's Perl: cpsrvd keeps
 * the rendered chrome of every WHM user in a cache, with placeholders for what changes per request
 * (cpanel-facts.md section 9). The header already holds `<html><head>…<body>`, so the plugin's CSS
 * and JS go in the body (top.ejs does that either way). When the cache is missing, unreadable, or
 * has no key for this user, pages fall back to the plugin's own layout.
 */
import type { NextFunction, Request, Response } from 'express';
import { Host } from '../host/host';
import { nonceInlineChrome } from './chromeNonce';
import { CoreContext } from '../services/context';
import { htmlText } from './htmlText';

export const WHM_CHROME_PATHS = {
  keys: '/var/cpanel/caches/_generated_header_files/cache_keys.json',
  headerDir: '/var/cpanel/caches/_generated_header_files',
  footer: '/var/cpanel/caches/_generated_footer_files/footer.html',
} as const;

/** The placeholders cpsrvd leaves in its cached chrome. */
export const WHM_PLACEHOLDERS = {
  token: '/cpsess0000000000',
  user: 'cpuser00000000000',
  title: 'Results of Your Request',
  nonce: 'nonce="00000000000"',
} as const;

/** Cached chrome as read, placeholders still in. */
export interface WhmChromeSource {
  header: string;
  footer: string | null;
  /** host path of the header file used */
  headerFile: string;
}

/** What top.ejs and bottom.ejs print raw as `chrome.header` / `chrome.footer`. */
export interface WhmChrome {
  header: string;
  footer: string | null;
}

const KEY = /^[A-Za-z0-9_-]{1,128}$/;
const MAX_CHROME_BYTES = 2 * 1024 * 1024;

async function readSmall(host: Host, hostPath: string): Promise<string | null> {
  try {
    const text = await host.readOptional(hostPath);
    return text !== null && text.length <= MAX_CHROME_BYTES ? text : null;
  } catch {
    return null; // unreadable or a symlink loop: the plugin's own layout is the safe answer
  }
}

/**
 * The cached chrome of one WHM user, or null. Header `<key>_<skipsupport>_<skipheader>.html`: the
 * full header (skipheader 0), with the support links if cached, else without.
 */
export async function loadWhmChrome(host: Host, user: string): Promise<WhmChromeSource | null> {
  const keysText = await readSmall(host, WHM_CHROME_PATHS.keys);
  if (keysText === null) return null;
  let keys: unknown;
  try {
    keys = JSON.parse(keysText);
  } catch {
    return null;
  }
  if (!keys || typeof keys !== 'object' || Array.isArray(keys) || !Object.prototype.hasOwnProperty.call(keys, user)) return null;
  const key = (keys as Record<string, unknown>)[user];
  if (typeof key !== 'string' || !KEY.test(key)) return null;
  for (const skipSupport of ['0', '1']) {
    const headerFile = `${WHM_CHROME_PATHS.headerDir}/${key}_${skipSupport}_0.html`;
    const header = await readSmall(host, headerFile);
    if (header === null || !/<body[\s>]/i.test(header)) continue;
    const footer = await readSmall(host, WHM_CHROME_PATHS.footer);
    // The header's own inline blocks run under the page's nonce (chromeNonce.ts); nothing else inline does.
    return { header: nonceInlineChrome(header), footer: footer === null ? null : nonceInlineChrome(footer), headerFile };
  }
  return null;
}

/** The pages' own escaping (control characters shown as marks too). */
export const escapeHtml = (text: string): string => htmlText(text);

export interface ChromeValues {
  /** `/cpsess0123456789`, or '' outside WHM (links then point at the server root) */
  token: string;
  user: string;
  title: string;
  nonce: string;
}

/** Fills the placeholders. Plain split/join: no `$&` surprises of String.replace. */
export function fillChrome(text: string, v: ChromeValues): string {
  return text
    .split(WHM_PLACEHOLDERS.token).join(v.token)
    .split(WHM_PLACEHOLDERS.user).join(escapeHtml(v.user))
    .split(WHM_PLACEHOLDERS.title).join(escapeHtml(v.title))
    .split(WHM_PLACEHOLDERS.nonce).join(`nonce="${escapeHtml(v.nonce)}"`);
}

export function renderWhmChrome(src: WhmChromeSource, v: ChromeValues): WhmChrome {
  return { header: fillChrome(src.header, v), footer: src.footer === null ? null : fillChrome(src.footer, v) };
}

/** WHM's chrome markup carries style attributes: a page wearing it allows those (not style elements or scripts). */
export function allowChromeStyleAttributes(res: Response): void {
  const csp = res.getHeader('Content-Security-Policy');
  if (typeof csp === 'string' && !csp.includes('style-src-attr')) res.setHeader('Content-Security-Policy', `${csp}; style-src-attr 'unsafe-inline'`);
}

/**
 * Makes every res.render of the request wear the cached chrome of the request's user, built with that
 * page's title. The cache is read only when a page is rendered (JSON answers never touch it). WHM's
 * markup carries style attributes, so a page in WHM's chrome allows inline style attributes (not
 * inline style elements or scripts).
 */
export function whmChromeMiddleware(ctx: CoreContext) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const id = req.identity;
    if (!id) return next();
    type Callback = (err: Error, html: string) => void;
    const render = res.render.bind(res) as (view: string, options?: object, cb?: Callback) => void;
    res.render = ((view: string, options?: object | Callback, cb?: Callback) => {
      if (typeof options === 'function') {
        cb = options as Callback;
        options = {};
      }
      const opts = (options ?? {}) as Record<string, unknown>;
      loadWhmChrome(ctx.host, id.user)
        .catch(() => null)
        .then((src) => {
          if (!src) return render(view, opts, cb);
          const title = typeof opts.title === 'string' ? opts.title : typeof res.locals.title === 'string' ? res.locals.title : 'relaywatch';
          const chrome = renderWhmChrome(src, {
            token: id.base ? id.session : '',
            user: id.user,
            title: `relaywatch: ${title}`,
            nonce: String(res.locals.nonce ?? ''),
          });
          allowChromeStyleAttributes(res);
          render(view, { ...opts, chrome }, cb);
        })
        .catch((e: unknown) => (cb ? cb(e as Error, '') : req.next?.(e)));
    }) as Response['render'];
    next();
  };
}
