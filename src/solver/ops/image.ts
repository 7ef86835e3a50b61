// Image source: the manifest (pinned by digest in the identifier) from the content store,
// or pulled from the registry when missing (or with --pull); each layer unpacked once into
// snapshot l-<diffID hex> on top of the ones below it, whiteouts kept in overlay form, with
// layer.json recording its diffID and registry blob so an export reuses that blob as is.
import path from 'node:path';
import type { Descriptor, ImageConfig, ImageManifest } from '../../content/descriptor.js';
import { layerCompression } from '../../content/media-types.js';
import { pullImage, type BlobSink } from '../../registry/pull.js';
import { parseReference } from '../../registry/reference.js';
import { loadImage } from '../../store/image-content.js';
import { ImageStore } from '../../store/image-store.js';
import { Lease } from '../../store/leases.js';
import { preloadGunzip } from '../layer/decompress.js';
import { markTopDir } from '../layer/spread-inodes.js';
import { readLayerMeta, updateLayerMeta } from '../layer-meta.js';
import type { LayerRef, LayersRef } from '../result.js';
import type { BuildEnv } from './context.js';

export function compressionKey(mediaType: string): string {
  const c = layerCompression(mediaType);
  return c === 'none' ? 'uncompressed' : c;
}

export function layerSnapshotId(diffID: string): string {
  return `l-${diffID.replace(/^sha256:/, '')}`;
}

async function loadLocal(env: BuildEnv, digest: string): Promise<{ manifest: ImageManifest; config: ImageConfig } | undefined> {
  if (!(await env.content.has(digest))) return undefined;
  try {
    const img = await loadImage(env.content, { mediaType: '', digest, size: 0 });
    return { manifest: img.manifest, config: img.config };
  } catch {
    return undefined;
  }
}

// In-process: each base layer is unpacked by one vertex at a time.
const unpacking = new Map<string, Promise<void>>();

// Per root, once: the inode-placement hint on <root>/snapshots (see spread-inodes.ts), set
// while a pull starts and awaited before its first unpack creates anything.
const spreading = new Map<string, Promise<boolean>>();
function spreadSnapshots(env: BuildEnv): Promise<boolean> {
  let p = spreading.get(env.root);
  if (!p) {
    p = markTopDir(path.join(env.root, 'snapshots'));
    spreading.set(env.root, p);
  }
  return p;
}

