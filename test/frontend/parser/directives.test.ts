import { describe, expect, it } from 'vitest';
import { dumpAST, parseDockerfile } from '../../../src/frontend/dockerfile/parser/index.js';
import { parseError } from './parse-error.js';

describe('parser directives', () => {
  it('reads syntax, escape and check at the top, case-insensitively', () => {
    const ast = parseDockerfile('# Syntax = docker/dockerfile:1  \n#ESCAPE=`\n# check=skip=all;error=true\nFROM x\n');
    expect(ast.directives).toEqual({ syntax: 'docker/dockerfile:1', escape: '`', check: 'skip=all;error=true' });
    expect(ast.escapeToken).toBe('`');
  });

  it('switches the escape and continuation character', () => {
    const ast = parseDockerfile('# escape=`\nFROM x\nRUN echo a `\n  b\nRUN dir c:\\windows\\\n');
    expect(dumpAST(ast)).toBe('(from "x")\n(run "echo a   b")\n(run "dir c:\\\\windows\\\\")');
  });

  it('stops at a blank line, an ordinary comment or an instruction', () => {
    expect(parseDockerfile('\n# escape=`\nFROM x\n').escapeToken).toBe('\\');
    expect(parseDockerfile('# hello\n# escape=`\nFROM x\n').escapeToken).toBe('\\');
    expect(parseDockerfile('FROM x\n# escape=`\n').escapeToken).toBe('\\');
    // An unknown key ends detection too.
    expect(parseDockerfile('# foo=bar\n# escape=`\nFROM x\n').directives).toEqual({});
    // After detection ended, a repeated directive is just a comment.
    expect(parseDockerfile('# escape=`\n\n# escape=\\\nFROM x\n').escapeToken).toBe('`');
  });

  it('rejects a repeated directive, pointing at its line', () => {
    const err = parseError('# syntax=a\n# SYNTAX=b\nFROM x\n');
    expect(err.reason).toBe('only one syntax parser directive can be used');
    expect(err.line).toBe(2);
  });

  it('rejects an invalid escape token', () => {
    const err = parseError('# escape=x\nFROM x\n');
    expect(err.reason).toBe("invalid escape token 'x' does not match ` or \\");
    expect(err.line).toBe(1);
    expect(parseError('# escape=\\\\\nFROM x\n').reason).toContain("'\\\\'");
  });

  it('accepts a directive after a BOM, with leading blanks', () => {
    expect(parseDockerfile('\ufeff  # escape=`\nFROM x\n').escapeToken).toBe('`');
  });
});
