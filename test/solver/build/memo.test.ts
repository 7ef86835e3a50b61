// The memoized conversion and export of fully cached builds are trusted only while the
// store still agrees: a base name moved to another image re-converts, and a tag moved away
// from the built image is put back.
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, copyContext, slipwayBuild, tempDir } from './slipway.js';

const BASE = '127.0.0.1:5100/library/busybox:latest';

function slipway(root: string, ...args: string[]) {
  const r = spawnSync(BIN, ['--root', root, ...args], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('memoized conversion and export', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('follow the store', () => {
    const root = tempDir('memo-root');
    const ctx = copyContext('matrix');
    const other = copyContext('multistage');
    dirs.push(root, ctx, other);
    const first = slipwayBuild(root, ['-q', '-t', 'memo:1', ctx]);
    expect(first.status, first.stderr).toBe(0);
    const id = first.stdout.trim();
    expect(readdirSync(path.join(root, 'cache', 'convert'))).toHaveLength(1);
    expect(readdirSync(path.join(root, 'cache', 'exports'))).toHaveLength(1);

    // Fully cached: same image, the same base digest shown.
    const again = slipwayBuild(root, ['-q', '-t', 'memo:1', ctx]);
    expect(again.stdout.trim()).toBe(id);
    expect(again.stderr).toContain(`FROM ${BASE}@sha256:`);

    // Move the tag away: the next build puts it back.
    const otherBuild = slipwayBuild(root, ['-q', '-t', 'memo:other', other]);
    expect(otherBuild.status, otherBuild.stderr).toBe(0);
    slipway(root, 'tag', 'memo:other', 'memo:1');
    const retag = slipwayBuild(root, ['-q', '-t', 'memo:1', ctx]);
    expect(retag.stdout.trim()).toBe(id);
    const inspect = JSON.parse(slipway(root, 'image', 'inspect', 'memo:1')) as Array<{ Id: string }>;
    expect(inspect[0]!.Id).toBe(id);

    // Point the base name at another image: the Dockerfile is converted again against it.
    slipway(root, 'tag', 'memo:other', BASE);
    const moved = slipwayBuild(root, ['-q', '-t', 'memo:1', ctx]);
    expect(moved.status, moved.stderr).toBe(0);
    expect(moved.stdout.trim()).not.toBe(id);
    expect(moved.stderr).not.toContain('sha256:721c0699df9114ac0ae847d0e1a21a6794b979fec74d87e491a1ab4212c4aa49');
  });
});
