/**
 * The pages' progress polls (templates/assets/relaywatch.js for long jobs, progress.js for the first
 * log index) back off: inside WHM each poll is a CGI run, so they ask after 1 s, then every 1.5
 * times as long, up to every 15 s, and stop when the job is done. Run in a VM with a stand-in of the
 * few browser APIs they use and a clock that records each delay.
 */
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

const ASSETS = path.resolve(__dirname, '../../templates/assets');

interface Box {
  getAttribute(name: string): string | null;
  querySelector(sel: string): object | null;
  hidden?: boolean;
}

/** Runs `file` with one element answering `attr`, a fetch that answers `answer(n)`, and returns each setTimeout delay. */
async function delays(file: string, attr: string, answer: (n: number) => object, polls: number): Promise<{ delays: number[]; reloaded: boolean }> {
  const seen: number[] = [];
  const timers: Array<() => void> = [];
  let reloaded = false;
  let n = 0;
  const element = (): object => ({ style: {}, setAttribute() {}, querySelector: () => element(), textContent: '', value: 0 });
  const box: Box = { getAttribute: (name) => (name === attr ? '/api/v1/job' : null), querySelector: () => element() };
  const document = {
    querySelector: (sel: string) => (sel.includes(attr) ? box : null),
    querySelectorAll: (sel: string) => (sel.includes(attr) ? [box] : []),
  };
  const window = { fetch: true, location: { reload: () => (reloaded = true) }, relaywatch: undefined as unknown };
  const context = {
    window,
    document,
    fetch: () => Promise.resolve({ ok: true, status: 200, json: () => Promise.resolve(answer(n++)) }),
    setTimeout: (fn: () => void, ms: number) => {
      seen.push(ms);
      timers.push(fn);
    },
    Date,
    Math,
    Number,
    String,
    Array,
    isNaN,
  };
  vm.runInNewContext(fs.readFileSync(path.join(ASSETS, file), 'utf8'), context);
  for (let i = 0; i < polls; i++) {
    await new Promise((r) => setImmediate(r));
    const next = timers.shift();
    if (!next) break;
    next();
    await new Promise((r) => setImmediate(r));
  }
  return { delays: seen, reloaded };
}

test('relaywatch.js: a running job is polled after 1 s, then less and less often, never more than every 15 s', async () => {
  const r = await delays('relaywatch.js', 'data-progress-url', () => ({ progress: { running: true, done: 1, total: 10 } }), 12);
  expect(r.delays.slice(0, 5)).toEqual([1000, 1500, 2250, 3375, 5063]);
  expect(Math.max(...r.delays)).toBe(15000);
  expect(r.delays.slice(-2)).toEqual([15000, 15000]);
  expect(r.reloaded).toBe(false);
});

test('relaywatch.js: the page reloads once the job is done, and polls no more', async () => {
  const r = await delays('relaywatch.js', 'data-progress-url', (n) => ({ progress: { running: n < 2, done: n, total: 2 } }), 10);
  expect(r.reloaded).toBe(true);
  expect(r.delays).toEqual([1000, 1500, 2250]);
});

test('progress.js: the first index build is polled the same way', async () => {
  const r = await delays('progress.js', 'data-index-progress', () => ({ state: 'building', percent: 40 }), 12);
  expect(r.delays.slice(0, 4)).toEqual([1000, 1500, 2250, 3375]);
  expect(r.delays.slice(-2)).toEqual([15000, 15000]);
});
