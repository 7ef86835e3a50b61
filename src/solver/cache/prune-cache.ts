// `builder prune`: removes the build cache of a root, as `docker builder prune` does BuildKit's.
// With no build running (cache-users.ts), in an order a kill at any moment leaves consistent:
// records first (a step without its record is a miss), then the snapshots no remaining record
// names, then cache mounts; a removed base-layer snapshot releases its lease on the layer's
// registry blob, so `image prune` can collect the blob when no image uses it.
//
// Without `all`, like BuildKit without --all, what backs an image of the store stays (the
// unpacked layers of stored images: shared with them), as do the internal memos (conversions,
// checksums). `until` keeps what was created or last used at or after that time. The layer
// blobs that only the build cache kept are collected as `image prune` collects blobs.
// With `keepBytes` (--keep-storage), only the least recently used snapshots and cache mounts go,
// until the rest fits (keep-storage.ts); a snapshot's use is its records' (a record read on a
// cache hit gets a new access time, at most daily under relatime), a cache mount's its times.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, renameSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { unlinkIfPresent } from '../../store/atomic-file.js';
import { readFileNoAtimeSync } from '../../store/read-no-atime.js';
import { diskUsage } from '../../store/disk-usage.js';
import { leasesDir } from '../../store/leases.js';
import { openImageStore } from '../../store/open.js';
import { layerSnapshotId } from '../ops/image.js';
import { Snapshotter } from '../snapshot/snapshotter.js';
import { withCacheExclusive } from './cache-users.js';
import { itemsOverBudget, type CacheItem } from './keep-storage.js';
import type { CacheRecord } from './records.js';

