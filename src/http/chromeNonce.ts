/**
 * WHM's real generated header carries inline <style> and <script> blocks without a nonce (one of the
 * scripts holds the session token, so its text differs per session), next to the nonced ones
 * (cpanel-facts.md section 11). Under a nonce-only Content-Security-Policy they would not run, and
 * WHM's menu and styling would break. The blocks the cached file itself holds are given cpsrvd's
 * placeholder nonce here, before any placeholder is filled, so they run under the page's nonce when
 * fillChrome puts it in, and nothing that a filled value could carry gets one.
 *
 * The CGI bridge's "not running" page does the same (nonceInlineChrome in plugin/cgi/bridge.js, held
 * to this one by a test).
 */
export const PLACEHOLDER_NONCE = 'nonce="00000000000"';

/** Comments are passed over whole; a script's or style's text is never searched for tags. */
const BLOCKS = /<!--[\s\S]*?(?:-->|$)|<(script|style)(?=[\s>/])([^>]*)>([\s\S]*?)(?:<\/\1\s*>|$)/gi;

/** Puts the placeholder nonce on every inline <script> (no src) and <style> that has no nonce. */
export function nonceInlineChrome(html: string): string {
  return html.replace(BLOCKS, (whole: string, tag: string | undefined, attrs: string) => {
    if (!tag) return whole;
    if (/\snonce\s*=/i.test(attrs)) return whole;
    if (tag.toLowerCase() === 'script' && /\ssrc\s*=/i.test(attrs)) return whole;
    return `<${tag} ${PLACEHOLDER_NONCE}${attrs}>${whole.slice(tag.length + attrs.length + 2)}`;
  });
}