export async function solveImage(env: BuildEnv, identifier: string, status: (t: string) => void): Promise<LayersRef> {
  const refString = identifier.replace(/^docker-image:\/\//, '');
  const ref = parseReference(refString);
  const digest = ref.digest;
  // Leased before it is read: an `rmi` + prune beside the build must not take it away between
  // the check and the use (the store's gc keeps whatever a leased manifest or index reaches).
  if (digest) await env.lease?.add([digest]);
  // The digest pinned in the identifier is authoritative (--pull already re-resolved it).
  let img = digest ? await loadLocal(env, digest) : undefined;
  if (img) {
    // Fast path: every layer already unpacked means no blob needs to be present.
    const ids = img.config.rootfs.diff_ids.map(layerSnapshotId);
    const present = await Promise.all(ids.map((id) => env.snapshotter.has(id)));
    if (present.every(Boolean)) return { kind: 'layers', layers: ids.map((snapshotId) => ({ snapshotId })) };
  }
  if (!img || !(await allBlobs(env, img.manifest))) {
    env.signal.throwIfAborted();
    void spreadSnapshots(env);
    status(`resolve ${ref.toString()}`);
    // The base is recorded under its name:tag (what the converter resolved to this digest), so
    // the next build resolves it from the store instead of asking the registry.
    const images = new ImageStore(env.root, env.content);
    const streamed: Array<Promise<void>> = [];
    const res = await pullImage(ref.toString(), {
      root: env.root, content: env.content,
      recordImage: async (_name, target) => {
        // Leased before pullImage's own lease ends, so the blobs survive an untag + prune.
        await env.lease?.add([target.digest]);
        if (!ref.tag) return;
        // The tag (index.json under its lock) is for the next build's lookups: written beside
        // this build's next steps, not before them.
        env.afterward(images.tag(ref.withTag(ref.tag).toString(), target, { fromRegistry: true }));
      },
      layerSink: (layer, index, config) => unpackSink(env, layer, index, config.rootfs?.diff_ids ?? [], streamed, status),
    }).catch(async (err: unknown) => {
      await Promise.allSettled(streamed);
      throw err;
    });
    await env.lease?.add([res.target.digest, res.manifest.digest]);
    // A layer unpacked while it downloaded is done here; one whose streamed unpack failed
    // (e.g. the download was retried) is unpacked again below, from the stored blob.
    await Promise.allSettled(streamed);
    // As stored (both verified against their digests): not read back from the store.
    img = { manifest: res.imageManifest, config: res.config };
  }
  const { manifest, config } = img;
  // Held until the build is exported, so `image prune` beside it keeps the base's blobs.
  await env.lease?.add([manifest.config.digest, ...manifest.layers.map((l) => l.digest)]);
  const diffIDs = config.rootfs.diff_ids;
  if (diffIDs.length !== manifest.layers.length) {
    throw new Error(`${ref.toString()}: the config lists ${diffIDs.length} layers, the manifest ${manifest.layers.length}`);
  }
  const layers: LayerRef[] = [];
  const chain: string[] = [];
  for (const [i, desc] of manifest.layers.entries()) {
    env.signal.throwIfAborted();
    const diffID = diffIDs[i]!;
    const id = layerSnapshotId(diffID);
    await unpackOnce(env, id, chain, desc, diffID, status);
    layers.push({ snapshotId: id });
    chain.push(env.snapshotter.layerDir(id));
  }
  return { kind: 'layers', layers };
}

async function allBlobs(env: BuildEnv, manifest: ImageManifest): Promise<boolean> {
  const sizes = await Promise.all(manifest.layers.map((l) => env.content.size(l.digest)));
  return sizes.every((s, i) => s === manifest.layers[i]!.size);
}

/**
 * While the pull downloads layer `index`: a sink that unpacks it at the same time, when every
 * layer below it is unpacked already (an unpack needs its lowers) and nobody unpacks it yet.
 */
async function unpackSink(env: BuildEnv, layer: Descriptor, index: number, diffIDs: readonly string[],
  streamed: Array<Promise<void>>, status: (t: string) => void): Promise<BlobSink | undefined> {
  const ids = diffIDs.map(layerSnapshotId);
  const id = ids[index];
  if (!id || unpacking.has(id)) return undefined;
  const chain = ids.slice(0, index);
  const lowers = await Promise.all(chain.map((l) => env.snapshotter.has(l)));
  if (!lowers.every(Boolean) || await env.snapshotter.has(id)) return undefined;
  if (layerCompression(layer.mediaType) === 'gzip') preloadGunzip();
  return (bytes) => {
    if (unpacking.has(id)) return Promise.resolve();
    const job = unpackJob(env, id, chain.map((l) => env.snapshotter.layerDir(l)), layer, diffIDs[index]!, bytes, status);
    streamed.push(job);
    return job;
  };
}

async function unpackOnce(env: BuildEnv, id: string, chain: readonly string[], desc: Descriptor, diffID: string,
  status: (t: string) => void): Promise<void> {
  for (;;) {
    const running = unpacking.get(id);
    if (!running) break;
    await running;
  }
  if (await env.snapshotter.has(id)) {
    const meta = await readLayerMeta(env.root, id);
    if (!meta.diffID) await updateLayerMeta(env.root, id, { diffID, blobs: { [compressionKey(desc.mediaType)]: desc } });
    return;
  }
  await unpackJob(env, id, chain, desc, diffID, env.content.openRead(desc.digest), status);
}

/** Unpacks one layer as snapshot `id`; others wanting it meanwhile wait (and retry if it failed). */
async function unpackJob(env: BuildEnv, id: string, chain: readonly string[], desc: Descriptor, diffID: string,
  bytes: AsyncIterable<Uint8Array>, status: (t: string) => void): Promise<void> {
  const job = (async () => {
    status(`extracting ${desc.digest}`);
    await spreadSnapshots(env);
    // The build cache keeps the registry blob of every base layer it unpacked: an export
    // reuses it byte for byte, even after `image prune -a` removed the base image (as
    // BuildKit's cache). The memo (layer.json) is in the snapshot as it appears: a kill in
    // between must not leave a base layer that exports as a rebuilt tar.
    const leased = Lease.named(env.root, `build-cache-${id}`).add([desc.digest]);
    leased.catch(() => undefined); // (awaited below)
    await env.snapshotter.unpack(id, chain, bytes, undefined, diffID, { diffID, blobs: { [compressionKey(desc.mediaType)]: desc } });
    await leased;
  })();
  const settled = job.then(() => undefined, () => undefined);
  unpacking.set(id, settled);
  try {
    await job;
  } finally {
    if (unpacking.get(id) === settled) unpacking.delete(id);
  }
}
