// Turns a solved result (a layer chain + the converter's image config) into outputs: layer
// blobs (memoized per layer and compression), the config and manifest, then each -o output.
// Reproducible by default:
//  - with SOURCE_DATE_EPOCH, `created` (config and new history entries) is that time;
//  - without it, `created` is the newest time in the base image's history (the Unix epoch
//    for FROM scratch), never the wall clock;
//  - mtimes in NEW layers are clamped to that same time by default (files newer than it get
//    it), because RUN and COPY produce build-time mtimes that would otherwise change the
//    digest on every rebuild. rewrite-timestamp=true does the same and also annotates the
//    layers like BuildKit (buildkit/rewritten-timestamp); rewrite-timestamp=false keeps
//    mtimes as produced (BuildKit's default). Base-image layers are never rewritten.
import type { Writable } from 'node:stream';
import pLimit from 'p-limit';
import type { Descriptor } from '../content/descriptor.js';
import { digestOf } from '../content/digest.js';
import { MediaType } from '../content/media-types.js';
import { ContentStore } from '../content/store.js';
import type { Image } from '../frontend/dockerfile/image-config.js';
import { pushImage, type PushResult } from '../registry/push.js';
import type { TransferProgress } from '../registry/progress.js';
import { parseReference } from '../registry/reference.js';
import { layerMetaWritten } from '../solver/layer-meta.js';
import type { LayerRef } from '../solver/result.js';
import { Snapshotter } from '../solver/snapshot/snapshotter.js';
import { IMAGE_NAME } from '../store/annotations.js';
import { writeImageArchive } from '../store/archive-writer.js';
import { ImageStore } from '../store/image-store.js';
import { Lease } from '../store/leases.js';
import { compressionKey, compressionOfMediaType, layerMediaType, type Compression } from './compression.js';
import { writeToDest } from './destination.js';
import { buildConfig, configBytes, manifestBytes } from './image-document.js';
import { ensureLayerBlob, type LayerBlob } from './layer-blob.js';
import { IMAGE_OUTPUTS, layerClamp } from './layer-policy.js';
import type { ExportedImage } from './metadata.js';
import { writeOciDir, writeOciTar } from './oci-layout.js';
import type { OutputSpec, OutputType } from './outputs.js';
import { exportLocal, exportRootfsTar } from './rootfs.js';

export const REWRITTEN_TIMESTAMP = 'buildkit/rewritten-timestamp';

export interface ExportImageOptions {
  root: string;
  /** The result's layers, bottom first ([] = scratch). */
  layers: readonly LayerRef[];
  /** The converter's image config (history without timestamps unless SOURCE_DATE_EPOCH). */
  image: Image;
  /** The base image's config as resolved (its history entries are kept untouched). */
  baseImage?: Image | null;
  outputs: readonly OutputSpec[];
  /** SOURCE_DATE_EPOCH, seconds. */
  epoch?: number;
  /** Manifest annotations added to every image output's own. */
  annotations?: Record<string, string>;
  /** Extra top-level config fields, e.g. { [INLINE_CACHE_KEY]: … } for --cache-to type=inline. */
  configExtra?: Record<string, unknown>;
  /** Where `dest=-` goes (default process.stdout). */
  stdout?: Writable;
  /** Layers compressed at the same time (default 3). */
  concurrency?: number;
  /** Push progress (default silent). */
  progress?: TransferProgress;
  /** Called whenever a layer tar is generated or decompressed (tests count tar work). */
  onTarWork?: (snapshotId: string) => void;
}

export interface OutputDone {
  type: OutputType;
  names: string[];
  dest?: string;
  /** The manifest this output wrote (image outputs). */
  manifestDigest?: string;
  /** type=image: every name already pointed at this manifest; nothing was written. */
  unchanged?: boolean;
  pushed?: PushResult[];
}

export interface ExportResult {
  /** The first image output's image (absent when only local/tar outputs were asked for). */
  manifestDescriptor?: Descriptor;
  configDescriptor?: Descriptor;
  imageID?: string;
  /** The names of that image output. */
  names: string[];
  outputsDone: OutputDone[];
}

