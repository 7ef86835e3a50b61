// Which variables a word used (matched) or referenced while unset (unmatched), and errors.
import { describe, expect, it } from 'vitest';
import {
  envFromList,
  envFromRecord,
  goQuote,
  ShellExpansionError,
  ShellLex,
  toEnvGetter,
} from '../../../src/frontend/dockerfile/shell/index.js';

const lex = new ShellLex();

describe('matched / unmatched tracking', () => {
  it.each([
    ['x', { DUMMY: 'dummy' }, 'x', [], []],
    ['x ${UNUSED}', { DUMMY: 'dummy' }, 'x ', [], ['UNUSED']],
    ['x ${FOO}', { FOO: 'y' }, 'x y', ['FOO'], []],
    ['${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}', { FOO: 'xxx', BAR: '' }, 'xxx  ccc', ['FOO', 'BAR'], ['BAZ']],
    ['${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}', { FOO: 'xxx', BAR: '' }, 'xxx bbb ccc', ['FOO', 'BAR'], ['BAZ']],
    ['${FOO:-}', { FOO: 'xxx', BAR: '' }, 'xxx', ['FOO'], []],
    ['${FOO:-}', {}, '', [], ['FOO']],
    ['${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}', { FOO: 'xxx', BAR: '' }, 'aaa bbb ', ['FOO', 'BAR'], ['BAZ']],
    ['${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}', { FOO: 'xxx', BAR: '' }, 'aaa  ', ['FOO', 'BAR'], ['BAZ']],
    ['${FOO?aaa}', { FOO: 'xxx' }, 'xxx', ['FOO'], []],
    ['${BAR?bbb}', { BAR: '' }, '', ['BAR'], []],
    ['${FOO#$BAR}', { FOO: 'xxyy', BAR: 'x' }, 'xyy', ['FOO', 'BAR'], []],
    ['${ABC:-.}${FOO%x}${ABC:-.}', { FOO: 'xxyy' }, '.xxyy.', ['FOO'], ['ABC']],
    ['${FOO/$NEEDLE/$R}', { FOO: 'http://a', NEEDLE: 'http://', R: 'https://' }, 'https://a', ['FOO', 'NEEDLE', 'R'], []],
    ['${FOO///}', {}, '', [], ['FOO']],
    // the nested word is expanded even when it is not used
    ['${FOO:-$BAR}', { FOO: 'x' }, 'x', ['FOO'], ['BAR']],
    // positional and special parameters are looked up (and never set)
    ['$1 ${999} $@ $#', {}, '   ', [], ['1', '999', '@', '#']],
    ["'$QUOTED' \\$ESCAPED", {}, '$QUOTED $ESCAPED', [], []],
  ] as const)('%s', (word, env, result, matched, unmatched) => {
    const r = lex.processWordWithMatches(word, new Map(Object.entries(env)));
    expect(r.result).toBe(result);
    expect([...r.matched].sort()).toEqual([...matched].sort());
    expect([...r.unmatched].sort()).toEqual([...unmatched].sort());
  });

  it('expands the release-name pattern from upstream', () => {
    const word = 'something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz';
    const base = { VERSION: 'v1.2.3', TARGETOS: 'linux' };
    const run = (e: Record<string, string>) => lex.processWordWithMatches(word, envFromRecord({ ...base, ...e }));
    expect(run({ TARGETARCH: 'arm', TARGETVARIANT: 'v7' }).result).toBe('something-v1.2.3.linux-arm-v7.tar.gz');
    expect(run({ TARGETARCH: 'arm64', TARGETVARIANT: '' }).result).toBe('something-v1.2.3.linux-arm64.tar.gz');
    const unset = run({ TARGETARCH: 'arm64' });
    expect(unset.result).toBe('something-v1.2.3.linux-arm64.tar.gz');
    expect([...unset.unmatched]).toEqual(['TARGETVARIANT']);
  });
});

describe('environments', () => {
  it('envFromList: later entries win, a bare key is empty', () => {
    const env = envFromList(['A=1', 'B', 'A=2', 'C=x=y']);
    expect([...env]).toEqual([
      ['A', '2'],
      ['B', ''],
      ['C', 'x=y'],
    ]);
    expect(lex.processWord('$A-${B-unset}-$C', env)).toBe('2--x=y');
  });

  it('toEnvGetter accepts lists, records and maps', () => {
    expect(toEnvGetter(['A=1']).get('A')).toBe('1');
    expect(toEnvGetter({ A: '2' }).get('A')).toBe('2');
    const m = new Map([['A', '3']]);
    expect(toEnvGetter(m)).toBe(m);
  });

  it('names are case-sensitive (Linux)', () => {
    expect(lex.processWord('$pwd', envFromList(['PWD=/home']))).toBe('');
  });
});

describe('errors', () => {
  const env = new Map([['X', 'x']]);
  const reasonOf = (word: string): string => {
    try {
      lex.processWord(word, env);
    } catch (err) {
      expect(err).toBeInstanceOf(ShellExpansionError);
      const e = err as ShellExpansionError;
      expect(e.word).toBe(word);
      expect(e.message).toBe(`failed to process ${goQuote(word)}: ${e.reason}`);
      return e.reason;
    }
    throw new Error(`expected ${word} to fail`);
  };

  it.each([
    ["'abc", 'unexpected end of statement while looking for matching single-quote'],
    ['"abc', 'unexpected end of statement while looking for matching double-quote'],
    ['"abc\\', 'unexpected end of statement while looking for matching double-quote'],
    ['he\\\\\'llo', 'unexpected end of statement while looking for matching single-quote'],
    ['${', "syntax error: missing '}'"],
    ['${}', 'syntax error: bad substitution'],
    ['${:}', 'syntax error: bad substitution'],
    ['${{a}', 'syntax error: bad substitution'],
    ['he${X', 'unsupported modifier (\ufffd) in substitution'],
    ['${X:YYY}', 'unsupported modifier (:Y) in substitution'],
    ['${X=v}', 'unsupported modifier (=) in substitution'],
    ['${X:=v}', 'unsupported modifier (:=) in substitution'],
    ['${.}', 'unsupported modifier (.) in substitution'],
    ['${X:-a ${Y}', "syntax error: missing '}'"],
    ["${X:-'abc}", "syntax error: missing '}'"],
    ['${X:-${Y:?boom}}tail', 'Y: boom'],
    ['${U?}', 'U: is not allowed to be unset'],
  ])('%j fails with %j', (word, reason) => {
    expect(reasonOf(word)).toBe(reason);
  });

  it('quotes the word the way Go %q does', () => {
    expect(() => lex.processWord('a\tb\'"', env)).toThrow(
      'failed to process "a\\tb\'\\"": unexpected end of statement while looking for matching single-quote',
    );
    expect(goQuote('\u00a0\u0000\u007f♥\\\n\u0085')).toBe('"\\u00a0\\x00\\x7f♥\\\\\\n\\u0085"');
    expect(goQuote('\u{1F47D}\u{E0001}')).toBe('"\u{1F47D}\\U000e0001"');
  });
});
