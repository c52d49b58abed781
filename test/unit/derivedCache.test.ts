/**
 * derivedValue: a value made once per slot and version, one version per slot, at most 64 slots.
 */
import { derivedValue } from '../../src/cache/derivedCache';
import { loadConfig } from '../../src/config/config';
import { createContext, withHost } from '../../src/services/context';
import { makeHostTree, removeTree } from '../helpers/hostTree';

const root = makeHostTree({ files: {} });
afterAll(() => removeTree(root));
const ctxFor = () => createContext(loadConfig({ root }));

test('the same slot and version give the same value without making it again; a new version makes a new one', () => {
  const ctx = ctxFor();
  let made = 0;
  const make = (v: string) => () => ({ v, n: ++made });
  const a = derivedValue(ctx, 'root', 'v1', make('a'));
  expect(derivedValue(ctx, 'root', 'v1', make('other'))).toBe(a);
  expect(made).toBe(1);
  expect(derivedValue(ctx, 'root', 'v2', make('b'))).toEqual({ v: 'b', n: 2 });
  // one version per slot: the old one is gone, and coming back to it makes it again
  expect(derivedValue(ctx, 'root', 'v1', make('c'))).toEqual({ v: 'c', n: 3 });
  // another slot (another viewer) never gets this slot's value, whatever its version says
  expect(derivedValue(ctx, 'reseller', 'v1', make('d'))).toEqual({ v: 'd', n: 4 });
  // a copy of the context (the answer cache's recording one) shares the values; another context does not
  expect(derivedValue(withHost(ctx, ctx.host), 'root', 'v1', make('x'))).toEqual({ v: 'c', n: 3 });
  expect(derivedValue(ctxFor(), 'root', 'v1', make('y'))).toEqual({ v: 'y', n: 5 });
});

test('a value that could not be made is not kept', () => {
  const ctx = ctxFor();
  expect(() => derivedValue(ctx, 's', 'v', () => { throw new Error('no'); })).toThrow('no');
  expect(derivedValue(ctx, 's', 'v', () => 'made')).toBe('made');
});

test('at most 64 slots are kept, the one filled longest ago let go first', () => {
  const ctx = ctxFor();
  for (let i = 0; i < 64; i++) derivedValue(ctx, `s${i}`, 'v', () => i);
  derivedValue(ctx, 's0', 'v2', () => 100); // filled again: now the newest
  derivedValue(ctx, 's64', 'v', () => 64);
  expect(derivedValue(ctx, 's0', 'v2', () => -1)).toBe(100);
  expect(derivedValue(ctx, 's64', 'v', () => -1)).toBe(64);
  expect(derivedValue(ctx, 's2', 'v', () => -1)).toBe(2);
  // s1 was the oldest when the 65th slot came
  expect(derivedValue(ctx, 's1', 'v', () => -1)).toBe(-1);
});
