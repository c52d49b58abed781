/**
 * A page wearing WHM's realistic chrome (the demo host's copy of the real generated header, with its
 * un-nonced inline style and script, inline style attributes, same-origin cPanel scripts and web
 * components) in Debian's chromium: the Content-Security-Policy lets exactly those run (no violation
 * reported), the header's style is applied, its scripts run and draw the menu; an inline script
 * added afterwards is still refused.
 */
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import type { DemoSummary } from '../../src/demo/generateDemoHost';
import { launch, makeDemo, serve, Served, watch } from './helpers';

let demo: DemoSummary;
let asRoot: Served;
let browser: Awaited<ReturnType<typeof launch>>;
let page: Page;
let problems: string[];

beforeAll(async () => {
  demo = await makeDemo('modern');
  asRoot = await serve(demo.root, 'root');
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await asRoot?.close();
  if (demo) fs.rmSync(demo.root, { recursive: true, force: true });
});

beforeEach(async () => {
  page = await browser.context.newPage();
  problems = watch(page);
  // Every CSP violation the page reports, collected from the start of the document.
  await page.addInitScript(`window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sample));`);
});

afterEach(async () => {
  await page.close();
});

const violations = (): Promise<string[]> => page.evaluate('window.cspViolations') as Promise<string[]>;

test.each(['/', '/guide', '/status'])('%s in WHM\'s chrome: zero CSP violations, the header\'s style applied and its scripts run', async (route) => {
  const answer = await page.goto(`${asRoot.url}${route}`);
  expect(answer?.status()).toBe(200);
  await page.waitForLoadState('load');
  // the header's un-nonced <style type="text/css"> block
  await expect(page.evaluate("getComputedStyle(document.querySelector('#whm-topbar')).backgroundColor")).resolves.toBe('rgb(41, 58, 74)');
  await expect(page.evaluate('getComputedStyle(document.documentElement).fontSize')).resolves.toBe('16px');
  // the header's un-nonced inline script (the one with the session token) and its nonced one
  await expect(page.evaluate("document.documentElement.getAttribute('data-whm-header-script')")).resolves.toBe('ran');
  await expect(page.evaluate('window.PAGE && window.PAGE.app')).resolves.toBe('whostmgr');
  // the same-origin cPanel scripts, and the web components they draw
  await expect(page.evaluate('typeof window.CPANEL')).resolves.toBe('object');
  await expect(page.locator('cp-root-variables[data-drawn]').count()).resolves.toBe(1);
  await expect(page.locator('cp-main-menu[data-drawn] #whm-sidebar a', { hasText: 'Service Manager' }).isVisible()).resolves.toBe(true);
  await expect(page.locator('cp-header[data-drawn] button', { hasText: 'Reset interface settings' }).isVisible()).resolves.toBe(true);
  // the inline style attributes keep their effect
  await expect(page.locator('#whm-notice').isVisible()).resolves.toBe(false);
  // relaywatch's own style sheet and script
  await expect(page.evaluate("getComputedStyle(document.querySelector('.rw-tabbar')).display")).resolves.toBe('flex');
  await expect(violations()).resolves.toEqual([]);
  expect(problems).toEqual([]);
});

test('the policy still refuses any other inline script', async () => {
  await page.goto(`${asRoot.url}/`);
  await page.waitForLoadState('load');
  await expect(violations()).resolves.toEqual([]);
  const ran = await page.evaluate(`(async () => {
    const s = document.createElement('script');
    s.textContent = 'window.injected = true;';
    document.body.appendChild(s);
    await new Promise((r) => setTimeout(r, 100));
    return window.injected === true;
  })()`);
  expect(ran).toBe(false);
  await expect(violations()).resolves.toEqual([expect.stringMatching(/^script-src-elem inline/)]);
});

test('the static files are linked under content-hashed names and cached for a year', async () => {
  const css = page.waitForResponse((r) => /\/assets\/relaywatch\.[0-9a-f]{12}\.css$/.test(r.url()));
  await page.goto(`${asRoot.url}/`);
  const r = await css;
  expect(r.status()).toBe(200);
  expect(r.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
});
