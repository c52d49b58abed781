/**
 * Every page, as root and as a reseller, inside WHM's frame and in the plugin's own layout, checked
 * in Debian's chromium: axe-core finds no serious or critical WCAG 2.1 AA violation, nothing sticks
 * out sideways at 1366, 1024 or 390 px, and a screenshot of each page at each width goes to
 * test-output/screenshots/.
 */
import type { Page } from 'playwright-core';
import { axeViolations, DemoSession, horizontalOverflow, openDemoSession, screenshots, Served, watch, WIDTHS } from './helpers';

let session: DemoSession;
let demo: DemoSession['demo'];
let asRoot: Served;
let asReseller: Served;
let standalone: Served;
let browser: DemoSession['browser'];

beforeAll(async () => {
  session = await openDemoSession(20);
  ({ demo, asRoot, asReseller, standalone, browser } = session);
  // The blacklist page starts the first check; wait for it, so the pages show real listings.
  await fetch(`${asRoot.url}/blacklist`);
  for (let i = 0; i < 300; i++) {
    const b = (await (await fetch(`${asRoot.url}/api/v1/blacklist`, { headers: { accept: 'application/json' } })).json()) as { progress?: { running: boolean }; report?: unknown };
    if (b.report && !b.progress?.running) break;
    await new Promise((r) => setTimeout(r, 200));
  }
});

afterAll(async () => {
  await session?.close();
});

/** Loads a page, checks it at every width, and returns what went wrong (empty when nothing did). */
async function check(page: Page, url: string, name: string, status = 200): Promise<string[]> {
  const wrong: string[] = [];
  const res = await page.goto(url);
  if (res?.status() !== status) wrong.push(`${name}: HTTP ${res?.status()}`);
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    const o = await horizontalOverflow(page);
    if (o.scrollWidth > o.width) wrong.push(`${name} at ${width}px: page is ${o.scrollWidth}px wide; ${o.culprits.join(', ')}`);
    const v = (await axeViolations(page)).filter((x) => x.impact === 'serious' || x.impact === 'critical');
    for (const x of v) wrong.push(`${name} at ${width}px: ${x.impact} ${x.id} (${x.help}): ${x.nodes.join(' | ')}`);
  }
  await screenshots(page, name);
  return wrong;
}

async function accountOf(served: Served): Promise<string> {
  const html = await (await fetch(`${served.url}/accounts`)).text();
  const m = /href="\/account\/([^"]+)"/.exec(html);
  if (!m) throw new Error('no account link on /accounts');
  return decodeURIComponent(m[1]);
}

test('root: every page, at 1366, 1024 and 390 px', async () => {
  const page = await browser.context.newPage();
  const problems = watch(page);
  const r = asRoot.url;
  const account = await accountOf(asRoot);
  const pages: Array<[string, string, number?]> = [
    ['/', 'a11y-root-overview'],
    ['/?hosts=all', 'a11y-root-overview-all'],
    ['/guide', 'a11y-root-guide'],
    [`/ip/${demo.relayHosts.unexplained[0]}`, 'a11y-root-ip-unexplained'],
    [`/ip/${demo.relayHosts.explained[0]}`, 'a11y-root-ip-explained'],
    ['/accounts', 'a11y-root-accounts'],
    [`/account/${account}`, 'a11y-root-account'],
    ['/reliance', 'a11y-root-reliance'],
    ['/autoresponders', 'a11y-root-autoresponders'],
    ['/backscatter', 'a11y-root-backscatter'],
    ['/backscatter?at=yesterday&days=x', 'a11y-root-backscatter-bad-input', 400],
    ['/blacklist', 'a11y-root-blacklist'],
    ['/status', 'a11y-root-status'],
    ['/status/confirm?action=disable', 'a11y-root-disable-confirm'],
    ['/audit', 'a11y-root-audit'],
    [`/search?q=${encodeURIComponent(demo.relayHosts.explained[1])}`, 'a11y-root-search'],
  ];
  const wrong: string[] = [];
  for (const [route, name, status] of pages) wrong.push(...(await check(page, r + route, name, status ?? 200)));
  await page.close();
  expect(wrong).toEqual([]);
  // the bad-input page answers 400 on purpose; nothing else may fail
  expect(problems.filter((p) => !/\/backscatter\?at=yesterday/.test(p))).toEqual([]);
});

test('a reseller, inside WHM and in the standalone layout: every page they may open', async () => {
  const page = await browser.context.newPage();
  const problems = watch(page);
  const wrong: string[] = [];
  for (const [served, who] of [[asReseller, 'reseller'], [standalone, 'standalone']] as const) {
    const account = await accountOf(served);
    const pages: Array<[string, string]> = [
      ['/', `a11y-${who}-overview`],
      ['/guide', `a11y-${who}-guide`],
      ['/accounts', `a11y-${who}-accounts`],
      [`/account/${account}`, `a11y-${who}-account`],
      ['/reliance', `a11y-${who}-reliance`],
      ['/autoresponders', `a11y-${who}-autoresponders`],
      ['/backscatter', `a11y-${who}-backscatter`],
      ['/search?q=example', `a11y-${who}-search`],
    ];
    // an IP of theirs, from their overview
    const html = await (await fetch(`${served.url}/`)).text();
    const ip = /href="\/ip\/([^"]+)"/.exec(html)?.[1];
    if (ip) pages.push([`/ip/${ip}`, `a11y-${who}-ip`]);
    for (const [route, name] of pages) wrong.push(...(await check(page, served.url + route, name)));
  }
  await page.close();
  expect(wrong).toEqual([]);
  expect(problems).toEqual([]);
});

test('by keyboard: the first Tab offers the skip link to the page’s main action', async () => {
  const page = await browser.context.newPage();
  const problems = watch(page);
  // standalone: the skip link is the first stop; inside WHM it comes right after WHM's own links
  await page.goto(`${standalone.url}/`);
  await page.keyboard.press('Tab');
  await expect(page.evaluate('document.activeElement.className')).resolves.toBe('rw-skip');
  await page.keyboard.press('Enter');
  await expect(page.evaluate('document.activeElement.id')).resolves.toBe('rw-main-action');
  // the disable confirmation: Skip, then the "Yes" button itself
  await page.goto(`${asRoot.url}/status/confirm?action=disable`);
  await page.locator('a.rw-skip').focus();
  await page.keyboard.press('Enter');
  await expect(page.evaluate('document.activeElement.textContent')).resolves.toMatch(/^Yes, turn POP-before-SMTP off/);
  // the focus ring is visible and strong enough (3:1 against white)
  await expect(page.evaluate('getComputedStyle(document.activeElement).outlineColor')).resolves.toBe('rgb(21, 101, 192)');
  await page.close();
  expect(problems).toEqual([]);
});
