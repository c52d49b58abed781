/**
 * The routes registered on the app, read from Express 5's router stack, and checks that a page's
 * HTML holds no live markup from data.
 */
import type { Express } from 'express';

export interface AppRoute {
  method: string;
  path: string;
  /** ":ip", "*path" or a RegExp: needs sample URLs */
  hasParams: boolean;
}

/** Every route of the app (nested routers included), one entry per method. */
export function appRoutes(app: Express): AppRoute[] {
  const out: AppRoute[] = [];
  type Layer = { route?: { path: unknown; methods: Record<string, boolean> }; handle?: { stack?: Layer[] }; rawPath?: unknown };
  const walk = (stack: Layer[], prefix: string): void => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const p of paths) {
          const full = typeof p === 'string' ? prefix + p : `${prefix}${String(p)}`;
          const hasParams = typeof p !== 'string' || /[:*{(]/.test(p);
          for (const m of Object.keys(layer.route.methods).filter((k) => layer.route!.methods[k])) out.push({ method: m === '_all' ? 'all' : m, path: full, hasParams });
        }
      } else if (layer.handle?.stack) {
        if (typeof layer.rawPath !== 'string') throw new Error(`a router mounted on ${String(layer.rawPath)}: give it a string path so the tests can list its routes`);
        walk(layer.handle.stack, prefix + (layer.rawPath === '/' ? '' : layer.rawPath));
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return out;
}

export interface Tag {
  name: string;
  attrs: Array<{ name: string; value: string | null }>;
  raw: string;
}

/** The tags of an HTML text (a small scanner: quotes respected, comments and doctype skipped). */
export function htmlTags(html: string): Tag[] {
  const tags: Tag[] = [];
  let i = 0;
  while ((i = html.indexOf('<', i)) !== -1) {
    if (html.startsWith('<!--', i)) {
      const end = html.indexOf('-->', i);
      i = end === -1 ? html.length : end + 3;
      continue;
    }
    const m = /^<\/?([A-Za-z][A-Za-z0-9-]*)/.exec(html.slice(i, i + 40));
    if (!m || html[i + 1] === '!') {
      i++;
      continue;
    }
    let j = i + m[0].length;
    const attrs: Tag['attrs'] = [];
    while (j < html.length && html[j] !== '>') {
      const a = /^[\s/]*([^\s=>\/]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]*))?/.exec(html.slice(j, j + 4096));
      if (!a || a[0].length === 0) {
        j++;
        continue;
      }
      if (a[1]) attrs.push({ name: a[1].toLowerCase(), value: a[2] === undefined ? null : a[2].replace(/^["']|["']$/g, '') });
      j += a[0].length;
    }
    tags.push({ name: m[1].toLowerCase(), attrs, raw: html.slice(i, j + 1) });
    i = j + 1;
  }
  return tags;
}

/**
 * What is wrong with a page that shows attacker-controlled text, if anything: a script that is not the
 * app's own external file, an inline event handler, a javascript: URL, a tag that holds the marker
 * outside a quoted attribute value (i.e. markup made from data), text after the marker that became a tag.
 */
export function markupProblems(html: string, marker: string): string[] {
  const problems: string[] = [];
  for (const t of htmlTags(html)) {
    if (t.name === 'script' && !t.raw.startsWith('</')) {
      const nonce = t.attrs.find((a) => a.name === 'nonce');
      const src = t.attrs.find((a) => a.name === 'src');
      if (!nonce || !src || !src.value || src.value.includes(marker)) problems.push(`script tag that is not the app's own: ${t.raw.slice(0, 120)}`);
    }
    for (const a of t.attrs) {
      if (a.name.startsWith('on')) problems.push(`inline handler ${a.name}: ${t.raw.slice(0, 120)}`);
      if (a.name.includes(marker)) problems.push(`attribute made from data: ${t.raw.slice(0, 120)}`);
      if ((a.name === 'href' || a.name === 'src' || a.name === 'action' || a.name === 'formaction') && a.value && (/^\s*(?:javascript|vbscript):/i.test(a.value) || (/^\s*data:/i.test(a.value) && a.value.includes(marker)))) {
        problems.push(`${a.name} with a script URL: ${t.raw.slice(0, 120)}`);
      }
    }
    if (['svg', 'iframe', 'img', 'style', 'object', 'embed', 'textarea', 'base'].includes(t.name) && t.raw.includes(marker)) problems.push(`tag made from data: ${t.raw.slice(0, 120)}`);
    // The marker inside the tag but in no attribute value: the tag's text came from data.
    const inValues = t.attrs.some((a) => a.value?.includes(marker));
    if (t.raw.includes(marker) && !inValues) problems.push(`tag holds data outside an attribute value: ${t.raw.slice(0, 120)}`);
  }
  return problems;
}
