/**
 * RFC 2047 encoded words in header text (`=?utf-8?B?w4RyZ2Vy?=`, `=?iso-8859-1?Q?caf=E9?=`) decoded
 * for display and comparison. Pure.
 *
 * - White space between two encoded words is not part of the text (RFC 2047 §6.2), and adjacent words
 *   in the same charset are decoded as one byte string, so a character whose UTF-8 bytes a mailer
 *   split across two words comes out whole.
 * - Charsets are those of the WHATWG Encoding Standard that Node's TextDecoder knows (utf-8, the
 *   iso-8859 and windows code pages, koi8, shift_jis, euc-kr, gb18030, big5, ...). A charset it does
 *   not know, or base64 that is not base64, leaves the encoded word as it was written: showing the
 *   raw text is honest, decoding it in a guessed charset is not.
 * - Bytes that are invalid in their charset become U+FFFD, as a browser shows them.
 * - An RFC 2231 language suffix (`=?utf-8*de?Q?...?=`) is accepted and ignored.
 */
import { TextDecoder } from 'node:util';

/** charset token (RFC 2047 "token": no specials, no space, no control), optional *language, B or Q, text */
const ENCODED_WORD = /=\?([!#$%&'+^`{}|~\w-]{1,40})(?:\*[A-Za-z0-9-]{1,20})?\?([BbQq])\?([^?\s]{0,2000})\?=/g;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * windows-1252's 0x80-0x9F (curly quotes, dashes, the euro sign). The Encoding Standard also reads
 * iso-8859-1, latin1 and us-ascii as windows-1252, as mailers mean them; Node's TextDecoder gives C1
 * control characters for these bytes instead, so they are mapped here. Undefined bytes stay U+FFFD.
 */
const CP1252_HIGH = '\u20ac\ufffd\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\ufffd\u017d\ufffd' +
  '\ufffd\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\ufffd\u017e\u0178';

function decodeCp1252(bytes: Buffer): string {
  let out = '';
  for (const b of bytes) out += b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80] : String.fromCharCode(b);
  return out;
}

type Decode = (bytes: Buffer) => string;

/** A decoder per charset label, or null when the label is not a charset Node knows. */
const decoders = new Map<string, Decode | null>();
function decoderFor(charset: string): Decode | null {
  const label = charset.toLowerCase();
  let d = decoders.get(label);
  if (d === undefined) {
    try {
      const td = new TextDecoder(label);
      d = td.encoding === 'windows-1252' ? decodeCp1252 : (bytes: Buffer) => td.decode(bytes);
    } catch {
      d = null;
    }
    if (decoders.size < 200) decoders.set(label, d);
  }
  return d;
}

/** The bytes an encoded word's text stands for, or null when it is not valid B or Q text. */
function wordBytes(encoding: string, text: string): Buffer | null {
  if (encoding === 'B' || encoding === 'b') {
    if (!BASE64.test(text)) return null;
    return Buffer.from(text, 'base64');
  }
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5f) bytes.push(0x20); // "_" is a space in Q
    else if (c === 0x3d) {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return null;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c > 0x7e || c < 0x21) return null;
    else bytes.push(c);
  }
  return Buffer.from(bytes);
}

interface Word {
  start: number;
  end: number;
  charset: string;
  bytes: Buffer | null;
}

export function decodeEncodedWords(value: string): string {
  if (!value.includes('=?')) return value;
  const words: Word[] = [];
  ENCODED_WORD.lastIndex = 0;
  for (let m = ENCODED_WORD.exec(value); m; m = ENCODED_WORD.exec(value)) {
    words.push({ start: m.index, end: m.index + m[0].length, charset: m[1].toLowerCase(), bytes: wordBytes(m[2], m[3]) });
  }
  if (words.length === 0) return value;
  let out = '';
  let at = 0;
  let lastDecoded = false;
  for (let i = 0; i < words.length; ) {
    const w = words[i];
    const between = value.slice(at, w.start);
    const decoder = w.bytes ? decoderFor(w.charset) : null;
    // white space between two decoded words disappears; any other text, or space next to a word left
    // as written, stays
    out += lastDecoded && decoder && /^[ \t\r\n]*$/.test(between) ? '' : between;
    if (!decoder) {
      out += value.slice(w.start, w.end);
      at = w.end;
      lastDecoded = false;
      i++;
      continue;
    }
    // the run of following words in the same charset, separated by white space only
    const run: Buffer[] = [w.bytes!];
    let j = i + 1;
    let end = w.end;
    while (j < words.length && words[j].charset === w.charset && words[j].bytes && /^[ \t\r\n]*$/.test(value.slice(end, words[j].start))) {
      run.push(words[j].bytes!);
      end = words[j].end;
      j++;
    }
    out += decoder(Buffer.concat(run));
    at = end;
    lastDecoded = true;
    i = j;
  }
  return out + value.slice(at);
}
