// Exec-form detection, after BuildKit's parseJSON: the rest of the line must be exactly one
// JSON value (Go's json.Unmarshal, since dockerfile 1.9 / buildkit#5107; older frontends
// used json.Decoder and ignored text after the array), so `CMD ["a"] b` is shell form; a
// valid array holding a non-string is an error rather than shell form.
import { ParseFailure } from './parse-failure.js';
import { isGoSpace } from './go-space.js';

export const NOT_STRING_ARRAY = 'when using JSON array syntax, arrays must be comprised of strings only';

const RE_NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const RE_STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** JSON whitespace only (space, tab, CR, LF). */
function skipWs(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    i++;
  }
  return i;
}

/** The index just past the JSON value starting at `i`, or -1 on a syntax error. */
function valueEnd(s: string, i: number, depth: number): number {
  if (depth > 10000) return -1;
  i = skipWs(s, i);
  const c = s[i];
  if (c === '"') {
    RE_STRING.lastIndex = i;
    return RE_STRING.test(s) ? RE_STRING.lastIndex : -1;
  }
  if (c === '[' || c === '{') {
    const close = c === '[' ? ']' : '}';
    i = skipWs(s, i + 1);
    if (s[i] === close) return i + 1;
    for (;;) {
      if (c === '{') {
        if (s[i] !== '"') return -1;
        i = valueEnd(s, i, depth + 1);
        if (i < 0) return -1;
        i = skipWs(s, i);
        if (s[i] !== ':') return -1;
        i++;
      }
      i = valueEnd(s, i, depth + 1);
      if (i < 0) return -1;
      i = skipWs(s, i);
      if (s[i] === close) return i + 1;
      if (s[i] !== ',') return -1;
      i++;
    }
  }
  for (const lit of ['true', 'false', 'null']) if (s.startsWith(lit, i)) return i + lit.length;
  RE_NUMBER.lastIndex = i;
  return RE_NUMBER.test(s) ? RE_NUMBER.lastIndex : -1;
}

/** Whether a decoded value holds a number too large for a Go float64 (a decode error there). */
function overflows(v: unknown): boolean {
  if (typeof v === 'number') return !Number.isFinite(v);
  if (Array.isArray(v)) return v.some(overflows);
  if (v !== null && typeof v === 'object') return Object.values(v).some(overflows);
  return false;
}

/**
 * The strings of the JSON array `rest` is, or undefined when `rest` is not exactly a JSON
 * array (shell form). Throws when it is an array with a non-string element.
 */
export function parseJSONArray(rest: string): string[] | undefined {
  let start = 0;
  while (start < rest.length && isGoSpace(rest.charCodeAt(start))) start++;
  if (rest[start] !== '[') return undefined;
  let end: number;
  try {
    end = valueEnd(rest, start, 0);
  } catch (err) {
    // Absurd nesting can exhaust the JS stack before Go's depth limit; call it shell form.
    if (err instanceof RangeError) return undefined;
    throw err;
  }
  // Only JSON whitespace may follow the value (json.Unmarshal's checkValid).
  if (end < 0 || skipWs(rest, end) !== rest.length) return undefined;
  const value = JSON.parse(rest.slice(start, end)) as unknown[];
  // Go's decoder fails on such numbers, which makes the line shell form.
  if (overflows(value)) return undefined;
  const out: string[] = [];
  for (const v of value) {
    if (typeof v !== 'string') throw new ParseFailure(NOT_STRING_ARRAY);
    // Go's decoder turns invalid UTF-16 from \u escapes into U+FFFD.
    out.push(v.replace(LONE_SURROGATE, '\ufffd'));
  }
  return out;
}
