// `pull`: resolve a reference to a manifest (choosing linux/amd64 from an index), download
// config and layers concurrently into the content store (each verified while streaming,
// retried on transient failures), then store the manifest (and index) and record the image.
// Blobs are written before the manifests that name them, so a stored manifest implies its blobs.
import pLimit from 'p-limit';
import type { Descriptor, ImageConfig, ImageManifest, Platform } from '../content/descriptor.js';
import { ContentStore, DigestMismatchError } from '../content/store.js';
import { teeStream } from '../content/stream-tee.js';
import { ImageStore } from '../store/image-store.js';
import { withLease } from '../store/leases.js';
import { clientFor, type RegistryClient } from './client.js';
import { RegistryError } from './errors.js';
import { takePrefetched, type PrefetchedBlob } from './blob-prefetch.js';
import { recallBlob } from './fetch-memo.js';
import type { HttpResponse } from './http.js';
import { choosePlatform, DEFAULT_PLATFORM, ManifestError, parseManifest } from './manifest.js';
import { shortId, silentProgress, type TransferProgress } from './progress.js';
import { parseReference, type Reference } from './reference.js';
import { recordBlobSources } from './sources.js';

export interface PullOptions {
  root: string;
  content?: ContentStore;
  progress?: TransferProgress;
  platform?: Platform;
  /** Parallel blob downloads (Docker's default max-concurrent-downloads is 3). */
  concurrency?: number;
  client?: RegistryClient;
  /** Records the pulled image; defaults to the image store's `tag(name, target, {fromRegistry})`. */
  recordImage?: (name: string, target: Descriptor) => Promise<void>;
  /**
   * Asked before a layer downloads (the config is fetched first then): a sink returned gets
   * the layer's bytes as they arrive, e.g. to unpack it meanwhile (see BlobSink).
   */
  layerSink?: (layer: Descriptor, index: number, config: ImageConfig) => Promise<BlobSink | undefined>;
}

/**
 * Reads a blob while it downloads. The stream ends only after the blob was verified and
 * stored, and fails if it was not; on a retried download the sink is not called again (its
 * reader falls back to the stored blob). Bytes it does not read in time are buffered, up to
 * SINK_BUFFER bytes, then the download waits for it.
 */
export type BlobSink = (bytes: AsyncIterable<Uint8Array>) => Promise<unknown>;

const SINK_BUFFER = 64 << 20;

export interface PullResult {
  reference: Reference;
  /** What the reference points at in the registry: an index or a manifest. */
  target: Descriptor;
  /** The chosen single-platform manifest. */
  manifest: Descriptor;
  config: ImageConfig;
  /** The chosen manifest's content (as stored). */
  imageManifest: ImageManifest;
  /** Layers that had to be downloaded (the others were in the store already). */
  downloaded: number;
  /** False when the name already pointed at this exact image. */
  newer: boolean;
}

export interface ResolvedManifest {
  reference: Reference;
  target: Descriptor;
  targetBytes: Buffer;
  /** The index bytes and the chosen manifest, when the target is an index. */
  manifestDescriptor: Descriptor;
  manifestBytes: Buffer;
  manifest: ImageManifest;
}

