// The shell-pattern → regexp conversion behind ${v#p}, ${v%p} and ${v/p/r}.
import { describe, expect, it } from 'vitest';
import { reversePattern, shellPatternToRegExp, trimSuffix } from '../../../src/frontend/dockerfile/shell/pattern.js';

describe('shellPatternToRegExp', () => {
  const matches = (pattern: string, text: string): string | undefined => {
    const re = shellPatternToRegExp(pattern, true, true);
    re.lastIndex = 0;
    return re.exec(text)?.[0];
  };

  it('treats regexp metacharacters literally', () => {
    expect(matches('(()[]{\\}^$.\\*\\?|\\\\', '(()[]{}^$.*?|\\rest')).toBe('(()[]{}^$.*?|\\');
    expect(matches('a+b', 'aab')).toBeUndefined();
    expect(matches('a.c', 'abc')).toBeUndefined();
  });

  it('maps * and ? to any run / any one code point', () => {
    expect(matches('*', 'abc')).toBe('abc');
    expect(matches('?', '👽x')).toBe('👽');
    expect(matches('\\*', '*x')).toBe('*');
    expect(matches('\\*', 'x')).toBeUndefined();
  });

  it('chooses shortest or longest for *', () => {
    const lazy = shellPatternToRegExp('*b', false, true);
    lazy.lastIndex = 0;
    expect(lazy.exec('abab')?.[0]).toBe('ab');
    expect(matches('*b', 'abab')).toBe('abab');
  });

  it('rejects escapes of anything but * ? \\ (and drops one before } or /)', () => {
    for (const bad of ['\\', '\\x', '\\\\\\']) {
      expect(() => shellPatternToRegExp(bad, true, true)).toThrow(/invalid escape/);
    }
    expect(matches('a\\/b', 'a/b')).toBe('a/b');
    expect(matches('a\\}', 'a}')).toBe('a}');
  });

  it('caches compiled patterns', () => {
    expect(shellPatternToRegExp('x*y', true, false)).toBe(shellPatternToRegExp('x*y', true, false));
    expect(shellPatternToRegExp('x*y', true, false)).not.toBe(shellPatternToRegExp('x*y', false, false));
  });
});

describe('reversePattern', () => {
  it.each([
    ['a\\*c', 'c\\*a'],
    ['\\\\\\ab', 'b\\a\\\\'],
    ['ab\\', '\\ba'],
    ['👽\\🚀🖖', '🖖\\🚀👽'],
    ['\\\\b', 'b\\\\'],
  ])('%j → %j', (pattern, want) => {
    expect(reversePattern(pattern)).toBe(want);
  });

  it('lets suffix removal keep escapes in order', () => {
    expect(trimSuffix('\\**', 'xx**', true)).toBe('xx');
    expect(trimSuffix('\\*', 'a*', false)).toBe('a');
  });
});