interface BuiltImage {
  manifest: Descriptor;
  config: Descriptor;
  layers: Descriptor[];
  /** The config's `created` (recorded in the store's index entry). */
  created?: string;
  /**
   * Settles once the config and manifest are in the store and every blob name of the image is
   * durable (one directory fsync); rejects when they could not be stored. Outputs reading the
   * store wait for it; index.json is written and synced meanwhile, replaced only after it.
   */
  stored: Promise<void>;
}

/** The result as an ExportedImage for metadataFileContent/iidfileContent (undefined without an image output). */
export function exportedImage(r: ExportResult): ExportedImage | undefined {
  if (!r.manifestDescriptor || !r.configDescriptor || !r.imageID) return undefined;
  return { manifestDescriptor: r.manifestDescriptor, configDescriptor: r.configDescriptor, imageID: r.imageID, names: r.names };
}

export async function exportImage(opts: ExportImageOptions): Promise<ExportResult> {
  const exporter = new ImageExporter(opts);
  try {
    return await exporter.run();
  } finally {
    await exporter.close();
  }
}

class ImageExporter {
  private readonly content: ContentStore;
  private readonly images: ImageStore;
  private readonly built = new Map<string, Promise<BuiltImage>>();
  private snapshotter: Promise<Snapshotter> | undefined;
  private lease: Promise<Lease> | undefined;
  private readonly leaseSoon: string[] = [];
  private leaseTimer: NodeJS.Immediate | undefined;

  constructor(private readonly opts: ExportImageOptions) {
    this.content = new ContentStore(opts.root);
    this.images = new ImageStore(opts.root, this.content);
  }

  async run(): Promise<ExportResult> {
    const result: ExportResult = { names: [], outputsDone: [] };
    for (const out of this.opts.outputs) {
      const done = await this.output(out);
      result.outputsDone.push(done);
      if (IMAGE_OUTPUTS.includes(out.type) && !result.manifestDescriptor) {
        const img = await this.image(out);
        result.manifestDescriptor = img.manifest;
        result.configDescriptor = img.config;
        result.imageID = img.config.digest;
        result.names = out.names.map((n) => parseReference(n).toString());
      }
    }
    return result;
  }

  async close(): Promise<void> {
    // layer.json memos written beside the rest of the export (and by the build's preparer); a
    // failed one only costs a recompression next time.
    await layerMetaWritten();
    // (outputs other than the store's index did not wait for the blob names' fsync)
    await Promise.all([...this.built.values()].map((p) => p.then((b) => b.stored, () => undefined)));
    if (this.leaseTimer) clearImmediate(this.leaseTimer);
    if (this.lease) await (await this.lease).release();
  }

  private getSnapshotter(): Promise<Snapshotter> {
    this.snapshotter ??= Snapshotter.open(this.opts.root);
    return this.snapshotter;
  }

  /**
   * Protects blobs from a concurrent `image prune` until the export ends (with those
   * holdSoon() was given). Layer blobs found stored are leased together with the config and
   * manifest, so a fully cached export writes the lease file once.
   */
  private async hold(digests: string[]): Promise<void> {
    const all = [...this.leaseSoon.splice(0), ...digests];
    this.lease ??= Lease.acquire(this.opts.root);
    await (await this.lease).add(all);
  }

  /**
   * Leases a layer blob made now at the next turn of the event loop, in one write with
   * whatever is leased by then: the last layer's blob usually joins the config's and
   * manifest's write (store() checks the layers are still there after that lease).
   */
  private holdSoon(digest: string): void {
    this.leaseSoon.push(digest);
    this.leaseTimer ??= setImmediate(() => {
      this.leaseTimer = undefined;
      if (this.leaseSoon.length) void this.hold([]).catch(() => undefined); // (the next hold() retries)
    });
  }

  /** Mtime clamp for new layers (see the file comment). */
  private clampFor(out: OutputSpec): number | undefined {
    return layerClamp(out, this.opts.image, this.opts.epoch);
  }

