// Builds sharing one store at the same time: overlapping steps may run twice, but results
// are published atomically (first snapshot wins, records are replaced whole), so every
// build succeeds and they all produce the same image.
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, copyContext, slipwayBuild, tempDir } from './slipway.js';

function build(root: string, ctx: string, tag: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(BIN, ['--root', root, 'build', '-q', '-t', tag, ctx], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('concurrent builds on one store', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('three builds of overlapping Dockerfiles at once all succeed with the sequential result', async () => {
    const root = tempDir('conc-root');
    const clean = tempDir('conc-clean');
    const ctx = copyContext('busybox-debian');
    dirs.push(root, clean, ctx);
    writeFileSync(path.join(ctx, 'data.txt'), 'data\n');
    const runs = await Promise.all([build(root, ctx, 'conc:a'), build(root, ctx, 'conc:b'), build(root, ctx, 'conc:c')]);
    for (const r of runs) expect(r.status, r.stderr).toBe(0);
    const ids = new Set(runs.map((r) => r.stdout.trim()));
    expect(ids.size).toBe(1);
    const sequential = slipwayBuild(clean, ['-q', '-t', 'conc:a', ctx]);
    expect(sequential.status, sequential.stderr).toBe(0);
    expect(sequential.stdout.trim()).toBe([...ids][0]);
  }, 60_000);
});
