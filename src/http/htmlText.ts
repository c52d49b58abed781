/**
 * The one escaping of every page: what the templates' `<%= %>` writes (app.ts makes it EJS's escape
 * function) and what fills WHM's chrome. HTML's special characters become entities, and control and
 * bidi characters become visible marks (text/visibleControls.ts), so that no page, whatever its
 * template, can show a log line's terminal escape or bidi override raw.
 */
import { visibleControls } from '../text/visibleControls';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };

export function htmlText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return visibleControls(String(value)).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}
