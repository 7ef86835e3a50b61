// Parameter-expansion operators, with BuildKit's semantics (lex_test.go cases plus our own).
import { describe, expect, it } from 'vitest';
import { ShellLex } from '../../../src/frontend/dockerfile/shell/index.js';

const lex = new ShellLex();
const expand = (word: string, env: Record<string, string> = {}) => lex.processWord(word, new Map(Object.entries(env)));

describe('default and alternative values', () => {
  const env = { FOO: 'xxx', BAR: '' };
  it.each([
    ['${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}', 'xxx  ccc'],
    ['${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}', 'xxx bbb ccc'],
    ['${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}', 'aaa bbb '],
    ['${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}', 'aaa  '],
    ['${FOO:-}', 'xxx'],
    ['${BAZ:-}', ''],
    ['${BAZ:-$FOO}', 'xxx'],
    ['${BAZ:-${QUX:-deep}}', 'deep'],
    ['${FOO:+"quoted ${FOO}"}', 'quoted xxx'],
    ["${BAZ:-'}'}", '}'],
    ['${BAZ:-\\}}', '}'],
  ])('%s → %j', (word, want) => {
    expect(expand(word, env)).toBe(want);
  });
});

describe('${V?msg} and ${V:?msg}', () => {
  const set = { VAR: 'plain', ARG: 'x' };
  const empty = { VAR: '', ARG: 'x' };
  const unset = { ARG: 'x' };

  it('${V:?msg} rejects empty and unset, expanding the message', () => {
    expect(expand('${VAR:?message here$ARG}', set)).toBe('plain');
    expect(() => expand('${VAR:?message here$ARG}', empty)).toThrow('VAR: message herex');
    expect(() => expand('${VAR:?message here$ARG}', unset)).toThrow('VAR: message herex');
  });

  it('${V?msg} rejects only unset', () => {
    expect(expand('${VAR?message here$ARG}', set)).toBe('plain');
    expect(expand('${VAR?message here$ARG}', empty)).toBe('');
    expect(() => expand('${VAR?message here$ARG}', unset)).toThrow('VAR: message herex');
  });

  it('uses default messages without one', () => {
    expect(() => expand('${VAR?}', unset)).toThrow('failed to process "${VAR?}": VAR: is not allowed to be unset');
    expect(() => expand('${VAR:?}', empty)).toThrow('failed to process "${VAR:?}": VAR: is not allowed to be empty');
    expect(() => expand('${VAR:?}', unset)).toThrow('VAR: is not allowed to be unset');
  });
});

describe('prefix and suffix removal', () => {
  it.each([
    // special regexp characters are literal; \} protects the closing brace
    ['${FOO#()[]{\\}^$.\\*\\?|\\\\}', { FOO: '()[]{}^$.*?|\\x' }, 'x'],
    ['${FOO%%\\**}', { FOO: 'xx**' }, 'xx'],
    ['${FOO#*x*y}', { FOO: 'xxyy' }, 'y'],
    ['${FOO#*}', { FOO: 'xxyy' }, 'xxyy'],
    ['${FOO#$BAR}', { FOO: 'xxyy', BAR: 'x' }, 'xyy'],
    ['${FOO#$BAR}', { FOO: 'xxyy', BAR: '' }, 'xxyy'],
    ['${FOO#}', { FOO: 'xxyy' }, 'xxyy'],
    ['${FOO##*x}', { FOO: 'xxyy' }, 'yy'],
    ['${FOO##}', { FOO: 'xxyy' }, 'xxyy'],
    ['${FOO#?\\?}', { FOO: '???y' }, '?y'],
    ['${ABC:-.}${FOO%x}${ABC:-.}', { FOO: 'xxyy' }, '.xxyy.'],
    ['${FOO%%\\**\\*}', { FOO: 'a***yy*' }, 'a'],
    ['${FOO%}', { FOO: 'xxyy' }, 'xxyy'],
    ['${FOO%%$BAR}', { FOO: 'xxyy', BAR: '' }, 'xxyy'],
    ['${FOO#*/}', { FOO: 'a/b/c' }, 'b/c'],
    ['${FOO##*/}', { FOO: 'a/b/c' }, 'c'],
    ['${FOO%/*}', { FOO: 'a/b/c' }, 'a/b'],
    ['${FOO%%/*}', { FOO: 'a/b/c' }, 'a'],
    ['${FOO%y*}', { FOO: 'ayby' }, 'ayb'],
    ['${FOO%%y*}', { FOO: 'ayby' }, 'a'],
    ['${FOO%\\}}', { FOO: 'a}' }, 'a'],
    ['${FOO%.tar.gz}', { FOO: 'app.tar.gz' }, 'app'],
    ['${FOO#v}', { FOO: 'v1.2.3' }, '1.2.3'],
    ['${FOO%-*}', { FOO: '한국-어' }, '한국'],
    ['${FOO#?}', { FOO: '👽🚀' }, '🚀'],
    ['${FOO%?}', { FOO: '👽🚀' }, '👽'],
    ['${UNSET#x}', {}, ''],
    // the `##`/`%%` test looks at the expanded pattern
    ['${FOO#$P}', { FOO: 'aab', P: '#*a' }, 'b'],
    ['${FOO#$P}', { FOO: 'aab', P: '*a' }, 'ab'],
  ] as const)('%s with %j → %j', (word, env, want) => {
    expect(expand(word, env)).toBe(want);
  });

  it('treats [ ] literally (BuildKit has no bracket expressions)', () => {
    expect(expand('${FOO#[ab]}', { FOO: '[ab]c' })).toBe('c');
    expect(expand('${FOO#[ab]}', { FOO: 'ac' })).toBe('ac');
  });

  it('does not let ? or * match a newline (Go regexp `.`)', () => {
    expect(expand('${FOO#*x}', { FOO: 'a\nx' })).toBe('a\nx');
    expect(expand('${FOO#?}', { FOO: '\rz' })).toBe('z');
  });

  it('rejects the colon forms and bad escapes', () => {
    expect(() => expand('${FOO:#x}', { FOO: 'x' })).toThrow('unsupported modifier (:#) in substitution');
    expect(() => expand('${FOO:%x}', { FOO: 'x' })).toThrow('unsupported modifier (:%) in substitution');
    expect(() => expand('${FOO#\\x}', { FOO: 'x' })).toThrow(
      'failed to process "${FOO#\\\\x}": invalid pattern (\\x) in substitution: invalid escape \'\\x\'',
    );
    // a backslash that ends the expanded pattern
    expect(() => expand('${FOO#$P}', { FOO: 'x', P: 'a\\' })).toThrow("invalid escape '\\\ufffd'");
  });
});