export interface PruneCacheOptions {
  /** Also what stored images use and the internal memos (docker builder prune --all). */
  all?: boolean;
  /** Only what is older than this (ms since the epoch). */
  until?: number;
  /** Remove only as much as needed for the rest to take at most this many bytes (--keep-storage). */
  keepBytes?: number;
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

/** When a record was last written or read by a build (ext4's relatime: after a write, then daily). */
function lastUsedOf(file: string): number {
  try {
    const st = statSync(file);
    return Math.max(st.mtimeMs, st.atimeMs);
  } catch {
    return 0;
  }
}

/** A record's last use (BuildKit's LastUsedAt): its creation or a build's read of it. */
function recordLastUsed(file: string, rec: CacheRecord): number {
  const created = Date.parse(rec.created);
  return Math.max(Number.isNaN(created) ? 0 : created, lastUsedOf(file));
}

/** Removes a small file; returns the bytes that freed. */
function removeCounted(file: string): number {
  const bytes = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  unlinkIfPresent(file);
  return bytes;
}

/** A record, read without updating its access time: a prune's reads are not uses. */
function readRecord(file: string): CacheRecord | undefined {
  try {
    const rec = JSON.parse(readFileNoAtimeSync(file)) as CacheRecord;
    return Array.isArray(rec.outputs) ? rec : undefined;
  } catch {
    return undefined;
  }
}

export async function pruneBuildCache(root: string, opts: PruneCacheOptions = {}): Promise<PruneCacheResult> {
  if (!existsSync(path.join(root, 'cache')) && !existsSync(path.join(root, 'snapshots'))) return { removed: [], reclaimed: 0 };
  return withCacheExclusive(root, () => pruneUnlocked(root, opts), opts.onWait ? { onWait: opts.onWait } : {});
}

async function pruneUnlocked(root: string, opts: PruneCacheOptions): Promise<PruneCacheResult> {
  if (opts.keepBytes !== undefined) return pruneToKeep(root, opts, opts.keepBytes);
  const cache = path.join(root, 'cache');
  const old = (created: number): boolean => opts.until === undefined || created < opts.until;
  const result: PruneCacheResult = { removed: [], reclaimed: 0 };
  const removeFile = (file: string): void => {
    result.reclaimed += removeCounted(file);
  };

  // 1. Records (and their leftovers: temp files of killed writers). What stays keeps its snapshots.
  const kept = new Set<string>();
  const recordsDir = path.join(cache, 'records');
  for (const name of names(recordsDir)) {
    const file = path.join(recordsDir, name);
    const rec = readRecord(file); // not a use: a later --keep-storage goes by the records' access times
    // BuildKit's KeepDuration compares the last use.
    if (rec && !name.startsWith('.') && !old(recordLastUsed(file, rec))) {
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
  result.reclaimed += await releaseLayerBlobs(root);

  // 3. Cache mounts (RUN --mount=type=cache), as BuildKit's prune removes them.
  const mountsDir = path.join(cache, 'mounts');
  await removeLeftoverMounts(mountsDir);
  for (const name of mountNames(mountsDir)) {
    const dir = path.join(mountsDir, name);
    if (!old(mtimeOf(dir))) continue;
    result.reclaimed += await removeMount(dir);
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

/** Cache mount directories (sharing=locked's lock files go with their directory; dot-names are removals). */
function mountNames(mountsDir: string): string[] {
  return names(mountsDir).filter((n) => !n.endsWith('.lock') && !n.startsWith('.'));
}

async function removeMount(dir: string): Promise<number> {
  const bytes = await diskUsage(dir);
  // Renamed away first, as a snapshot is: a kill during the removal must not leave a
  // half-emptied cache under its id, for the next RUN to mount (removeLeftoverMounts ends it).
  const doomed = path.join(path.dirname(dir), `.rm-${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    renameSync(dir, doomed);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    unlinkIfPresent(`${dir}.lock`);
    return 0;
  }
  unlinkIfPresent(`${dir}.lock`);
  await rm(doomed, { recursive: true, force: true });
  return bytes;
}

/** The cache mounts a killed prune was removing (the prune holds the cache: none is in progress). */
async function removeLeftoverMounts(mountsDir: string): Promise<void> {
  for (const name of names(mountsDir)) {
    if (name.startsWith('.rm-')) await rm(path.join(mountsDir, name), { recursive: true, force: true });
  }
}

/**
 * The base layers' leases on their registry blobs (build-cache-<snapshot id>) go once their
 * snapshot is gone: those a prune removed, and those a prune killed after the removal (or a
 * build killed before its unpack committed) left behind. Then the layer blobs only the build
 * cache kept (their image is gone) are collected. Returns the bytes that freed.
 */
async function releaseLayerBlobs(root: string): Promise<number> {
  const snapshotsDir = path.join(root, 'snapshots');
  let released = false;
  for (const name of names(leasesDir(root))) {
    if (!name.startsWith('build-cache-') || existsSync(path.join(snapshotsDir, name.slice('build-cache-'.length)))) continue;
    unlinkIfPresent(path.join(leasesDir(root), name));
    released = true;
  }
  return released ? (await openImageStore(root).gc()).reclaimed : 0;
}

/** --keep-storage: the least recently used snapshots and cache mounts, until the rest fits. */
async function pruneToKeep(root: string, opts: PruneCacheOptions, keepBytes: number): Promise<PruneCacheResult> {
  const old = (t: number): boolean => opts.until === undefined || t < opts.until;
  const result: PruneCacheResult = { removed: [], reclaimed: 0 };
  const recordsDir = path.join(root, 'cache', 'records');
  // Which records name each snapshot, and when the snapshot was last used through one.
  const namedBy = new Map<string, string[]>();
  const usedAt = new Map<string, number>();
  for (const name of names(recordsDir)) {
    if (name.startsWith('.')) continue;
    const file = path.join(recordsDir, name);
    const rec = readRecord(file);
    if (!rec) continue;
    const used = recordLastUsed(file, rec);
    for (const id of new Set(rec.outputs.flat())) {
      namedBy.set(id, [...(namedBy.get(id) ?? []), file]);
      usedAt.set(id, Math.max(usedAt.get(id) ?? 0, used));
    }
  }
  const imageLayers = opts.all ? new Set<string>() : await imageLayerSnapshots(root);
  const snapshotsDir = path.join(root, 'snapshots');
  const mountsDir = path.join(root, 'cache', 'mounts');
  await removeLeftoverMounts(mountsDir);
  const items: CacheItem[] = [];
  const bytesOf = new Map<string, number>();
  for (const id of names(snapshotsDir).filter((n) => !n.startsWith('.'))) {
    if (imageLayers.has(id)) continue; // shared with an image: neither goes nor counts (BuildKit's Shared)
    const lastUsed = Math.max(usedAt.get(id) ?? 0, mtimeOf(path.join(snapshotsDir, id)));
    const bytes = await diskUsage(path.join(snapshotsDir, id));
    bytesOf.set(id, bytes);
    items.push({ id, bytes, lastUsed, kept: !old(lastUsed) });
  }
  for (const name of mountNames(mountsDir)) {
    const dir = path.join(mountsDir, name);
    const lastUsed = mtimeOf(dir); // a RUN using it sets its times (cache-mount.ts)
    items.push({ id: `mount:${name}`, bytes: await diskUsage(dir), lastUsed, kept: !old(lastUsed) });
  }
  const doomed = itemsOverBudget(items, keepBytes);
  if (doomed.length === 0) return result;
  const snapshotter = await Snapshotter.openEarly(root, { kind: 'copy' });
  for (const id of doomed) {
    if (id.startsWith('mount:')) {
      result.reclaimed += await removeMount(path.join(mountsDir, id.slice('mount:'.length)));
    } else {
      // Records first: a kill between the two leaves misses, never a record without its snapshot.
      for (const file of namedBy.get(id) ?? []) result.reclaimed += removeCounted(file);
      result.reclaimed += bytesOf.get(id) ?? 0;
      await snapshotter.remove(id);
    }
    result.removed.push(id);
  }
  result.reclaimed += await releaseLayerBlobs(root);
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
