/**
 * The build's table of a file's texts (kept outside the JavaScript heap): each text gets one number,
 * the same again whenever it comes back, reads back exactly (any Unicode, '' and texts longer than a
 * chunk), and orders texts exactly as JavaScript compares strings (the IP directory's order).
 */
import { TextTable } from '../../src/scan/textTable';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('numbers, texts and order', () => {
  const r = rng(7);
  const pieces = ['a', 'Z', '0', '.', ':', 'é', 'ß', '\u4e2d', '\ud83d\ude00', '\uffff', '\ue000', ' ', '@'];
  const texts = ['', 'x'.repeat(70_000), 'y'.repeat(65_536), '192.0.2.1', '2001:db8::1'];
  for (let i = 0; i < 20_000; i++) {
    let s = '';
    const n = Math.floor(r() * 12);
    for (let k = 0; k < n; k++) s += pieces[Math.floor(r() * pieces.length)];
    texts.push(s);
  }
  const table = new TextTable();
  const ids = new Map<string, number>();
  for (const t of texts) {
    const id = table.id(t);
    if (!ids.has(t)) {
      expect(id).toBe(ids.size);
      ids.set(t, id);
    } else expect(id).toBe(ids.get(t));
  }
  expect(table.size).toBe(ids.size);
  for (const [t, id] of ids) expect(table.text(id)).toBe(t);
  const all = [...ids.keys()];
  for (let i = 0; i < 20_000; i++) {
    const a = all[Math.floor(r() * all.length)];
    const b = all[Math.floor(r() * all.length)];
    expect(Math.sign(table.compare(ids.get(a)!, ids.get(b)!))).toBe(a < b ? -1 : a > b ? 1 : 0);
  }
});

test('UTF-8 length and bytes as Buffer gives them: ASCII, Latin-1 above 127 (one byte a unit in the table), wider units and pairs', () => {
  const table = new TextTable();
  const texts = ['', '192.0.2.1', 'jürgen@bücher.example', 'ß', '\u00ff\u0100', '\u4e2d@x', '\ud83d\ude00', 'a\ud800b', 'é'.repeat(5000)];
  const buf = Buffer.alloc(20_000);
  for (const t of texts) {
    const id = table.id(t);
    expect(table.text(id)).toBe(t);
    expect(table.utf8Length(id)).toBe(Buffer.byteLength(t, 'utf8'));
    const n = table.writeUtf8(id, buf, 3);
    expect(buf.subarray(3, 3 + n).equals(Buffer.from(t, 'utf8'))).toBe(true);
  }
  // a Latin-1 text against a wide one with the same first units: ordered by code units
  expect(Math.sign(table.compare(table.id('\u00ff'), table.id('\u00ff\u0100')))).toBe(-1);
  expect(Math.sign(table.compare(table.id('\u0100'), table.id('\u00ff')))).toBe(1);
});
