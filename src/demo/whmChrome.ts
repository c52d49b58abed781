/**
 * WHM's cached chrome on the demo host, as cpsrvd leaves it in /var/cpanel/caches: a header and a
 * footer per WHM user with the placeholders relaywatch fills in (security token, user, page title,
 * CSP nonce), and cache_keys.json mapping root and one reseller to their files. With it the demo
 * shows relaywatch inside a WHM-like frame; without a key (the other resellers) it falls back to the
 * plugin's own layout, as on a real server.
 *
 * The styles sit inline under the nonce, so the frame looks right without WHM's style sheets (its
 * links point into WHM and lead nowhere on the demo host).
 */
import crypto from 'node:crypto';
import { DemoTree } from './demoTree';
import { DemoWorld } from './world';

const HEADER_DIR = '/var/cpanel/caches/_generated_header_files';
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
<style nonce="00000000000">${STYLE}</style>
</head>
<body class="whm">
<header id="whm-topbar">
<a class="whm-logo" href="/cpsess0000000000/">c<span>P</span>anel WHM</a>
<span class="whm-host">${escapeHtml(world.hostname)}</span>
<span class="whm-spacer"></span>
<input type="search" placeholder="Search Tools and Accounts (/)" aria-label="Search" disabled>
<span class="whm-user">cpuser00000000000</span>
<a href="/cpsess0000000000/logout/?locale=en">Log out</a>
</header>
<div id="whm-layout">
<nav id="whm-sidebar" aria-label="WHM">
${nav}
${support}</nav>
<div id="whm-main">
<div id="whm-breadcrumb"><a href="/cpsess0000000000/">Home</a> » <a href="/cpsess0000000000/scripts/command?PFILE=Plugins">Plugins</a> » Results of Your Request</div>
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
    world.resellers.find((r) => r.acls.includes('list-accts') && !r.acls.includes('all')) ?? world.resellers[0];
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
  return Object.keys(keys);
}
