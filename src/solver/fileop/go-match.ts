// Go's path/filepath.Match on Unix: `*`, `?`, `[...]` (negated with `^`), `\` escapes.
// Wildcards never match '/'. A malformed pattern is an error (ErrBadPattern), as in Go,
// even when an earlier chunk already failed to match.

export class BadPatternError extends Error {
  constructor(pattern: string) {
    super(`syntax error in pattern: ${pattern}`);
  }
}

interface Chunk { star: boolean; chunk: string[]; rest: string[] }

function scanChunk(pattern: string[]): Chunk {
  let i = 0;
  let star = false;
  while (i < pattern.length && pattern[i] === '*') {
    i++;
    star = true;
  }
  const p = pattern.slice(i);
  let inRange = false;
  let j = 0;
  scan: for (; j < p.length; j++) {
    switch (p[j]) {
      case '\\':
        if (j + 1 < p.length) j++;
        break;
      case '[':
        inRange = true;
        break;
      case ']':
        inRange = false;
        break;
      case '*':
        if (!inRange) break scan;
        break;
    }
  }
  return { star, chunk: p.slice(0, j), rest: p.slice(j) };
}

const BAD = Symbol('bad');

/** One class member: its rune and the rest of the chunk, or BAD. */
function getEsc(chunk: string[]): { r: string; rest: string[] } | typeof BAD {
  if (chunk.length === 0 || chunk[0] === '-' || chunk[0] === ']') return BAD;
  let c = chunk;
  if (c[0] === '\\') {
    c = c.slice(1);
    if (c.length === 0) return BAD;
  }
  const r = c[0] as string;
  const rest = c.slice(1);
  if (rest.length === 0) return BAD;
  return { r, rest };
}

/** Matches `chunk` at the start of `s`: the unmatched rest, undefined on mismatch, BAD on syntax errors. */
function matchChunk(chunkIn: string[], sIn: string[]): string[] | undefined | typeof BAD {
  let chunk = chunkIn;
  let s = sIn;
  let failed = false;
  while (chunk.length > 0) {
    if (!failed && s.length === 0) failed = true;
    const c = chunk[0];
    if (c === '[') {
      const r = failed ? '' : (s[0] as string);
      if (!failed) s = s.slice(1);
      chunk = chunk.slice(1);
      let negated = false;
      if (chunk[0] === '^') {
        negated = true;
        chunk = chunk.slice(1);
      }
      let match = false;
      let nrange = 0;
      for (;;) {
        if (chunk.length > 0 && chunk[0] === ']' && nrange > 0) {
          chunk = chunk.slice(1);
          break;
        }
        const lo = getEsc(chunk);
        if (lo === BAD) return BAD;
        chunk = lo.rest;
        let hi = lo.r;
        if (chunk[0] === '-') {
          const h = getEsc(chunk.slice(1));
          if (h === BAD) return BAD;
          hi = h.r;
          chunk = h.rest;
        }
        const cp = r.codePointAt(0) ?? -1;
        if (!failed && (lo.r.codePointAt(0) as number) <= cp && cp <= (hi.codePointAt(0) as number)) match = true;
        nrange++;
      }
      if (match === negated) failed = true;
      continue;
    }
    if (c === '?') {
      if (!failed) {
        if (s[0] === '/') failed = true;
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
      continue;
    }
    let lit = c;
    if (c === '\\') {
      chunk = chunk.slice(1);
      if (chunk.length === 0) return BAD;
      lit = chunk[0];
    }
    if (!failed) {
      if (lit !== s[0]) failed = true;
      s = s.slice(1);
    }
    chunk = chunk.slice(1);
  }
  return failed ? undefined : s;
}

/** filepath.Match(pattern, name); throws BadPatternError for a malformed pattern. */
export function goMatch(patternStr: string, nameStr: string): boolean {
  let pattern = Array.from(patternStr);
  let name = Array.from(nameStr);
  outer: while (pattern.length > 0) {
    const { star, chunk, rest } = scanChunk(pattern);
    pattern = rest;
    if (star && chunk.length === 0) return !name.includes('/');
    const t = matchChunk(chunk, name);
    if (t !== undefined && t !== BAD && (t.length === 0 || pattern.length > 0)) {
      name = t;
      continue;
    }
    if (t === BAD) throw new BadPatternError(patternStr);
    if (star) {
      for (let i = 0; i < name.length && name[i] !== '/'; i++) {
        const t2 = matchChunk(chunk, name.slice(i + 1));
        if (t2 === BAD) throw new BadPatternError(patternStr);
        if (t2 !== undefined) {
          if (pattern.length === 0 && t2.length > 0) continue;
          name = t2;
          continue outer;
        }
      }
    }
    // Go still reports a syntax error in the rest of the pattern.
    while (pattern.length > 0) {
      const next = scanChunk(pattern);
      pattern = next.rest;
      if (matchChunk(next.chunk, []) === BAD) throw new BadPatternError(patternStr);
    }
    return false;
  }
  return name.length === 0;
}

/** fsutil's containsWildcards: an unescaped `*`, `?` or `[`. */
export function containsWildcards(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const ch = name[i];
    if (ch === '\\') i++;
    else if (ch === '*' || ch === '?' || ch === '[') return true;
  }
  return false;
}
