import { describe, expect, it } from 'vitest';
import { goQuote } from '../../../src/frontend/dockerfile/parser/index.js';

describe("goQuote (Go's strconv.Quote)", () => {
  it('escapes quotes, backslashes and the named control characters', () => {
    expect(goQuote('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(goQuote('\x07\b\f\n\r\t\v')).toBe('"\\a\\b\\f\\n\\r\\t\\v"');
  });

  it('writes other control bytes and DEL as lowercase \\xHH', () => {
    expect(goQuote('\x00\x1b\x7f')).toBe('"\\x00\\x1b\\x7f"');
  });

  it('keeps printable Unicode and escapes non-printable code points', () => {
    expect(goQuote('♥ 한국어 😀')).toBe('"♥ 한국어 😀"');
    expect(goQuote('\u00a0\u00ad\u2028')).toBe('"\\u00a0\\u00ad\\u2028"');
    expect(goQuote('\u{e0001}')).toBe('"\\U000e0001"');
    expect(goQuote('\ufffd')).toBe('"\ufffd"');
  });

  it('writes a lone surrogate as the invalid UTF-8 bytes Go would see', () => {
    expect(goQuote('a\ud800b')).toBe('"a\\xed\\xa0\\x80b"');
    expect(goQuote('\udfff')).toBe('"\\xed\\xbf\\xbf"');
  });
});
