// Facts about a snapshot's layer, memoized next to it in <root>/snapshots/<id>/layer.json
// (SOLVER CONTRACT), so that exporting a layer a second time does no tar or compression work.
//  - Base-image layers (written when unpacked): top-level `diffID`/`size` from the image
//    config and the registry blob under its compression key. Their tar is never rebuilt.
//  - Layers built here: `tars[mtimeKey]` holds the diffID and size of the layer tar as written
//    with that mtime policy ('raw', or 'epoch-N' when mtimes were clamped to N), and blobs
//    are keyed `<compression>@<mtimeKey>`, since a clamped tar is a different blob.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Descriptor } from '../content/descriptor.js';
import { writeFileAtomic } from '../store/atomic-file.js';
import type { LayerMeta } from './result.js';

export interface LayerTarFacts {
  diffID: string;
  /** Uncompressed tar bytes. */
  size: number;
}

export interface StoredLayerMeta extends LayerMeta {
  tars?: { [mtimeKey: string]: LayerTarFacts };
}

export function layerMetaPath(root: string, snapshotId: string): string {
  return path.join(root, 'snapshots', snapshotId, 'layer.json');
}

// Writers in this process take turns per snapshot, so one patch never drops another's keys.
const queues = new Map<string, Promise<unknown>>();

/** Resolves once every layer.json write this process has started so far is done (or failed). */
export async function layerMetaWritten(): Promise<void> {
  await Promise.all(queues.values());
}

/** The memoized facts ({} when none are recorded or the file is unreadable). */
export async function readLayerMeta(root: string, snapshotId: string): Promise<StoredLayerMeta> {
  // A write of this process still under way (e.g. an export's memo) is seen, not raced.
  const file = layerMetaPath(root, snapshotId);
  await queues.get(file);
  return readMetaFile(file);
}

/** A synchronous read: a file of a few hundred bytes, read once per layer per export. */
async function readMetaFile(file: string): Promise<StoredLayerMeta> {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as StoredLayerMeta) : {};
  } catch {
    return {};
  }
}

export interface LayerMetaPatch {
  diffID?: string;
  size?: number;
  blobs?: { [compressionKey: string]: Descriptor };
  tars?: { [mtimeKey: string]: LayerTarFacts };
}

/**
 * Merges `patch` into layer.json (blobs and tars merged by key) and writes it atomically.
 * Returns the merged facts.
 */
export function updateLayerMeta(root: string, snapshotId: string, patch: LayerMetaPatch): Promise<StoredLayerMeta> {
  const file = layerMetaPath(root, snapshotId);
  const run = async (): Promise<StoredLayerMeta> => {
    const current = await readMetaFile(file);
    const next: StoredLayerMeta = { ...current };
    if (patch.diffID !== undefined) next.diffID = patch.diffID;
    if (patch.size !== undefined) next.size = patch.size;
    if (patch.blobs) next.blobs = { ...current.blobs, ...patch.blobs };
    if (patch.tars) next.tars = { ...current.tars, ...patch.tars };
    // A built layer's facts (no diffID) are a memo: lost or garbled by a power cut, the blob is
    // made again, identical (readMetaFile treats it as absent), so no fsync. A base layer's
    // diffID cannot be recomputed from its directory: fsynced.
    await writeFileAtomic(file, JSON.stringify(next), { durable: next.diffID !== undefined });
    return next;
  };
  const prev = queues.get(file) ?? Promise.resolve();
  const mine = prev.then(run, run);
  const tail = mine.catch(() => undefined);
  queues.set(file, tail);
  void tail.then(() => {
    if (queues.get(file) === tail) queues.delete(file);
  });
  return mine;
}
