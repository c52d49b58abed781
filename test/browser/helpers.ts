/**
 * What the browser tests share: a demo host in a temporary folder, the app served on 127.0.0.1 (a
 * random port) for a given WHM user, and Debian's chromium started by playwright-core with a fresh
 * profile and nothing talking to the network on its own.
 */
import dgram from 'node:dgram';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { generateDemoHost, type DemoSummary } from '../../src/demo/generateDemoHost';
import { demoDnsblPlanFor } from '../../src/demo/dnsblDemo';
import { startDnsblServer } from '../../src/demo/dnsblServer';
import { blacklistMonitor } from '../../src/services/blacklistService';
import { createContext } from '../../src/services/context';

export const CHROMIUM = process.env.RELAYWATCH_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve(__dirname, '../../test-output/screenshots');

export interface Served {
  url: string;
  close(): Promise<void>;
}

export async function makeDemo(generation: 'modern' | 'legacy' = 'modern'): Promise<DemoSummary> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'relaywatch-browser-'));
  return generateDemoHost({ out, generation });
}

/**
 * The demo's blacklists, played by a local DNS server (as `relaywatch demo-dnsbl` does), and the demo
 * host's config pointed at it, so a blacklist check never leaves the machine. Call before serve().
 */
export async function startDemoDnsbl(root: string, delayMs = 400): Promise<{ address: string; close(): Promise<void> }> {
  const ctx = createContext(loadConfig({ root }));
  const plan = await demoDnsblPlanFor(ctx);
  const server = await startDnsblServer({ host: '127.0.0.1', port: 0, zones: plan.zones, records: plan.records });
  const slow = await slowUdpProxy(server.port, delayMs);
  fs.mkdirSync(path.join(root, 'etc/relaywatch'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/relaywatch/config.yaml'), `blacklist:\n  resolver: "127.0.0.1:${slow.port}"\n  timeoutMs: ${delayMs + 2000}\n  concurrency: 4\n`);
  return { address: `127.0.0.1:${slow.port}`, close: async () => { await slow.close(); await server.close(); } };
}

/** A UDP relay that answers late, like a resolver far away: long enough to watch a check's progress. */
async function slowUdpProxy(targetPort: number, delayMs: number): Promise<{ port: number; close(): Promise<void> }> {
  const front = dgram.createSocket('udp4');
  front.on('message', (msg, client) => {
    const back = dgram.createSocket('udp4');
    // A zone that never answers leaves no socket open behind it.
    const giveUp = setTimeout(() => back.close(), delayMs + 10_000);
    giveUp.unref();
    back.unref();
    back.on('message', (answer) => {
      clearTimeout(giveUp);
      setTimeout(() => {
        front.send(answer, client.port, client.address);
        back.close();
      }, delayMs);
    });
    back.send(msg, targetPort, '127.0.0.1');
  });
  await new Promise<void>((resolve) => front.bind(0, '127.0.0.1', resolve));
  return { port: front.address().port, close: () => new Promise((resolve) => front.close(() => resolve())) };
}

export async function serve(root: string, user: string): Promise<Served> {
  const ctx = createContext(loadConfig({ root }));
  const server = http.createServer(createApp(ctx, { identity: { kind: 'dev', user } }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      // A blacklist check the pages started finishes before the server goes.
      const monitor = blacklistMonitor(ctx);
      monitor.stop();
      await monitor.idle();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export async function launch(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'relaywatch-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1366, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Collects what must never happen on a page: script errors, CSP violations, dialogs. */
export function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // WHM's cached header has no icon link, so chromium asks for /favicon.ico; that 404 is WHM's, not ours.
    if (m.type() === 'error' && !/\/favicon\.ico$/.test(m.location().url)) problems.push(`console: ${m.text()} (${m.location().url})`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return problems;
}

/** The widths every page must read well at: a laptop, a tablet (or a narrow window), a phone. */
export const WIDTHS = [1366, 1024, 390] as const;

/** Full-page screenshots at each width. */
export async function screenshots(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1366, height: 900 });
}

/** What sticks out sideways at the current width: the page's own scroll width, and the elements past the right edge. */
export async function horizontalOverflow(page: Page): Promise<{ scrollWidth: number; width: number; culprits: string[] }> {
  // Runs in the page (a string: the tests are compiled without the DOM's types).
  return page.evaluate(`(() => {
    const width = document.documentElement.clientWidth;
    const culprits = [];
    document.querySelectorAll('#relaywatch *').forEach((el) => {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > width + 1 && !el.closest('[hidden], .rw-visually-hidden, .rw-skip, thead')) {
        // the outermost element only
        const parent = el.parentElement;
        if (parent && parent.getBoundingClientRect().right > width + 1) return;
        const cls = typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '';
        culprits.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + cls + ' (right ' + Math.round(r.right) + ')');
      }
    });
    // Inside WHM's frame, what counts is relaywatch's own box: WHM's header is WHM's.
    const own = document.getElementById('relaywatch');
    const standalone = document.body.classList.contains('rw-standalone');
    const ownRight = own ? Math.ceil(own.getBoundingClientRect().right) : 0;
    const scrollWidth = standalone ? document.documentElement.scrollWidth : Math.max(ownRight, culprits.length ? width + 1 : 0);
    return { scrollWidth, width, culprits: culprits.slice(0, 5) };
  })()`);
}

const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * axe-core run on the page as it is (scripts run, WCAG 2.1 A and AA rules). Injected through the
 * DevTools protocol, so the page's CSP stays as it is.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(`(async () => {
    // Inside WHM's frame only relaywatch's part is ours to answer for (WHM's header, menu and footer
    // are WHM's); the standalone layout is relaywatch's from <html> on.
    const context = document.body.classList.contains('rw-standalone') ? document : { include: [['#relaywatch']] };
    const r = await window.axe.run(context, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 4).map((n) => (JSON.stringify(n.target) + ' ' + (n.failureSummary || '')).slice(0, 300)),
    }));
  })()`);
}

/** What the page suites share: one demo host, its blacklists, the app as three WHM users, and chromium. */
export interface DemoSession {
  demo: DemoSummary;
  /** root inside WHM's frame */
  asRoot: Served;
  /** a reseller with some accounts, inside WHM's frame */
  asReseller: Served;
  /** a reseller with every account (root's view), in the standalone layout: the demo caches no WHM chrome for it */
  standalone: Served;
  browser: { context: BrowserContext; close(): Promise<void> };
  close(): Promise<void>;
}

/** Starts a DemoSession; close() stops everything it started, also when starting failed half-way. */
export async function openDemoSession(dnsblDelayMs?: number): Promise<DemoSession> {
  const started: Array<{ close(): Promise<void> }> = [];
  const demo = await makeDemo('modern');
  const session = { demo } as DemoSession;
  session.close = async () => {
    for (const s of started.reverse()) await s.close();
    fs.rmSync(demo.root, { recursive: true, force: true });
  };
  try {
    started.push(await startDemoDnsbl(demo.root, dnsblDelayMs));
    started.push((session.asRoot = await serve(demo.root, 'root')));
    started.push((session.asReseller = await serve(demo.root, 'resellera')));
    started.push((session.standalone = await serve(demo.root, 'resellerall')));
    started.push((session.browser = await launch()));
    return session;
  } catch (e) {
    await session.close();
    throw e;
  }
}
