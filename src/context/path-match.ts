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
