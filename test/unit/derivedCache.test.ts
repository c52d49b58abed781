/**
 * derivedValue: a value made once per key and context settings, the oldest forgotten first.
 */
import { derivedValue } from '../../src/cache/derivedCache';
import { loadConfig } from '../../src/config/config';
import { createContext, withHost } from '../../src/services/context';
import { makeHostTree, removeTree } from '../helpers/hostTree';

const root = makeHostTree({ files: {} });
afterAll(() => removeTree(root));
const ctxFor = () => createContext(loadConfig({ root }));

test('the same key gives the same value without making it again; another key makes its own', () => {
  const ctx = ctxFor();
  let made = 0;
  const make = (v: string) => () => ({ v, n: ++made });
  const a = derivedValue(ctx, 'k1', make('a'));
  expect(derivedValue(ctx, 'k1', make('other'))).toBe(a);
  expect(made).toBe(1);
  const b = derivedValue(ctx, 'k2', make('b'));
  expect(b).toEqual({ v: 'b', n: 2 });
  // a copy of the context (the answer cache's recording one) shares the values; another context does not
  expect(derivedValue(withHost(ctx, ctx.host), 'k1', make('x'))).toBe(a);
  expect(derivedValue(ctxFor(), 'k1', make('y'))).toEqual({ v: 'y', n: 3 });
});

test('a value that could not be made is not kept', () => {
  const ctx = ctxFor();
  expect(() => derivedValue(ctx, 'k', () => { throw new Error('no'); })).toThrow('no');
  expect(derivedValue(ctx, 'k', () => 'made')).toBe('made');
});

test('at most 64 values are kept, the oldest forgotten first', () => {
  const ctx = ctxFor();
  for (let i = 0; i < 65; i++) derivedValue(ctx, `k${i}`, () => i);
  expect(derivedValue(ctx, 'k64', () => -1)).toBe(64);
  expect(derivedValue(ctx, 'k1', () => -1)).toBe(1);
  // k0 was the oldest when the 65th came
  expect(derivedValue(ctx, 'k0', () => -1)).toBe(-1);
});
