// Reproducible by default, end to end: the same testdata Dockerfile built with the real CLI in
// two clean stores, at different times, from context copies with different mtimes, gives the
// same manifest digest; with SOURCE_DATE_EPOCH the config's created is that time.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ImageConfig, ImageIndex } from '../../src/content/descriptor.js';
import { copyContext, slipwayBuild, tempDir } from '../solver/build/slipway.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function build(name: string, extra: string[], mtime: number): { manifest: string; config: ImageConfig } {
  const ctx = copyContext(name);
  const root = tempDir(`repro-${name}`);
  dirs.push(ctx, root);
  if (name === 'busybox-debian') writeFileSync(path.join(ctx, 'data.txt'), 'one\ntwo\n');
  execFileSync('find', [ctx, '-exec', 'touch', '-h', '-d', `@${mtime}`, '{}', '+']);
  const r = slipwayBuild(root, ['-t', 'repro:1', ...extra, ctx]);
  expect(r.status, r.stderr).toBe(0);
  const index = JSON.parse(readFileSync(path.join(root, 'store', 'index.json'), 'utf8')) as ImageIndex;
  const entry = index.manifests.find((m) => m.annotations?.['io.containerd.image.name'] === 'docker.io/library/repro:1')!;
  const manifest = JSON.parse(readFileSync(path.join(root, 'store', 'blobs', 'sha256', entry.digest.slice(7)), 'utf8')) as { config: { digest: string } };
  const config = JSON.parse(readFileSync(path.join(root, 'store', 'blobs', 'sha256', manifest.config.digest.slice(7)), 'utf8')) as ImageConfig;
  return { manifest: entry.digest, config };
}

describe('reproducible builds (CLI)', () => {
  it.each(['multistage', 'matrix', 'busybox-debian'])('%s: two clean stores, different times → one manifest digest', (name) => {
    const a = build(name, [], 1_600_000_000);
    const b = build(name, [], 1_650_000_000);
    expect(b.manifest).toBe(a.manifest);
  });

  it('the default clamp is what makes it so: rewrite-timestamp=false lets context mtimes through', () => {
    const a = build('matrix', ['-o', 'type=image,rewrite-timestamp=false'], 1_600_000_000);
    const b = build('matrix', ['-o', 'type=image,rewrite-timestamp=false'], 1_650_000_000);
    expect(b.manifest).not.toBe(a.manifest);
  });

  it('SOURCE_DATE_EPOCH=1700000000 → created 2023-11-14T22:13:20Z, still reproducible', () => {
    const a = build('matrix', ['--build-arg', 'SOURCE_DATE_EPOCH=1700000000'], 1_600_000_000);
    const b = build('matrix', ['--build-arg', 'SOURCE_DATE_EPOCH=1700000000'], 1_650_000_000);
    expect(a.config.created).toBe('2023-11-14T22:13:20Z');
    expect(a.config.history!.at(-1)!.created).toBe('2023-11-14T22:13:20Z');
    expect(b.manifest).toBe(a.manifest);
  });
});
