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
  });
  // BuildKit parses --chmod with tonistiigi/dchapes-mode (BSD setmode), not GNU chmod's rules.
  it('X looks at the mode before any clause (BSD setmode): u+x,a+X leaves a 0644 file 0744', () => {
    expect(apply('u+x,a+X', 0o644)).toBe('744');
    expect(apply('a-x,a+X', 0o755)).toBe('755');
    expect(apply('a-x,a+X', 0o644, true)).toBe('755');
  });
  it('X counts only with +: =rX and -X ignore it, so u=rwX,go=rX gives a directory 0644', () => {
    expect(apply('u=rwX,go=rX', 0o755, true)).toBe('644');
    expect(apply('a-X', 0o755, true)).toBe('755');
  });
  it('a and an empty who leave the sticky bit alone; o+s and o+t do nothing', () => {
    expect(apply('=rw', 0o1755, true)).toBe('1666');
    expect(apply('a=r', 0o3755, true)).toBe('1444');
    expect(apply('o+t', 0o755, true)).toBe('755');
    expect(apply('o+s', 0o755)).toBe('755');
    expect(apply('u=rwx', 0o4755)).toBe('755');
  });
  it('s and t', () => {
    expect(apply('u+s', 0o755)).toBe('4755');
    expect(apply('g+s', 0o755)).toBe('2755');
    expect(apply('+s', 0o755)).toBe('6755');
    expect(apply('+t', 0o755, true)).toBe('1755');
    expect(apply('+rt', 0o700, true)).toBe('1700');
  });
  it('copies another class\'s bits (g=u, go=u-w) and takes several operations per clause', () => {
    expect(apply('g=u', 0o750)).toBe('770');
    expect(apply('go=u-w', 0o700)).toBe('755');
    expect(apply('u+r-w', 0o644)).toBe('444');
    expect(apply('o=g', 0o751)).toBe('755');
  });
  it('rejects malformed strings', () => {
    expect(() => compileModeString('u+q')).toThrow(ModeStringError);
    expect(() => compileModeString('x+u')).toThrow(ModeStringError);
    expect(() => compileModeString('u+x,')).toThrow(ModeStringError);
    expect(() => compileModeString('u')).toThrow(ModeStringError);
    expect(() => compileModeString('')).toThrow(ModeStringError);
  });
});
