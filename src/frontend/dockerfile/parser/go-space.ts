// Go's unicode.IsSpace, which BuildKit uses for trimming and word splitting. It differs
// from JS `\s`: it includes U+0085 (NEL) and excludes U+FEFF.

export function isGoSpace(c: number): boolean {
  if (c < 0x80) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  return (
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** Index of the first character that is not a Go space (s.length if none). */
export function skipGoSpace(s: string, from = 0): number {
  let i = from;
  while (i < s.length && isGoSpace(s.charCodeAt(i))) i++;
  return i;
}

/** strings.TrimLeftFunc(s, unicode.IsSpace) */
export function trimLeftGo(s: string): string {
  const i = skipGoSpace(s);
  return i === 0 ? s : s.slice(i);
}

/** strings.TrimSpace */
export function trimGo(s: string): string {
  let end = s.length;
  while (end > 0 && isGoSpace(s.charCodeAt(end - 1))) end--;
  const start = skipGoSpace(s.slice(0, end));
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** BuildKit's reWhitespace, `[\t\v\f\r ]+`: the separator of FROM/EXPOSE words and keyword/rest. */
export const RE_WHITESPACE = /[\t\v\f\r ]+/;