/** Fetches and validates the manifest a reference names (following an index to one platform). */
export async function resolveManifest(
  client: RegistryClient,
  ref: Reference,
  platform: Platform = DEFAULT_PLATFORM,
  signal?: AbortSignal,
): Promise<ResolvedManifest> {
  const what = ref.toString();
  const top = await client.getManifest(ref.path, ref.manifestRef(), what, signal);
  const parsed = parseManifest(top.bytes, top.mediaType, what);
  const target: Descriptor = { mediaType: parsed.mediaType, digest: top.digest, size: top.bytes.length };
  if (parsed.kind === 'manifest') {
    return { reference: ref, target, targetBytes: top.bytes, manifestDescriptor: target, manifestBytes: top.bytes, manifest: parsed.manifest };
  }
  const chosen = choosePlatform(parsed.index, what, platform);
  const child = await client.getManifest(ref.path, chosen.digest, `${ref.fullName()}@${chosen.digest}`, signal);
  if (child.bytes.length !== chosen.size) {
    throw new RegistryError(`${what}: manifest ${chosen.digest} has size ${child.bytes.length}, the index says ${chosen.size}`, { reference: what, code: 'SIZE_INVALID' });
  }
  const inner = parseManifest(child.bytes, child.mediaType || chosen.mediaType, what);
  if (inner.kind !== 'manifest') throw new ManifestError(what, `index entry ${chosen.digest} is not an image manifest`);
  return {
    reference: ref,
    target,
    targetBytes: top.bytes,
    manifestDescriptor: { mediaType: inner.mediaType, digest: chosen.digest, size: chosen.size, ...(chosen.platform ? { platform: chosen.platform } : {}) },
    manifestBytes: child.bytes,
    manifest: inner.manifest,
  };
}

export interface FetchBlobOptions {
  onBytes?: (n: number) => void;
  sink?: BlobSink;
  /** See ContentStore.writeStream: false defers the fsync of the blob's name to syncNames(). */
  syncName?: boolean;
}

/**
 * Downloads one blob into the store unless it is there already. Retries drops and 5xx; a
 * digest or size mismatch is final and leaves nothing stored. Returns true if it downloaded.
 */

export async function fetchBlob(
  client: RegistryClient,
  content: ContentStore,
  repo: string,
  desc: Descriptor,
  opts: FetchBlobOptions = {},
): Promise<boolean> {
  const { onBytes, sink } = opts;
  const write = { syncName: opts.syncName ?? true };
  if ((await content.size(desc.digest)) === desc.size) return false;
  const known = recallBlob(client.host, repo, desc.digest);
  if (known && known.length === desc.size) {
    // Fetched and verified by this process already (the build's metadata lookup).
    await content.writeBytes(known, { digest: desc.digest, size: desc.size }, write);
    return true;
  }
  const what = `${client.host}/${repo}@${desc.digest}`;
  let unused = sink;
  // A download the build's metadata lookup started (blob-prefetch.ts) is the first attempt.
  let early = takePrefetched(client.host, repo, desc.digest);
  await client.retrying(what, async () => {
    const res = early ?? blobDownload(await client.getBlob(repo, desc.digest, what, { retry: false }));
    early = undefined;
    let received = 0;
    async function* counted(): AsyncIterable<Uint8Array> {
      for await (const chunk of res.body) {
        received += (chunk as Buffer).length;
        onBytes?.(received);
        yield chunk as Buffer;
      }
    }
    const tee = unused && teeStream(counted(), SINK_BUFFER);
    if (tee && unused) {
      // Not awaited here: the sink reports to whoever made it; a sink that throws just stops.
      void unused(tee.secondary).catch(() => undefined).finally(tee.cancel);
      unused = undefined;
    }
    try {
      await content.writeStream(tee?.primary ?? counted(), { digest: desc.digest, size: desc.size }, write);
      tee?.finish();
    } catch (err) {
      tee?.finish(err);
      res.destroy();
      if (err instanceof DigestMismatchError) {
        throw new RegistryError(`${what}: blob rejected: ${err.message}`, { reference: what, status: res.status, code: 'DIGEST_INVALID', cause: err });
      }
      throw err;
    }
  });
  return true;
}

/** A blob response in the shape of a prefetched one. */
function blobDownload(res: HttpResponse): PrefetchedBlob {
  return { status: res.status, body: res.body, destroy: () => res.body.destroy() };
}

/** An image config's bytes (verified against `desc` already) as JSON. */
export function parseConfig(bytes: Buffer, ref: Reference, desc: Descriptor): ImageConfig {
  try {
    return JSON.parse(bytes.toString('utf8')) as ImageConfig;
  } catch (err) {
    throw new ManifestError(ref.toString(), `image config ${desc.digest} is not valid JSON (${(err as Error).message})`);
  }
}

