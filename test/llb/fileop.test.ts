import { describe, expect, it } from 'vitest';
import {
  copy, decodeDefinition, type FileAction, image, local, marshal, mkdir, mkfile, type Op, parseOwner, rm,
  scratch, type State, symlink,
} from '../../src/llb/index.js';

function rootOp(s: State): Op {
  const def = decodeDefinition(marshal(s));
  return def.ops.get(def.root!.digest)!;
}

function actionsOf(s: State): { op: Op; actions: FileAction[] } {
  const op = rootOp(s);
  if (op.kind !== 'file') throw new Error(`root is a ${op.kind} op`);
  return { op, actions: op.file.actions };
}

describe('file actions', () => {
  it('resolve relative paths against the dir of the state they apply to', () => {
    const s = image('alpine').dir('/app').file(mkdir('data', 0o755).mkfile('data/f', 0o644, 'x').rm('old').symlink('f', 'data/l'));
    const paths = actionsOf(s).actions.map((a) => ('path' in a.action ? a.action.path : 'newpath' in a.action ? a.action.newpath : ''));
    // Symlink paths are kept as written, as BuildKit does.
    expect(paths).toEqual(['/app/data', '/app/data/f', '/app/old', 'data/l']);
    const sym = actionsOf(s).actions[3]!.action;
    expect(sym).toMatchObject({ type: 'symlink', oldpath: 'f' });
  });

  it('copy: src relative to the source state dir, dest keeps a trailing slash or /.', () => {
    const ctx = local('context').dir('/sub');
    const base = image('alpine').dir('/app');
    const a = actionsOf(base.file(copy(ctx, 'src/../lib', 'out/'))).actions[0]!.action;
    expect(a).toMatchObject({ type: 'copy', src: '/sub/lib', dest: '/app/out/' });
    const b = actionsOf(base.file(copy(ctx, '/abs', '.'))).actions[0]!.action;
    expect(b).toMatchObject({ src: '/abs', dest: '/app' });
    const c = actionsOf(base.file(copy(ctx, 'x', './'))).actions[0]!.action;
    expect(c).toMatchObject({ dest: '/app/' });
    const d = actionsOf(base.file(copy(ctx, 'x', 'y/.'))).actions[0]!.action;
    expect(d).toMatchObject({ dest: '/app/y/.' });
    const e = actionsOf(scratch().file(copy(ctx, 'x', '/.'))).actions[0]!.action;
    expect(e).toMatchObject({ dest: '/.' });
  });

  it('copy carries every option', () => {
    const ctx = local('context');
    const a = actionsOf(scratch().file(copy(ctx, '*.go', '/dst/', {
      owner: 'app:staff', mode: 0o755, followSymlinks: true, copyDirContentsOnly: true, attemptUnpack: true,
      createDestPath: true, allowWildcard: true, allowEmptyWildcard: true, timestamp: new Date(1_000),
      includePatterns: ['a/**'], excludePatterns: ['*.md'], requiredPaths: ['a'], alwaysReplaceExistingDestPaths: true,
    }))).actions[0]!.action;
    expect(a).toEqual({
      type: 'copy', src: '/*.go', dest: '/dst/',
      owner: { user: { name: 'app', input: -1 }, group: { name: 'staff', input: -1 } },
      mode: 0o755, followSymlink: true, dirCopyContents: true, attemptUnpackDockerCompatibility: true,
      createDestPath: true, allowWildcard: true, allowEmptyWildcard: true, timestamp: 1_000_000_000n,
      includePatterns: ['a/**'], excludePatterns: ['*.md'], requiredPaths: ['a'], alwaysReplaceExistingDestPaths: true,
    });
    const sym = actionsOf(scratch().file(copy(ctx, 'a', 'b', { modeStr: 'u+x' }))).actions[0]!.action;
    expect(sym).toMatchObject({ modeStr: 'u+x' });
    expect(sym).not.toHaveProperty('mode');
  });

  it('names in owners resolve in the base input; ids need none', () => {
    const { op, actions } = actionsOf(image('alpine').file(mkdir('/d', 0o700, { owner: 'www-data:0' })));
    expect(op.inputs).toHaveLength(1);
    expect(actions[0]!.action).toMatchObject({ owner: { user: { name: 'www-data', input: 0 }, group: { id: 0 } } });
  });

  it('parseOwner follows BuildKit WithUser', () => {
    expect(parseOwner('root')).toEqual({ user: { id: 0 } });
    expect(parseOwner('1000:1000')).toEqual({ user: { id: 1000 }, group: { id: 1000 } });
    expect(parseOwner('app:root')).toEqual({ user: { name: 'app' }, group: { id: 0 } });
    expect(parseOwner('99999999999')).toEqual({ user: { name: '99999999999' } });
  });

  it('mkdir/mkfile masks the mode to permission bits', () => {
    const a = actionsOf(scratch().file(mkdir('/d', 0o4755).mkfile('/d/f', 0o100644, ''))).actions;
    expect(a[0]!.action).toMatchObject({ mode: 0o755 });
    expect(a[1]!.action).toMatchObject({ mode: 0o644 });
  });
});

