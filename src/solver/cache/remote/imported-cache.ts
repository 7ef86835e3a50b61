// Cache records imported with --cache-from, consulted by the solver when its own index has no
// record for a key (the keys are content-derived, so they match across machines). A hit costs
// nothing until the result is needed: materialize() then fetches each missing layer blob,
// unpacks it as snapshot l-<diffID> (like a base-image layer) with layer.json recording the
// diffID and blob, so the exporter reuses the blob byte for byte.
import type { Descriptor } from '../../../content/descriptor.js';
import type { ContentStore } from '../../../content/store.js';
import { layerSnapshotId, compressionKey } from '../../ops/image.js';
import { readLayerMeta, updateLayerMeta } from '../../layer-meta.js';
import type { Snapshotter } from '../../snapshot/snapshotter.js';
import type { CacheRecord } from '../records.js';
import { chainOf, UNCOMPRESSED_ANNOTATION, type ChainLayer, type LayerAnnotations } from './config.js';
import type { CacheSource } from './sources.js';

interface ImportedRecord {
  key: string;
  /** Per output index, bottom layer first. */
  outputs: ChainLayer[][];
  source: CacheSource;
}

export interface MaterializeEnv {
  root: string;
  content: ContentStore;
  snapshotter: Snapshotter;
  lease?: { add(digests: Iterable<string>): Promise<void> };
}

export class ImportedCache {
  private readonly records = new Map<string, ImportedRecord>();
  /** Snapshot id → where its blob comes from (for export of layers never unpacked here). */
  private readonly layers = new Map<string, { layer: ChainLayer; source: CacheSource }>();
  private readonly unpacking = new Map<string, Promise<void>>();

  constructor(sources: readonly CacheSource[]) {
    // The first source naming a key wins (--cache-from order).
    for (const source of sources) {
      for (const r of source.config.records) {
        if (this.records.has(r.digest) || !r.layers?.length) continue;
        const outputs: ChainLayer[][] = [];
        let ok = true;
        for (const res of r.layers) {
          const chain = res.layer < 0 ? [] : chainOf(source.config, res.layer).map((l) => toChainLayer(source, l.blob, l.annotations));
          if (chain.some((c) => c === undefined)) ok = false;
          outputs[res.output ?? 0] = chain as ChainLayer[];
        }
        if (!ok || outputs.some((o) => o === undefined) || outputs.length === 0) continue;
        this.records.set(r.digest, { key: r.digest, outputs, source });
        for (const chain of outputs) for (const l of chain) this.layers.set(layerSnapshotId(l.diffID), { layer: l, source });
      }
    }
  }

  get size(): number {
    return this.records.size;
  }

  /** A record shaped like the local index's (snapshot ids l-<diffID>), or undefined. */
  lookup(key: string): CacheRecord | undefined {
    const r = this.records.get(key);
    if (!r) return undefined;
    return { key, outputs: r.outputs.map((chain) => chain.map((l) => layerSnapshotId(l.diffID))), name: `imported from ${r.source.what}`, created: new Date().toISOString() };
  }

  /** Makes every layer of the record's outputs a local snapshot (fetching blobs as needed). */
  async materialize(key: string, env: MaterializeEnv): Promise<void> {
    const r = this.records.get(key);
    if (!r) throw new Error(`no imported cache record ${key}`);
    for (const chain of r.outputs) {
      const below: string[] = [];
      for (const l of chain) {
        const id = layerSnapshotId(l.diffID);
        await this.unpackOnce(id, [...below], l, r.source, env);
        below.push(env.snapshotter.layerDir(id));
      }
    }
  }

  /** The blob of an imported layer, fetched into `content` (for export of layers not unpacked here). */
  async blobFor(snapshotId: string, content: ContentStore, lease?: MaterializeEnv['lease']): Promise<ChainLayer | undefined> {
    const hit = this.layers.get(snapshotId);
    if (!hit) return undefined;
    await lease?.add([hit.layer.descriptor.digest]);
    await hit.source.fetch(hit.layer.descriptor, content);
    return hit.layer;
  }

  private unpackOnce(id: string, chain: string[], l: ChainLayer, source: CacheSource, env: MaterializeEnv): Promise<void> {
    let p = this.unpacking.get(id);
    if (!p) {
      p = (async () => {
        const meta = { diffID: l.diffID, blobs: { [compressionKey(l.descriptor.mediaType)]: l.descriptor } };
        if (await env.snapshotter.has(id)) {
          // Unpacked before (a base image, or a build killed before layer.json was written).
          if (!(await readLayerMeta(env.root, id)).diffID) await updateLayerMeta(env.root, id, meta);
          return;
        }
        // Leased before it lands, so an `image prune` beside the build cannot take it.
        await env.lease?.add([l.descriptor.digest]);
        await source.fetch(l.descriptor, env.content);
        // Checked against its diffID while it unpacks (the snapshot is named after it and
        // shared), and published with its memo, so a kill never leaves one without the other.
        await env.snapshotter.unpack(id, chain, env.content.openRead(l.descriptor.digest), undefined, l.diffID, meta);
      })();
      this.unpacking.set(id, p);
      p.catch(() => this.unpacking.delete(id));
    }
    return p;
  }
}

function toChainLayer(source: CacheSource, blob: string, annotations: LayerAnnotations | undefined): ChainLayer | undefined {
  const d = source.blobs.get(blob);
  const diffID = annotations?.diffID ?? d?.annotations?.[UNCOMPRESSED_ANNOTATION];
  if (!d || !diffID) return undefined;
  // Stored without annotations: the exporter copies a base layer's annotations into the image.
  const descriptor: Descriptor = { mediaType: d.mediaType, digest: d.digest, size: d.size };
  return { diffID, descriptor };
}
