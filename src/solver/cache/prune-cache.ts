// `builder prune`: removes the build cache of a root, as `docker builder prune` does BuildKit's.
// With no build running (cache-users.ts), in an order a kill at any moment leaves consistent:
// records first (a step without its record is a miss), then the snapshots no remaining record
// names, then cache mounts; a removed base-layer snapshot releases its lease on the layer's
// registry blob, so `image prune` can collect the blob when no image uses it.
//
// Without `all`, like BuildKit without --all, what backs an image of the store stays (the
// unpacked layers of stored images: shared with them), as do the internal memos (conversions,
// checksums). `until` keeps what was created or last written at or after that time. The layer
// blobs that only the build cache kept are collected as `image prune` collects blobs.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { unlinkIfPresent } from '../../store/atomic-file.js';
import { diskUsage } from '../../store/disk-usage.js';
import { leasesDir } from '../../store/leases.js';
import { openImageStore } from '../../store/open.js';
import { layerSnapshotId } from '../ops/image.js';
import { Snapshotter } from '../snapshot/snapshotter.js';
import { withCacheExclusive } from './cache-users.js';
import type { CacheRecord } from './records.js';

export interface PruneCacheOptions {
  /** Also what stored images use and the internal memos (docker builder prune --all). */
  all?: boolean;
  /** Only what is older than this (ms since the epoch). */
  until?: number;
  /** Called once if running builds have to finish first. */
  onWait?: () => void;
}

export interface PruneCacheResult {
  /** What went, by id: snapshots, cache mounts (`mount:<id>`), memo directories. */
  removed: string[];
  reclaimed: number;
}

function names(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function mtimeOf(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

export async function pruneBuildCache(root: string, opts: PruneCacheOptions = {}): Promise<PruneCacheResult> {
  if (!existsSync(path.join(root, 'cache')) && !existsSync(path.join(root, 'snapshots'))) return { removed: [], reclaimed: 0 };
  return withCacheExclusive(root, () => pruneUnlocked(root, opts), opts.onWait ? { onWait: opts.onWait } : {});
}

async function pruneUnlocked(root: string, opts: PruneCacheOptions): Promise<PruneCacheResult> {
  const cache = path.join(root, 'cache');
  const old = (created: number): boolean => opts.until === undefined || created < opts.until;
  const result: PruneCacheResult = { removed: [], reclaimed: 0 };
  const removeFile = (file: string): void => {
    result.reclaimed += statSync(file, { throwIfNoEntry: false })?.size ?? 0;
    unlinkIfPresent(file);
  };

  // 1. Records (and their leftovers: temp files of killed writers). What stays keeps its snapshots.
  const kept = new Set<string>();
  const recordsDir = path.join(cache, 'records');
  for (const name of names(recordsDir)) {
    const file = path.join(recordsDir, name);
    let rec: CacheRecord | undefined;
    try {
      rec = JSON.parse(readFileSync(file, 'utf8')) as CacheRecord;
    } catch {
      rec = undefined;
    }
    const created = rec ? Date.parse(rec.created) : Number.NaN;
    if (rec && Array.isArray(rec.outputs) && !name.startsWith('.') && !old(Number.isNaN(created) ? mtimeOf(file) : created)) {
      for (const chain of rec.outputs) for (const id of chain) kept.add(id);
      continue;
    }
    removeFile(file);
  }
  // What explains misses and skips exports: their steps' records are gone (or old).
  for (const sub of ['steps', 'exports']) {
    for (const name of names(path.join(cache, sub))) {
      const file = path.join(cache, sub, name);
      if (old(mtimeOf(file))) removeFile(file);
    }
  }

  // 2. Snapshots no remaining record names (not those of stored images, without --all).
  if (!opts.all) for (const id of await imageLayerSnapshots(root)) kept.add(id);
  const snapshotsDir = path.join(root, 'snapshots');
  const ids = names(snapshotsDir).filter((n) => !n.startsWith('.'));
  if (ids.length) {
    // Opened for its remove() and pruneStale() (temp dirs of killed builds); no overlay probe.
    const snapshotter = await Snapshotter.openEarly(root, { kind: 'copy' });
    for (const id of ids) {
      if (kept.has(id) || !old(mtimeOf(path.join(snapshotsDir, id)))) continue;
      result.reclaimed += await diskUsage(path.join(snapshotsDir, id));
      await snapshotter.remove(id);
      result.removed.push(id);
    }
  }
  // The base layers' leases on their registry blobs (build-cache-<snapshot id>) go once their
  // snapshot is gone: those removed just now, and those a prune killed after the removal (or a
  // build killed before its unpack committed) left behind.
  let released = false;
  for (const name of names(leasesDir(root))) {
    if (!name.startsWith('build-cache-') || existsSync(path.join(snapshotsDir, name.slice('build-cache-'.length)))) continue;
    unlinkIfPresent(path.join(leasesDir(root), name));
    released = true;
  }
  // The layer blobs only the build cache kept (their image is gone): collected now.
  if (released) result.reclaimed += (await openImageStore(root).gc()).reclaimed;

  // 3. Cache mounts (RUN --mount=type=cache), as BuildKit's prune removes them.
  const mountsDir = path.join(cache, 'mounts');
  for (const name of names(mountsDir)) {
    if (name.endsWith('.lock')) continue; // sharing=locked's lock file: goes with its directory
    const dir = path.join(mountsDir, name);
    if (!old(mtimeOf(dir))) continue;
    result.reclaimed += await diskUsage(dir);
    await rm(dir, { recursive: true, force: true });
    unlinkIfPresent(`${dir}.lock`);
    result.removed.push(`mount:${name}`);
  }

  // 4. --all: the internal memos too (Dockerfile conversions, context checksums).
  if (opts.all) {
    for (const sub of ['convert', 'contenthash']) {
      for (const name of names(path.join(cache, sub))) {
        const file = path.join(cache, sub, name);
        if (old(mtimeOf(file))) removeFile(file);
      }
    }
  }
  return result;
}

/** The snapshot ids of the layers of every image in the store. */
async function imageLayerSnapshots(root: string): Promise<Set<string>> {
  const out = new Set<string>();
  const store = openImageStore(root);
  for (const record of await store.list().catch(() => [])) {
    const loaded = await store.load(record).catch(() => undefined);
    for (const diffID of loaded?.config.rootfs?.diff_ids ?? []) out.add(layerSnapshotId(diffID));
  }
  return out;
}
