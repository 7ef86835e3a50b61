// Go's path.Match and filepath.Match (shell patterns for one slash path: '*', '?', '[...]',
// '\\' escapes), stepped over bytes as Go does: '?' and a class take one UTF-8 sequence (a
// byte that starts none is one utf8.RuneError), while '*' tries every byte offset, so
// '*??' matches a lone 4-byte character. path.Match checks the syntax of the whole pattern
// even after a mismatch; filepath.Match only the chunks it reaches.
import { nameBytes } from '../solver/layer/byte-names.js';

export class BadPatternError extends Error {
  constructor(readonly pattern: string) {
    super(`syntax error in pattern: ${pattern}`);
  }
}

const RUNE_ERROR = 0xfffd;
const SLASH = 0x2f;
const BACKSLASH = 0x5c;

/** utf8.DecodeRune: the code point at b[i] and its length; (RuneError, 1) for a bad byte. */
function decodeRune(b: Uint8Array, i: number): { r: number; n: number } {
  const c = b[i] as number;
  if (c < 0x80) return { r: c, n: 1 };
  const cont = (k: number, lo = 0x80, hi = 0xbf): number | undefined => {
    const x = b[i + k];
    return x !== undefined && x >= lo && x <= hi ? x & 0x3f : undefined;
  };
  if (c >= 0xc2 && c <= 0xdf) {
    const c1 = cont(1);
    if (c1 !== undefined) return { r: ((c & 0x1f) << 6) | c1, n: 2 };
  } else if (c >= 0xe0 && c <= 0xef) {
    const c1 = cont(1, c === 0xe0 ? 0xa0 : 0x80, c === 0xed ? 0x9f : 0xbf);
    const c2 = c1 === undefined ? undefined : cont(2);
    if (c1 !== undefined && c2 !== undefined) return { r: ((c & 0x0f) << 12) | (c1 << 6) | c2, n: 3 };
  } else if (c >= 0xf0 && c <= 0xf4) {
    const c1 = cont(1, c === 0xf0 ? 0x90 : 0x80, c === 0xf4 ? 0x8f : 0xbf);
    const c2 = c1 === undefined ? undefined : cont(2);
    const c3 = c2 === undefined ? undefined : cont(3);
    if (c1 !== undefined && c2 !== undefined && c3 !== undefined) {
      return { r: ((c & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3, n: 4 };
    }
  }
  return { r: RUNE_ERROR, n: 1 };
}

const BAD = Symbol('bad pattern');

/** scanChunk: the next run of non-star pattern, after any stars. */
function scanChunk(p: Uint8Array): { star: boolean; chunk: Uint8Array; rest: Uint8Array } {
  let star = false;
  while (p.length > 0 && p[0] === 0x2a) {
    p = p.subarray(1);
    star = true;
  }
  let inrange = false;
  let i = 0;
  for (; i < p.length; i++) {
    const c = p[i];
    if (c === BACKSLASH) {
      if (i + 1 < p.length) i++;
    } else if (c === 0x5b) inrange = true;
    else if (c === 0x5d) inrange = false;
    else if (c === 0x2a && !inrange) break;
  }
  return { star, chunk: p.subarray(0, i), rest: p.subarray(i) };
}

/** getEsc: a possibly escaped class character; BAD when malformed. */
function getEsc(chunk: Uint8Array): { r: number; rest: Uint8Array } | typeof BAD {
  if (chunk.length === 0 || chunk[0] === 0x2d || chunk[0] === 0x5d) return BAD;
  if (chunk[0] === BACKSLASH) {
    chunk = chunk.subarray(1);
    if (chunk.length === 0) return BAD;
  }
  const { r, n } = decodeRune(chunk, 0);
  const rest = chunk.subarray(n);
  if ((r === RUNE_ERROR && n === 1) || rest.length === 0) return BAD;
  return { r, rest };
}

/**
 * matchChunk: whether chunk matches the start of s (the rest of s, or undefined), going on
 * checking the chunk's syntax after a mismatch; BAD when malformed.
 */
function matchChunk(chunk: Uint8Array, s: Uint8Array): Uint8Array | undefined | typeof BAD {
  let failed = false;
  while (chunk.length > 0) {
    if (!failed && s.length === 0) failed = true;
    const c = chunk[0];
    if (c === 0x5b) {
      let r = -1;
      if (!failed) {
        const d = decodeRune(s, 0);
        r = d.r;
        s = s.subarray(d.n);
      }
      chunk = chunk.subarray(1);
      let negated = false;
      if (chunk.length > 0 && chunk[0] === 0x5e) {
        negated = true;
        chunk = chunk.subarray(1);
      }
      let match = false;
      for (let nrange = 0; ; nrange++) {
        if (chunk.length > 0 && chunk[0] === 0x5d && nrange > 0) {
          chunk = chunk.subarray(1);
          break;
        }
        const lo = getEsc(chunk);
        if (lo === BAD) return BAD;
        chunk = lo.rest;
        let hi = lo.r;
        if (chunk[0] === 0x2d) {
          const h = getEsc(chunk.subarray(1));
          if (h === BAD) return BAD;
          chunk = h.rest;
          hi = h.r;
        }
        if (lo.r <= r && r <= hi) match = true;
      }
      if (match === negated) failed = true;
    } else if (c === 0x3f) {
      if (!failed) {
        if (s[0] === SLASH) failed = true;
        s = s.subarray(decodeRune(s, 0).n);
      }
      chunk = chunk.subarray(1);
    } else {
      if (c === BACKSLASH) {
        chunk = chunk.subarray(1);
        if (chunk.length === 0) return BAD;
      }
      if (!failed) {
        if (chunk[0] !== s[0]) failed = true;
        s = s.subarray(1);
      }
      chunk = chunk.subarray(1);
    }
  }
  return failed ? undefined : s;
}

/** Go's Match over bytes; `checkRest`: path.Match's syntax check of the rest after a mismatch. */
function goMatch(pattern: Uint8Array, name: Uint8Array, checkRest: boolean): boolean | typeof BAD {
  outer: while (pattern.length > 0) {
    const { star, chunk, rest } = scanChunk(pattern);
    pattern = rest;
    if (star && chunk.length === 0) return !name.includes(SLASH);
    const t = matchChunk(chunk, name);
    if (t !== undefined && t !== BAD && (t.length === 0 || pattern.length > 0)) {
      name = t;
      continue;
    }
    if (t === BAD) return BAD;
    if (star) {
      for (let i = 0; i < name.length && name[i] !== SLASH; i++) {
        const u = matchChunk(chunk, name.subarray(i + 1));
        if (u === BAD) return BAD;
        if (u !== undefined) {
          if (pattern.length === 0 && u.length > 0) continue;
          name = u;
          continue outer;
        }
      }
    }
    if (checkRest) {
      while (pattern.length > 0) {
        const next = scanChunk(pattern);
        pattern = next.rest;
        if (matchChunk(next.chunk, new Uint8Array(0)) === BAD) return BAD;
      }
    }
    return false;
  }
  return name.length === 0;
}

/** Go's path.Match(pattern, name). Throws BadPatternError for malformed patterns. */
export function pathMatch(pattern: string, name: string): boolean {
  const r = goMatch(nameBytes(pattern), nameBytes(name), true);
  if (r === BAD) throw new BadPatternError(pattern);
  return r;
}

/**
 * Whether Go's filepath.Match(pattern, name) fails with ErrBadPattern (patternmatcher.New's
 * check, with name "."): only the chunks it reaches are checked (each one whole), so "s*["
 * passes ("s" already differs from ".") where "[" and "x[" fail.
 */
export function filepathMatchFails(pattern: string, name: string): boolean {
  return goMatch(nameBytes(pattern), nameBytes(name), false) === BAD;
}

/** Whether a path element contains unescaped wildcard characters (BuildKit's containsWildcards). */
export function containsWildcards(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const ch = name[i];
    if (ch === '\\') i++;
    else if (ch === '*' || ch === '?' || ch === '[') return true;
  }
  return false;
}
