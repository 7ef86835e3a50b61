// Quotes, escapes, the escape-token parameter, the raw/skip modes and word splitting.
import { describe, expect, it } from 'vitest';
import { ShellLex } from '../../../src/frontend/dockerfile/shell/index.js';

const env = new Map([
  ['X', '1'],
  ['V', 'x  y'],
  ['PWD', '/home'],
  ['이름', '값'],
]);

describe('default escape token (backslash)', () => {
  const lex = new ShellLex();
  it.each([
    ['a\\ b', 'a b'],
    ['\\$X', '$X'],
    ['"\\$X"', '$X'],
    ['"a\\tb"', 'a\\tb'],
    ['"a\\\\b"', 'a\\b'],
    ["'a\\'", 'a\\'],
    ['abc\\', 'abc'],
    ['$X.$X', '1.1'],
    ['$_X', ''],
    ['${이름}/$이름', '값/값'],
    ['$@@@', '@@'],
    ['$$$', '$'],
    ["$'x'", '$x'],
    ['<<EOF', '<<EOF'],
    ['<<-EOT', '<<-EOT'],
    ['\ufeff$X', '1'],
    ['\ufeffabc', 'abc'],
  ])('%j → %j', (word, want) => {
    expect(lex.processWord(word, env)).toBe(want);
  });
});

describe('backtick escape token', () => {
  const lex = new ShellLex('`');
  it.each([
    ['he`$PWD', 'he$PWD'],
    ['C:\\dir\\$X', 'C:\\dir\\1'],
    ['"a`"b"', 'a"b'],
    ['"a\\"', 'a\\'],
    ['"a``b"', 'a`b'],
    ['"a`tb"', 'a`tb'],
    ["'a`b'", 'a`b'],
    ['abc`', 'abc'],
    ['a` b', 'a b'],
    // patterns keep using \ for their own escapes
    ['${P#\\*}', 'x'],
  ])('%j → %j', (word, want) => {
    expect(lex.processWord(word, new Map([...env, ['P', '*x']]))).toBe(want);
  });

  it('splits words with backtick-escaped spaces kept', () => {
    expect(lex.processWords('a` b c\\ d', env)).toEqual(['a b', 'c\\', 'd']);
  });
});

describe('rawQuotes and rawEscapes', () => {
  it('rawQuotes keeps the quote characters', () => {
    const lex = new ShellLex();
    lex.rawQuotes = true;
    expect(lex.processWord(`'a b'"c $X"`, env)).toBe(`'a b'"c 1"`);
  });

  it('rawEscapes keeps escape characters (and doubles a non-escaping one in double quotes, as BuildKit does)', () => {
    const lex = new ShellLex();
    lex.rawEscapes = true;
    expect(lex.processWord('a\\ b', env)).toBe('a\\ b');
    expect(lex.processWord('"a\\$b"', env)).toBe('a\\$b');
    expect(lex.processWord('"a\\tb"', env)).toBe('a\\\\tb');
    expect(lex.processWord('abc\\', env)).toBe('abc\\');
    // nested default words are processed without raw escapes
    expect(lex.processWord('${U:-a\\ b}', env)).toBe('a b');
  });

  it('both together round-trip quoting', () => {
    const lex = new ShellLex();
    lex.rawQuotes = true;
    lex.rawEscapes = true;
    expect(lex.processWord('"a\\"b" \'c\'', env)).toBe('"a\\"b" \'c\'');
  });
});

describe('skipUnsetEnv and skipProcessQuotes', () => {
  it('skipUnsetEnv leaves references to unset variables as written', () => {
    const lex = new ShellLex();
    lex.skipUnsetEnv = true;
    expect(lex.processWord('$U ${U} ${U:-d} ${U/a/b} ${U%%a*} $X', env)).toBe('$U ${U} ${U:-d} ${U/a/b} ${U%%a*} 1');
    expect(lex.processWord('${U:-$X}', env)).toBe('${U:-1}');
    expect(lex.processWord('${X:-d}', env)).toBe('1');
  });

  it('skipProcessQuotes treats quotes as ordinary characters', () => {
    const lex = new ShellLex();
    lex.skipProcessQuotes = true;
    expect(lex.processWord(`'$X' "a`, env)).toBe(`'1' "a`);
  });
});

describe('word splitting', () => {
  const lex = new ShellLex();
  it.each([
    ['a b  c', ['a', 'b', 'c']],
    ['"a b" c', ['a b', 'c']],
    ['a\\ b', ['a b']],
    ['$V', ['x', 'y']],
    ['"$V"', ['x  y']],
    ['p$V', ['px', 'y']],
    ['""', []],
    ['', []],
    ['a\u00a0b\u3000c', ['a', 'b', 'c']],
    ['cat <<EOF', ['cat', '<<EOF']],
  ] as const)('%j → %j', (word, want) => {
    expect(lex.processWords(word, env)).toEqual(want);
  });

  it('drops the text before a ${v<op>...} in the same word, like BuildKit (shared word buffer)', () => {
    // Upstream's nested word reuses and resets the outer in-progress word buffer.
    expect(lex.processWords('abc${U:-def}ghi', env)).toEqual(['defghi']);
    expect(lex.processWords('abc${X:-def}ghi', env)).toEqual(['1ghi']);
    expect(lex.processWords('a b${U:-c}d', env)).toEqual(['a', 'cd']);
    // single-word expansion is unaffected
    expect(lex.processWord('abc${U:-def}ghi', env)).toBe('abcdefghi');
    // plain ${v} has no nested word
    expect(lex.processWords('abc${X}ghi', env)).toEqual(['abc1ghi']);
  });
});
