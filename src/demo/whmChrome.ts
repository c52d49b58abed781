/**
 * WHM's cached chrome on the demo host, as cpsrvd leaves it in /var/cpanel/caches: a header and a
 * footer per WHM user with the placeholders relaywatch fills in (security token, user, page title,
 * CSP nonce), and cache_keys.json mapping root and one reseller to their files. With it the demo
 * shows relaywatch inside a WHM-like frame; without a key (the other resellers) it falls back to the
 * plugin's own layout, as on a real server.
 *
 * The header has every trait of the real generated one (cpanel-facts.md section 11), so that the
 * tests see what a real server's header does to the plugin's Content-Security-Policy:
 * - a nonced <script> block (the `nonce="00000000000"` placeholder),
 * - an un-nonced <style type="text/css"> block (html{font-size:16px}, mobile and frame rules, and
 *   here the frame's whole look),
 * - an un-nonced inline <script> in the header section that wires cp-header's "reset interface
 *   settings" item and holds the session token (its text differs per session),
 * - inline style="display:none;visibility:hidden" attributes,
 * - same-origin external scripts, /cjt/cjt-min.js and
 *   /core/web-components/dist/jupiter-web-components.cmb.min.js (written into the demo's WHM
 *   docroot as small stand-ins, which the development server serves as cpsrvd would),
 * - the web components <cp-root-variables>, <cp-main-menu> and <cp-header>, drawn by that script.
 */
import crypto from 'node:crypto';
import { PLUGIN_ACL } from '../domain/pluginAcl';
import { DemoTree } from './demoTree';
import { DemoWorld } from './world';

const HEADER_DIR = '/var/cpanel/caches/_generated_header_files';
/** WHM's document root, where cpsrvd serves /cjt/ and /core/ from. */
export const WHM_DOCROOT = '/usr/local/cpanel/whostmgr/docroot';
export const WHM_CHROME_SCRIPTS = ['/cjt/cjt-min.js', '/core/web-components/dist/jupiter-web-components.cmb.min.js'] as const;
const FOOTER = '/var/cpanel/caches/_generated_footer_files/footer.html';

interface MenuGroup {
  title: string;
  items: Array<[label: string, path: string]>;
}

const ROOT_MENU: MenuGroup[] = [
  { title: 'Server Configuration', items: [['Basic WebHost Manager Setup', '/scripts2/basicsetup'], ['Tweak Settings', '/scripts2/tweaksettings']] },
  { title: 'Account Information', items: [['List Accounts', '/scripts4/listaccts'], ['List Suspended Accounts', '/scripts2/suspendedaccts']] },
  { title: 'Service Configuration', items: [['Service Manager', '/scripts/srvmng'], ['Exim Configuration Manager', '/scripts2/displayeximconfforedit']] },
  { title: 'Email', items: [['Mail Queue Manager', '/scripts/mailqueue'], ['Mail Delivery Reports', '/scripts/emailtrack']] },
  { title: 'Plugins', items: [['relaywatch', '/cgi/relaywatch/index.cgi']] },
];

const RESELLER_MENU: MenuGroup[] = [
  { title: 'Account Information', items: [['List Accounts', '/scripts4/listaccts']] },
  { title: 'Plugins', items: [['relaywatch', '/cgi/relaywatch/index.cgi']] },
];

