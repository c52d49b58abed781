/**
 * The admin's pages in a real browser (Debian's chromium) over a generated demo host: the verdict,
 * the way from the dashboard to an IP page, the guided check, a reseller who sees only their rows,
 * and a hostile user name shown as text. Screenshots of each page go to test-output/screenshots/.
 */
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import type { DemoSummary } from '../../src/demo/generateDemoHost';
import { DemoSession, openDemoSession, screenshots, Served, watch } from './helpers';

let session: DemoSession;
let demo: DemoSummary;
let asRoot: Served;
let asReseller: Served;
let standalone: Served;
let browser: DemoSession['browser'];
let page: Page;
let problems: string[];

beforeAll(async () => {
  session = await openDemoSession();
  ({ demo, asRoot, asReseller, standalone, browser } = session);
});

afterAll(async () => {
  await session?.close();
});

/** The relay IPs reseller A's own explain answer holds: those tied to their accounts. */
async function resellerHostIps(): Promise<Set<string>> {
  const res = await fetch(`${asReseller.url}/api/v1/relay-hosts`, { headers: { Accept: 'application/json' } });
  const body = (await res.json()) as { hosts: Array<{ ip: string }> };
  return new Set(body.hosts.map((h) => h.ip));
}

beforeEach(async () => {
  page = await browser.context.newPage();
  problems = watch(page);
});

afterEach(async () => {
  await page.close();
  expect(problems).toEqual([]);
});

test('the dashboard answers the question in words, with the evidence one click away', async () => {
  await page.goto(`${asRoot.url}/`);
  const verdict = page.locator('.rw-verdict-text');
  const n = demo.relayHosts.unexplained.length;
  await expect(verdict.textContent()).resolves.toMatch(/^\s*Needs attention\s+No sign of a break-in\./);
  await expect(verdict.textContent()).resolves.toContain(`${n} relay IP${n === 1 ? ' has' : 's have'} no login behind`);
  // every card says its state in words
  await expect(page.locator('.rw-card .rw-severity').allTextContents()).resolves.toEqual(expect.arrayContaining(['Needs attention', 'Worth a look']));
  const cards = page.locator('.rw-card h3');
  await expect(cards.allTextContents()).resolves.toEqual(expect.arrayContaining([expect.stringContaining('Relay list'), expect.stringContaining('POP-before-SMTP relaying')]));
  // Every relay IP is in the table, and the table sorts by keyboard.
  const total = Object.values(demo.relayHosts).reduce((a, l) => a + l.length, 0);
  await expect(page.locator('#rw-hosts tbody tr:not(.rw-summary-row)').count()).resolves.toBe(total);
  const ipHeader = page.locator('#rw-hosts th', { hasText: 'IP' });
  await ipHeader.focus();
  await page.keyboard.press('Enter');
  await expect(ipHeader.getAttribute('aria-sort')).resolves.toBe('ascending');
  await page.locator('[data-status-filter-for="rw-hosts"]').selectOption('unexplained');
  await expect(page.locator('#rw-hosts tbody tr:not(.rw-summary-row):visible').count()).resolves.toBe(n);
  await page.locator('[data-status-filter-for="rw-hosts"]').selectOption('');
  await screenshots(page, 'dashboard');
});

test('from the dashboard to an IP page: every log line, the logins over time, the accounts', async () => {
  await page.goto(`${asRoot.url}/`);
  const ip = demo.relayHosts.explained[0];
  await page.locator(`#rw-hosts a[href="/ip/${ip}"]`).click();
  await page.waitForURL(`**/ip/${ip}`);
  await expect(page.locator('h1').textContent()).resolves.toBe(`IP ${ip}`);
  await expect(page.locator('.rw-verdict .rw-badge').first().textContent()).resolves.toBe('explained');
  await expect(page.locator('#rw-logins tbody tr').count()).resolves.toBeGreaterThan(0);
  await expect(page.locator('#rw-lines tbody tr').count()).resolves.toBeGreaterThan(0);
  await expect(page.locator('svg.rw-timeline-svg').count()).resolves.toBe(2);
  await expect(page.locator('svg.rw-timeline-svg rect.rw-bar').count()).resolves.toBeGreaterThan(0);
  await screenshots(page, 'ip-explained');

  // The red card leads to the first IP nobody's login explains.
  await page.goto(`${asRoot.url}/`);
  await page.locator('#rw-card-relay-list').locator('xpath=..').locator('a.rw-go').click();
  await expect(page.locator('.rw-verdict .rw-badge').first().textContent()).resolves.toBe('unexplained');
  await screenshots(page, 'ip-unexplained');
});

