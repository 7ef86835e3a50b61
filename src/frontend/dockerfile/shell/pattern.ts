// Shell patterns of ${v#p} ${v%p} ${v/p/r}, matched the way BuildKit does: the pattern is
// turned into a Go regexp (`*` → `.*` or `.*?`, `?` → `.`, `\` escapes only `*`, `?`, `\`,
// and drops itself before `}` and `/`). Bracket expressions are NOT supported upstream:
// `[` and `]` match themselves.

import { LexFailure } from './errors.js';
import { EOF, reverseRunes, RuneScanner, runeString } from './runes.js';

// Go's `.` matches any rune except a newline; JavaScript's `.` also stops at \r, U+2028/9.
const ANY = '[^\\n]';
const REGEXP_SPECIAL = new Set(['[', ']', '{', '}', '.', '+', '(', ')', '|', '^', '$']);

// Compiled patterns, keyed by mode + pattern. Words repeat a lot across a build.
const cache = new Map<string, RegExp>();
const CACHE_LIMIT = 512;

/**
 * Converts a shell pattern to a global, unicode RegExp with Go's semantics (leftmost-first,
 * `greedy` choosing `.*` over `.*?`, `anchored` adding `^`). Throws LexFailure on an
 * invalid escape, with BuildKit's wording.
 */
export function shellPatternToRegExp(pattern: string, greedy: boolean, anchored: boolean): RegExp {
  const key = `${greedy ? 'g' : 'l'}${anchored ? 'a' : 'u'}${pattern}`;
  const hit = cache.get(key);
  if (hit) return hit;

  const s = new RuneScanner(pattern);
  let out = anchored ? '^' : '';
  const star = greedy ? `${ANY}*` : `${ANY}*?`;
  for (let tok = s.next(); tok !== EOF; tok = s.next()) {
    if (tok === 0x2a /* * */) {
      out += star;
      continue;
    }
    if (tok === 0x3f /* ? */) {
      out += ANY;
      continue;
    }
    if (tok === 0x5c /* \ */) {
      // `}` and `/` had to be escaped inside ${}; the escape is not part of the pattern.
      const peek = s.peek();
      if (peek === 0x7d || peek === 0x2f) continue;
      tok = s.next();
      if (tok !== 0x2a && tok !== 0x3f && tok !== 0x5c) {
        throw new LexFailure(`invalid escape '\\${runeString(tok)}'`);
      }
      out += `\\${runeString(tok)}`;
      continue;
    }
    const ch = runeString(tok);
    out += REGEXP_SPECIAL.has(ch) ? `\\${ch}` : ch;
  }

  const re = new RegExp(out, 'gu');
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, re);
  return re;
}

function compile(pattern: string, greedy: boolean, anchored: boolean): RegExp {
  try {
    return shellPatternToRegExp(pattern, greedy, anchored);
  } catch (err) {
    if (err instanceof LexFailure) {
      throw new LexFailure(`invalid pattern (${pattern}) in substitution: ${err.message}`);
    }
    throw err;
  }
}

/** `${v#p}` / `${v##p}`: remove the shortest / longest matching prefix. */
export function trimPrefix(pattern: string, value: string, greedy: boolean): string {
  const re = compile(pattern, greedy, true);
  re.lastIndex = 0;
  const m = re.exec(value);
  return m ? value.slice(m.index + m[0].length) : value;
}

/**
 * Reverses a pattern by code points but keeps each `\x` escape pair in order
 * (`a\*c` → `c\*a`), as BuildKit does to turn a suffix search into a prefix search.
 */
export function reversePattern(pattern: string): string {
  const runes = Array.from(pattern);
  const out = new Array<string>(runes.length);
  const last = runes.length - 1;
  for (let i = 0; i <= last; ) {
    const tok = runes[i]!;
    const at = last - i;
    if (tok === '\\' && i !== last) {
      out[at - 1] = tok;
      out[at] = runes[i + 1]!;
      i += 2;
    } else {
      out[at] = tok;
      i++;
    }
  }
  return out.join('');
}

/**
 * `${v%p}` / `${v%%p}`: remove the shortest / longest matching suffix. Like BuildKit, both
 * the value and the pattern are reversed and the prefix rule is applied.
 */
export function trimSuffix(pattern: string, value: string, greedy: boolean): string {
  return reverseRunes(trimPrefix(reversePattern(pattern), reverseRunes(value), greedy));
}

/**
 * `${v/p/r}` / `${v//p/r}`. The first-match form splices the replacement in literally; the
 * all-matches form follows Go's Regexp.ReplaceAllString, including its `$` template syntax
 * and its rule of not replacing an empty match right after a previous match.
 */
export function replacePattern(pattern: string, value: string, replacement: string, all: boolean): string {
  const re = compile(pattern, true, false);
  if (!all) {
    re.lastIndex = 0;
    const m = re.exec(value);
    return m ? value.slice(0, m.index) + replacement + value.slice(m.index + m[0].length) : value;
  }
  let out = '';
  let lastMatchEnd = 0;
  let searchPos = 0;
  const end = value.length;
  while (searchPos <= end) {
    re.lastIndex = searchPos;
    const m = re.exec(value);
    if (!m) break;
    const start = m.index;
    const stop = start + m[0].length;
    out += value.slice(lastMatchEnd, start);
    if (stop > lastMatchEnd || start === 0) out += expandGoTemplate(replacement, m[0]);
    lastMatchEnd = stop;
    // Always advance at least one rune.
    const width = searchPos < end ? (value.codePointAt(searchPos)! > 0xffff ? 2 : 1) : 0;
    if (searchPos + width > stop) searchPos += width;
    else if (searchPos + 1 > stop) searchPos++;
    else searchPos = stop;
  }
  return out + value.slice(lastMatchEnd);
}

const NAME_CHAR = /[\p{L}\p{Nd}_]/u;

/**
 * Go's Regexp.Expand for a pattern without capture groups: `$$` is `$`, `$0`/`${0}` is the
 * whole match, any other well-formed `$name`/`${name}` is empty, a malformed `$` is literal.
 */
function expandGoTemplate(template: string, match: string): string {
  if (!template.includes('$')) return template;
  let out = '';
  let i = 0;
  for (;;) {
    const dollar = template.indexOf('$', i);
    if (dollar < 0) break;
    out += template.slice(i, dollar);
    i = dollar + 1;
    if (template[i] === '$') {
      out += '$';
      i++;
      continue;
    }
    const ref = parseTemplateRef(template, i);
    if (!ref) {
      out += '$';
      continue;
    }
    i = ref.rest;
    if (ref.num === 0) out += match;
  }
  return out + template.slice(i);
}

function parseTemplateRef(t: string, from: number): { num: number; rest: number } | undefined {
  let i = from;
  const brace = t[i] === '{';
  if (brace) i++;
  const nameStart = i;
  while (i < t.length) {
    const w = t.codePointAt(i)! > 0xffff ? 2 : 1;
    if (!NAME_CHAR.test(t.slice(i, i + w))) break;
    i += w;
  }
  if (i === nameStart) return undefined;
  const name = t.slice(nameStart, i);
  if (brace) {
    if (t[i] !== '}') return undefined;
    i++;
  }
  let num = /^[0-9]+$/.test(name) ? Number(name) : -1;
  if (num >= 1e8 || (name.length > 1 && name[0] === '0')) num = -1;
  return { num, rest: i };
}