const STYLE = `
html{font-size:16px}
body.whm{margin:0;background:#f3f5f7;font-family:"Open Sans",Arial,sans-serif;color:#293a4a}
#whm-topbar{display:flex;align-items:center;gap:16px;height:48px;padding:0 16px;background:#293a4a;color:#fff}
#whm-topbar .whm-logo{font-weight:700;font-size:18px;letter-spacing:.5px;color:#fff;text-decoration:none}
#whm-topbar .whm-logo span{color:#ff6c2c}
#whm-topbar .whm-host{color:#b0bec5;font-size:13px}
#whm-topbar .whm-spacer{flex:1}
#whm-topbar input{width:200px;padding:5px 8px;border:0;border-radius:3px}
#whm-topbar a{color:#fff}
#whm-topbar .whm-user{font-size:13px}
#whm-layout{display:flex;min-height:calc(100vh - 48px)}
#whm-sidebar{width:230px;flex:none;background:#324457;color:#cfd8dc;font-size:13px;padding:8px 0}
#whm-sidebar h2{margin:12px 16px 4px;font-size:12px;text-transform:uppercase;letter-spacing:.6px;color:#90a4ae}
#whm-sidebar ul{list-style:none;margin:0;padding:0}
#whm-sidebar a{display:block;padding:5px 16px 5px 24px;color:#eceff1;text-decoration:none}
#whm-sidebar a:hover{background:#3d536a}
#whm-main{flex:1;min-width:0;background:#fff}
#whm-breadcrumb{padding:10px 20px;font-size:13px;color:#607d8b;border-bottom:1px solid #e0e6ea}
#whm-breadcrumb a{color:#1976d2;text-decoration:none}
#whm-footer{padding:14px 20px;font-size:12px;color:#78909c;border-top:1px solid #e0e6ea}
@media (max-width:900px){#whm-sidebar{display:none}}
@media (max-width:768px){#whm-topbar input{display:none}}
body.whm.in-frame #whm-topbar,body.whm.in-frame #whm-sidebar{display:none}
cp-main-menu{display:block;flex:none}
cp-header{display:flex;align-items:center;gap:8px}
cp-header .whm-reset{font-size:12px;background:none;border:1px solid #607d8b;border-radius:3px;color:#fff;padding:2px 6px}
`;

/** The nonced block of the real header: page settings read by cjt. */
const NONCED_SCRIPT = `window.PAGE = window.PAGE || {}; window.PAGE.app = "whostmgr"; window.PAGE.locale = "en";`;

/**
 * The header section's un-nonced script: wires cp-header's "reset interface settings" item, with the
 * session token in its text as in the real one.
 */
const RESET_SCRIPT = `(function () {
  var header = document.querySelector("cp-header");
  if (!header) return;
  header.setAttribute("data-reset-url", "/cpsess0000000000/json-api/reset_interface_settings?api.version=1");
  header.addEventListener("cp-reset-settings", function () {
    window.location.href = header.getAttribute("data-reset-url");
  });
  document.documentElement.setAttribute("data-whm-header-script", "ran");
})();`;

/** Stand-in of WHM's /cjt/cjt-min.js: the CPANEL namespace the header's scripts expect. */
const CJT_STANDIN = `/* Demo stand-in for WHM's /cjt/cjt-min.js (relaywatch demo host). */
window.CPANEL = window.CPANEL || { namespace: function () {}, version: "demo" };
`;

/**
 * Stand-in of WHM's web components bundle: cp-root-variables sets the theme's custom properties,
 * cp-main-menu draws the menu from the links it holds, cp-header draws the top bar's user menu with
 * its "reset interface settings" item. Styles are set through the CSSOM, which the CSP does not govern.
 */
