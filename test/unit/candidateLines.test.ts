/**
 * The byte-search kernel: the SIMD kernel must find exactly the lines the plain Buffer.indexOf
 * reference finds, for the login needles and for arbitrary needle sets, and count newlines exactly.
 */
import { createCandidateKernel, gramCounts, jsCandidateSpans, planBuckets } from '../../src/scan/candidateKernel';
import { candidateLines, countNewlines } from '../../src/scan/candidateLines';
import { LOGIN_NEEDLES } from '../../src/parsers/loginLine';
import { LOGIN_PATTERNS } from '../../src/parsers/patterns/loginPatterns';

/** Deterministic pseudo-random numbers (tests must not flake). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function spansOf(kernelNeedles: readonly string[], text: string | Buffer, opts: { simd: boolean; from?: number; limit?: number }): Array<[number, number]> {
  const data = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  const needles = kernelNeedles.map((n) => Buffer.from(n, 'latin1'));
  const k = createCandidateKernel(needles, data.length + 16, { simd: opts.simd });
  data.copy(k.buffer, 0);
  k.tune(0, data.length);
  const out: Array<[number, number]> = [];
  k.forEachCandidate(opts.from ?? 0, opts.limit ?? data.length, (s, e) => out.push([s, e]));
  return out;
}

function reference(needles: readonly string[], text: string | Buffer, from = 0, limit?: number): Array<[number, number]> {
  const data = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  return jsCandidateSpans(data, needles.map((n) => Buffer.from(n, 'latin1')), from, limit ?? data.length);
}

/** Random log-like text: words, punctuation, newlines, and now and then a needle. */
function randomText(r: () => number, bytes: number, needles: readonly string[], alphabet = 'abcdefgLoginLOGINuser=<>, :[]0123456789.\n'): string {
  let out = '';
  while (out.length < bytes) {
    const x = r();
    if (x < 0.03 && needles.length > 0) out += needles[Math.floor(r() * needles.length)];
    else if (x < 0.06) out += '\n';
    else out += alphabet[Math.floor(r() * alphabet.length)];
  }
  return out;
}

describe('the SIMD kernel is available and used', () => {
  test('Node runs WebAssembly SIMD here', () => {
    expect(createCandidateKernel([Buffer.from('Login: ')], 1024).simd).toBe(true);
  });
});

describe('every login pattern is covered by the prefilter', () => {
  const needles = LOGIN_NEEDLES.map((n) => Buffer.from(n, 'latin1'));

  test('every pattern needle is in LOGIN_NEEDLES', () => {
    for (const p of LOGIN_PATTERNS) expect(LOGIN_NEEDLES).toContain(p.needle);
  });

  test.each([1, 2, 3])('with %i-byte fingerprints each needle is in a bucket and its fingerprint lies inside it', (f) => {
    const plan = planBuckets(needles, Math.min(f, ...needles.map((n) => n.length)), null);
    expect(plan.buckets.length).toBeLessThanOrEqual(8);
    expect(plan.buckets.flat().sort((a, b) => a - b)).toEqual(needles.map((_, i) => i));
    plan.offsets.forEach((off, i) => {
      expect(off).toBeGreaterThanOrEqual(0);
      expect(off + Math.min(f, needles[i].length)).toBeLessThanOrEqual(needles[i].length);
    });
  });

  test.each(LOGIN_PATTERNS.map((p) => [p.name, p.needle]))('%s: its needle is found at the start, middle and end of lines', (_name, needle) => {
    const text = [
      `${needle}`,
      `x ${needle} y`,
      `prefix text ${needle}`,
      'a line without it',
      `${needle.slice(0, -1)}# almost`,
      `${needle}${needle}`,
    ].join('\n');
    for (const simd of [true, false]) {
      const got = spansOf(LOGIN_NEEDLES, text, { simd });
      expect(got).toEqual(reference(LOGIN_NEEDLES, text));
      expect(got.map(([s]) => text.slice(s).split("\n")[0])).toEqual([needle, `x ${needle} y`, `prefix text ${needle}`, `${needle}${needle}`]);
    }
  });
});

