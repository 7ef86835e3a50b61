// The solver reports the target stage's new layers as their steps finish (the exporter
// compresses them during the build): each executed step of the final stage, and nothing of
// the other stages.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LayerRef } from '../../../src/solver/result.js';
import { solve } from '../../../src/solver/solve.js';
import { convertInRoot, copyContext, tempDir } from './slipway.js';

describe('onTargetLayers', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('gets the chain of every executed step of the target stage, new layer on top', async () => {
    const root = tempDir('target-layers-root');
    const ctx = copyContext('busybox-debian');
    dirs.push(root, ctx);
    writeFileSync(path.join(ctx, 'data.txt'), 'data\n');
    const converted = await convertInRoot(root, ctx);
    const chains: LayerRef[][] = [];
    const res = await solve(converted.definition, {
      root, localDirs: { context: ctx }, steps: converted.steps, dockerfile: path.join(ctx, 'Dockerfile'), network: 'none',
      onTargetLayers: (chain) => chains.push([...chain]),
    });
    const final = res.ref.kind === 'layers' ? res.ref.layers.map((l) => l.snapshotId) : [];
    const targetStage = converted.steps.at(-1)!.stage;
    const targetSteps = converted.steps.filter((s) => s.stage === targetStage && !/^FROM /i.test(s.instruction));
    expect(targetSteps.length).toBeGreaterThan(1);
    expect(chains).toHaveLength(targetSteps.length);
    // Each chain is a prefix of the result, and together their tops are its new layers.
    for (const c of chains) expect(final.slice(0, c.length)).toEqual(c.map((l) => l.snapshotId));
    const tops = chains.map((c) => c.at(-1)!.snapshotId);
    expect(new Set(tops)).toEqual(new Set(final.slice(-targetSteps.length)));
  });
});
