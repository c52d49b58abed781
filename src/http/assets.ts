/**
 * The plugin's static files (templates/assets/: CSS, JS) under content-hashed names, so they can be
 * cached for a year: `relaywatch.css` is linked as `relaywatch.<first 12 hex digits of its
 * sha256>.css`, and a new version is a new name.
 *
 * Inside WHM, install.sh puts the files under those names in the plugin's docroot folder
 * (/usr/local/cpanel/whostmgr/docroot/cgi/relaywatch/assets/), where cpsrvd serves them itself: a
 * page view costs one CGI run, not one per file. Served directly (development, the demo) the daemon
 * answers the same names. install.sh computes the names the same way (sha256sum); the install test
 * holds the two to the same files.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import express, { type Request, type Response, type NextFunction } from 'express';

/** Where the CGI's folder lies under WHM's docroot, as links from a page inside WHM see it. */
export const DOCROOT_ASSETS = '/cgi/relaywatch/assets';
export const HASH_HEX = 12;

export interface AssetSet {
  /** plain name (`relaywatch.css`) -> hashed name (`relaywatch.0123456789ab.css`) */
  hashed: ReadonlyMap<string, string>;
  /** hashed name -> plain name */
  plain: ReadonlyMap<string, string>;
}

export function hashedName(name: string, content: Buffer): string {
  const hex = crypto.createHash('sha256').update(content).digest('hex').slice(0, HASH_HEX);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)}.${hex}${name.slice(dot)}` : `${name}.${hex}`;
}

const sets = new Map<string, AssetSet>();

/** The hashed names of every file in `dir`, read once per process (the files ship with the program). */
export function assetSet(dir: string): AssetSet {
  let set = sets.get(dir);
  if (set) return set;
  const hashed = new Map<string, string>();
  const plain = new Map<string, string>();
  for (const name of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    if (!fs.statSync(file).isFile()) continue;
    const h = hashedName(name, fs.readFileSync(file));
    hashed.set(name, h);
    plain.set(h, name);
  }
  set = { hashed, plain };
  sets.set(dir, set);
  return set;
}

/**
 * The URL of a static file: in WHM's docroot under the session prefix when the page is seen through
 * the CGI (`session` is the `/cpsess…` token), else the daemon's own /assets/.
 */
export function assetUrl(set: AssetSet, name: string, session: string | null): string {
  const h = set.hashed.get(name);
  if (!h) throw new Error(`no static file named ${name}`);
  return session ? `${session}${DOCROOT_ASSETS}/${h}` : `/assets/${h}`;
}

/** Serves /assets/: hashed names cached for a year, plain names (old links) never stored. */
export function assetRoutes(dir: string) {
  const set = assetSet(dir);
  const lasting = express.static(dir, { index: false, fallthrough: false, maxAge: '365d', immutable: true });
  const plain = express.static(dir, { index: false, fallthrough: false, maxAge: 0 });
  return (req: Request, res: Response, next: NextFunction): void => {
    const plainName = set.plain.get(req.path.slice(1));
    if (!plainName) return plain(req, res, next);
    req.url = `/${plainName}`;
    // the app's default no-store would otherwise stay (send never replaces a Cache-Control set before it)
    res.removeHeader('Cache-Control');
    lasting(req, res, next);
  };
}
