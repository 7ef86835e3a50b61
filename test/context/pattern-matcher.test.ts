import { describe, expect, it } from 'vitest';
import { PatternMatcher, EMPTY_MATCH_INFO, IllegalExclusionError } from '../../src/context/pattern-matcher.js';
import { BadPatternError, pathMatch } from '../../src/context/path-match.js';

// Single-pattern cases (moby/patternmatcher's matching rules).
const single: [string, string, boolean][] = [
  ['**', 'file', true],
  ['**', 'file/', true],
  ['**/', 'file', true],
  ['**/**', 'file', true],
  ['dir/**', 'dir/file', true],
  ['dir/**', 'dir/dir2/file', true],
  ['**/file', 'file', true],
  ['**/file', 'dir/file', true],
  ['**/file', 'dir/dir/file', true],
  ['**/file', 'afile', false],
  ['**/file*', 'dir/dir/file.txt', true],
  ['**/file*txt', 'dir/dir/file.txt', true],
  ['**/**/*.txt', 'dir/dir/file.txt', true],
  ['**/**/*.txt2', 'dir/dir/file.txt', false],
  ['**/*.txt', 'file.txt', true],
  ['a**/*.txt', 'a/file.txt', true],
  ['a**/*.txt', 'a/dir/dir/file.txt', true],
  ['a/*.txt', 'a/dir/file.txt', false],
  ['a/*.txt', 'a/file.txt', true],
  ['a/*.txt**', 'a/file.txt', true],
  ['a[b-d]e', 'ae', false],
  ['a[b-d]e', 'ace', true],
  ['a[b-d]e', 'aae', false],
  ['a[^b-d]e', 'aze', true],
  ['.*', '.foo', true],
  ['.*', 'foo', false],
  ['abc.def', 'abcdef', false],
  ['abc.def', 'abc.def', true],
  ['abc.def', 'abcZdef', false],
  ['abc?def', 'abcZdef', true],
  ['abc?def', 'abcdef', false],
  ['abc?def', 'abc/def', false],
  ['a*c', 'a/c', false],
  ['a\\\\', 'a\\', true],
  ['a\\*b', 'a*b', true],
  ['a\\*b', 'aXb', false],
  ['**/foo/bar', 'foo/bar', true],
  ['**/foo/bar', 'dir/dir2/foo/bar', true],
  ['abc/**', 'abc', false],
  ['abc/**', 'abc/def/ghi', true],
  ['**/.foo', '.foo', true],
  ['**/.foo', 'bar.foo', false],
  ['a(b)c/def', 'a(b)c/def', true],
  ['a(b)c/def', 'a(b)c/xyz', false],
  ['a.|)$(}+{bc', 'a.|)$(}+{bc', true],
  ['dist/*.whl', 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', true],
  ['/abs', 'abs', false],
  ['./rel/x', 'rel/x', true],
  ['dir/', 'dir', true],
  ['a/../b', 'b', true],
];

describe('PatternMatcher', () => {
  it.each(single)('%s vs %s → %s', (pattern, file, want) => {
    const pm = new PatternMatcher([pattern]);
    expect(pm.matchesOrParentMatches(file)).toBe(want);
  });

  it('matches parents: a pattern naming a directory covers everything below', () => {
    expect(new PatternMatcher(['dir']).matchesOrParentMatches('dir/a/b')).toBe(true);
    expect(new PatternMatcher(['dir/*']).matchesOrParentMatches('dir/sub/file')).toBe(true);
    expect(new PatternMatcher(['*.go']).matchesOrParentMatches('x.go/inner')).toBe(true);
    expect(new PatternMatcher(['dir']).matchesOrParentMatches('dirx/a')).toBe(false);
  });

  it('later rules win, exceptions re-include', () => {
    const pm = new PatternMatcher(['docs', '!docs/README.md', 'docs/README.md.bak']);
    expect(pm.matchesOrParentMatches('docs/x.md')).toBe(true);
    expect(pm.matchesOrParentMatches('docs/README.md')).toBe(false);
    expect(pm.matchesOrParentMatches('docs/README.md.bak')).toBe(true);
    expect(pm.exclusions).toBe(true);
    const re = new PatternMatcher(['*', '!keep', 'keep/sub']);
    expect(re.matchesOrParentMatches('keep/b')).toBe(false);
    expect(re.matchesOrParentMatches('keep/sub/a')).toBe(true);
    expect(re.matchesOrParentMatches('other')).toBe(true);
  });

  it('chained parent results equal fsutil walking, including repeated patterns', () => {
    const pm = new PatternMatcher(['a', '!a/b', 'a']);
    const a = pm.matchesUsingParentResults('a', EMPTY_MATCH_INFO);
    expect(a.matched).toBe(true);
    // With the parent's info the repeated 'a' is only tried on 'a/b' itself, so a/b stays in.
    expect(pm.matchesUsingParentResults('a/b', a.info).matched).toBe(false);
    // One-shot matching re-checks parents and excludes it.
    expect(pm.matchesOrParentMatches('a/b')).toBe(true);
    expect(() => pm.matchesUsingParentResults('x', { parentMatched: [true] })).toThrow(/wrong number/);
  });

  it('rejects malformed patterns the way filepath.Match does', () => {
    for (const bad of ['[', '[]', 'a[', '[a-]', '[-a]', 'x\\', '[^]']) {
      expect(() => new PatternMatcher([bad]), bad).toThrow(BadPatternError);
    }
    expect(() => new PatternMatcher(['!'])).toThrow(IllegalExclusionError);
    // Valid for filepath.Match, rejected by the regexp compiler: fails on first use, as in Go.
    const inverted = new PatternMatcher(['[z-a]x']);
    expect(() => inverted.matchesOrParentMatches('bx')).toThrow(BadPatternError);
    expect(new PatternMatcher(['', '   ']).patterns).toHaveLength(0);
  });
});

describe('pathMatch (Go path.Match)', () => {
  it.each([
    ['/*.txt', '/a.txt', true],
    ['/*.txt', '/d/a.txt', false],
    ['/d/?', '/d/x', true],
    ['/[a-c]x', '/bx', true],
    ['/[^a-c]x', '/bx', false],
    ['/a\\*', '/a*', true],
    ['/a\\*', '/ab', false],
    ['*', '', true],
  ] as [string, string, boolean][])('%s vs %s → %s', (p, n, want) => {
    expect(pathMatch(p, n)).toBe(want);
  });

  it('validates the whole pattern even after a mismatch', () => {
    expect(() => pathMatch('x[', 'y')).toThrow(BadPatternError);
  });
});

describe('PatternMatcher: names as Go reads them', () => {
  it('? and * take a character outside the BMP as one rune', () => {
    const m = new PatternMatcher(['a?b', 'c*d?']);
    expect(m.matchesOrParentMatches('a😀b')).toBe(true);
    expect(m.matchesOrParentMatches('a😀😀b')).toBe(false);
    expect(m.matchesOrParentMatches('c😀x😀d😀')).toBe(true);
    expect(m.matchesOrParentMatches('c😀d😀😀')).toBe(false);
  });

  it('a byte that is not UTF-8 (escaped U+DC80+byte) is utf8.RuneError to a wildcard or class', () => {
    // A .dockerignore line "[\xe9]t*" reads as "[\ufffd]t*"; the name "\xe9t\xe9" matches it in
    // fsutil (docker-ref: the file is not sent). A literal name never matches (exact compare).
    const escaped = '\udce9t\udce9';
    expect(new PatternMatcher(['[\ufffd]t*']).matchesOrParentMatches(escaped)).toBe(true);
    expect(new PatternMatcher(['?t?']).matchesOrParentMatches(escaped)).toBe(true);
    expect(new PatternMatcher(['\ufffdt\ufffd']).matchesOrParentMatches(escaped)).toBe(false);
    expect(new PatternMatcher(['caf?']).matchesOrParentMatches('caf\udce9')).toBe(true);
  });

  it('a class takes a character outside the BMP as one rune (checked against Go)', () => {
    // JS without the u flag read [😀] as two surrogate members and [😀-😂] as a bad range.
    expect(new PatternMatcher(['[😀]x']).matchesOrParentMatches('😀x')).toBe(true);
    expect(new PatternMatcher(['*[😀]']).matchesOrParentMatches('a😀')).toBe(true);
    expect(new PatternMatcher(['[^_]*']).matchesOrParentMatches('😀.txt')).toBe(true);
    expect(new PatternMatcher(['[^_]*']).matchesOrParentMatches('_😀')).toBe(false);
    expect(new PatternMatcher(['a[😀-😂]']).matchesOrParentMatches('a😁')).toBe(true);
    expect(new PatternMatcher(['a[😀-😂]']).matchesOrParentMatches('ab')).toBe(false);
    expect(new PatternMatcher(['a[😀-😂]']).matchesOrParentMatches('a😃')).toBe(false);
    // A repetition repeats the whole character; literal braces, ']' and escaped punctuation
    // keep their meaning on such names.
    expect(new PatternMatcher(['*.{js,ts}']).matchesOrParentMatches('😀.{js,ts}')).toBe(true);
    expect(new PatternMatcher(['😀{2}*']).matchesOrParentMatches('😀😀x')).toBe(true);
    expect(new PatternMatcher(['?]\\,*']).matchesOrParentMatches('😀],x')).toBe(true);
  });
});

describe('PatternMatcher: escapes read as RE2 reads them', () => {
  const m = (pattern: string, name: string) => new PatternMatcher([pattern]).matchesOrParentMatches(name);

  it('an escape RE2 refuses fails the match, as BuildKit fails the build (docker-ref: obj\\Release)', () => {
    for (const p of ['obj\\Release', 'x\\yz', 'a\\1', 'a\\8', 'a\\C', 'a\\xZ', '[\\b]', 'caf\\é']) {
      expect(() => m(p, 'anything'), p).toThrow(BadPatternError);
    }
  });

  it('valid escapes keep RE2 meanings: \\a bell, \\d digit, \\s ASCII space, octal, hex, \\A \\z', () => {
    expect(m('bel\\al', 'bel\x07l')).toBe(true);
    expect(m('bel\\al', 'belal')).toBe(false);
    expect(m('a\\db', 'a1b')).toBe(true);
    expect(m('a\\db', 'aXb')).toBe(false);
    expect(m('a\\sb', 'a b')).toBe(true);
    expect(m('a\\sb', 'a\vb')).toBe(false);
    expect(m('a\\101b', 'aAb')).toBe(true);
    expect(m('a\\x41b', 'aAb')).toBe(true);
    expect(m('\\Aab\\z', 'ab')).toBe(true);
    expect(m('*\\.z', 'zed.z')).toBe(true);
  });

  it('inside a class, * and ? stay the text [^/] RE2 reads as class members', () => {
    // "[*]x" becomes "^[[^/]*]x$": a class of '[', '^', '/', repeated, then "]x".
    expect(m('[*]x', ']x')).toBe(true);
    expect(m('[*]x', '^^]x')).toBe(true);
    expect(m('[*]x', 'ab]x')).toBe(false);
  });
});

describe('PatternMatcher: ** spans what RE2 .* spans', () => {
  it('a directory name holding \\r or U+2028 (JS . stops there, RE2 . does not); never \\n', () => {
    const pm = new PatternMatcher(['x/**/b', 'y/**']);
    expect(pm.matchesOrParentMatches('x/c\rd/b')).toBe(true);
    expect(pm.matchesOrParentMatches('x/c\u2028d/b')).toBe(true);
    expect(pm.matchesOrParentMatches('x/c\nd/b')).toBe(false);
  });
});

describe('PatternMatcher: moby/patternmatcher quirks kept (checked against its Go code and docker-ref)', () => {
  const m = (patterns: string[], name: string) => new PatternMatcher(patterns).matchesOrParentMatches(name);

  it("'{' '|' '}' reach the regexp unescaped (its escape bitmap drops them): alternation and repetition", () => {
    // "*.log|x" is ^[^/]*\.log|x$: a name starting with "<x>.log" or ending with "x".
    expect(m(['*.log|x'], 'a.logfoo')).toBe(true);
    expect(m(['*.log|x'], 'box')).toBe(true);
    expect(m(['*.log|x'], 'plain')).toBe(false);
    expect(m(['b|c*'], 'Dockerfile')).toBe(true);
    expect(m(['a{2}*'], 'aa')).toBe(true);
    expect(m(['a{2}*'], 'a{2}')).toBe(false);
    // An exact pattern (no wildcard) is compared as it is.
    expect(m(['b|c'], 'b|c')).toBe(true);
  });

  it('syntax is checked as filepath.Match(p, ".") checks it: only up to the first chunk that differs', () => {
    // "s*[" passes New ("s" already differs from "."); its regexp then fails when matched.
    expect(() => new PatternMatcher(['s*['])).not.toThrow();
    expect(() => m(['s*['], 'x')).toThrow(BadPatternError);
    expect(() => new PatternMatcher(['x['])).toThrow(BadPatternError);
    expect(() => new PatternMatcher(['foo\\'])).toThrow(BadPatternError);
    // "s*\" passes too, and Go's regexp ends "\$": a literal '$', no end anchor.
    expect(m(['s*\\'], 's$')).toBe(true);
    expect(m(['s*\\'], 's$tail')).toBe(true);
    expect(m(['s*\\'], 's')).toBe(false);
  });

  it("a ']' right after '[' is a class member for RE2 (JS would read an empty class)", () => {
    expect(m(['s*[]a]'], 's]')).toBe(true);
    expect(m(['s*[^]a]'], 'sb')).toBe(true);
    expect(m(['s*[^]a]'], 's]')).toBe(false);
  });

  it('\\p followed by anything but a category letter or { is an invalid escape', () => {
    expect(() => m(['a\\p1'], 'x')).toThrow(BadPatternError);
  });
});

describe('pathMatch steps over bytes as Go does', () => {
  it("'*' tries every byte offset, so '*??' matches one 4-byte character (go: true)", () => {
    expect(pathMatch('*??', '😀')).toBe(true);
    expect(pathMatch('*??', 'é')).toBe(false);
    expect(pathMatch('??', '😀')).toBe(false);
  });

  it('a byte that is not UTF-8 is one RuneError for ? and classes', () => {
    expect(pathMatch('caf?', 'caf\udce9')).toBe(true);
    expect(pathMatch('caf[\ufffd]', 'caf\udce9')).toBe(true);
  });

  it("inside a class, the '[^/]' a '?' becomes closes it for RE2: '[?.[]' fails when matched", () => {
    expect(() => new PatternMatcher(['[?.[]']).matchesOrParentMatches('x')).toThrow(BadPatternError);
  });
});
