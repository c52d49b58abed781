/**
 * Every time a page shows is a `<time datetime="…">` element with the formatted text beside the
 * machine-readable value, so screen readers and scripts get the instant and people get one format.
 */
import { escapeHtml } from './whmChrome';

/**
 * `<time datetime="ISO">YYYY-MM-DD HH:MM[:SS] UTC</time>`, escaped; `fallback` (escaped) when there is
 * no time. `relative` marks it for relaywatch.js to add "in 12 min" / "5 min ago".
 */
export function timeTag(iso: string | null | undefined, opts: { seconds?: boolean; relative?: boolean; fallback?: string } = {}): string {
  if (!iso) return escapeHtml(opts.fallback ?? '—');
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return escapeHtml(iso);
  const text = `${new Date(ms).toISOString().replace('T', ' ').slice(0, opts.seconds === false ? 16 : 19)} UTC`;
  return `<time datetime="${escapeHtml(new Date(ms).toISOString())}"${opts.relative ? ' data-relative' : ''}>${text}</time>`;
}
