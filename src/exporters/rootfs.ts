// type=local and type=tar: the image's final root filesystem (the layer chain flattened,
// whiteouts applied), as a directory or as one tar. Both read a merged view of the chain
// (overlay mount, or a materialized copy where overlayfs is not available).
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { mustRunTool } from '../solver/layer/run-tool.js';
import { writeLayerTar } from '../solver/layer/write-layer.js';
import type { LayerRef } from '../solver/result.js';
import type { Snapshotter } from '../solver/snapshot/snapshotter.js';
import { writeToDest } from './destination.js';

async function withView<T>(snapshotter: Snapshotter, layers: readonly LayerRef[], fn: (dir: string) => Promise<T>): Promise<T> {
  const view = await snapshotter.view(layers.map((l) => snapshotter.layerDir(l.snapshotId)));
  try {
    return await fn(view.path);
  } finally {
    await view.release();
  }
}

/** Copies the root filesystem into `dest` (created if missing; existing files are overwritten). */
export async function exportLocal(snapshotter: Snapshotter, layers: readonly LayerRef[], dest: string): Promise<void> {
  await mkdir(dest, { recursive: true });
  if (layers.length === 0) return;
  await withView(snapshotter, layers, async (dir) => {
    if ((await readdir(dir)).length === 0) return;
    // cp -a keeps owners, modes, times, xattrs, hardlinks and special files.
    await mustRunTool('cp', ['-a', '--', `${dir}/.`, path.resolve(dest)]);
  });
}

/** The root filesystem as a tar (sorted, numeric owners; mtimes clamped to `epoch` if given). */
export async function exportRootfsTar(snapshotter: Snapshotter, layers: readonly LayerRef[], dest: string, stdout: Writable,
  epoch?: number): Promise<void> {
  const run = async (dir: string): Promise<void> => {
    await writeToDest(dest, stdout, (out) => pipeline(writeLayerTar({ upperdir: dir, lowers: [], ...(epoch !== undefined ? { epoch } : {}) }), out));
  };
  if (layers.length === 0) {
    const empty = path.join(snapshotter.dir, `.tmp-${process.pid}-empty-rootfs`);
    await mkdir(empty, { recursive: true });
    try {
      await run(empty);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
    return;
  }
  await withView(snapshotter, layers, run);
}
