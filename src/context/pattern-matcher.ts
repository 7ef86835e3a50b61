// moby/patternmatcher semantics, used by .dockerignore, LLB include/exclude patterns and
// COPY --exclude: patterns are cleaned, '!' marks an exception, later patterns win,
// '**' spans any number of directories, and a pattern matching a directory matches
// everything below it.
import { goClean, goTrimSpace } from './go-strings.js';
import { BadPatternError, filepathMatchFails } from './path-match.js';

export class IllegalExclusionError extends Error {
  constructor() {
    super('illegal exclusion pattern: "!"');
  }
}

type MatchKind = 'exact' | 'prefix' | 'suffix' | 'regexp';

/**
 * The characters patternmatcher escapes. Its table is meant to hold `.+()|{}$`, but it is
 * a [8]byte bitmap indexed by b%8 with bit b/8, and for '{' '|' '}' (b/8 = 15) the bit falls
 * off the byte: those three reach the regexp raw, so 'a|b*' is an alternation and 'a{2}*'
 * a repetition (docker-ref: ci-ignore-go-regex).
 */
const REGEXP_SPECIALS = '.+()$';

/**
 * One Go rune other than '/', for a regexp that cannot take the u flag: Go's regexp steps over
 * a string rune by rune, so '?' and '*' take a character outside the BMP whole (JS without
 * the u flag sees two UTF-16 units). The alternatives exclude each other, so a run of '*'
 * does not backtrack over both readings.
 */
const ONE_RUNE = '(?:[\\ud800-\\udbff][\\udc00-\\udfff]|[^/\\ud800-\\udbff])';

/** RE2's '.': any character but '\n' (JS's '.' also stops at '\r', U+2028 and U+2029). */
const ANY_BUT_NEWLINE = '[^\\n]';

/** Stands for ONE_RUNE in a regexp's text until it is compiled (a lone surrogate: no pattern holds one). */
const ANY_RUNE_MARK = '\udfff';

const SURROGATE = /[\ud800-\udfff]/;

/** Bytes of a name that are not valid UTF-8, as byte-names escapes them (U+DC80+byte). */
const ESCAPED_BYTE = /[\udc80-\udcff]/g;

/**
 * A name as Go's regexp reads it: each byte that is not valid UTF-8 is utf8.RuneError
 * (U+FFFD), so '?' and a class holding U+FFFD (a .dockerignore's own invalid bytes become
 * U+FFFD when its patterns are read) match it.
 */
function asGoRunes(p: string): string {
  return p.replace(ESCAPED_BYTE, '\ufffd');
}

const hexChar = (c: string | undefined): boolean => c !== undefined && /^[0-9a-fA-F]$/.test(c);
const octChar = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '7';
const codeUnit = (n: number): string => '\\u' + n.toString(16).padStart(4, '0');

/**
 * The escape `\` + chars[pos] as RE2 (Go's regexp/syntax, Perl flags) reads it, in JS
 * regexp text (no u flag), and the position after it; undefined when RE2 rejects it (then
 * the pattern fails when it is matched, as Go's does: `obj\Release` in a .dockerignore).
 */
function re2Escape(chars: string[], pos: number, inClass: boolean): { re: string; next: number } | undefined {
  const c = chars[pos] as string;
  const next = pos + 1;
  if (!inClass) {
    if (c === 'A') return { re: '^', next };
    if (c === 'z') return { re: '$', next };
    if (c === 'b' || c === 'B') return { re: '\\' + c, next };
  }
  // RE2's \s is [\t\n\f\r ] (JS's also takes \v and Unicode spaces).
  if (!inClass && c === 's') return { re: '[\\t\\n\\f\\r ]', next };
  if (!inClass && c === 'S') return { re: '[^\\t\\n\\f\\r ]', next };
  if ('dDsSwW'.includes(c)) return { re: '\\' + c, next };
  if ('fnrtv'.includes(c)) return { re: '\\' + c, next };
  if (c === 'a') return { re: '\\x07', next };
  if (c >= '0' && c <= '7') {
    // Octal: \0 and up to two more digits, or \1-\7 followed by one (a lone \1 is a backreference: refused).
    if (c !== '0' && !octChar(chars[next])) return undefined;
    let n = 0;
    let p = pos;
    for (let k = 0; k < 3 && octChar(chars[p]); k++) n = n * 8 + Number(chars[p++]);
    return { re: literal(n), next: p };
  }
  if (c === 'x') {
    // \xhh ('{' would be written escaped, which RE2 does not take as \x{...}).
    if (hexChar(chars[next]) && hexChar(chars[next + 1])) {
      return { re: literal(parseInt((chars[next] as string) + (chars[next + 1] as string), 16)), next: next + 2 };
    }
    return undefined;
  }
  const code = c.codePointAt(0) as number;
  // As \xhh: the same literal with or without the u flag (which refuses '\,' '\#' ...).
  if (code < 0x80 && !/[0-9A-Za-z]/.test(c)) return { re: literal(code), next };
  // \pX, \p{Name} (Unicode classes) and \Q...\E are valid in RE2 but not taken over (read
  // leniently); \p followed by anything but a category letter or '{' is refused.
  if (c === 'p' || c === 'P') {
    const after = chars[next];
    return after !== undefined && 'CLMNPSZ{'.includes(after) ? { re: '\\' + c, next } : undefined;
  }
  if (c === 'Q') return { re: '\\' + c, next };
  return undefined;
}

