import { describe, expect, it } from 'vitest';
import { parseInstructions } from '../../../src/frontend/dockerfile/instructions/index.js';
import { parseDockerfile } from '../../../src/frontend/dockerfile/parser/index.js';
import { errorOf } from './helpers.js';

const parseText = (text: string, file = 'Dockerfile') => parseInstructions(parseDockerfile(text, { file }));

describe('parseInstructions', () => {
  it('splits stages, keeps global ARGs apart and numbers stages from 0', () => {
    const { stages, metaArgs } = parseText(
      [
        'ARG GO_VERSION=1.22',
        'ARG BASE',
        'FROM golang:${GO_VERSION} AS Build',
        'ARG GO_VERSION',
        'RUN go build -o /app .',
        'FROM --platform=linux/amd64 ${BASE:-alpine}',
        'COPY --from=build /app /app',
        'CMD ["/app"]',
      ].join('\n'),
    );
    expect(metaArgs.map((a) => a.args)).toEqual([
      [{ key: 'GO_VERSION', value: '1.22', comment: '' }],
      [{ key: 'BASE', value: undefined, comment: '' }],
    ]);
    expect(stages.map((s) => [s.index, s.name, s.baseName, s.platform])).toEqual([
      [0, 'build', 'golang:${GO_VERSION}', ''],
      [1, '', '${BASE:-alpine}', 'linux/amd64'],
    ]);
    expect(stages[0]!.commands.map((c) => c.kind)).toEqual(['arg', 'run']);
    expect(stages[1]!.commands.map((c) => c.kind)).toEqual(['copy', 'cmd']);
    expect(stages[1]!.from.range.start.line).toBe(6);
  });

  it('rejects instructions other than ARG before the first FROM', () => {
    const err = errorOf(() => parseText('ARG A\nRUN true\nFROM x'));
    expect(err.reason).toBe('no build stage in current context');
    expect(err.line).toBe(2);
  });

  it('reports the first failing instruction with file, line and column', () => {
    const text = 'FROM alpine\n\nRUN true\nRUNN echo hi\nCMD x\n';
    const err = errorOf(() => parseText(text, 'build/Dockerfile.dev'));
    expect(err.reason).toBe('unknown instruction: RUNN (did you mean RUN?)');
    expect(err.file).toBe('build/Dockerfile.dev');
    expect(err.line).toBe(4);
    expect(err.column).toBe(1);
    expect(err.message).toBe('build/Dockerfile.dev:4:1: unknown instruction: RUNN (did you mean RUN?)');
    const shown = err.format();
    expect(shown).toContain('build/Dockerfile.dev:4\n');
    expect(shown).toContain('>>> RUNN echo hi');
    expect(shown).toContain('ERROR: build/Dockerfile.dev:4:1: unknown instruction: RUNN (did you mean RUN?)');
  });

  it('marks every line of a multi-line instruction', () => {
    const text = 'FROM alpine\nCOPY --chown=a \\\n  --bogus=1 \\\n  a b\n';
    const err = errorOf(() => parseText(text));
    expect(err.reason).toMatch(/^unknown flag: --bogus/);
    expect(err.location?.range.start.line).toBe(2);
    expect(err.location?.range.end.line).toBe(4);
    expect(err.format()).toContain('Dockerfile:2\n--------------------\n   1 |     FROM alpine\n   2 | >>> COPY --chown=a \\\n   3 | >>>   --bogus=1 \\\n   4 | >>>   a b\n   5 |     \n---');
  });

  it('handles an ONBUILD inside a stage and a CRLF/BOM file', () => {
    const { stages } = parseText('\ufeffFROM alpine\r\nONBUILD COPY . /app\r\nONBUILD RUN make\r\n');
    expect(stages[0]!.commands.map((c) => (c.kind === 'onbuild' ? c.expression : c.kind))).toEqual(['COPY . /app', 'RUN make']);
  });

  it('keeps the escape directive\'s effect on arguments (Windows files)', () => {
    const { stages } = parseText('# escape=`\nFROM mcr.microsoft.com/windows/servercore\nRUN dir `\n  C:\\\nWORKDIR C:\\app');
    const [run, workdir] = stages[0]!.commands;
    expect(run).toMatchObject({ kind: 'run', cmdLine: ['dir   C:\\'] });
    expect(workdir).toMatchObject({ kind: 'workdir', path: 'C:\\app' });
  });
});
