// A layer's blob in the content store for a given compression, produced at most once:
// memoized in <root>/snapshots/<id>/layer.json (../solver/layer-meta.ts). A new blob is
// streamed: layer tar (writeLayerTar) → sha256 of the tar (the diffID) → compressor →
// ContentStore.writeStream (hashing again for the blob digest), so memory stays flat.
// Base-image layers keep their registry blob byte for byte; only force-compression makes a
// new blob for them, by recompressing their original (so the diffID stays the same).
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Descriptor } from '../content/descriptor.js';
import { ContentStore } from '../content/store.js';
import { decompressedStream } from '../solver/layer/decompress.js';
import { readLayerMeta, updateLayerMeta, type LayerMetaPatch, type StoredLayerMeta } from '../solver/layer-meta.js';
import type { LayerRef } from '../solver/result.js';
import { Snapshotter } from '../solver/snapshot/snapshotter.js';
import { compressionKey, compressionOfMediaType, compressNow, compressStream, layerMediaType, readEagerly, SMALL_TAR, tapStream,
  type Compression } from './compression.js';

export interface LayerBlob {
  /** The blob (OCI media type for its compression; annotations are added by the manifest). */
  descriptor: Descriptor;
  diffID: string;
  /** Uncompressed tar bytes (unknown for a base layer recorded without it). */
  size?: number;
  /** A base-image layer (its tar is never rebuilt). */
  base: boolean;
  /** The blob was written by this call (not found memoized). */
  written?: boolean;
}

export interface EnsureLayerOptions {
  /** The layers below this one, oldest first (the diff needs them for whiteouts). */
  lowers: readonly LayerRef[];
  /** Clamp mtimes in a built layer's tar to this many seconds (ignored for base layers). */
  clampMtime?: number;
  content?: ContentStore;
  /** Opened once per export and shared. */
  snapshotter?: () => Promise<Snapshotter>;
  /** Called whenever a layer tar is actually generated or decompressed (tests count it). */
  onTarWork?: (snapshotId: string) => void;
  /**
   * The caller calls content.syncNames() before it writes anything durable that names the
   * blob (the manifest): new blobs' names are then synced together, not one by one.
   */
  deferNameSync?: boolean;
  /**
   * The layer.json memo is written in the background (it is a cache, not something the image
   * needs): the caller, or whoever finishes the work, awaits layerMetaWritten()
   * (layer-meta.ts) before it ends.
   */
  backgroundMemo?: boolean;
  /** Aborted, a blob still being written is dropped (its temp file removed) and the call rejects. */
  signal?: AbortSignal;
}

/** Writes the memo now, or in the background (see EnsureLayerOptions.backgroundMemo). */
async function memoize(root: string, layer: LayerRef, patch: LayerMetaPatch, opts: EnsureLayerOptions): Promise<void> {
  const write = updateLayerMeta(root, layer.snapshotId, patch);
  // In the background a failure only costs a recompression later; layerMetaWritten() waits for it.
  if (opts.backgroundMemo) write.catch(() => undefined);
  else await write;
}

// Two exports of one layer in this process share the work.
const inflight = new Map<string, Promise<LayerBlob>>();

export async function ensureLayerBlob(root: string, layer: LayerRef, compression: Compression, opts: EnsureLayerOptions): Promise<LayerBlob> {
  const key = `${path.resolve(root)}\0${layer.snapshotId}\0${compressionKey(compression)}\0${compression.force ?? false}\0${opts.clampMtime ?? ''}`;
  let p = inflight.get(key);
  if (!p) {
    p = produce(root, layer, compression, opts).finally(() => inflight.delete(key));
    inflight.set(key, p);
  }
  const blob = await p;
  // The work may have been started by a caller that defers the name's fsync: a caller that
  // does not gets a durable name all the same (a no-op when nothing is pending).
  if (!opts.deferNameSync) await (opts.content ?? new ContentStore(root)).syncNames();
  return blob;
}

function mtimeKey(clamp: number | undefined): string {
  return clamp === undefined ? 'raw' : `epoch-${clamp}`;
}

function ociDescriptor(d: Descriptor): Descriptor {
  const type = compressionOfMediaType(d.mediaType);
  const out: Descriptor = { mediaType: type ? layerMediaType(type, true) : d.mediaType, digest: d.digest, size: d.size };
  if (d.annotations) out.annotations = d.annotations;
  if (d.urls) out.urls = d.urls;
  return out;
}

async function produce(root: string, layer: LayerRef, compression: Compression, opts: EnsureLayerOptions): Promise<LayerBlob> {
  const content = opts.content ?? new ContentStore(root);
  const meta = await readLayerMeta(root, layer.snapshotId);
  if (meta.diffID !== undefined) return baseLayerBlob(root, layer, compression, opts, content, meta);
  return builtLayerBlob(root, layer, compression, opts, content, meta);
}

