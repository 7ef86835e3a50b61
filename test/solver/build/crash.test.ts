// Crash consistency: builds killed with SIGKILL at random moments (mid-pull, mid-RUN,
// mid-commit, mid-export) leave a store from which the next build succeeds and produces
// exactly what a build on a clean store produces.
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyContext, describeTree, slipwayBuild, spawnBuild, tempDir } from './slipway.js';

const KILLS = 5;

describe('crash consistency', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it(`${KILLS} builds killed with SIGKILL, then a build equal to a clean one`, async () => {
    const ctx = copyContext('busybox-debian');
    const root = tempDir('crash-root');
    const clean = tempDir('crash-clean');
    const outA = tempDir('crash-out-a');
    const outB = tempDir('crash-out-b');
    dirs.push(ctx, root, clean, outA, outB);
    writeFileSync(path.join(ctx, 'data.txt'), Array.from({ length: 20000 }, (_, i) => `${i}\n`).join(''));

    for (let i = 0; i < KILLS; i++) {
      const child = spawnBuild(root, ['--no-cache', '-t', 'crash:test', ctx]);
      const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
      await new Promise((r) => setTimeout(r, 80 + Math.floor(Math.random() * 700)));
      child.kill('SIGKILL');
      await exited;
    }

    const after = slipwayBuild(root, ['-q', '-t', 'crash:test', '-o', `type=local,dest=${outA}`, '-o', 'type=image', ctx]);
    expect(after.status, after.stderr).toBe(0);
    const fresh = slipwayBuild(clean, ['-q', '-t', 'crash:test', '-o', `type=local,dest=${outB}`, '-o', 'type=image', ctx]);
    expect(fresh.status, fresh.stderr).toBe(0);
    expect(describeTree(outA)).toBe(describeTree(outB));
    // Same image, byte for byte (the exporter is reproducible).
    expect(after.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect(after.stdout).toBe(fresh.stdout);
    expect(readdirSync(path.join(root, 'snapshots')).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  }, 90_000);
});
