// Compresses the target stage's new layers while the build still runs. Every layer a step of
// the target stage makes is one the image export needs; made as soon as the step is done
// (with the first image output's compression and mtime clamp), the blob is ready, or in
// flight, when the export asks ensureLayerBlob for it, instead of being made after the solve.
// Failures are left for the export, which makes the blob again and reports them.
import { ContentStore } from '../content/store.js';
import type { Image } from '../frontend/dockerfile/image-config.js';
import type { LayerRef } from '../solver/result.js';
import type { Snapshotter } from '../solver/snapshot/snapshotter.js';
import { ensureLayerBlob } from './layer-blob.js';
import { IMAGE_OUTPUTS, layerClamp } from './layer-policy.js';
import type { OutputSpec } from './outputs.js';

export interface PrepareLayersOptions {
  root: string;
  outputs: readonly OutputSpec[];
  image: Image;
  epoch?: number;
  /** Aborted (the build failed or was cancelled), blobs still being made are abandoned. */
  signal?: AbortSignal;
}

/** Starts the blob of a finished step's new layer; its promise never rejects (tests wait for it). */
export type LayerPreparer = (chain: readonly LayerRef[], snapshotter: Snapshotter) => Promise<void>;

/** The callback for the build's outputs, or undefined when no output has layers. */
export function layerPreparer(opts: PrepareLayersOptions): LayerPreparer | undefined {
  const out = opts.outputs.find((o) => IMAGE_OUTPUTS.includes(o.type));
  if (!out) return undefined;
  // The image export follows this build: its modules are initialized now, while steps run,
  // not between the last step and the export (0.5-3.5 ms of main-thread work measured there).
  void import('./export-image.js').catch(() => undefined);
  const clamp = layerClamp(out, opts.image, opts.epoch);
  const content = new ContentStore(opts.root);
  return (chain, snapshotter) => {
    const top = chain[chain.length - 1];
    if (!top) return Promise.resolve();
    return ensureLayerBlob(opts.root, top, out.compression, {
      lowers: chain.slice(0, -1),
      ...(clamp !== undefined ? { clampMtime: clamp } : {}),
      content,
      snapshotter: async () => snapshotter,
      ...(opts.signal ? { signal: opts.signal } : {}),
      // The export syncs the blob's name with its own before the manifest, and waits for the
      // memo: neither is on the way from the step's end to the blob being ready.
      deferNameSync: true,
      backgroundMemo: true,
    }).then(() => undefined, () => undefined);
  };
}
