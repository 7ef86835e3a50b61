// COPY --chmod with a symbolic mode string.
import { describe, expect, it } from 'vitest';
import { compileModeString, ModeStringError } from '../../../src/solver/fileop/symbolic-mode.js';

const apply = (s: string, mode: number, isDir = false): string => compileModeString(s)(mode, isDir).toString(8);

describe('compileModeString', () => {
  it('adds and removes bits per class', () => {
    expect(apply('u+x', 0o644)).toBe('744');
    expect(apply('g-w', 0o664)).toBe('644');
    expect(apply('u+x,g-w', 0o664)).toBe('744');
    expect(apply('o-rwx', 0o777)).toBe('770');
  });
  it('an empty who means all classes (umask 0)', () => {
    expect(apply('+x', 0o644)).toBe('755');
    expect(apply('-w', 0o666)).toBe('444');
  });
  it('= replaces the class bits', () => {
    expect(apply('u=r', 0o755)).toBe('455');
    expect(apply('a=rw', 0o755)).toBe('666');
    expect(apply('go=', 0o755)).toBe('700');
  });
  it('X only for directories or already executable files', () => {
    expect(apply('a+X', 0o644)).toBe('644');
    expect(apply('a+X', 0o744)).toBe('755');
    expect(apply('a+X', 0o700, true)).toBe('711');
    expect(apply('u+x,a+X', 0o644)).toBe('755');
    expect(apply('a-x,a+X', 0o755)).toBe('644');
  });
  it('s and t', () => {
    expect(apply('u+s', 0o755)).toBe('4755');
    expect(apply('g+s', 0o755)).toBe('2755');
    expect(apply('+t', 0o755, true)).toBe('1755');
  });
  it('rejects malformed strings', () => {
    expect(() => compileModeString('u+q')).toThrow(ModeStringError);
    expect(() => compileModeString('x+u')).toThrow(ModeStringError);
  });
});
