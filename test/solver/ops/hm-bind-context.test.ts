// RUN --mount=type=bind from the build context shows the context as BuildKit transfers it:
// .dockerignore'd files absent, every entry 0:0 (the client's resetUIDAndGID), modes kept; and
// a subpath through a symlink resolves inside the mounted tree.
import { chmodSync, chownSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { slipwayBuild, tempDir } from '../build/slipway.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function setup(dockerfile: string[]) {
  const root = tempDir('hm-bind-root');
  const ctx = tempDir('hm-bind-ctx');
  const out = tempDir('hm-bind-out');
  dirs.push(root, ctx, out);
  writeFileSync(path.join(ctx, 'Dockerfile'), [...dockerfile, ''].join('\n'));
  return { root, ctx, out };
}

describe('bind mounts of the build context', () => {
  it('.dockerignore applies and owners are 0:0, read-only and read-write alike', () => {
    const { root, ctx, out } = setup([
      'FROM 127.0.0.1:5100/library/busybox:latest',
      'RUN --mount=type=bind,target=/c find /c -exec stat -c "%n %a %u %g" {} + | sort > /ro',
      'RUN --mount=type=bind,target=/c,rw find /c -exec stat -c "%n %a %u %g" {} + | sort > /rw && touch /c/new',
      'RUN --mount=type=bind,source=sub,target=/s find /s -exec stat -c "%n %a %u %g" {} + | sort > /sub',
    ]);
    writeFileSync(path.join(ctx, '.dockerignore'), 'ignored.txt\nsub/deep\n');
    writeFileSync(path.join(ctx, 'ignored.txt'), 'x');
    writeFileSync(path.join(ctx, 'owned.txt'), 'o');
    chownSync(path.join(ctx, 'owned.txt'), 1234, 5678);
    chmodSync(path.join(ctx, 'owned.txt'), 0o640);
    mkdirSync(path.join(ctx, 'sub', 'deep'), { recursive: true });
    chmodSync(path.join(ctx, 'sub'), 0o750);
    chownSync(path.join(ctx, 'sub'), 1234, 5678);
    writeFileSync(path.join(ctx, 'sub', 'deep', 'd'), 'd');
    writeFileSync(path.join(ctx, 'sub', 'k'), 'k');
    const r = slipwayBuild(root, ['-o', `type=local,dest=${out}`, ctx]);
    expect(r.status, r.stderr).toBe(0);
    const expected = ['/c 755 0 0', '/c/.dockerignore 644 0 0', '/c/Dockerfile 644 0 0', '/c/owned.txt 640 0 0', '/c/sub 750 0 0', '/c/sub/k 644 0 0'];
    expect(readFileSync(path.join(out, 'ro'), 'utf8').trim().split('\n')).toEqual(expected);
    expect(readFileSync(path.join(out, 'rw'), 'utf8').trim().split('\n')).toEqual(expected);
    expect(readFileSync(path.join(out, 'sub'), 'utf8').trim().split('\n')).toEqual(['/s 750 0 0', '/s/k 644 0 0']);
  });

  it('a source through an absolute symlink of a stage resolves inside that stage', () => {
    const { root, ctx, out } = setup([
      'FROM 127.0.0.1:5100/library/busybox:latest AS a',
      'RUN mkdir /hm-only-in-stage && echo stage > /hm-only-in-stage/marker && ln -s /hm-only-in-stage /link',
      'FROM 127.0.0.1:5100/library/busybox:latest',
      'RUN --mount=type=bind,from=a,source=/link,target=/x cat /x/marker > /got',
    ]);
    const r = slipwayBuild(root, ['-o', `type=local,dest=${out}`, ctx]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(path.join(out, 'got'), 'utf8')).toBe('stage\n');
  });
});
