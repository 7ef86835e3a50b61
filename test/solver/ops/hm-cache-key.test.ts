// Which directory a RUN --mount=type=cache gets: BuildKit keys it by id and by the mount's input
// ref (getRefCacheDir: `id + ":" + ref.ID()`), so the same id with and without uid/gid/mode/from=
// names different caches.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheDirKey } from '../../../src/solver/ops/cache-mount.js';
import { slipwayBuild, tempDir } from '../build/slipway.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('cache mount keys', () => {
  it('the id alone without an input; id and the input chain with one', () => {
    expect(cacheDirKey('c', undefined)).toBe('c');
    expect(cacheDirKey('c', { kind: 'layers', layers: [] })).toBe('c');
    const a = cacheDirKey('c', { kind: 'layers', layers: [{ snapshotId: 'r-1' }] });
    const b = cacheDirKey('c', { kind: 'layers', layers: [{ snapshotId: 'r-2' }] });
    expect(a).not.toBe('c');
    expect(a).not.toBe(b);
    expect(cacheDirKey('c', { kind: 'layers', layers: [{ snapshotId: 'r-1' }] })).toBe(a);
  });

  it('a RUN with id=x,uid=… does not see what a RUN with plain id=x wrote; the same options share', () => {
    const root = tempDir('hm-cache-root');
    const ctx = tempDir('hm-cache-ctx');
    const out = tempDir('hm-cache-out');
    dirs.push(root, ctx, out);
    mkdirSync(ctx, { recursive: true });
    writeFileSync(path.join(ctx, 'Dockerfile'), [
      'FROM 127.0.0.1:5100/library/busybox:latest',
      'RUN --mount=type=cache,id=x,target=/c echo plain > /c/plain',
      'RUN --mount=type=cache,id=x,target=/c,uid=1000 echo owned > /c/owned',
      'RUN --mount=type=cache,id=x,target=/d ls /d > /plain-sees',
      'RUN --mount=type=cache,id=x,target=/e,uid=1000 ls /e > /owned-sees',
      '',
    ].join('\n'));
    const r = slipwayBuild(root, ['-o', `type=local,dest=${out}`, ctx]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(path.join(out, 'plain-sees'), 'utf8')).toBe('plain\n');
    expect(readFileSync(path.join(out, 'owned-sees'), 'utf8')).toBe('owned\n');
  });
});