describe('SIMD and JS kernels agree', () => {
  test('on random text with the login needles', () => {
    const r = rng(1);
    for (let round = 0; round < 40; round++) {
      const text = randomText(r, 200 + Math.floor(r() * 5000), LOGIN_NEEDLES);
      expect(spansOf(LOGIN_NEEDLES, text, { simd: true })).toEqual(reference(LOGIN_NEEDLES, text));
    }
  });

  test('on random needle sets: short needles, many needles, shared fingerprints', () => {
    const r = rng(2);
    const alphabet = 'abcAB:= \n';
    for (let round = 0; round < 60; round++) {
      const count = 1 + Math.floor(r() * 20);
      const needles = Array.from({ length: count }, () => {
        const len = 1 + Math.floor(r() * 6);
        let s = '';
        for (let i = 0; i < len; i++) s += 'abcAB:= '[Math.floor(r() * 8)];
        return s;
      });
      const text = randomText(r, 100 + Math.floor(r() * 3000), needles, alphabet);
      expect(spansOf(needles, text, { simd: true })).toEqual(reference(needles, text));
    }
  });

  test('with a start and a limit inside the buffer', () => {
    const text = 'Login: a\nzzz\nLogin: b\nLOGIN, c\nqqq\n';
    const from = text.indexOf('zzz');
    const limit = text.indexOf('qqq');
    expect(spansOf(LOGIN_NEEDLES, text, { simd: true, from, limit })).toEqual(reference(LOGIN_NEEDLES, text, from, limit));
    expect(spansOf(LOGIN_NEEDLES, text, { simd: true, from, limit })).toEqual([[13, 21], [22, 30]]);
  });

  test('a needle cut by the limit is not found', () => {
    const text = 'aaa Login: x\n';
    expect(spansOf(['Login: '], text, { simd: true, limit: 6 })).toEqual([]);
  });

  test('more candidate lines than the output area holds in one call', () => {
    const text = 'Login: x\n'.repeat(20_000);
    const got = spansOf(['Login: '], text, { simd: true });
    expect(got).toHaveLength(20_000);
    expect(got[19_999]).toEqual([19_999 * 9, 19_999 * 9 + 8]);
  });

  test('bytes above 0x7f and NUL bytes do not confuse the tables', () => {
    const needles = ['Login: ', '\u00e9t\u00e9', 'x\u0000y'];
    const text = Buffer.concat([Buffer.from('\u00e9t\u00e9 zz\nab x\u0000y\n\u00ff\u00feLogin: \n', 'latin1'), Buffer.alloc(40, 0xff)]);
    expect(spansOf(needles, text, { simd: true })).toEqual(reference(needles, text));
    expect(spansOf(needles, text, { simd: true })).toHaveLength(3);
  });

  test('needles the SIMD tables cannot hold fall back to the JS kernel', () => {
    expect(createCandidateKernel([Buffer.from('a\nb')], 64).simd).toBe(false);
    expect(createCandidateKernel([Buffer.alloc(0)], 64).simd).toBe(false);
    expect(createCandidateKernel([], 64).simd).toBe(false);
  });
});

describe('newline counting', () => {
  test('SIMD count equals the plain count on every range', () => {
    const r = rng(3);
    const data = Buffer.from(randomText(r, 70_000, [], 'ab\n\n'), 'latin1');
    const k = createCandidateKernel([Buffer.from('Login: ')], data.length + 16);
    expect(k.simd).toBe(true);
    data.copy(k.buffer);
    for (let i = 0; i < 300; i++) {
      const a = Math.floor(r() * data.length);
      const b = a + Math.floor(r() * (data.length - a));
      expect(k.countNewlines(a, b)).toBe(countNewlines(data, a, b));
    }
    expect(k.countNewlines(0, data.length)).toBe(countNewlines(data, 0, data.length));
    expect(k.countNewlines(5, 5)).toBe(0);
  });

  test('a long run of newlines does not overflow the lane counters', () => {
    const data = Buffer.alloc(100_000, 0x0a);
    const k = createCandidateKernel([Buffer.from('x')], data.length);
    data.copy(k.buffer);
    expect(k.countNewlines(0, data.length)).toBe(100_000);
    expect(k.countNewlines(3, 99_999)).toBe(99_996);
  });
});

describe('the sample a kernel is tuned on', () => {
  /** the SIMD kernel's own gram count (not part of the CandidateKernel interface) */
  const kernelCounts = (k: ReturnType<typeof createCandidateKernel>, from: number, to: number): Uint32Array =>
    (k as unknown as { gramCounts(from: number, to: number): Uint32Array }).gramCounts(from, to);

  test.each([1, 2, 3] as const)('the module counts %i-byte grams exactly as the JavaScript reference does', (f) => {
    const r = rng(10 + f);
    const data = Buffer.alloc(70_000);
    for (let i = 0; i < data.length; i++) data[i] = r() < 0.8 ? 0x20 + Math.floor(r() * 95) : Math.floor(r() * 256);
    const k = createCandidateKernel([Buffer.from('Login: ')], data.length + 16, { fingerprintBytes: f });
    expect(k.simd).toBe(true);
    data.copy(k.buffer);
    const ranges: Array<[number, number]> = [[0, 65_536], [0, 0], [5, 5 + f - 1], [7, 7 + f], [data.length - 3, data.length], [1, 2]];
    for (let i = 0; i < 20; i++) {
      const a = Math.floor(r() * data.length);
      ranges.push([a, Math.min(data.length, a + Math.floor(r() * 65_536))]);
    }
    for (const [a, b] of ranges) {
      const want = gramCounts(data, a, b, f);
      // a second count starts from zero: nothing of the first is left in the table
      expect(Buffer.from(kernelCounts(k, a, b).slice().buffer).equals(Buffer.from(want.buffer))).toBe(true);
    }
  });

  test('a plan made from the module\'s counts is the plan the reference counts make', () => {
    const text = Buffer.from(randomText(rng(20), 66_000, LOGIN_NEEDLES), 'latin1');
    const needles = LOGIN_NEEDLES.map((n) => Buffer.from(n, 'latin1'));
    const k = createCandidateKernel(needles, text.length + 16, { fingerprintBytes: 2 });
    text.copy(k.buffer);
    expect(planBuckets(needles, 2, kernelCounts(k, 0, 65_536))).toEqual(planBuckets(needles, 2, gramCounts(text, 0, 65_536, 2)));
  });
});

describe('candidateLines (the one-buffer reference)', () => {
  test('finds each line once, in order', () => {
    const buf = Buffer.from('a Login: x\nnone\nLOGIN, y Login: z\n');
    expect(candidateLines(buf, LOGIN_NEEDLES.map((n) => Buffer.from(n)))).toEqual([{ start: 0, end: 10 }, { start: 16, end: 33 }]);
  });
});
