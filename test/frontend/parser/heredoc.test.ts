import { describe, expect, it } from 'vitest';
import { DockerfileError } from '../../../src/frontend/dockerfile/errors.js';
import { dumpAST, parseDockerfile } from '../../../src/frontend/dockerfile/parser/index.js';
import { heredocsFromLine, parseHeredocWord } from '../../../src/frontend/dockerfile/parser/heredoc.js';

const heredocsOf = (src: string) => parseDockerfile(src).children.map((c) => c.heredocs);

describe('heredocs', () => {
  it('reads BuildKit\'s heredoc table (parser_heredoc_test)', () => {
    const src = [
      'FROM alpine:3.6',
      'RUN <<EMPTY',
      'EMPTY',
      'RUN 3<<EMPTY2',
      'EMPTY2',
      'RUN "<<NOHEREDOC"',
      'RUN <<INDENT',
      '\tfoo',
      '\tbar',
      'INDENT',
      'RUN <<-UNINDENT2',
      '\tbaz',
      '\tUNINDENT2',
      "RUN <<-'NOEXPAND'",
      "\tdon't expand $NAME",
      'NOEXPAND',
      'RUN <<COMMENT',
      '# internal comment',
      'echo foo bar # trailing comment',
      'COMMENT',
      'RUN --mount=type=cache,target=/foo <<MOUNT',
      'echo hello',
      'MOUNT',
      '',
    ].join('\n');
    const h = heredocsOf(src);
    expect(h[0]).toEqual([]);
    expect(h[1]).toEqual([{ name: 'EMPTY', content: '', fileDescriptor: 0, expand: true, chomp: false }]);
    expect(h[2]).toEqual([{ name: 'EMPTY2', content: '', fileDescriptor: 3, expand: true, chomp: false }]);
    expect(h[3]).toEqual([]);
    expect(h[4]![0]!.content).toBe('\tfoo\n\tbar\n');
    expect(h[5]).toEqual([{ name: 'UNINDENT2', content: '\tbaz\n', fileDescriptor: 0, expand: true, chomp: true }]);
    expect(h[6]).toEqual([
      { name: 'NOEXPAND', content: "\tdon't expand $NAME\n", fileDescriptor: 0, expand: false, chomp: true },
    ]);
    expect(h[7]![0]!.content).toBe('# internal comment\necho foo bar # trailing comment\n');
    expect(h[8]![0]!.name).toBe('MOUNT');
  });

  it('reads several heredocs on one line, bodies in order', () => {
    const src = 'FROM x\nCOPY <<FILE1 <<FILE2 /dest\ncontent 1\nFILE1\ncontent 2\nFILE2\nCOPY <<X <<Y /dest\nY\nX\nX\nY\n';
    const [, a, b] = heredocsOf(src);
    expect(a!.map((h) => [h.name, h.content])).toEqual([
      ['FILE1', 'content 1\n'],
      ['FILE2', 'content 2\n'],
    ]);
    expect(b!.map((h) => [h.name, h.content])).toEqual([
      ['X', 'Y\n'],
      ['Y', 'X\n'],
    ]);
  });

  it('dumps only the instruction line and spans the body in the range', () => {
    const ast = parseDockerfile('FROM x\nRUN <<EOF\necho hi\nEOF\nRUN true\n');
    expect(dumpAST(ast)).toBe('(from "x")\n(run "<<EOF")\n(run "true")');
    expect(ast.children[1]!.range).toEqual({ start: { line: 2, column: 0 }, end: { line: 4, column: 3 } });
    expect(ast.children[2]!.range.start.line).toBe(5);
  });

  it('follows BuildKit\'s quote counting for escaped and partly quoted delimiters', () => {
    const src = "FROM x\nRUN <<eo'f'\necho foo\neof\nRUN <<eo\\'f\necho foo\neo'f\nRUN <<'e'o\\'f\necho foo\neo'f\n" +
      "RUN <<'one two'\necho bar\none two\nRUN <<$EOF\n$EOF\nRUN <<  EOF\nEOF\n";
    const h = heredocsOf(src).slice(1).map((hs) => hs.map((x) => [x.name, x.expand, x.content]));
    expect(h).toEqual([
      [['eof', false, 'echo foo\n']],
      [["eo'f", true, 'echo foo\n']],
      [["eo'f", false, 'echo foo\n']],
      [['one two', false, 'echo bar\n']],
      [['$EOF', true, '']],
      [['EOF', true, '']],
    ]);
  });

  it('rejects a heredoc word with an unterminated quote and ignores non-heredoc words', () => {
    for (const bad of ["<<'EOF", '<<"EOF', "<<EOF'", '<<EOF"']) expect(() => parseHeredocWord(bad), bad).toThrow();
    for (const not of ['', 'EOF', '<<', '<<-', '<EOF', '<<<EOF', '<<EOF sh']) expect(parseHeredocWord(not), not).toBeUndefined();
    expect(parseHeredocWord('<<EO"F"')?.name).toBe('EOF');
  });

  it('treats quoted delimiters (any part) as literal bodies', () => {
    for (const [word, expand] of [
      ['<<EOF', true],
      ["<<'EOF'", false],
      ['<<"EOF"', false],
      ["<<E'OF'", false],
      ['<<-"EOF"', false],
    ] as const) {
      const h = parseHeredocWord(word);
      expect(h?.name, word).toBe('EOF');
      expect(h?.expand, word).toBe(expand);
    }
  });

  it('does not take quoted or glued << for heredocs (BuildKit\'s word splitting)', () => {
    expect(heredocsFromLine("RUN '<<EOF'")).toEqual([]);
    expect(heredocsFromLine('RUN "<<EOF"')).toEqual([]);
    expect(heredocsFromLine('RUN echo a<<EOF')).toEqual([]);
    expect(heredocsFromLine('RUN echo "x <<EOF y"')).toEqual([]);
    expect(heredocsFromLine('RUN cat <<<EOF')).toEqual([]);
    // BuildKit's lexer keeps the blanks after `<<` in the word.
    expect(heredocsFromLine('RUN cat <<  EOF > foo').map((h) => h.name)).toEqual(['EOF']);
    expect(heredocsFromLine('RUN cat <<EOF sh').map((h) => h.name)).toEqual(['EOF']);
    expect(heredocsFromLine('RUN <<EOF <<EOF2').map((h) => h.name)).toEqual(['EOF', 'EOF2']);
    expect(heredocsFromLine('RUN 4<<EOF')[0]!.fileDescriptor).toBe(4);
    // An unterminated quote makes the shell lexer fail: no heredocs at all.
    expect(heredocsFromLine("RUN <<EOF 'oops")).toEqual([]);
  });

  it('only RUN, COPY and ADD in shell form carry heredocs, also inside ONBUILD', () => {
    const src = 'FROM x\nUSER <<INVALID\nINVALID\nRUN ["<<EOF"]\nONBUILD RUN <<EOF\nbody\nEOF\nADD <<A /a\nx\nA\n';
    const ast = parseDockerfile(src);
    expect(ast.children.map((c) => c.keyword)).toEqual(['from', 'user', 'invalid', 'run', 'onbuild', 'add']);
    expect(ast.children.map((c) => c.heredocs.map((h) => h.name))).toEqual([[], [], [], [], ['EOF'], ['A']]);
    expect(ast.children[4]!.inner!.keyword).toBe('run');
  });

  it('keeps CRLF line endings inside bodies and still finds the terminator', () => {
    const ast = parseDockerfile('FROM x\r\nRUN <<EOF\r\necho hi\r\nEOF\r\n');
    expect(ast.children[1]!.heredocs[0]!.content).toBe('echo hi\r\n');
  });

  it('fails on a missing terminator, pointing at the instruction', () => {
    let err: unknown;
    try {
      parseDockerfile('FROM x\nRUN <<EOF\necho hi\nEOFX\n');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DockerfileError);
    const e = err as DockerfileError;
    expect(e.reason).toBe('unterminated heredoc');
    expect(e.line).toBe(2);
    expect(e.location?.range.end.line).toBe(4);
    // The second of two heredocs unterminated fails too.
    expect(() => parseDockerfile('FROM x\nCOPY <<A <<B /d\na\nA\nb\n')).toThrow('unterminated heredoc');
  });
});
