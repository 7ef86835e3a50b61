// Go's `unicode` predicates and `text/scanner` rune reading, as BuildKit's lexer sees text.
// JavaScript's `\s` and `String.prototype.trim` differ from Go (U+FEFF, U+0085), so the
// lexer uses these instead.

/** What Go's text/scanner returns at the end of input. */
export const EOF = -1;

const DIGIT = /^\p{Nd}$/u;
const LETTER = /^\p{L}$/u;

/** Go `unicode.IsSpace`. */
export function isSpace(c: number): boolean {
  if (c <= 0xff) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0x85 || c === 0xa0;
  return (
    c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 ||
    c === 0x202f || c === 0x205f || c === 0x3000
  );
}

/** Go `unicode.IsDigit` (decimal digits of any script). */
export function isDigit(c: number): boolean {
  if (c <= 0xff) return c >= 0x30 && c <= 0x39;
  return DIGIT.test(String.fromCodePoint(c));
}

/** Go `unicode.IsLetter`. */
export function isLetter(c: number): boolean {
  if (c < 0x80) return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  if (c <= 0xff) return c === 0xaa || c === 0xb5 || c === 0xba || (c >= 0xc0 && c !== 0xd7 && c !== 0xf7);
  return LETTER.test(String.fromCodePoint(c));
}

/** Go `string(rune)`: EOF and other invalid runes become U+FFFD. */
export function runeString(c: number): string {
  if (c < 0 || c > 0x10ffff) return '\ufffd';
  return c < 0x10000 ? String.fromCharCode(c) : String.fromCodePoint(c);
}

/** Number of UTF-16 code units the code point at `pos` occupies (0 at the end). */
export function runeWidth(s: string, pos: number): number {
  if (pos >= s.length) return 0;
  const c = s.charCodeAt(pos);
  if (c >= 0xd800 && c <= 0xdbff && pos + 1 < s.length) {
    const d = s.charCodeAt(pos + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 2;
  }
  return 1;
}

/** Go `strings.TrimSpace`. */
export function trimSpace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end) {
    const c = s.codePointAt(start)!;
    if (!isSpace(c)) break;
    start += c > 0xffff ? 2 : 1;
  }
  while (end > start) {
    const c = s.charCodeAt(end - 1);
    if (!isSpace(c)) break; // every Go space is in the BMP
    end--;
  }
  return s.slice(start, end);
}

/** Reverses by code points, like Go reversing a []rune. */
export function reverseRunes(s: string): string {
  return Array.from(s).reverse().join('');
}

/**
 * Reads a string one code point at a time, like Go's text/scanner with Peek/Next: a byte
 * order mark at the very start is skipped.
 */
export class RuneScanner {
  private pos: number;
  private readonly src: string;

  constructor(src: string) {
    this.src = src;
    this.pos = src.charCodeAt(0) === 0xfeff ? 1 : 0;
  }

  peek(): number {
    return this.pos < this.src.length ? this.src.codePointAt(this.pos)! : EOF;
  }

  next(): number {
    const c = this.peek();
    if (c !== EOF) this.pos += c > 0xffff ? 2 : 1;
    return c;
  }
}
