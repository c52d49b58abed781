/**
 * Reads one HTTP/1.1 response from bytes as they arrive: the status line, the headers, and a body
 * framed by Content-Length, by chunked transfer coding, or by the connection's end. It is the
 * client half of the CLI's question to the local daemon (cli/daemonClient.ts) and exists because
 * node:http costs a CLI run more time than the whole rest of asking: the warm `relaywatch explain`
 * is meant to cost little more than Node's own start.
 *
 * It is strict where node:http is strict and stricter where that is cheaper: anything it does not
 * fully understand (a folded header, a duplicate framing header, an unknown transfer coding, a
 * malformed chunk) makes the response unreadable, and the CLI then answers by itself, as it does
 * when no daemon answers at all.
 */

export interface HttpResponse {
  status: number;
  /** header names in lower case; a header sent twice is joined with ", " (as node:http does) */
  headers: Record<string, string>;
  body: Buffer;
}

/** What the reader refuses to wait for: no daemon answer has headers this large. */
const MAX_HEADER_BYTES = 64 * 1024;

const STATUS_LINE = /^HTTP\/1\.[01] ([1-9]\d\d)(?: [^\r\n]*)?$/;
// RFC 9110's token characters for the name; the value without control characters but tab
const HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([^\x00-\x08\x0a-\x1f\x7f]*?)[ \t]*$/;
const CHUNK_SIZE_LINE = /^([0-9A-Fa-f]{1,8})(?:[ \t]*;[^\r\n]*)?$/;

export class UnreadableResponse extends Error {}

function unreadable(why: string): never {
  throw new UnreadableResponse(why);
}

export class HttpResponseReader {
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private head: { status: number; headers: Record<string, string> } | null = null;
  private framing: { kind: 'length'; length: number } | { kind: 'chunked' } | { kind: 'close' } = { kind: 'close' };
  private body: Buffer[] = [];
  private bodyBytes = 0;
  /** chunked: the bytes not yet decoded */
  private pending: Buffer = Buffer.alloc(0);
  private done: HttpResponse | null = null;

  /**
   * Takes the next bytes of the connection. Returns the response once it is complete, null while
   * more is needed; throws UnreadableResponse for anything malformed.
   */
  push(chunk: Buffer): HttpResponse | null {
    if (this.done) return this.done;
    if (!this.head) {
      this.buffered.push(chunk);
      this.bufferedBytes += chunk.length;
      const all = this.buffered.length === 1 ? this.buffered[0] : Buffer.concat(this.buffered);
      this.buffered = [all];
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) {
        if (this.bufferedBytes > MAX_HEADER_BYTES) unreadable('headers too large');
        return null;
      }
      this.readHead(all.subarray(0, end).toString('latin1'));
      this.buffered = [];
      chunk = all.subarray(end + 4);
    }
    return this.takeBody(chunk);
  }

  /** The connection ended: the response if it is complete, else UnreadableResponse. */
  end(): HttpResponse {
    if (this.done) return this.done;
    if (!this.head) unreadable('the connection ended before the headers');
    if (this.framing.kind !== 'close') unreadable('the connection ended before the body');
    return this.finish();
  }

  private readHead(text: string): void {
    const lines = text.split('\r\n');
    const status = STATUS_LINE.exec(lines[0]);
    if (!status) unreadable('no HTTP/1.x status line');
    const code = Number(status[1]);
    // An interim answer (100 Continue) is never sent to a GET without Expect.
    if (code < 200) unreadable(`interim status ${code}`);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const m = HEADER_LINE.exec(line);
      if (!m) unreadable('a malformed header line');
      const name = m[1].toLowerCase();
      if (headers[name] !== undefined && (name === 'content-length' || name === 'transfer-encoding')) unreadable(`${name} twice`);
      headers[name] = headers[name] === undefined ? m[2] : `${headers[name]}, ${m[2]}`;
    }
    this.head = { status: code, headers };
    const te = headers['transfer-encoding'];
    const cl = headers['content-length'];
    if (te !== undefined) {
      if (te.toLowerCase() !== 'chunked' || cl !== undefined) unreadable('an unsupported transfer coding');
      this.framing = { kind: 'chunked' };
    } else if (code === 204 || code === 304) {
      this.framing = { kind: 'length', length: 0 };
    } else if (cl !== undefined) {
      if (!/^\d{1,15}$/.test(cl)) unreadable('a malformed Content-Length');
      this.framing = { kind: 'length', length: Number(cl) };
    }
  }

  private takeBody(chunk: Buffer): HttpResponse | null {
    const f = this.framing;
    if (f.kind === 'close') {
      if (chunk.length > 0) this.body.push(chunk);
      return null;
    }
    if (f.kind === 'length') {
      if (chunk.length > 0) this.body.push(chunk);
      this.bodyBytes += chunk.length;
      if (this.bodyBytes > f.length) unreadable('more bytes than Content-Length');
      return this.bodyBytes === f.length ? this.finish() : null;
    }
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    for (;;) {
      const lineEnd = this.pending.indexOf('\r\n');
      if (lineEnd < 0) {
        if (this.pending.length > 1024) unreadable('a malformed chunk size');
        return null;
      }
      const size = CHUNK_SIZE_LINE.exec(this.pending.subarray(0, lineEnd).toString('latin1'));
      if (!size) unreadable('a malformed chunk size');
      const n = parseInt(size[1], 16);
      if (n === 0) {
        // the last chunk, then trailer lines (ignored, as they are by the CLI), then an empty line
        const rest = this.pending.subarray(lineEnd + 2);
        if (rest.subarray(0, 2).toString('latin1') === '\r\n') return this.finish();
        const trailerEnd = rest.indexOf('\r\n\r\n');
        if (trailerEnd < 0) return null;
        return this.finish();
      }
      const dataStart = lineEnd + 2;
      if (this.pending.length < dataStart + n + 2) return null;
      if (this.pending[dataStart + n] !== 0x0d || this.pending[dataStart + n + 1] !== 0x0a) unreadable('a chunk without its CRLF');
      this.body.push(this.pending.subarray(dataStart, dataStart + n));
      this.pending = this.pending.subarray(dataStart + n + 2);
    }
  }

  private finish(): HttpResponse {
    const body = this.body.length === 1 ? this.body[0] : Buffer.concat(this.body);
    this.done = { status: this.head!.status, headers: this.head!.headers, body };
    return this.done;
  }
}
