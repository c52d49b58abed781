import zlib from 'node:zlib';
import { canStitchGzip, crc32Combine, crc32Shift, prepareStitchedGzip, stitchGzip } from '../../src/http/stitchedGzip';

const gunzip = (chunks: Buffer[]): string => zlib.gunzipSync(Buffer.concat(chunks)).toString('utf8');

test('this Node can stitch (Node 20.15 or later)', () => {
  expect(canStitchGzip).toBe(true);
});

test('the stitched bytes are one valid gzip member of the parts with the insert between them', () => {
  const page = '<html><script nonce="@">x</script>' + 'a relay IP row '.repeat(5000) + '<script nonce="@"></script>é</html>';
  const parts = page.split('@').map((p) => Buffer.from(p));
  const g = prepareStitchedGzip(parts);
  for (const nonce of ['AAAAAAAAAAAAAAAAAAAAAA==', 'Zs99In06THWqunj8Fu8ddg==', '']) {
    expect(gunzip(stitchGzip(g, Buffer.from(nonce)))).toBe(page.split('@').join(nonce));
  }
  expect(Buffer.concat(stitchGzip(g, Buffer.from('n'))).length).toBeLessThan(page.length / 10);
});

test('parts that are empty or larger than a stored block, and a page without an insert', () => {
  const big = Buffer.alloc(200_000, 'z');
  for (const parts of [[Buffer.alloc(0), Buffer.from('mid'), Buffer.alloc(0)], [big, big], [Buffer.from('only')]]) {
    const g = prepareStitchedGzip(parts);
    expect(gunzip(stitchGzip(g, Buffer.from('N')))).toBe(parts.map((p) => p.toString()).join('N'));
  }
});

test('a damaged checksum is caught by gunzip (the trailer is real)', () => {
  const chunks = stitchGzip(prepareStitchedGzip([Buffer.from('a'), Buffer.from('b')]), Buffer.from('n'));
  const all = Buffer.concat(chunks);
  all[all.length - 8] ^= 0xff;
  expect(() => zlib.gunzipSync(all)).toThrow();
});

test('CRC-32 combination gives the CRC-32 of the joined bytes, at every length', () => {
  const crc32 = (b: Buffer): number => (zlib as unknown as { crc32(data: Buffer): number }).crc32(b);
  let seed = 7;
  const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 0xff));
  for (const [a, b] of [[0, 0], [0, 5], [5, 0], [1, 1], [3, 1000], [65_536, 7], [100_000, 131_073]]) {
    const A = bytes(a);
    const B = bytes(b);
    expect(crc32Combine(crc32(A), crc32(B), crc32Shift(B.length))).toBe(crc32(Buffer.concat([A, B])));
  }
});
