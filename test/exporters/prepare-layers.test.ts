// Layers made during the solve (prepare-layers.ts) are the ones the export would make: the
// export then generates no tar of its own, and the image is byte for byte the same.
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportImage } from '../../src/exporters/export-image.js';
import { parseOutputs } from '../../src/exporters/outputs.js';
import { layerPreparer } from '../../src/exporters/prepare-layers.js';
import { Snapshotter } from '../../src/solver/snapshot/snapshotter.js';
import { makeChain, tempDir, type Chain } from './fixtures.js';

const work = tempDir();
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function exportCounting(chain: Chain, spec: string): Promise<{ manifest: string; tarWork: string[] }> {
  const tarWork: string[] = [];
  const r = await exportImage({
    root: chain.root, layers: chain.layers, image: chain.image, baseImage: chain.baseImage,
    outputs: parseOutputs([spec], {}), onTarWork: (id) => tarWork.push(id),
  });
  return { manifest: r.manifestDescriptor!.digest, tarWork };
}

describe('layerPreparer', () => {
  for (const spec of ['type=image,name=demo/prep:1', 'type=image,name=demo/prep:1,compression=zstd,rewrite-timestamp=false']) {
    it(`makes the export's blobs ahead of it (${spec})`, async () => {
      // Fixed mtimes: with rewrite-timestamp=false they reach the tars, and two chains made
      // a second apart would otherwise give different images.
      const plain = await makeChain(path.join(work, `plain-${spec.length}`), { mtime: 1_700_000_900 });
      const prepared = await makeChain(path.join(work, `prepared-${spec.length}`), { mtime: 1_700_000_900 });
      const prepare = layerPreparer({ root: prepared.root, outputs: parseOutputs([spec], {}), image: prepared.image });
      expect(prepare).toBeDefined();
      const snapshotter = await Snapshotter.open(prepared.root);
      // As the solver calls it: each built step's chain, its new layer on top.
      await Promise.all([2, 3].map((n) => prepare!(prepared.layers.slice(0, n), snapshotter)));

      const withPrep = await exportCounting(prepared, spec);
      const without = await exportCounting(plain, spec);
      expect(withPrep.tarWork).toEqual([]);
      expect(without.tarWork.sort()).toEqual(['r-one-0', 'r-two-0']);
      expect(withPrep.manifest).toBe(without.manifest);
    });
  }

  it('abandons its blobs when the build is cancelled: nothing stored, the export makes them', async () => {
    const chain = await makeChain(path.join(work, 'abandoned'));
    const spec = 'type=image,name=demo/prep:2';
    const before = readdirSync(path.join(chain.root, 'store', 'blobs', 'sha256')).sort();
    const cancel = new AbortController();
    const prepare = layerPreparer({ root: chain.root, outputs: parseOutputs([spec], {}), image: chain.image, signal: cancel.signal });
    const snapshotter = await Snapshotter.open(chain.root);
    const pending = Promise.all([2, 3].map((n) => prepare!(chain.layers.slice(0, n), snapshotter)));
    cancel.abort();
    await pending;
    expect(readdirSync(path.join(chain.root, 'store', 'blobs', 'sha256')).sort()).toEqual(before);
    expect(readdirSync(path.join(chain.root, 'store', 'ingest'))).toEqual([]);
    const exported = await exportCounting(chain, spec);
    expect(exported.tarWork.sort()).toEqual(['r-one-0', 'r-two-0']);
  });

  it('is undefined when no output carries image layers', () => {
    expect(layerPreparer({ root: work, outputs: parseOutputs(['type=local,dest=/tmp/x'], {}), image: {} as never })).toBeUndefined();
  });
});