test('a hostile user name is shown as text, never run', async () => {
  // The demo's attacker-chosen name appears in failed logins; find the IP they came from.
  const line = fs.readFileSync(`${demo.root}/var/log/maillog`, 'utf8').split('\n').find((l) => l.includes(`user=<${demo.hostileUser}>`));
  const ip = line ? /rip=([^,]+),/.exec(line)?.[1] : undefined;
  expect(ip).toBeDefined();
  await page.goto(`${asRoot.url}/ip/${ip}`);
  const lines = await page.locator('#rw-lines').textContent();
  expect(lines).toContain(demo.hostileUser);
  // The demo's right-to-left override name shows as an escape instead of reversing the line.
  expect(lines).not.toContain('\u202e');
  await expect(page.locator('#rw-lines script').count()).resolves.toBe(0);
  await expect(page.locator('#relaywatch script').count()).resolves.toBe(0);
  await expect(page.locator('script[src*="/assets/relaywatch"]').count()).resolves.toBe(1); // relaywatch.js, besides WHM's header scripts
  await screenshots(page, 'ip-hostile');
});

test('a reseller sees only their own accounts and rows, and no root-only card', async () => {
  await page.goto(`${asReseller.url}/`);
  const owners = await page.locator('#rw-hosts tbody tr:not(.rw-summary-row) td:nth-child(5)').allTextContents();
  for (const o of owners) expect(o.trim()).toBe('resellera');
  await expect(page.locator('#rw-card-relay-list').count()).resolves.toBe(0);
  await expect(page.locator('#rw-card-pop-before-smtp').count()).resolves.toBe(0);
  const body = (await page.locator('body').textContent()) ?? '';
  // What ties an IP to reseller A is evidence (a login, a failed login or cPanel's map naming their
  // mailbox), whatever the outcome: the demo's first unexplained IP is in the map for A's mailbox.
  const mine = await resellerHostIps();
  const tiedUnexplained = demo.relayHosts.unexplained.filter((ip) => mine.has(ip));
  expect(tiedUnexplained.length).toBeGreaterThan(0);
  for (const ip of tiedUnexplained) expect(body).toContain(ip);
  for (const ip of [...demo.relayHosts.unexplained, ...demo.relayHosts.alwaysrelay].filter((x) => !mine.has(x))) expect(body).not.toContain(ip);
  await screenshots(page, 'reseller-dashboard');

  await page.goto(`${asReseller.url}/accounts`);
  const accountOwners = await page.locator('#rw-accounts tbody td:nth-child(2)').allTextContents();
  expect(accountOwners.length).toBeGreaterThan(0);
  for (const o of accountOwners) expect(['resellera', 'root']).toContain(o.trim());
  await screenshots(page, 'reseller-accounts');
  await page.locator('#rw-accounts tbody a').first().click();
  await expect(page.locator('h1').textContent()).resolves.toMatch(/^Account /);
  await screenshots(page, 'reseller-account');

  // An IP that is not tied to their accounts answers like an IP nobody used.
  const notTheirs = demo.relayHosts.unexplained.find((ip) => !mine.has(ip))!;
  await page.goto(`${asReseller.url}/search?q=${encodeURIComponent(notTheirs)}`);
  await expect(page.locator('.rw-results li').count()).resolves.toBe(0);
  await expect(page.locator('main').textContent()).resolves.toContain('Nothing found among your accounts');
});

test('search from the header of every page, by keyboard', async () => {
  await page.goto(`${asRoot.url}/guide`);
  const ip = demo.relayHosts.explained[1];
  await page.locator('#rw-q').fill(ip);
  await page.keyboard.press('Enter');
  await page.waitForURL('**/search?**');
  await screenshots(page, 'search');
  await page.locator('.rw-results a').first().click();
  await expect(page.locator('h1').textContent()).resolves.toBe(`IP ${ip}`);
});

test('the standalone layout (no WHM chrome) gives the same answer', async () => {
  await page.goto(`${standalone.url}/`);
  await expect(page.locator('body.rw-standalone').count()).resolves.toBe(1);
  const n = demo.relayHosts.unexplained.length;
  await expect(page.locator('.rw-verdict-text').textContent()).resolves.toContain(`${n} relay IP${n === 1 ? ' has' : 's have'} no login behind`);
  // Keyboard: the first Tab offers a way past the header, focus is visible, and the sort works by key.
  await page.keyboard.press('Tab');
  const skip = page.locator('a.rw-skip');
  await expect(page.evaluate('document.activeElement.className')).resolves.toBe('rw-skip');
  await expect(skip.isVisible()).resolves.toBe(true);
  await expect(page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).resolves.not.toBe('none');
  await page.keyboard.press('Enter');
  await expect(page.evaluate('location.hash')).resolves.toBe('#rw-main-action');
  await screenshots(page, 'standalone-dashboard');
  await page.goto(`${standalone.url}/accounts`);
  await screenshots(page, 'standalone-accounts');
});