const WEB_COMPONENTS_STANDIN = `/* Demo stand-in for WHM's jupiter-web-components bundle (relaywatch demo host). */
(function () {
  "use strict";
  if (!window.customElements) return;
  // Elements met while the page is parsed are connected before their children exist.
  function whenParsed(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }
  customElements.define("cp-root-variables", class extends HTMLElement {
    connectedCallback() {
      var root = document.documentElement.style;
      root.setProperty("--cp-primary", "#293a4a");
      root.setProperty("--cp-accent", "#ff6c2c");
      this.setAttribute("data-drawn", "");
    }
  });
  customElements.define("cp-main-menu", class extends HTMLElement {
    connectedCallback() { whenParsed(this.draw.bind(this)); }
    draw() {
      var source = this.querySelector(".whm-menu-source");
      if (!source || this.hasAttribute("data-drawn")) return;
      var nav = document.createElement("nav");
      nav.id = "whm-sidebar";
      nav.setAttribute("aria-label", "WHM");
      nav.innerHTML = source.innerHTML;
      this.appendChild(nav);
      this.setAttribute("data-drawn", "");
    }
  });
  customElements.define("cp-header", class extends HTMLElement {
    connectedCallback() { whenParsed(this.draw.bind(this)); }
    draw() {
      if (this.hasAttribute("data-drawn")) return;
      var self = this;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "whm-reset";
      button.textContent = "Reset interface settings";
      button.addEventListener("click", function () { self.dispatchEvent(new CustomEvent("cp-reset-settings")); });
      this.appendChild(button);
      this.setAttribute("data-drawn", "");
    }
  });
})();
`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function header(world: DemoWorld, menu: MenuGroup[], withSupport: boolean): string {
  const nav = menu
    .map((g) => `<h2>${escapeHtml(g.title)}</h2>\n<ul>\n${g.items.map(([label, p]) => `<li><a href="/cpsess0000000000${p}">${escapeHtml(label)}</a></li>`).join('\n')}\n</ul>`)
    .join('\n');
  const support = withSupport
    ? '<h2>Support</h2>\n<ul>\n<li><a href="/cpsess0000000000/scripts7/create_support_ticket">Create Support Ticket</a></li>\n</ul>\n'
    : '';
  return `<!DOCTYPE html>
<html lang="en" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>WHM - Results of Your Request</title>
<style type="text/css">${STYLE}</style>
<script nonce="00000000000">${NONCED_SCRIPT}</script>
<script src="${WHM_CHROME_SCRIPTS[0]}"></script>
<script src="${WHM_CHROME_SCRIPTS[1]}"></script>
</head>
<body class="whm">
<cp-root-variables></cp-root-variables>
<header id="whm-topbar">
<a class="whm-logo" href="/cpsess0000000000/">c<span>P</span>anel WHM</a>
<span class="whm-host">${escapeHtml(world.hostname)}</span>
<span class="whm-spacer"></span>
<input type="search" placeholder="Search Tools and Accounts (/)" aria-label="Search" disabled>
<cp-header user="cpuser00000000000"><span class="whm-user">cpuser00000000000</span></cp-header>
<a href="/cpsess0000000000/logout/?locale=en">Log out</a>
</header>
<script>${RESET_SCRIPT}</script>
<div id="whm-layout">
<cp-main-menu><div class="whm-menu-source" style="display:none;visibility:hidden">
${nav}
${support}</div></cp-main-menu>
<div id="whm-main">
<div id="whm-breadcrumb"><a href="/cpsess0000000000/">Home</a> » <a href="/cpsess0000000000/scripts/command?PFILE=Plugins">Plugins</a> » Results of Your Request</div>
<div id="whm-notice" style="display:none;visibility:hidden"></div>
`;
}

const FOOTER_HTML = `<footer id="whm-footer">cPanel &amp; WHM 120.0.16 · <a href="/cpsess0000000000/scripts/command?PFILE=main">Home</a></footer>
</div>
</div>
</body>
</html>
`;

/** A key like cpsrvd's: stable per user, so one seed gives the same files. */
function cacheKey(world: DemoWorld, user: string): string {
  return crypto.createHash('sha256').update(`${world.seed}:${user}`).digest('hex').slice(0, 32);
}

/** Writes the chrome cache; returns the WHM users that have a key (root and one reseller). */
export async function writeWhmChrome(tree: DemoTree, world: DemoWorld): Promise<string[]> {
  const reseller =
    world.resellers.find((r) => r.acls.includes(PLUGIN_ACL) && !r.acls.includes('all')) ?? world.resellers[0];
  const users: Array<[string, MenuGroup[]]> = [['root', ROOT_MENU]];
  if (reseller) users.push([reseller.name, RESELLER_MENU]);
  const keys: Record<string, string> = {};
  for (const [user, menu] of users) {
    const key = cacheKey(world, user);
    keys[user] = key;
    await tree.write(`${HEADER_DIR}/${key}_0_0.html`, header(world, menu, true), 0o600);
    await tree.write(`${HEADER_DIR}/${key}_1_0.html`, header(world, menu, false), 0o600);
  }
  await tree.write(`${HEADER_DIR}/cache_keys.json`, `${JSON.stringify(keys)}\n`, 0o600);
  await tree.write(FOOTER, FOOTER_HTML, 0o600);
  await tree.write(`${WHM_DOCROOT}${WHM_CHROME_SCRIPTS[0]}`, CJT_STANDIN, 0o644);
  await tree.write(`${WHM_DOCROOT}${WHM_CHROME_SCRIPTS[1]}`, WEB_COMPONENTS_STANDIN, 0o644);
  return Object.keys(keys);
}