describe('pattern replacement', () => {
  it.each([
    ['${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}', { FOO: '/foo*/*/*.txt', NEEDLE: '\\*/' }, '/foo.*/*.txt - /foo..*.txt'],
    ['${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}', { FOO: '/tmp/tmp/bar.txt', NEEDLE: '/tmp' }, '/tmp/bar.txt - /bar.txt'],
    [
      '${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}',
      { FOO: '/a/foo/b/c.txt', NEEDLE: '/?/', REPLACEMENT: '/' },
      '/foo/b/c.txt - /foo/c.txt',
    ],
    ['${FOO/$NEEDLE/$REPLACEMENT}', { FOO: 'http://google.de', NEEDLE: 'http://', REPLACEMENT: 'https://' }, 'https://google.de'],
    // escaped separators: the escape stays in the replacement, not in the pattern
    ['${FOO//\\//\\/}', { FOO: '/tmp/foo.txt' }, '\\/tmp\\/foo.txt'],
    ['${FOO/$BAR/ww}', { FOO: 'xxyy', BAR: '' }, 'wwxxyy'],
    ['${FOO///}', { FOO: 'xxyy' }, 'xxyy'],
    ['${FOO///}', {}, ''],
    ['${FOO/x*/-}', { FOO: 'axxb' }, 'a-'],
    ['${FOO//?/x}', { FOO: 'ab' }, 'xx'],
    ['${FOO/./_}', { FOO: '1.2.3' }, '1_2.3'],
    ['${FOO//./_}', { FOO: '1.2.3' }, '1_2_3'],
  ] as const)('%s with %j → %j', (word, env, want) => {
    expect(expand(word, env)).toBe(want);
  });

  it('does not replace an empty match right after a match (Go ReplaceAll, not JS)', () => {
    // JavaScript's 'abc'.replace(/.*/g, '-') gives '--'.
    expect(expand('${FOO//*/-}', { FOO: 'abc' })).toBe('-');
    expect(expand('${FOO//$E/-}', { FOO: 'ab', E: '' })).toBe('-a-b-');
  });

  it('interprets $ in the replacement like Go templates, only for the // form', () => {
    const env = (r: string) => ({ FOO: 'abc', R: r });
    expect(expand('${FOO//b/$R}', env('<$0>'))).toBe('a<b>c');
    expect(expand('${FOO//b/$R}', env('<${0}>'))).toBe('a<b>c');
    expect(expand('${FOO/b/$R}', env('<$0>'))).toBe('a<$0>c');
    expect(expand('${FOO//b/$R}', env('$$'))).toBe('a$c');
    expect(expand('${FOO//b/$R}', env('${1}x'))).toBe('axc');
    expect(expand('${FOO//b/$R}', env('$name'))).toBe('ac');
    expect(expand('${FOO//b/$R}', env('$'))).toBe('a$c');
    expect(expand('${FOO//b/$R}', env('${0'))).toBe('a${0c');
    // an escaped $ reaches the template with its backslash (raw escapes in ${/})
    expect(expand('${FOO//b/[\\$0]}', { FOO: 'abc' })).toBe('a[\\b]c');
  });

  it('reports a missing separator or brace', () => {
    expect(() => expand('${FOO//ww}', { FOO: 'x' })).toThrow("syntax error: missing '/' in ${}");
    expect(() => expand('${FOO//}', { FOO: 'x' })).toThrow("syntax error: missing '/' in ${}");
    expect(() => expand('${FOO/a/b', { FOO: 'x' })).toThrow("syntax error: missing '}'");
  });
});
