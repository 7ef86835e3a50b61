// moby/patternmatcher semantics used by COPY --exclude and --parents.
import { describe, expect, it } from 'vitest';
import { PatternMatcher } from '../../../src/solver/fileop/pattern-matcher.js';

const m = (patterns: string[], file: string): boolean => new PatternMatcher(patterns).matches(file);

describe('PatternMatcher', () => {
  it('matches a path or any of its parents', () => {
    expect(m(['a/b'], 'a/b')).toBe(true);
    expect(m(['a/b'], 'a/b/c/d')).toBe(true);
    expect(m(['a/b'], 'a')).toBe(false);
    expect(m(['a/b'], 'a/bc')).toBe(false);
  });
  it('* and ? stay within one component, ** spans directories', () => {
    expect(m(['*.txt'], 'x.txt')).toBe(true);
    expect(m(['*.txt'], 'd/x.txt')).toBe(false);
    expect(m(['**/*.txt'], 'd/e/x.txt')).toBe(true);
    expect(m(['**/*.txt'], 'x.txt')).toBe(true);
    expect(m(['a/**'], 'a/b/c')).toBe(true);
    expect(m(['?.md'], 'ab.md')).toBe(false);
    expect(m(['a/*/c'], 'a/b/c')).toBe(true);
    expect(m(['a/*/c'], 'a/b/x')).toBe(false);
  });
  it('later exclusions (!) re-include', () => {
    expect(m(['*.txt', '!keep.txt'], 'keep.txt')).toBe(false);
    expect(m(['*.txt', '!keep.txt'], 'drop.txt')).toBe(true);
    expect(m(['!keep.txt', '*.txt'], 'keep.txt')).toBe(true);
  });
  it('regex characters are literal and leading slashes / ./ are cleaned', () => {
    expect(m(['a.b'], 'axb')).toBe(false);
    expect(m(['a.b'], 'a.b')).toBe(true);
    expect(m(['(x)+'], '(x)+')).toBe(true);
    expect(m(['/a/./b/'], 'a/b')).toBe(true);
    expect(m(['[ab]*'], 'bcd')).toBe(true);
  });
});
