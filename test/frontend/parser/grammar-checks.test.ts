// The bundle skips chevrotain's grammar validations (scripts/build.mjs); the tests are where
// the grammar is checked, so they must run with the checks on.
import { describe, expect, it } from 'vitest';
import { checkGrammar } from '../../../src/frontend/dockerfile/parser/grammar-checks.js';
import { parseDockerfile } from '../../../src/frontend/dockerfile/parser/index.js';

describe('grammar checks', () => {
  it('are on when the sources run, and the parser passes them (with either escape character)', () => {
    expect(checkGrammar).toBe(true);
    expect(() => parseDockerfile('FROM a\nRUN b \\\n  c\n')).not.toThrow();
    expect(() => parseDockerfile('# escape=`\nFROM a\nRUN b `\n  c\n')).not.toThrow();
  });
});
