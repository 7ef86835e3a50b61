// Cache export, step 1: the records to export and their layer blobs, as a CacheConfig.
// mode=max: every step of the build that has a result (intermediate stages included);
// mode=min: only the steps whose result is a prefix of the final result's layer chain (the
// exported image's own steps). Only layer chains are exported: secret, SSH and tmpfs mounts
// have no results, and cache mounts live outside the records (<root>/cache/mounts).
// Built layers get the blob the image exporter makes (same compression and mtime clamp), so
// one blob serves the image and the cache, and an importer re-exports the same image digest.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Descriptor } from '../../../content/descriptor.js';
import { ContentStore } from '../../../content/store.js';
import type { Compression } from '../../../exporters/compression.js';
import { layerMediaType, compressionOfMediaType } from '../../../exporters/compression.js';
import { ensureLayerBlob } from '../../../exporters/layer-blob.js';
import { decodeDefinition } from '../../../llb/definition.js';
import type { Definition } from '../../../llb/types.js';
import type { LayerRef } from '../../result.js';
import type { VertexRecord } from '../../solve.js';
import { CacheIndex } from '../records.js';
import { UNCOMPRESSED_ANNOTATION, type CacheConfig, type CacheInput, type CacheLayer, type CacheRecordV1 } from './config.js';
import type { ImportedCache } from './imported-cache.js';
import type { CacheMode } from './spec.js';

export interface CollectOptions {
  root: string;
  definition: Definition;
  /** The solve's vertices (every step of the graph with its cache key). */
  vertices: readonly VertexRecord[];
  /** The final result's layers. */
  result: readonly LayerRef[];
  mode: CacheMode;
  compression: Compression;
  /** The image exporter's mtime clamp for new layers (so blobs are shared with the image). */
  clampMtime?: number;
  /** OCI or Docker layer media types in the manifest. */
  ociMediaTypes?: boolean;
  imported?: ImportedCache;
  /** The build's lease: blobs fetched for the export are held by it. */
  lease?: { add(digests: Iterable<string>): Promise<void> };
}

export interface CollectedCache {
  config: CacheConfig;
  /** The config's layer blobs (each once), with their diffID annotation; all in the content store. */
  layers: Descriptor[];
}

export async function collectCache(opts: CollectOptions): Promise<CollectedCache> {
  const def = decodeDefinition(opts.definition);
  const index = new CacheIndex(opts.root);
  const content = new ContentStore(opts.root);
  const finalChain = opts.result.map((l) => l.snapshotId);
  const isPrefix = (chain: string[]) => chain.length <= finalChain.length && chain.every((id, i) => finalChain[i] === id);

  // 1. The records: vertex digest → (key, outputs as snapshot chains).
  const chosen = new Map<string, { key: string; outputs: string[][] }>();
  for (const v of opts.vertices) {
    const op = def.ops.get(v.digest);
    if (!op || op.kind === 'source') continue;
    const rec = (await index.get(v.key)) ?? opts.imported?.lookup(v.key);
    if (!rec) continue;
    if (opts.mode === 'min' && !rec.outputs.some(isPrefix)) continue;
    chosen.set(v.digest, { key: v.key, outputs: rec.outputs });
  }

  // 2. Each snapshot's blob, built on the chain below it.
  const blobs = new Map<string, Promise<{ descriptor: Descriptor; diffID: string }>>();
  const blobOf = (chain: string[], i: number) => {
    const id = chain[i]!;
    let p = blobs.get(id);
    if (!p) blobs.set(id, (p = layerBlob(opts, content, id, chain.slice(0, i))));
    return p;
  };

  // 3. Layers (a blob on a given parent, once) and records, in key order for stable output.
  const layers: CacheLayer[] = [];
  const layerIndex = new Map<string, number>();
  const descs = new Map<string, Descriptor>();
  const topOf = async (chain: string[]): Promise<number> => {
    let parent = -1;
    for (let i = 0; i < chain.length; i++) {
      const b = await blobOf(chain, i);
      const k = `${parent}/${b.descriptor.digest}`;
      let idx = layerIndex.get(k);
      if (idx === undefined) {
        idx = layers.length;
        layers.push({ blob: b.descriptor.digest, parent, annotations: { mediaType: b.descriptor.mediaType, diffID: b.diffID, size: b.descriptor.size } });
        layerIndex.set(k, idx);
      }
      descs.set(b.descriptor.digest, manifestLayer(b.descriptor, b.diffID, opts.ociMediaTypes ?? true));
      parent = idx;
    }
    return parent;
  };
  const ordered = [...chosen.entries()].sort((a, b) => (a[1].key < b[1].key ? -1 : a[1].key > b[1].key ? 1 : 0));
  const recordIndex = new Map(ordered.map(([d], i) => [d, i]));
  const records: CacheRecordV1[] = [];
  for (const [digest, r] of ordered) {
    const results = [];
    for (const [output, chain] of r.outputs.entries()) {
      if (opts.mode === 'min' && !isPrefix(chain)) continue;
      results.push({ layer: await topOf(chain), ...(output ? { output } : {}) });
    }
    const op = def.ops.get(digest)!;
    const inputs: CacheInput[][] = op.inputs.map((inp) => {
      const link = recordIndex.get(inp.digest);
      return link === undefined ? [] : [{ selector: '', link }];
    });
    records.push({ digest: r.key, layers: results, ...(inputs.some((i) => i.length) ? { inputs } : {}) });
  }
  return { config: { layers, records }, layers: [...descs.values()] };
}

function manifestLayer(d: Descriptor, diffID: string, oci: boolean): Descriptor {
  const type = compressionOfMediaType(d.mediaType);
  return { mediaType: type ? layerMediaType(type, oci) : d.mediaType, digest: d.digest, size: d.size, annotations: { [UNCOMPRESSED_ANNOTATION]: diffID } };
}

async function layerBlob(opts: CollectOptions, content: ContentStore, id: string, lowers: string[]): Promise<{ descriptor: Descriptor; diffID: string }> {
  const local = await stat(path.join(opts.root, 'snapshots', id, 'fs')).then(() => true, () => false);
  if (!local) {
    // Imported but never needed here (mode=max after a cached build): pass its blob on.
    const remote = await opts.imported?.blobFor(id, content, opts.lease);
    if (!remote) throw new Error(`cache export: layer ${id} is neither stored nor imported`);
    return remote;
  }
  const b = await ensureLayerBlob(opts.root, { snapshotId: id }, opts.compression, {
    lowers: lowers.map((snapshotId) => ({ snapshotId })), content,
    ...(opts.clampMtime !== undefined ? { clampMtime: opts.clampMtime } : {}),
  });
  return { descriptor: b.descriptor, diffID: b.diffID };
}
