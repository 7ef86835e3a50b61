// Go's path.Match (shell patterns for one slash path: '*', '?', '[...]', '\\' escapes),
// including its syntax check, which Go runs over the whole pattern even after a mismatch.

export class BadPatternError extends Error {
  constructor(readonly pattern: string) {
    super(`syntax error in pattern: ${pattern}`);
  }
}

type ClassResult = { ok: boolean; rest: number } | undefined;

/** Reads one (possibly escaped) class character at i; undefined when the pattern is malformed. */
function classChar(pat: string, i: number): { ch: number; next: number } | undefined {
  let c = pat.codePointAt(i);
  if (c === undefined || c === 0x2d /* - */ || c === 0x5d /* ] */) return undefined;
  if (c === 0x5c /* \ */) {
    i++;
    c = pat.codePointAt(i);
    if (c === undefined) return undefined;
  }
  return { ch: c, next: i + (c > 0xffff ? 2 : 1) };
}

/** Matches the class starting after '[' at i against code point `ch` (undefined: only validate). */
function matchClass(pat: string, i: number, ch: number | undefined): ClassResult {
  let negated = false;
  if (pat[i] === '^') {
    negated = true;
    i++;
  }
  let matched = false;
  let n = 0;
  for (;;) {
    if (pat[i] === ']' && n > 0) return { ok: matched !== negated, rest: i + 1 };
    const lo = classChar(pat, i);
    if (!lo) return undefined;
    let hi = lo;
    if (pat[lo.next] === '-') {
      const h = classChar(pat, lo.next + 1);
      if (!h) return undefined;
      hi = h;
    }
    if (ch !== undefined && lo.ch <= ch && ch <= hi.ch) matched = true;
    i = hi.next;
    n++;
  }
}

/** Validates a pattern like Go's path.Match would, throwing BadPatternError. */
export function validatePattern(pattern: string): void {
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i];
    if (c === '\\') {
      if (i + 1 >= pattern.length) throw new BadPatternError(pattern);
      i += 2;
    } else if (c === '[') {
      const r = matchClass(pattern, i + 1, undefined);
      if (!r) throw new BadPatternError(pattern);
      i = r.rest;
    } else {
      i++;
    }
  }
}

function matchFrom(pat: string, pi: number, name: string, ni: number): boolean {
  while (pi < pat.length) {
    const c = pat[pi];
    if (c === '*') {
      while (pat[pi] === '*') pi++;
      // '*' never crosses '/': try every split of the current segment.
      for (let k = ni; ; k++) {
        if (matchFrom(pat, pi, name, k)) return true;
        if (k >= name.length || name[k] === '/') return false;
      }
    }
    if (ni >= name.length) return false;
    const ch = name.codePointAt(ni) as number;
    const width = ch > 0xffff ? 2 : 1;
    if (c === '?') {
      if (ch === 0x2f) return false;
      pi++;
    } else if (c === '[') {
      if (ch === 0x2f) return false;
      const r = matchClass(pat, pi + 1, ch);
      if (!r || !r.ok) return false;
      pi = r.rest;
    } else if (c === '\\') {
      if (pat.codePointAt(pi + 1) !== ch) return false;
      pi += 1 + width;
    } else {
      if (pat.codePointAt(pi) !== ch) return false;
      pi += width;
    }
    ni += width;
  }
  return ni === name.length;
}

/** Go's path.Match(pattern, name). Throws BadPatternError for malformed patterns. */
export function pathMatch(pattern: string, name: string): boolean {
  validatePattern(pattern);
  return matchFrom(pattern, 0, name, 0);
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

/**
 * Whether Go's filepath.Match(pattern, name) fails with ErrBadPattern (patternmatcher.New's
 * check, with name "."). Unlike path.Match, filepath.Match has no check of the rest of the
 * pattern after a mismatch: only the chunks it reaches are checked (each one whole), so
 * "s*[" passes ("s" already differs from ".") where "[" and "x[" fail.
 */
export function filepathMatchFails(pattern: string, name: string): boolean {
  let pat = pattern;
  let s = name;
  outer: while (pat.length > 0) {
    const { star, chunk, rest } = scanChunk(pat);
    pat = rest;
    if (star && chunk === '') return false;
    const r = matchChunk(chunk, s);
    if (r === 'bad') return true;
    if (r !== undefined && (r.length === 0 || pat.length > 0)) {
      s = r;
      continue;
    }
    if (star) {
      for (let i = 0; i < s.length && s[i] !== '/'; i++) {
        const t = matchChunk(chunk, s.slice(i + 1));
        if (t === 'bad') return true;
        if (t !== undefined) {
          if (pat.length === 0 && t.length > 0) continue;
          s = t;
          continue outer;
        }
      }
    }
    return false;
  }
  return false;
}

function scanChunk(pattern: string): { star: boolean; chunk: string; rest: string } {
  let p = pattern;
  let star = false;
  while (p.length > 0 && p[0] === '*') {
    p = p.slice(1);
    star = true;
  }
  let inrange = false;
  let i = 0;
  for (; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      if (i + 1 < p.length) i++;
    } else if (c === '[') inrange = true;
    else if (c === ']') inrange = false;
    else if (c === '*' && !inrange) break;
  }
  return { star, chunk: p.slice(0, i), rest: p.slice(i) };
}

/** Go's matchChunk (it keeps checking the chunk's syntax after a mismatch): rest, mismatch, or 'bad'. */
function matchChunk(chunkIn: string, sIn: string): string | undefined | 'bad' {
  let chunk = chunkIn;
  let s = sIn;
  let failed = false;
  const getEsc = (c: string): { r: number; rest: string } | undefined => {
    if (c.length === 0 || c[0] === '-' || c[0] === ']') return undefined;
    let x = c;
    if (x[0] === '\\') {
      x = x.slice(1);
      if (x.length === 0) return undefined;
    }
    const r = x.codePointAt(0) as number;
    const rest = x.slice(r > 0xffff ? 2 : 1);
    return rest.length === 0 ? undefined : { r, rest };
  };
  while (chunk.length > 0) {
    if (!failed && s.length === 0) failed = true;
    const c = chunk[0];
    if (c === '[') {
      let r = -1;
      if (!failed) {
        r = s.codePointAt(0) as number;
        s = s.slice(r > 0xffff ? 2 : 1);
      }
      chunk = chunk.slice(1);
      let negated = false;
      if (chunk[0] === '^') {
        negated = true;
        chunk = chunk.slice(1);
      }
      let match = false;
      for (let nrange = 0; ; nrange++) {
        if (chunk[0] === ']' && nrange > 0) {
          chunk = chunk.slice(1);
          break;
        }
        const lo = getEsc(chunk);
        if (!lo) return 'bad';
        chunk = lo.rest;
        let hi = lo.r;
        if (chunk[0] === '-') {
          const h = getEsc(chunk.slice(1));
          if (!h) return 'bad';
          chunk = h.rest;
          hi = h.r;
        }
        if (lo.r <= r && r <= hi) match = true;
      }
      if (match === negated) failed = true;
    } else if (c === '?') {
      if (!failed) {
        if (s[0] === '/') failed = true;
        const r = s.codePointAt(0) as number;
        s = s.slice(r > 0xffff ? 2 : 1);
      }
      chunk = chunk.slice(1);
    } else {
      if (c === '\\') {
        chunk = chunk.slice(1);
        if (chunk.length === 0) return 'bad';
      }
      if (!failed) {
        if (chunk[0] !== s[0]) failed = true;
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
    }
  }
  return failed ? undefined : s;
}