/** A code point as JS regexp text matching exactly it (outside or inside a class). */
function literal(n: number): string {
  if (n <= 0xff) return '\\x' + n.toString(16).padStart(2, '0');
  return codeUnit(n);
}

export class Pattern {
  readonly exclusion: boolean;
  /** The cleaned pattern without its leading '!'. */
  readonly cleaned: string;
  readonly dirs: string[];
  private kind: MatchKind = 'exact';
  private regexp: RegExp | undefined;
  private runeRegexp: RegExp | undefined;

  constructor(cleaned: string, exclusion: boolean) {
    this.cleaned = cleaned;
    this.exclusion = exclusion;
    this.dirs = cleaned.split('/');
    this.compile();
  }

  toString(): string {
    return this.cleaned;
  }

  /** Translates the pattern the way patternmatcher does; simple shapes avoid a regexp. */
  private compile(): void {
    const pat = this.cleaned;
    let re = '^';
    let kind: MatchKind = 'exact';
    // Go writes the regexp text first and RE2 parses it: inside a class ('[' up to ']') the
    // text '[^/]' that '*' and '?' become is read as class members, and escapes read by
    // RE2's class rules.
    let inClass = false;
    let valid = true;
    const anyRune = (): string => {
      if (!inClass) return ANY_RUNE_MARK;
      // Inside a class the text '[^/]' adds '[', '^', '/' and its ']' closes the class.
      inClass = false;
      return '[^/]';
    };
    const chars = Array.from(pat);
    for (let i = 0, pos = 0; pos < chars.length; i++) {
      const ch = chars[pos++] as string;
      if (ch === '*') {
        if (chars[pos] === '*') {
          pos++;
          if (chars[pos] === '/') pos++;
          if (pos >= chars.length) {
            // "**" at the end accepts everything below, like .gitignore.
            if (kind === 'exact') kind = 'prefix';
            else {
              re += inClass ? '.*' : ANY_BUT_NEWLINE + '*';
              kind = 'regexp';
            }
          } else {
            re += inClass ? '(.*/)?' : '(' + ANY_BUT_NEWLINE + '*/)?';
            kind = 'regexp';
          }
          if (i === 0) kind = 'suffix';
        } else {
          re += anyRune() + '*';
          kind = 'regexp';
        }
      } else if (ch === '?') {
        re += anyRune();
        kind = 'regexp';
      } else if (REGEXP_SPECIALS.includes(ch)) {
        re += '\\' + ch;
      } else if (ch === '\\') {
        if (pos < chars.length) {
          const esc = re2Escape(chars, pos, inClass);
          if (esc) {
            re += esc.re;
            pos = esc.next;
          } else {
            valid = false;
            pos++;
          }
          kind = 'regexp';
        } else {
          // Go writes a lone trailing '\', so the '$' it appends reads as a literal '$'.
          re += '\\';
        }
      } else if (ch === ']' && !inClass) {
        // A literal ']' for RE2; escaped, as the u flag wants it.
        re += '\\]';
        kind = 'regexp';
      } else if (ch === '[' || ch === ']') {
        re += ch;
        kind = 'regexp';
        if (ch === '[' && !inClass) {
          inClass = true;
          // RE2 takes a ']' right after '[' or '[^' as a member (JS: an empty class).
          if (chars[pos] === '^' && chars[pos + 1] === ']') {
            re += '^\\]';
            pos += 2;
          } else if (chars[pos] === ']') {
            re += '\\]';
            pos++;
          }
        } else if (ch === ']') {
          inClass = false;
        }
      } else if ((ch === '{' || ch === '}') && !inClass) {
        // RE2 and JS without the u flag both take {n}, {n,} and {n,m} as a repetition and
        // any other brace as a literal; the u flag wants those literals escaped.
        const rep = ch === '{' ? /^\d+(,\d*)?\}/.exec(chars.slice(pos, pos + 24).join('')) : null;
        if (rep) {
          re += '{' + rep[0];
          pos += rep[0].length;
        } else {
          re += '\\' + ch;
        }
      } else {
        re += ch;
      }
    }
    this.kind = kind;
    // No flags: like Go's RE2 defaults ('.' stops at newlines).
    if (kind === 'regexp' && valid) {
      // Go fails patterns whose regexp does not compile (e.g. "[z-a]") when matching, not
      // when they are read: both regexps stay undefined.
      const text = re.split(ANY_RUNE_MARK).join('[^/]') + '$';
      const compile = (source: string, flags?: string): RegExp | undefined => {
        try {
          return new RegExp(source, flags);
        } catch {
          return undefined;
        }
      };
      // Names holding no UTF-16 surrogate (almost all) take the plain regexp. The others take
      // the u-flag one, which steps over code points as Go's steps over runes: '?', '*' and
      // classes ('[^a]', '[😀]', '[😀-😂]') take a character outside the BMP whole. Where
      // the u flag refuses the text (\pL, \Q), the plain regexp with ONE_RUNE for a rune.
      const plain = compile(text);
      const unicode = compile(text, 'u')
        ?? (plain && re.includes(ANY_RUNE_MARK) ? compile(re.split(ANY_RUNE_MARK).join(ONE_RUNE) + '$') : plain);
      // A class over characters outside the BMP compiles only with the u flag.
      this.regexp = plain ?? unicode;
      this.runeRegexp = unicode ?? plain;
    }
  }

  match(p: string): boolean {
    switch (this.kind) {
      case 'exact':
        return p === this.cleaned;
      case 'prefix':
        return p.startsWith(this.cleaned.slice(0, -2));
      case 'suffix': {
        const suffix = this.cleaned.slice(2);
        if (p.endsWith(suffix)) return true;
        // "**/foo" matches "foo" itself.
        return suffix[0] === '/' && p === suffix.slice(1);
      }
      case 'regexp':
        if (!this.regexp) throw new BadPatternError(this.cleaned);
        return SURROGATE.test(p) ? (this.runeRegexp as RegExp).test(asGoRunes(p)) : this.regexp.test(p);
    }
  }
}

