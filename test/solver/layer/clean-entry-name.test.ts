import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEntryName } from '../../../src/solver/layer/apply-layer.js';

// What cleanEntryName did before its fast path for names that need no normalizing.
function reference(name: string): string {
  if (name.startsWith('/')) throw new Error(`refusing absolute path in layer: ${name}`);
  const clean = path.posix.normalize(name).replace(/\/+$/, '');
  if (clean === '..' || clean.startsWith('../')) throw new Error(`refusing path outside the destination: ${name}`);
  return clean === '.' ? '' : clean;
}

function outcome(f: (name: string) => string, name: string): string {
  try {
    return `ok ${f(name)}`;
  } catch (err) {
    return `error ${(err as Error).message}`;
  }
}

describe('cleanEntryName', () => {
  it('cleans every name of up to three components as path.posix.normalize did', () => {
    const parts = ['a', '.', '..', '', 'bin', '.a', '..a', 'a.', '...', 'x/'];
    let checked = 0;
    const walk = (depth: number, prefix: string): void => {
      if (depth === 0) return;
      for (const p of parts) {
        for (const sep of ['/', '//', '']) {
          const name = prefix + p + sep;
          expect(outcome(cleanEntryName, name), JSON.stringify(name)).toBe(outcome(reference, name));
          checked++;
          walk(depth - 1, name);
        }
      }
    };
    walk(3, '');
    expect(checked).toBeGreaterThan(20_000);
    expect(cleanEntryName('usr/bin/')).toBe('usr/bin');
    expect(() => cleanEntryName('a/../../etc')).toThrow(/outside the destination/);
  });
});
