/**
 * RFC 2047 encoded words (src/parsers/encodedWords.ts), as mail subjects carry them in the
 * autoresponder files and, when Exim could not decode them, in exim_mainlog's T= field.
 */
import { decodeEncodedWords } from '../../src/parsers/encodedWords';

describe('decodeEncodedWords', () => {
  test.each([
    ['B, utf-8', '=?utf-8?B?w4RyZ2VyIG1pdCBkZW0gWnVn?=', 'Ärger mit dem Zug'],
    ['Q, utf-8, "_" is a space', '=?UTF-8?Q?bis_M=C3=A4rz?=', 'bis März'],
    ['Q, iso-8859-1', '=?iso-8859-1?Q?caf=E9?=', 'café'],
    ['Q, windows-1252 curly quotes and euro', '=?windows-1252?Q?=93Hi=94_=80?=', '“Hi” €'],
    ['iso-8859-1 read as windows-1252, as mailers mean it', '=?iso-8859-1?Q?=93x=94?=', '“x”'],
    ['B, iso-8859-2', '=?iso-8859-2?B?sQ==?=', 'ą'],
    ['B, koi8-r', '=?koi8-r?B?8NLJ18XU?=', 'Привет'],
    ['an RFC 2231 language suffix', '=?utf-8*de?Q?Gr=C3=BC=C3=9Fe?=', 'Grüße'],
    ['text around a word stays', 'Re: =?utf-8?Q?caf=C3=A9?= (2)', 'Re: café (2)'],
    ['space between two words goes', '=?utf-8?Q?Gr=C3=BC?= =?utf-8?Q?=C3=9Fe?=', 'Grüße'],
    ['a folded line between two words goes', '=?utf-8?Q?a?=\r\n =?utf-8?Q?b?=', 'ab'],
    ['a character split across two words comes out whole', '=?utf-8?B?S8M=?= =?utf-8?B?tmxuIOKCrA==?=', 'Köln €'],
    ['space between words of different charsets goes too', '=?iso-8859-1?Q?K=F6ln?= =?utf-8?Q?_=E2=82=AC?=', 'Köln €'],
    ['text that only looks like a word', 'price =? 10 ?= total', 'price =? 10 ?= total'],
    ['no words at all', 'Out of office', 'Out of office'],
  ])('%s', (_name, input, want) => {
    expect(decodeEncodedWords(input)).toBe(want);
  });

  test.each([
    ['an unknown charset', '=?x-klingon?Q?Qapla=27?='],
    ['UTF-7, which Node does not decode', '=?utf-7?Q?+AKM-1?='],
    ['base64 that is not base64', '=?utf-8?B?w4R*ZwVy?='],
    ['Q with a broken escape', '=?utf-8?Q?caf=E?='],
    ['an unknown encoding letter', '=?utf-8?X?abc?='],
  ])('%s stays as written', (_name, input) => {
    expect(decodeEncodedWords(input)).toBe(input);
    expect(decodeEncodedWords(`Re: ${input} x`)).toBe(`Re: ${input} x`);
  });

  test('space next to a word left as written stays', () => {
    expect(decodeEncodedWords('=?x-klingon?Q?a?= =?utf-8?Q?b?=')).toBe('=?x-klingon?Q?a?= b');
    expect(decodeEncodedWords('=?utf-8?Q?a?= =?x-klingon?Q?b?=')).toBe('a =?x-klingon?Q?b?=');
  });

  test('bytes invalid in their charset become U+FFFD, nothing is guessed', () => {
    expect(decodeEncodedWords('=?utf-8?Q?caf=E9?=')).toBe('caf\ufffd');
  });

  test('markup in a decoded subject is only text (the pages escape it)', () => {
    expect(decodeEncodedWords('=?utf-8?B?PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==?=')).toBe('<script>alert(1)</script>');
  });

  test('a long hostile value is decoded in linear time', () => {
    const many = '=?utf-8?Q?a?= '.repeat(20_000);
    const junk = '=?'.repeat(50_000);
    const t0 = process.hrtime.bigint();
    expect(decodeEncodedWords(many)).toBe(`${'a'.repeat(20_000)} `);
    expect(decodeEncodedWords(junk)).toBe(junk);
    expect(Number(process.hrtime.bigint() - t0) / 1e6).toBeLessThan(2000);
  });
});