  /** One image per distinct (compression, media types, timestamps, annotations). */
  private image(out: OutputSpec): Promise<BuiltImage> {
    const annotations = { ...this.opts.annotations, ...out.manifestAnnotations };
    const key = JSON.stringify([compressionKey(out.compression), out.compression.force ?? false, out.ociMediaTypes, out.rewriteTimestamp, annotations]);
    let p = this.built.get(key);
    if (!p) {
      p = this.buildImage(out.compression, out.ociMediaTypes, out.rewriteTimestamp, annotations, this.clampFor(out));
      this.built.set(key, p);
    }
    return p;
  }

  private async buildImage(compression: Compression, oci: boolean, rewrite: boolean | undefined, annotations: Record<string, string>,
    clamp: number | undefined): Promise<BuiltImage> {
    const { root, layers, epoch } = this.opts;
    const limit = pLimit(this.opts.concurrency ?? 3);
    const blobs: LayerBlob[] = await Promise.all(layers.map((layer, i) => limit(async () => {
      const blob = await ensureLayerBlob(root, layer, compression, {
        lowers: layers.slice(0, i),
        ...(clamp !== undefined ? { clampMtime: clamp } : {}),
        content: this.content,
        snapshotter: () => this.getSnapshotter(),
        ...(this.opts.onTarWork ? { onTarWork: this.opts.onTarWork } : {}),
        deferNameSync: true,
        backgroundMemo: true,
      });
      if (blob.written) this.holdSoon(blob.descriptor.digest);
      return blob;
    })));
    const layerDescs = blobs.map((b) => {
      const type = compressionOfMediaType(b.descriptor.mediaType);
      const d: Descriptor = { mediaType: type ? layerMediaType(type, oci) : b.descriptor.mediaType, digest: b.descriptor.digest, size: b.descriptor.size };
      const ann: Record<string, string> = {};
      if (b.base) {
        for (const [k, v] of Object.entries(b.descriptor.annotations ?? {})) if (!k.startsWith('containerd.io/')) ann[k] = v;
      } else if (rewrite === true && epoch !== undefined) {
        ann[REWRITTEN_TIMESTAMP] = String(epoch);
      }
      if (Object.keys(ann).length) d.annotations = ann;
      if (b.descriptor.urls) d.urls = b.descriptor.urls;
      return d;
    });
    const config = buildConfig({
      image: this.opts.image,
      diffIDs: blobs.map((b) => b.diffID),
      ...(epoch !== undefined ? { epoch } : {}),
      baseHistoryLength: this.opts.baseImage?.history?.length ?? 0,
    });
    const cfgBytes = configBytes(config, this.opts.configExtra);
    const configDesc: Descriptor = { mediaType: oci ? MediaType.OCI_CONFIG : MediaType.DOCKER_CONFIG, digest: digestOf(cfgBytes), size: cfgBytes.length };
    const mBytes = manifestBytes({ config: configDesc, layers: layerDescs, oci, annotations });
    const manifest: Descriptor = { mediaType: oci ? MediaType.OCI_MANIFEST : MediaType.DOCKER_MANIFEST, digest: digestOf(mBytes), size: mBytes.length };
    const created = createdOf(config, this.opts.configExtra);
    const built = (stored: Promise<void>): BuiltImage => ({
      manifest, config: configDesc, layers: layerDescs, ...(created !== undefined ? { created } : {}), stored,
    });
    // Already in the store's index (a fully cached build): everything is reachable and stored.
    if ((await this.images.readIndex()).manifests.some((e) => e.digest === manifest.digest) && (await this.content.has(manifest.digest))) {
      await this.content.syncNames(); // (nothing to do unless a layer blob was written)
      return built(Promise.resolve());
    }
    await this.hold([...layerDescs.map((d) => d.digest), configDesc.digest, manifest.digest]);
    const stored = this.store([cfgBytes, mBytes], layerDescs);
    stored.catch(() => undefined); // (awaited by the outputs and close())
    return built(stored);
  }