test('a blacklist run shows a progress bar, never blocks the page, and the card shows the result', async () => {
  await page.goto(`${asRoot.url}/`);
  const card = page.locator('#rw-card-blacklist').locator('xpath=..');
  await expect(card.getAttribute('class')).resolves.toContain('rw-grey');
  // Opening the blacklist page starts the first check in the background (or the admin presses "Check now").
  await card.locator('a.rw-go').click();
  await page.waitForURL('**/blacklist');
  const now = page.locator('button', { hasText: 'Check now' });
  if (await now.count()) {
    await now.click();
    await page.waitForURL('**/blacklist');
  }
  await screenshots(page, 'blacklist-running');

  const started = Date.now();
  await page.goto(`${asRoot.url}/`);
  expect(Date.now() - started).toBeLessThan(5000);
  const bar = card.locator('progress');
  await expect(bar.count()).resolves.toBe(1);
  await expect(card.locator('.rw-job-pct').textContent()).resolves.toMatch(/^\d{1,3}%$/);
  await screenshots(page, 'dashboard-blacklist-running');
  // relaywatch.js follows the check and reloads the page when it is done.
  await page.locator('#rw-card-blacklist').locator('xpath=..').locator('progress').waitFor({ state: 'detached', timeout: 90000 });
  await page.waitForLoadState('load');
  await expect(page.locator('#rw-card-blacklist').locator('xpath=..').getAttribute('class')).resolves.toContain('rw-red');
  await expect(page.locator('#rw-card-blacklist').locator('xpath=..').textContent()).resolves.toMatch(/Backscatterer|backscatterer/);
  await screenshots(page, 'dashboard-blacklist-done');
});

// Last: it changes the demo host (POP-before-SMTP goes off).
test('the guided check, followed to the end: the disable flow with its confirmation, then "confirm it took"', async () => {
  await page.goto(`${asRoot.url}/`);
  await page.locator('a.rw-button', { hasText: 'Walk through the guided check' }).click();
  await page.waitForURL('**/guide');
  const titles = await page.locator('.rw-step h2').allTextContents();
  expect(titles.map((t) => t.replace(/\s+/g, ' ').trim())).toEqual([
    expect.stringMatching(/^Listed where and why/),
    expect.stringMatching(/^Who is in the relay list/),
    expect.stringMatching(/^Relay entries no login put there/),
    expect.stringMatching(/^What sends the auto-replies/),
    expect.stringMatching(/^Who relies on POP-before-SMTP/),
    expect.stringMatching(/^Turn POP-before-SMTP off safely/),
    expect.stringMatching(/^Confirm it took/),
  ]);
  await expect(page.locator('#step-confirm .rw-badge').textContent()).resolves.toBe('Not yet');
  await screenshots(page, 'guide');

  // Step 5 leads to a confirmation page; nothing changes until the admin says yes.
  await page.locator('#step-turn-off a.rw-go').click();
  await page.waitForURL('**/status/confirm?action=disable');
  await expect(page.locator('.rw-verdict-text').textContent()).resolves.toContain('This turns POP-before-SMTP off');
  await expect(page.locator('pre').first().textContent()).resolves.toMatch(/whmapi1|tailwatchd/);
  await screenshots(page, 'disable-confirm');
  await page.locator('button', { hasText: 'Yes, turn POP-before-SMTP off' }).click();
  // post/redirect/get: the browser lands on the change's result page, which a reload does not repeat
  await page.waitForURL('**/status/result?id=*');
  await expect(page.locator('.rw-verdict-text').textContent()).resolves.toMatch(/^Changed and verified/);
  await screenshots(page, 'disable-result');
  // a reload shows the same record and makes no second change: the audit log holds one disable
  await page.reload();
  await expect(page.locator('.rw-verdict-text').textContent()).resolves.toMatch(/^Changed and verified/);
  await page.goto(`${asRoot.url}/audit`);
  await expect(page.locator('#rw-audit-changes tbody tr', { hasText: 'pop-before-smtp.disable' }).count()).resolves.toBe(1);

  // Back to the guide: the last step now confirms it.
  await page.goto(`${asRoot.url}/guide`);
  await expect(page.locator('#step-turn-off .rw-badge').textContent()).resolves.toBe('Fine');
  await expect(page.locator('#step-confirm .rw-badge').textContent()).resolves.toBe('Fine');
  await expect(page.locator('#step-confirm').textContent()).resolves.toContain('relaying by POP-before-SMTP is off');
  await screenshots(page, 'guide-done');
  await page.goto(`${asRoot.url}/`);
  await expect(page.locator('#rw-card-pop-before-smtp').locator('xpath=..').textContent()).resolves.toContain('Off: the IPs in the list cannot send mail');
});
