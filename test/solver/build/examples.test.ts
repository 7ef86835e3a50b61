// The refenv examples built end to end against the testenv registry. Their root
// filesystems were compared with the refenv BuildKit's by hand (identical file lists, modes,
// owners and contents); here the facts that matter are pinned down.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, copyContext, slipwayBuild, tempDir } from './slipway.js';

describe('refenv examples', () => {
  let root: string;
  const dirs: string[] = [];
  beforeAll(() => {
    root = tempDir('examples-root');
  });
  afterAll(() => {
    for (const d of [root, ...dirs]) rmSync(d, { recursive: true, force: true });
  });

  it('multistage: COPY --from a sibling stage, RUN reads it', () => {
    const ctx = copyContext('multistage');
    const out = tempDir('out-ms');
    dirs.push(ctx, out);
    const r = slipwayBuild(root, ['-t', 'example/multistage:1', '-o', `type=local,dest=${out}`, '-o', 'type=image', ctx]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^#\d+ [\d.]+ a$/m);
    // BuildKit's plain output opens with the internal steps, one metadata lookup per image.
    expect(r.stderr).toMatch(/^#1 \[internal\] load build definition from Dockerfile\n#1 transferring dockerfile: \d+B done\n#1 DONE 0\.\ds\n\n#2 \[internal\] load \.dockerignore\n/);
    expect(r.stderr.match(/\[internal\] load metadata for 127\.0\.0\.1:5100\/library\/busybox:latest\n/g)).toHaveLength(1);
    expect(readFileSync(path.join(out, 'a'), 'utf8')).toBe('a\n');
    expect(statSync(path.join(out, 'bin', 'busybox')).isFile()).toBe(true);
    const inspect = spawnSync(BIN, ['--root', root, 'image', 'inspect', 'example/multistage:1'], { encoding: 'utf8' });
    expect(inspect.status, inspect.stderr).toBe(0);
    const img = (JSON.parse(inspect.stdout) as Array<{ RootFS: { Layers: string[] } }>)[0]!;
    // busybox's one layer + COPY + RUN: BuildKit keeps a layer per step, empty or not.
    expect(img.RootFS.Layers).toHaveLength(3);
  });

  it('busybox-debian: cache mount, removal, context COPY, USER/WORKDIR/CMD', () => {
    const ctx = copyContext('busybox-debian');
    const out = tempDir('out-deb');
    dirs.push(ctx, out);
    writeFileSync(path.join(ctx, 'data.txt'), Array.from({ length: 1000 }, (_, i) => `${i + 1}\n`).join(''));
    const r = slipwayBuild(root, ['-t', 'example/debian:1', '-o', `type=local,dest=${out}`, ctx]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(path.join(out, 'out', 'x'), 'utf8')).toBe('cached\n');
    expect(readFileSync(path.join(out, 'out', 'data.txt'), 'utf8').split('\n')).toHaveLength(1001);
    expect(readFileSync(path.join(out, 'out', 'pkgs.txt'), 'utf8')).toContain('busybox');
    expect(r.stderr).toMatch(/^#\d+ [\d.]+ +1000 \/out\/data\.txt$/m);
    // The cache mount's directory is not in the layer: /var/cache/refenv is only a mount stub.
    expect(() => statSync(path.join(out, 'var', 'cache', 'refenv', 'x'))).toThrow();
    const st = statSync(path.join(out, 'out', 'x'));
    expect([st.uid, st.gid, st.mode & 0o777]).toEqual([0, 0, 0o644]);
  });
});