/** Per-pattern "a parent matched" flags, passed down a walk (MatchesUsingParentResults). */
export interface MatchInfo {
  parentMatched: boolean[];
}

export const EMPTY_MATCH_INFO: MatchInfo = { parentMatched: [] };

export class PatternMatcher {
  readonly patterns: Pattern[] = [];
  /** True when any pattern is a '!' exception. */
  readonly exclusions: boolean = false;

  constructor(patterns: readonly string[]) {
    for (const raw of patterns) {
      let p = goTrimSpace(raw);
      if (p === '') continue;
      p = goClean(p);
      let exclusion = false;
      if (p[0] === '!') {
        if (p.length === 1) throw new IllegalExclusionError();
        exclusion = true;
        p = p.slice(1);
        this.exclusions = true;
      }
      // patternmatcher.New's syntax check: filepath.Match(p, "."), which checks only what it reaches.
      if (filepathMatchFails(p, '.')) throw new BadPatternError(p);
      this.patterns.push(new Pattern(p, exclusion));
    }
  }

  /** Whether `file` (slash path relative to the root) or one of its parents matches. */
  matchesOrParentMatches(file: string): boolean {
    const parent = parentOf(file);
    const parentDirs = parent.split('/');
    let matched = false;
    for (const pattern of this.patterns) {
      // An inclusion cannot change an already-matched result, nor an exception an unmatched one.
      if (pattern.exclusion !== matched) continue;
      let match = pattern.match(file);
      if (!match && parent !== '.') {
        for (let i = 0; i < parentDirs.length && !match; i++) {
          match = pattern.match(parentDirs.slice(0, i + 1).join('/'));
        }
      }
      if (match) matched = !pattern.exclusion;
    }
    return matched;
  }

  /**
   * Matching during a walk: `parent` is the info returned for the parent directory
   * (EMPTY_MATCH_INFO for entries whose parents were not evaluated).
   */
  matchesUsingParentResults(file: string, parent: MatchInfo): { matched: boolean; info: MatchInfo } {
    const parentMatched = parent.parentMatched;
    if (parentMatched.length !== 0 && parentMatched.length !== this.patterns.length) {
      throw new Error('wrong number of values in parentMatched');
    }
    let matched = false;
    const info: MatchInfo = { parentMatched: new Array<boolean>(this.patterns.length).fill(false) };
    let parentDirs: string[] | undefined;
    this.patterns.forEach((pattern, i) => {
      let match = parentMatched.length !== 0 ? (parentMatched[i] as boolean) : false;
      if (!match) {
        if (pattern.exclusion !== matched) return;
        match = pattern.match(file);
        // Without parent information, check the parents here.
        if (!match && parentMatched.length === 0) {
          const parent = parentOf(file);
          if (parent !== '.') {
            parentDirs ??= parent.split('/');
            for (let j = 0; j < parentDirs.length && !match; j++) {
              match = pattern.match(parentDirs.slice(0, j + 1).join('/'));
            }
          }
        }
      }
      info.parentMatched[i] = match;
      if (match) matched = !pattern.exclusion;
    });
    return { matched, info };
  }
}

function parentOf(file: string): string {
  const i = file.lastIndexOf('/');
  if (i < 0) return '.';
  return i === 0 ? '/' : file.slice(0, i);
}
