/**
 * The CLI's reader of the daemon's HTTP responses: every framing node:http reads, in any split of
 * the bytes, and a refusal (UnreadableResponse) for what it does not fully understand.
 */
import { HttpResponse, HttpResponseReader, UnreadableResponse } from '../../src/cli/httpResponseReader';

/** Feeds `bytes` in pieces of `size` bytes; ends the connection when nothing is complete before. */
function read(bytes: Buffer | string, size = Infinity, end = true): HttpResponse | null {
  const b = Buffer.from(bytes);
  const reader = new HttpResponseReader();
  for (let i = 0; i < b.length; i += Math.min(size, b.length)) {
    const r = reader.push(b.subarray(i, i + Math.min(size, b.length)));
    if (r) return r;
  }
  return end ? reader.end() : null;
}

const BODY = '{"verdict":"clear","summary":"é ✓"}';
const withLength = `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Relaywatch-Root: %2Ftmp%2Fh\r\nContent-Length: ${Buffer.byteLength(BODY)}\r\n\r\n${BODY}`;

test('a Content-Length body, whole or in pieces of any size, without waiting for the end', () => {
  for (const size of [1, 2, 7, 64, Infinity]) {
    const r = read(withLength, size, false)!;
    expect(r.status).toBe(200);
    expect(r.headers['x-relaywatch-root']).toBe('%2Ftmp%2Fh');
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.body.toString('utf8')).toBe(BODY);
  }
});

test('a chunked body with chunk extensions and trailers, in pieces of any size', () => {
  const body = Buffer.from(BODY);
  const chunked = Buffer.concat([
    Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'),
    Buffer.from(`5;name=value\r\n`), body.subarray(0, 5), Buffer.from('\r\n'),
    Buffer.from(`${(body.length - 5).toString(16).toUpperCase()}\r\n`), body.subarray(5), Buffer.from('\r\n'),
    Buffer.from('0\r\nX-Trailer: yes\r\n\r\n'),
  ]);
  for (const size of [1, 3, 16, Infinity]) expect(read(chunked, size, false)!.body.toString('utf8')).toBe(BODY);
  expect(read(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, 1, false)!.body.length).toBe(0);
});

test('a body ended by the connection, a reason phrase left out, headers sent twice', () => {
  const r = read(`HTTP/1.0 503\r\nX-A: 1\r\nx-a:  2 \r\n\r\npartial body`)!;
  expect(r.status).toBe(503);
  expect(r.headers['x-a']).toBe('1, 2');
  expect(r.body.toString()).toBe('partial body');
  expect(read('HTTP/1.1 204 No Content\r\n\r\n', Infinity, false)!.body.length).toBe(0);
});

test('anything not fully understood is refused, and so is a response cut short', () => {
  const bad = [
    'HTTP/2 200 OK\r\n\r\n',
    'ICY 200 OK\r\n\r\n',
    'HTTP/1.1 100 Continue\r\n\r\n',
    'HTTP/1.1 200 OK\r\nBad Header\r\n\r\n',
    'HTTP/1.1 200 OK\r\nX-Folded: a\r\n  b\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab',
    'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nab',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n0\r\n\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n',
    // cut short: no end of the headers, a body shorter than said, a chunked body without its last chunk
    'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n',
    '',
  ];
  for (const b of bad) expect(() => read(b)).toThrow(UnreadableResponse);
  expect(() => read(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(70 * 1024)}`, 1024, false)).toThrow(UnreadableResponse);
});
