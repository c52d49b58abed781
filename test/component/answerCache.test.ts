/**
 * Reused answers on a real temporary host tree: a change of a file the answer was read from is seen,
 * and in the daemon nobody waits for housekeeping (an old answer whose files are unchanged is handed
 * out while its successor is computed).
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/config';
import { answerId, cachedAnswer, setRevalidateWindow } from '../../src/cache/answerCache';
import { CoreContext, createContext } from '../../src/services/context';
import { makeHostTree, removeTree } from '../helpers/hostTree';

const roots: string[] = [];
afterAll(() => roots.forEach(removeTree));

interface Answer {
  text: string;
  run: number;
}

/** A context with a clock the test moves, and a computation that counts its runs and can be held. */
function setup(): { ctx: CoreContext; file: string; clock: { ms: number }; runs: () => number; hold: () => () => void; ask: () => Promise<Answer> } {
  const root = makeHostTree({ files: { '/etc/list': 'one\n' } });
  roots.push(root);
  const clock = { ms: Date.parse('2026-11-28T00:00:00Z') };
  const ctx = createContext(loadConfig({ root }), { now: () => new Date(clock.ms) });
  let run = 0;
  let gate: Promise<void> | null = null;
  const compute = async (c: CoreContext): Promise<Answer> => {
    const text = (await c.host.readOptional('/etc/list')) ?? '';
    run++;
    if (gate) await gate;
    return { text, run };
  };
  return {
    ctx,
    file: path.join(root, 'etc/list'),
    clock,
    runs: () => run,
    hold: () => {
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      return () => {
        gate = null;
        release();
      };
    },
    ask: () => cachedAnswer(ctx, 'list', 10_000, compute),
  };
}

const settle = (ms = 30): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('outside the daemon: the same answer while the file is unchanged, a new one as soon as it changes', async () => {
  const s = setup();
  const first = await s.ask();
  expect(await s.ask()).toBe(first);
  expect(answerId(await s.ask())).toBe(answerId(first));
  fs.appendFileSync(s.file, 'two\n');
  const after = await s.ask();
  expect(after).toMatchObject({ text: 'one\ntwo\n', run: 2 });
  expect(answerId(after)).not.toBe(answerId(first));
});

test('in the daemon: a change is seen by the first request after the window, which waits for the new answer', async () => {
  const s = setup();
  setRevalidateWindow(s.ctx, 20);
  await s.ask();
  fs.appendFileSync(s.file, 'two\n');
  await settle();
  expect(await s.ask()).toMatchObject({ text: 'one\ntwo\n', run: 2 });
});

test('in the daemon: an old answer with unchanged files is handed out at once while the next is computed', async () => {
  const s = setup();
  setRevalidateWindow(s.ctx, 20);
  const first = await s.ask();
  s.clock.ms += 15_000; // older than 10 s, younger than twice that
  await settle();
  const release = s.hold();
  expect(await s.ask()).toBe(first); // not held up by the computation under way
  await settle();
  expect(s.runs()).toBe(2);
  expect(await s.ask()).toBe(first); // still computing: the old one again, and no second computation
  expect(s.runs()).toBe(2);
  release();
  await settle();
  expect(await s.ask()).toMatchObject({ text: 'one\n', run: 2 });
});

test('in the daemon: an answer older than twice its age limit is never handed out', async () => {
  const s = setup();
  setRevalidateWindow(s.ctx, 20);
  await s.ask();
  s.clock.ms += 25_000;
  expect(await s.ask()).toMatchObject({ run: 2 });
});