/** A layer made here: its tar (with the mtime policy) compressed, memoized per policy and compression. */
async function builtLayerBlob(root: string, layer: LayerRef, compression: Compression, opts: EnsureLayerOptions,
  content: ContentStore, meta: StoredLayerMeta): Promise<LayerBlob> {
  const ckey = compressionKey(compression);
  const tkey = mtimeKey(opts.clampMtime);
  const bkey = `${ckey}@${tkey}`;
  const known = meta.blobs?.[bkey];
  const tar = meta.tars?.[tkey];
  if (known && tar && (await content.has(known.digest))) return { descriptor: known, diffID: tar.diffID, size: tar.size, base: false };

  const written = await writeBlob(content, compression, await diffStream(root, layer, opts), opts);
  const descriptor: Descriptor = { mediaType: layerMediaType(compression.type, true), digest: written.digest, size: written.size };
  await memoize(root, layer, { tars: { [tkey]: { diffID: written.diffID, size: written.tarSize } }, blobs: { [bkey]: descriptor } }, opts);
  return { descriptor, diffID: written.diffID, size: written.tarSize, base: false, written: true };
}

async function baseLayerBlob(root: string, layer: LayerRef, compression: Compression, opts: EnsureLayerOptions,
  content: ContentStore, meta: StoredLayerMeta): Promise<LayerBlob> {
  const diffID = meta.diffID as string;
  const ckey = compressionKey(compression);
  const present: Descriptor[] = [];
  // Keys with '@' are tars rebuilt from the directory (see below): not this diffID's blobs.
  for (const [k, d] of Object.entries(meta.blobs ?? {})) if (!k.includes('@') && (await content.has(d.digest))) present.push(d);
  const exact = meta.blobs?.[ckey];
  // The exact compression; else the same type at any level unless a level was asked for;
  // else (without force-compression) the original blob, whatever its compression.
  const sameType = compression.level === undefined ? present.find((d) => compressionOfMediaType(d.mediaType) === compression.type) : undefined;
  const pick = (exact && present.includes(exact) ? exact : undefined) ?? sameType ?? (compression.force ? undefined : present[0]);
  if (pick) return { descriptor: ociDescriptor(pick), diffID, ...(meta.size !== undefined ? { size: meta.size } : {}), base: true };

  // Recompress the original blob: same tar, same diffID.
  const source = present[0];
  if (!source) {
    // Every blob of it was pruned: the tar can only be rebuilt from the directory, which
    // gives a new (unclamped) tar and diffID. Still a base layer: no timestamp annotation.
    return { ...(await builtLayerBlob(root, layer, compression, { ...opts, clampMtime: undefined }, content, meta)), base: true };
  }
  opts.onTarWork?.(layer.snapshotId);
  const tarStream = readEagerly(await decompressedStream(content.openRead(source.digest)));
  const written = await writeBlob(content, compression, tarStream, opts);
  if (written.diffID !== diffID) {
    throw new Error(`layer ${layer.snapshotId}: its tar hashes to ${written.diffID}, but the image config says ${diffID}`);
  }
  const descriptor: Descriptor = { mediaType: layerMediaType(compression.type, true), digest: written.digest, size: written.size };
  await memoize(root, layer, { size: written.tarSize, blobs: { [ckey]: descriptor } }, opts);
  return { descriptor, diffID, size: written.tarSize, base: true, written: true };
}

async function diffStream(root: string, layer: LayerRef, opts: EnsureLayerOptions): Promise<Readable> {
  const snapshotter = await (opts.snapshotter ?? (() => Snapshotter.open(root, { kind: 'copy' })))();
  opts.onTarWork?.(layer.snapshotId);
  const chain = opts.lowers.map((l) => snapshotter.layerDir(l.snapshotId));
  return snapshotter.diff(snapshotter.layerDir(layer.snapshotId), chain, opts.clampMtime !== undefined ? { epoch: opts.clampMtime } : {});
}

/**
 * tar → (diffID, size) → compressor → content store. A small tar (most RUN steps' layers) is
 * read whole and compressed in one call; a bigger one streams, so memory stays flat.
 */
async function writeBlob(content: ContentStore, compression: Compression, tar: Readable, opts: EnsureLayerOptions):
  Promise<{ digest: string; size: number; diffID: string; tarSize: number }> {
  let compressor: Readable | undefined;
  const onAbort = (): void => {
    const err = new Error('layer blob abandoned');
    tar.destroy(err);
    compressor?.destroy(err);
  };
  opts.signal?.throwIfAborted();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const chunks = (tar as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    const head: Buffer[] = [];
    let headSize = 0;
    for (;;) {
      const next = await chunks.next();
      if (next.done) {
        const whole = head.length === 1 ? head[0]! : Buffer.concat(head, headSize);
        const blob = compressNow(whole, compression);
        if (!blob) break;
        opts.signal?.throwIfAborted();
        const written = await content.writeBytes(blob, {}, { syncName: !opts.deferNameSync });
        return { ...written, diffID: `sha256:${createHash('sha256').update(whole).digest('hex')}`, tarSize: headSize };
      }
      head.push(next.value);
      headSize += next.value.length;
      if (headSize > SMALL_TAR) break;
    }
    const hash = createHash('sha256');
    let tarSize = 0;
    const tapped = tapStream(head, chunks, (chunk) => {
      hash.update(chunk);
      tarSize += chunk.length;
    });
    compressor = compressStream(tapped, compression);
    const blob = await content.writeStream(compressor, {}, { syncName: !opts.deferNameSync });
    return { ...blob, diffID: `sha256:${hash.digest('hex')}`, tarSize };
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
