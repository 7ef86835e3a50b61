import { describe, expect, it } from 'vitest';
import { expandInstruction, expandSourceContents, type Instruction } from '../../../src/frontend/dockerfile/instructions/index.js';
import { ShellLex } from '../../../src/frontend/dockerfile/shell/index.js';
import { FILE, errorOf, parse } from './helpers.js';

const env = new Map([
  ['HOME', '/root'],
  ['USER', 'app'],
  ['MODE', '0644'],
  ['SIG', 'SIGQUIT'],
  ['DIR', '/srv'],
  ['SUM', 'sha256:abc'],
]);
const lex = new ShellLex('\\');
const expand = (w: string): string => lex.processWord(w, env);

function expanded<K extends Instruction['kind']>(text: string, kind: K): Extract<Instruction, { kind: K }> {
  return expandInstruction(parse(text, kind), expand, { file: FILE, source: text });
}

describe('expandInstruction (BuildKit\'s SupportsSingleWordExpansion)', () => {
  it('expands ENV and LABEL keys and values, removing quotes', () => {
    expect(expanded('ENV A=$HOME B="x $USER"', 'env').env).toEqual([
      { key: 'A', value: '/root', noDelim: false },
      { key: 'B', value: 'x app', noDelim: false },
    ]);
    expect(expanded('ENV PATH $HOME/bin:$DIR', 'env').env).toEqual([{ key: 'PATH', value: '/root/bin:/srv', noDelim: true }]);
    expect(expanded('LABEL "owner"="$USER"', 'label').labels).toEqual([{ key: 'owner', value: 'app', noDelim: false }]);
  });

  it('leaves ARG to the converter (a --build-arg may replace the default unexpanded)', () => {
    expect(expanded('ARG A=$HOME B', 'arg').args).toEqual([
      { key: 'A', value: '$HOME', comment: '' },
      { key: 'B', value: undefined, comment: '' },
    ]);
  });

  it('expands COPY/ADD paths, --chown, --chmod and --checksum; never --from or --exclude', () => {
    const c = expanded('COPY --from=$USER --chown=$USER --chmod=$MODE --exclude=$DIR/x $HOME/a \'b$c\' $DIR/', 'copy');
    expect(c).toMatchObject({
      from: '$USER',
      chown: 'app',
      chmod: '0644',
      excludePatterns: ['$DIR/x'],
      sourcePaths: ['/root/a', 'b$c'],
      destPath: '/srv/',
    });
    const a = expanded('ADD --checksum=$SUM --chown=$USER --chmod=${MODE} http://x/$USER.tgz $DIR', 'add');
    expect(a).toMatchObject({ checksum: 'sha256:abc', chown: 'app', chmod: '0644', sourcePaths: ['http://x/app.tgz'], destPath: '/srv' });
  });

  it('expands WORKDIR, USER, VOLUME and STOPSIGNAL', () => {
    expect(expanded('WORKDIR $DIR/app', 'workdir').path).toBe('/srv/app');
    expect(expanded('USER ${USER}:${USER}', 'user').user).toBe('app:app');
    expect(expanded('VOLUME ["$DIR/data", "/logs"]', 'volume').volumes).toEqual(['/srv/data', '/logs']);
    expect(expanded('STOPSIGNAL $SIG', 'stopsignal').signal).toBe('SIGQUIT');
  });

  it('leaves command lines, EXPOSE and FROM alone', () => {
    expect(expanded('RUN echo $HOME', 'run').cmdLine).toEqual(['echo $HOME']);
    expect(expanded('CMD echo $HOME', 'cmd').cmdLine).toEqual(['echo $HOME']);
    expect(expanded('EXPOSE $PORT', 'expose').ports).toEqual(['$PORT']);
    expect(expanded('FROM $BASE', 'from').baseName).toBe('$BASE');
  });

  it('interprets RUN mounts from their expanded values', () => {
    const r = expanded('RUN --mount=type=cache,target=$HOME/.cache,uid=1000 --mount=type=secret,id=$USER true', 'run');
    expect(r.mounts).toEqual([
      { type: 'cache', from: '', source: '', target: '/root/.cache', readOnly: false, sizeLimit: 0, id: '/root/.cache', sharing: 'shared', required: false, uid: 1000 },
      { type: 'secret', from: '', source: '', target: '/run/secrets/app', readOnly: true, sizeLimit: 0, id: 'app', required: false },
    ]);
  });

  it('expands unquoted COPY/ADD heredoc bodies raw, and only those', () => {
    const text = 'COPY <<A <<"B" /dst/\nhome=$HOME "q"\nA\nuser=$USER\nB';
    const raw = new ShellLex('\\');
    raw.skipProcessQuotes = true;
    const c = expandSourceContents(parse(text, 'copy'), (w) => raw.processWord(w, env), { file: FILE, source: text });
    expect(c.sourceContents).toEqual([
      { path: 'A', data: 'home=/root "q"\n', expand: true },
      { path: 'B', data: 'user=$USER\n', expand: false },
    ]);
  });

  it('does not modify the original instruction', () => {
    const text = 'WORKDIR $DIR';
    const c = parse(text, 'workdir');
    expandInstruction(c, expand, { file: FILE, source: text });
    expect(c.path).toBe('$DIR');
  });

  it('turns expansion failures into DockerfileErrors at the instruction', () => {
    const text = 'FROM alpine\nWORKDIR ${NOPE:?is required}\n';
    const c = parse('WORKDIR ${NOPE:?is required}', 'workdir');
    const err = errorOf(() => expandInstruction({ ...c, range: { start: { line: 2, column: 0 }, end: { line: 2, column: 30 } } }, expand, { file: FILE, source: text }));
    expect(err.reason).toContain('is required');
    expect(err.line).toBe(2);
    expect(err.format()).toContain('>>> WORKDIR');
  });
});
