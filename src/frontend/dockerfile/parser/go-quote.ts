// Go's strconv.Quote, which BuildKit's AST dump uses for every string.

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
const NAMED: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r' };

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/**
 * Quotes `s` exactly as Go's strconv.Quote. A JS string cannot hold invalid UTF-8; a lone
 * surrogate is treated as the bytes Go would see for it (its WTF-8 encoding), each of
 * which is invalid UTF-8 to Go and therefore written as `\xHH`.
 */
export function goQuote(s: string): string {
  let out = '"';
  let plainFrom = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c) continue;
    out += s.slice(plainFrom, i);
    plainFrom = i + 1;
    if (c < 0x80) {
      if (c === 0x22) out += '\\"';
      else if (c === 0x5c) out += '\\\\';
      else out += NAMED[c] ?? `\\x${hex(c, 2)}`;
      continue;
    }
    let cp = c;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        i++;
        plainFrom = i + 1;
      }
    }
    if (cp >= 0xd800 && cp <= 0xdfff) {
      out += `\\x${hex(0xe0 | (cp >> 12), 2)}\\x${hex(0x80 | ((cp >> 6) & 0x3f), 2)}\\x${hex(0x80 | (cp & 0x3f), 2)}`;
      continue;
    }
    const ch = String.fromCodePoint(cp);
    if (PRINTABLE.test(ch)) out += ch;
    else if (cp < 0x10000) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return out + s.slice(plainFrom) + '"';
}
