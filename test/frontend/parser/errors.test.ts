import { describe, expect, it } from 'vitest';
import { parseError } from './parse-error.js';

describe('parse errors: locations and rendering', () => {
  it('locates an instruction error on its first line and spans its continuation', () => {
    const err = parseError('FROM x\n\nENV \\\n  A\nRUN b\n', 'build/Dockerfile');
    expect(err.reason).toBe('ENV must have two arguments');
    expect(err.file).toBe('build/Dockerfile');
    expect(err.line).toBe(3);
    expect(err.column).toBe(1);
    expect(err.location?.range.end).toEqual({ line: 4, column: 3 });
    expect(err.message).toBe('build/Dockerfile:3:1: ENV must have two arguments');
    // BuildKit's Source.Print: the first line in the header, one line around a longer range.
    expect(err.format()).toBe(
      [
        'build/Dockerfile:3',
        '--------------------',
        '   2 |     ',
        '   3 | >>> ENV \\',
        '   4 | >>>   A',
        '   5 |     RUN b',
        '--------------------',
        'ERROR: build/Dockerfile:3:1: ENV must have two arguments',
        '',
      ].join('\n'),
    );
  });

  it('reports the column of an indented instruction', () => {
    const err = parseError('FROM x\n    CMD ["a", ["b"]]\n');
    expect(err.line).toBe(2);
    expect(err.column).toBe(5);
  });

  it('fails an empty file and a file of comments with "file with no instructions"', () => {
    expect(parseError('').reason).toBe('file with no instructions');
    const err = parseError('# one\n\n# two\n');
    expect(err.reason).toBe('file with no instructions');
    expect(err.line).toBe(3);
    expect(err.format()).toContain('ERROR: Dockerfile:3:1: file with no instructions');
  });
});
