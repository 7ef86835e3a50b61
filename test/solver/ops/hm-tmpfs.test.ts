// RUN --mount=type=tmpfs as BuildKit's tmpfsMount mounts it: options nosuid (+ size=N), no
// nodev, default mode 1777.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { slipwayBuild, tempDir } from '../build/slipway.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('tmpfs mounts', () => {
  it('nosuid and the size, not nodev', () => {
    const root = tempDir('hm-tmpfs-root');
    const ctx = tempDir('hm-tmpfs-ctx');
    const out = tempDir('hm-tmpfs-out');
    dirs.push(root, ctx, out);
    writeFileSync(path.join(ctx, 'Dockerfile'), [
      'FROM 127.0.0.1:5100/library/busybox:latest',
      'RUN --mount=type=tmpfs,target=/t,size=64k grep " /t " /proc/self/mountinfo | cut -d" " -f6 > /opts'
        + ' && grep " /t " /proc/self/mountinfo | sed "s/.* - //" | cut -d" " -f3 > /sopts && stat -c %a /t > /mode',
      '',
    ].join('\n'));
    const r = slipwayBuild(root, ['-o', `type=local,dest=${out}`, ctx]);
    expect(r.status, r.stderr).toBe(0);
    const read = (f: string) => readFileSync(path.join(out, f), 'utf8').trim();
    const opts = read('opts').split(',');
    expect(opts).toContain('nosuid');
    expect(opts).toContain('rw');
    expect(opts).not.toContain('nodev');
    expect(read('sopts').split(',')).toContain('size=64k');
    expect(read('mode')).toBe('1777');
  });

  it('ro: the mount is read-only (BuildKit applies llb.Readonly)', () => {
    const root = tempDir('hm-tmpfs-ro-root');
    const ctx = tempDir('hm-tmpfs-ro-ctx');
    dirs.push(root, ctx);
    writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM 127.0.0.1:5100/library/busybox:latest\nRUN --mount=type=tmpfs,target=/t,ro touch /t/x\n');
    const r = slipwayBuild(root, [ctx]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Read-only file system/);
  });
});
