import { describe, expect, it } from 'vitest';
import { dumpAST, parseDockerfile } from '../../../src/frontend/dockerfile/parser/index.js';
import { parseError } from './parse-error.js';

const dump = (src: string) => dumpAST(parseDockerfile(src));

describe('lines, continuations and comments', () => {
  it('accepts CRLF line endings and gives the same AST as LF', () => {
    const lf = 'FROM x\nRUN a \\\n  b\n# c\nENV A=1 B="2 3"\n';
    expect(dump(lf.replace(/\n/g, '\r\n'))).toBe(dump(lf));
    expect(dump(lf)).toBe('(from "x")\n(run "a   b")\n(env "A" "1" "=" "B" "\\"2 3\\"" "=")');
  });

  it('strips a UTF-8 BOM and keeps columns relative to the text after it', () => {
    const ast = parseDockerfile('\ufeffFROM x\n');
    expect(dumpAST(ast)).toBe('(from "x")');
    expect(ast.source).toBe('FROM x\n');
    expect(ast.children[0]!.range.start).toEqual({ line: 1, column: 0 });
  });

  it('joins continuations without adding anything and keeps the next line\'s indentation', () => {
    expect(dump('RUN echo hello\\\n  world')).toBe('(run "echo hello  world")');
    expect(dump('RUN a \\   \nb')).toBe('(run "a b")');
  });

  it('skips comments and blank lines inside a continuation, warning about blank ones', () => {
    const ast = parseDockerfile('FROM x\nRUN a \\\n# comment \\\n\n   \n  b\nRUN c\n');
    expect(dumpAST(ast)).toBe('(from "x")\n(run "a   b")\n(run "c")');
    expect(ast.children[1]!.range).toEqual({ start: { line: 2, column: 0 }, end: { line: 6, column: 3 } });
    expect(ast.warnings).toHaveLength(1);
    expect(ast.warnings[0]!.message).toBe('Empty continuation line found in: RUN a   b');
  });

  it('ends an instruction at end of file after a trailing escape', () => {
    expect(dump('FROM x\nRUN a \\')).toBe('(from "x")\n(run "a")');
    expect(dump('FROM x\nRUN a \\\n# only a comment follows\n')).toBe('(from "x")\n(run "a")');
  });

  it('keeps BuildKit\'s oddities: an escape alone makes an empty instruction, a blank line does not end a continuation', () => {
    expect(dump('FROM x\n\\')).toBe('(from "x")\n("")');
    expect(dump('RUN a\\\n\nFROM b')).toBe('(run "aFROM b")');
    expect(dump('EXPOSE 80  443/udp\nENV\nCOPY --from=x')).toBe('(expose "80" "443/udp")\n(env)\n(copy ["--from=x"])');
  });

  it('does not treat an escaped escape at end of line as a continuation', () => {
    expect(dump('RUN a\\\\\nRUN b')).toBe('(run "a\\\\\\\\")\n(run "b")');
  });

  it('records comments above an instruction and the original line', () => {
    const ast = parseDockerfile('# first\n  # second\nFROM x\nRUN a \\\n  b\n');
    expect(ast.children[0]!.comments).toEqual(['first', '# second']);
    expect(ast.children[1]!.comments).toEqual([]);
    expect(ast.children[1]!.original).toBe('RUN a   b');
  });

  it('keeps unknown keywords and the keyword as written', () => {
    const ast = parseDockerfile('From x\nfoo bar baz\n');
    expect(dumpAST(ast)).toBe('(from "x")\n(foo "")');
    expect(ast.children[0]!.keywordAsWritten).toBe('From');
  });

  it('parses flags, stopping at the first non-flag word or a bare --', () => {
    const ast = parseDockerfile('COPY --from=a "--chown=b c" --link -- --x y\n');
    expect(ast.children[0]!.flags).toEqual(['--from=a']);
    expect(dumpAST(parseDockerfile('COPY --a="x y" --b=\'z\' src dst'))).toBe('(copy ["--a=x y" "--b=z"] "src" "dst")');
  });

  it('decides JSON vs shell form like BuildKit', () => {
    const ast = parseDockerfile('CMD ["a", "b"]\nCMD ["a" "b"]\nCMD [] \nCMD ["a"] trailing\nRUN [\'x\']\n');
    expect(ast.children.map((c) => [c.args, c.json])).toEqual([
      [['a', 'b'], true],
      [['["a" "b"]'], false],
      [[], true],
      // Text after the array makes the line shell form (json.Unmarshal, buildkit#5107).
      [['["a"] trailing'], false],
      [["['x']"], false],
    ]);
    expect(parseDockerfile('CMD ["a", 1] x').children[0]!.args).toEqual(['["a", 1] x']);
    expect(parseDockerfile('COPY ["a", "b"] c').children[0]!.args).toEqual(['["a",', '"b"]', 'c']);
    expect(parseDockerfile('CMD ["a"] \t').children[0]!.json).toBe(true); // trailing whitespace is fine
    // A number Go cannot hold in a float64 is a decode error there, hence shell form.
    expect(parseDockerfile('CMD [1e400]').children[0]!.args).toEqual(['[1e400]']);
    expect(parseError('CMD ["a", 1]').reason).toBe(
      'when using JSON array syntax, arrays must be comprised of strings only',
    );
  });

  it('handles ENV/LABEL/ARG word forms', () => {
    expect(dump('ENV A b c')).toBe('(env "A" "b c" "")');
    expect(dump('LABEL "a b"=c d=\'e f\'')).toBe('(label "\\"a b\\"" "c" "=" "d" "\'e f\'" "=")');
    expect(dump('ARG a="1 2" b')).toBe('(arg "a=\\"1 2\\"" "b")');
    expect(parseError('ENV a=b c').reason).toBe('Syntax error - can\'t find = in "c". Must be of the form: name=value');
    expect(parseError('LABEL x').reason).toBe('LABEL must have two arguments');
  });

  it('parses HEALTHCHECK, ONBUILD and empty instructions', () => {
    expect(dump('HEALTHCHECK NONE')).toBe('(healthcheck "NONE")');
    expect(dump('HEALTHCHECK --retries=3 CMD curl -f x')).toBe('(healthcheck ["--retries=3"] "CMD" "curl -f x")');
    expect(dump('HEALTHCHECK')).toBe('(healthcheck)');
    expect(dump('ONBUILD RUN ["echo", "x"]')).toBe('(onbuild (run "echo" "x"))');
    expect(dump('ONBUILD')).toBe('(onbuild)');
  });

  it('rejects a line longer than 64 KiB - 1 bytes', () => {
    const long = 'x'.repeat(65536);
    const err = parseError(`FROM x\nRUN ${long}\n`);
    expect(err.reason).toBe('dockerfile line greater than max allowed size of 65535');
    expect(err.line).toBe(2);
    // Exactly at the limit is fine (65535 bytes before the newline).
    expect(parseDockerfile(`FROM x\nRUN ${'y'.repeat(65535 - 4)}\n`).children).toHaveLength(2);
  });
});