describe('file op input wiring (BuildKit relative indexes)', () => {
  it('chained actions: first reads the base input, later ones the previous action', () => {
    const ctx = local('context');
    const { op, actions } = actionsOf(image('alpine').file(mkdir('/a', 0o755).copy(ctx, 'x', '/a/x').rm('/a/y')));
    expect(op.inputs).toHaveLength(2);
    expect(actions.map((a) => [a.input, a.secondaryInput, a.output])).toEqual([
      [0, -1, -1],
      [2, 1, -1], // 2 = inputs.length + action 0
      [3, -1, 0], // 3 = inputs.length + action 1
    ]);
  });

  it('on scratch the first action has no input', () => {
    const { op, actions } = actionsOf(scratch().file(mkfile('/f', 0o644, 'hi')));
    expect(op.inputs).toEqual([]);
    expect(actions[0]).toMatchObject({ input: -1, secondaryInput: -1, output: 0 });
  });

  it('copy from a chain bound to another state (withState) adds its actions first', () => {
    const src = mkdir('/gen', 0o755).mkfile('/gen/f', 0o644, 'x');
    const base = image('alpine');
    const { op, actions } = actionsOf(base.file(copy(src.withState(scratch()), '/gen/f', '/f')));
    expect(op.inputs).toHaveLength(1); // only the base image; the source chain starts on scratch
    expect(actions.map((a) => a.action.type)).toEqual(['mkdir', 'mkfile', 'copy']);
    expect(actions[2]).toMatchObject({ input: 0, secondaryInput: 2, output: 0 }); // 1 input + action 1
  });

  it('file ops carry no platform', () => {
    expect(rootOp(image('alpine').file(rm('/x')))).not.toHaveProperty('platform');
  });

  it('the same source state used twice is one input', () => {
    const ctx = local('context');
    const { op, actions } = actionsOf(scratch().file(copy(ctx, 'a', '/a').copy(ctx, 'b', '/b')));
    expect(op.inputs).toHaveLength(1);
    expect(actions.map((a) => a.secondaryInput)).toEqual([0, 0]);
  });

  it('an empty user name (--chown=:grp) is written as uid 0, as BuildKit\'s UserOpt.marshal', () => {
    // BuildKit (and docker 20.10) build `COPY --chown=:grp f /f` as 0:<gid of grp>.
    const { actions } = actionsOf(image('busybox').file(mkdir('/d', 0o755, { owner: ':grp' })));
    expect(actions[0]!.action).toMatchObject({ owner: { user: { id: 0 }, group: { name: 'grp', input: 0 } } });
  });

  it('symlink keeps owner and timestamp', () => {
    const a = actionsOf(scratch().file(symlink('/t', '/l', { owner: { user: { id: 1 }, group: { id: 2 } }, timestamp: 5n }))).actions[0]!;
    expect(a.action).toEqual({ type: 'symlink', oldpath: '/t', newpath: '/l', owner: { user: { id: 1 }, group: { id: 2 } }, timestamp: 5n });
  });
});