  /**
   * Writes small blobs the store lacks (a cached build writes nothing): written and fsynced
   * together, renamed in the given order (the config before the manifest naming it, so a kill
   * between the two never leaves a manifest without its config). Then checks the layers are
   * still there, and one directory fsync makes every blob name of this export durable (the new
   * layers' too): see BuiltImage.stored.
   */
  private async store(blobs: Buffer[], layers: Descriptor[]): Promise<void> {
    const staged = await Promise.allSettled(blobs.map((b) => this.content.stage(b)));
    const failed = staged.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      for (const r of staged) if (r.status === 'fulfilled') r.value.discard();
      throw failed.reason;
    }
    for (const r of staged) if (r.status === 'fulfilled') r.value.commit();
    // A blob reused from an earlier export could have been pruned before the lease existed.
    for (const d of layers) {
      if (!(await this.content.has(d.digest))) throw new Error(`layer blob ${d.digest} disappeared during the export (pruned?); run the build again`);
    }
    await this.content.syncNames();
  }

  private async output(out: OutputSpec): Promise<OutputDone> {
    const stdout = this.opts.stdout ?? process.stdout;
    const names = out.names.map((n) => parseReference(n).toString());
    switch (out.type) {
      case 'local': {
        await exportLocal(await this.getSnapshotter(), this.opts.layers, out.dest as string, this.opts.epoch);
        return { type: out.type, names: [], dest: out.dest as string };
      }
      case 'tar': {
        await exportRootfsTar(await this.getSnapshotter(), this.opts.layers, out.dest as string, stdout, this.opts.epoch);
        return { type: out.type, names: [], dest: out.dest as string };
      }
      case 'oci': {
        const img = await this.image(out);
        await img.stored;
        const layout = {
          manifest: img.manifest, blobs: [img.manifest, img.config, ...img.layers], names,
          descriptorAnnotations: out.descriptorAnnotations, indexAnnotations: out.indexAnnotations,
        };
        if (out.tar) await writeOciTar(this.content, layout, out.dest as string, stdout);
        else await writeOciDir(this.content, layout, out.dest as string);
        return { type: out.type, names, dest: out.dest as string, manifestDigest: img.manifest.digest };
      }
      case 'docker': {
        const img = await this.image(out);
        if (out.dest === undefined) return { ...(await this.toStore(img, names, false)), type: out.type };
        await img.stored;
        const record = { id: img.config.digest, target: img.manifest, tags: [], digests: [] };
        await writeToDest(out.dest, stdout, (w) => writeImageArchive(this.images, [{ record, names }], w));
        return { type: out.type, names, dest: out.dest, manifestDigest: img.manifest.digest };
      }
      case 'image':
      case 'registry': {
        const img = await this.image(out);
        return { ...(await this.toStore(img, names, out.push, out.store)), type: out.type };
      }
    }
  }

  /**
   * Tags the image in the local store (a no-op when every name already points at it), then
   * pushes. With store=false the names are only held for the push (pushImage reads the store).
   */
  private async toStore(img: BuiltImage, names: string[], push: boolean, keep = true): Promise<Omit<OutputDone, 'type'>> {
    if (!keep && !push) return { names, manifestDigest: img.manifest.digest, unchanged: false };
    const index = await this.images.readIndex();
    const current = new Map(index.manifests.map((e) => [e.annotations?.[IMAGE_NAME], e.digest] as const));
    const unchanged = names.length > 0
      ? names.every((n) => current.get(n) === img.manifest.digest)
      : index.manifests.some((e) => e.digest === img.manifest.digest);
    if (!unchanged) {
      // The image's ID and time are known here: the store need not read the blobs back.
      const target = { id: img.config.digest, ...(img.created !== undefined ? { created: img.created } : {}) };
      const opts = { target, after: img.stored };
      if (names.length === 0) await this.images.addUntagged(img.manifest, opts);
      for (const name of names) await this.images.tag(name, img.manifest, opts);
    }
    const done: Omit<OutputDone, 'type'> = { names, manifestDigest: img.manifest.digest, unchanged };
    if (push) {
      await img.stored;
      done.pushed = [];
      for (const name of names) {
        done.pushed.push(await pushImage(name, { root: this.opts.root, content: this.content, ...(this.opts.progress ? { progress: this.opts.progress } : {}) }));
      }
    }
    if (!keep && !unchanged) for (const name of names) await this.images.untag(name);
    return done;
  }
}

/** The config's `created` as written (an extra top-level field of that name would replace it). */
function createdOf(config: Image, extra: Record<string, unknown> | undefined): string | undefined {
  const c = extra && 'created' in extra ? extra.created : config.created;
  return typeof c === 'string' ? c : undefined;
}