export async function pullImage(refString: string, opts: PullOptions): Promise<PullResult> {
  const ref = parseReference(refString);
  const content = opts.content ?? new ContentStore(opts.root);
  const progress = opts.progress ?? silentProgress;
  const client = opts.client ?? clientFor(ref.domain);
  const images = new ImageStore(opts.root, content);
  const record = opts.recordImage ?? (async (name: string, target: Descriptor) => void (await images.tag(name, target, { fromRegistry: true })));

  const resolved = await resolveManifest(client, ref, opts.platform);
  progress.line(`${ref.digest ?? ref.tag}: Pulling from ${ref.path}`);
  const { manifest } = resolved;
  // Neither is needed before the downloads start: both run beside them (thread-pool reads).
  const previousJob = images.resolve(ref.toString()).catch(() => undefined);
  const blobs = [manifest.config, ...manifest.layers];
  await content.ensureLayout();
  const cleaning = content.cleanIngest(); // temp files a crashed pull left behind (only old ones)

  let downloaded = 0;
  const config = await withLease(opts.root, [resolved.target.digest, resolved.manifestDescriptor.digest, ...blobs.map((b) => b.digest)], async () => {
    const limit = pLimit(opts.concurrency ?? 3);
    // Blob names are synced once, below, before the manifest that names them is written.
    // Config bytes this process fetched and verified already (the build's metadata lookup) are
    // not read back from the store, and layer sinks (unpacks) need not wait for their fsync.
    const known = recallBlob(client.host, ref.path, manifest.config.digest);
    const memo = known?.length === manifest.config.size ? known : undefined;
    const memoConfig = memo && Promise.resolve().then(() => parseConfig(memo, ref, manifest.config));
    const configJob = fetchBlob(client, content, ref.path, manifest.config, { syncName: false })
      .then(async () => memoConfig ?? parseConfig(await content.readBytes(manifest.config.digest), ref, manifest.config));
    const configForSinks = memoConfig ?? configJob;
    configForSinks.catch(() => undefined); // its error is configJob's too, reported below
    const { layerSink } = opts;
    const layerJobs = manifest.layers.map((layer, index) =>
      limit(async () => {
        const id = shortId(layer.digest);
        if ((await content.size(layer.digest)) === layer.size) {
          progress.layer(id, 'Already exists');
          return;
        }
        // A sink that cannot be made (its owner's problem) just means no streaming.
        const sink = layerSink && await layerSink(layer, index, await configForSinks).catch(() => undefined);
        progress.layer(id, 'Pulling fs layer');
        await fetchBlob(client, content, ref.path, layer, {
          onBytes: (n) => progress.layer(id, 'Downloading', n, layer.size), ...(sink ? { sink } : {}), syncName: false,
        });
        downloaded++;
        progress.layer(id, 'Pull complete');
      }),
    );
    const results = await Promise.allSettled([configJob, ...layerJobs, cleaning, previousJob]);
    progress.done();
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const cfg = await configJob;
    await content.syncNames();
    await content.writeBytes(resolved.manifestBytes, { digest: resolved.manifestDescriptor.digest });
    if (resolved.target.digest !== resolved.manifestDescriptor.digest) {
      await content.writeBytes(resolved.targetBytes, { digest: resolved.target.digest });
    }
    await record(ref.toString(), resolved.target);
    return cfg;
  });
  await recordBlobSources(opts.root, `${ref.domain}/${ref.path}`, blobs.map((b) => b.digest)).catch(() => undefined);
  progress.line(`Digest: ${resolved.target.digest}`);
  const newer = (await previousJob)?.target.digest !== resolved.target.digest;
  progress.line(`Status: ${newer ? 'Downloaded newer image' : 'Image is up to date'} for ${ref.familiarString()}`);
  return { reference: ref, target: resolved.target, manifest: resolved.manifestDescriptor, config, imageManifest: manifest, downloaded, newer };
}
