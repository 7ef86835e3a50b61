// A fully cached build does almost nothing: every vertex comes from the cache index (no
// op runs, no container starts) and exporting re-tars no layer when the store already
// holds the image.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportImage } from '../../../src/exporters/export-image.js';
import { parseOutputs } from '../../../src/exporters/outputs.js';
import { solve } from '../../../src/solver/solve.js';
import { convertInRoot, copyContext, slipwayBuild, tempDir } from './slipway.js';

describe('fully cached build', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('runs no op and re-tars no layer', async () => {
    const root = tempDir('noop-root');
    const ctx = copyContext('busybox-debian');
    dirs.push(root, ctx);
    writeFileSync(path.join(ctx, 'data.txt'), 'data\n');
    const iid = path.join(root, 'iid');
    const first = slipwayBuild(root, ['-t', 'noop:1', '--iidfile', iid, ctx]);
    expect(first.status, first.stderr).toBe(0);
    expect(readFileSync(iid, 'utf8')).toMatch(/^sha256:[0-9a-f]{64}$/);

    const converted = await convertInRoot(root, ctx);
    const events: string[] = [];
    const res = await solve(converted.definition, {
      root, localDirs: { context: ctx }, steps: converted.steps, dockerfile: path.join(ctx, 'Dockerfile'),
      progress: (e) => events.push(e.type),
    });
    expect(res.stats).toEqual({ containers: 0, cached: res.vertices.length, executed: 0 });
    expect(events.filter((e) => e === 'vertex-start')).toEqual([]);
    expect(res.vertices.every((v) => v.state !== 'executed')).toBe(true);

    const tarWork: string[] = [];
    const exported = await exportImage({
      root, layers: res.ref.kind === 'layers' ? res.ref.layers : [], image: converted.image, baseImage: converted.baseImage,
      outputs: parseOutputs([], { tags: ['noop:1'] }), onTarWork: (id) => tarWork.push(id),
    });
    expect(tarWork).toEqual([]);
    expect(exported.imageID).toBe(readFileSync(iid, 'utf8'));
  });
});
