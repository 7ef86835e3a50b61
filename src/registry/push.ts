// `push`: upload a local image's blobs (skipping those the repository has, mounting those
// known to live in another repository of the same registry, uploading the rest in one PUT or
// in PATCH chunks above a size threshold), then PUT the manifest under the tag.
import { createReadStream } from 'node:fs';
import pLimit from 'p-limit';
import type { Descriptor, ImageIndex, ImageManifest } from '../content/descriptor.js';
import { isIndexType } from '../content/media-types.js';
import { ContentStore } from '../content/store.js';
import { platformManifest } from '../store/image-content.js';
import { ImageStore } from '../store/image-store.js';
import { clientFor, pushScope, type RegistryClient } from './client.js';
import { RegistryError } from './errors.js';
import { shortId, silentProgress, type TransferProgress } from './progress.js';
import { parseReference, type Reference } from './reference.js';
import { blobSources, recordBlobSources } from './sources.js';

export const DEFAULT_CHUNK_THRESHOLD = 32 * 1024 * 1024;
export const DEFAULT_CHUNK_SIZE = 16 * 1024 * 1024;

export interface PushOptions {
  root: string;
  content?: ContentStore;
  progress?: TransferProgress;
  client?: RegistryClient;
  /** Blobs larger than this go up in PATCH chunks; smaller ones in one PUT. */
  chunkThreshold?: number;
  chunkSize?: number;
  /** Parallel blob uploads (Docker's default max-concurrent-uploads is 5). */
  concurrency?: number;
}

export interface PushResult {
  reference: Reference;
  digest: string;
  size: number;
  mediaType: string;
  uploaded: number;
  mounted: number;
  skipped: number;
}

/** The image does not exist locally: Docker's wording. */
export class ImageNotFoundError extends Error {
  readonly exitCode = 1;
  constructor(readonly reference: string) {
    super(`An image does not exist locally with the tag: ${reference}`);
    this.name = 'ImageNotFoundError';
  }
}

interface PushTarget {
  descriptor: Descriptor;
  bytes: Buffer;
  /** Manifests under an index, pushed by digest first. */
  children: Array<{ descriptor: Descriptor; bytes: Buffer; manifest: ImageManifest }>;
  manifest?: ImageManifest;
}

/** What to push for a local image: the index with all its manifests if all are here, else the platform manifest. */
async function pushTarget(content: ContentStore, target: Descriptor): Promise<PushTarget> {
  const bytes = await content.readBytes(target.digest);
  if (!isIndexType(target.mediaType)) {
    return { descriptor: target, bytes, children: [], manifest: JSON.parse(bytes.toString('utf8')) as ImageManifest };
  }
  const index = JSON.parse(bytes.toString('utf8')) as ImageIndex;
  const children: PushTarget['children'] = [];
  for (const d of index.manifests) {
    if (!(await content.has(d.digest))) {
      // Only one platform was pulled: push that manifest alone (as Docker's classic store does).
      const { descriptor, manifest } = await platformManifest(content, target);
      return { descriptor, bytes: await content.readBytes(descriptor.digest), children: [], manifest };
    }
    const childBytes = await content.readBytes(d.digest);
    children.push({ descriptor: d, bytes: childBytes, manifest: JSON.parse(childBytes.toString('utf8')) as ImageManifest });
  }
  return { descriptor: target, bytes, children };
}

export async function pushImage(refString: string, opts: PushOptions): Promise<PushResult> {
  const ref = parseReference(refString);
  const content = opts.content ?? new ContentStore(opts.root);
  const progress = opts.progress ?? silentProgress;
  const client = opts.client ?? clientFor(ref.domain);
  const images = new ImageStore(opts.root, content);
  const record = await images.resolve(ref.toString());
  if (!record) throw new ImageNotFoundError(ref.familiarString());
  const target = await pushTarget(content, record.target);
  const tag = ref.tag ?? 'latest';
  const repo = ref.path;
  const repository = `${ref.domain}/${repo}`;
  progress.line(`The push refers to repository [${ref.familiarName()}]`);

  const manifests = target.manifest ? [{ descriptor: target.descriptor, bytes: target.bytes, manifest: target.manifest }] : target.children;
  const stats = { uploaded: 0, mounted: 0, skipped: 0 };
  const limit = pLimit(opts.concurrency ?? 5);
  const seen = new Set<string>();
  const jobs: Array<Promise<void>> = [];
  for (const m of manifests) {
    for (const layer of m.manifest.layers) {
      if (seen.has(layer.digest)) continue;
      seen.add(layer.digest);
      progress.layer(shortId(layer.digest), 'Preparing');
      jobs.push(limit(() => pushBlob(client, content, opts, repo, repository, layer, progress, stats, true)));
    }
  }
  for (const m of manifests) {
    if (seen.has(m.manifest.config.digest)) continue;
    seen.add(m.manifest.config.digest);
    jobs.push(limit(() => pushBlob(client, content, opts, repo, repository, m.manifest.config, progress, stats, false)));
  }
  const results = await Promise.allSettled(jobs);
  progress.done();
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;

  for (const child of target.children) {
    await client.putManifest(repo, child.descriptor.digest, child.bytes, child.descriptor.mediaType, `${repository}@${child.descriptor.digest}`);
  }
  const what = `${ref.fullName()}:${tag}`;
  const digest = await client.putManifest(repo, tag, target.bytes, target.descriptor.mediaType, what);
  if (digest !== target.descriptor.digest) {
    throw new RegistryError(`${what}: registry stored the manifest as ${digest}, expected ${target.descriptor.digest}`, { reference: what, code: 'DIGEST_INVALID' });
  }
  await recordBlobSources(opts.root, repository, seen).catch(() => undefined);
  if (target.descriptor.digest === record.target.digest) {
    // Like docker push: the image now has a RepoDigest for this repository.
    await images.tag(ref.withTag(tag).toString(), record.target, { fromRegistry: true }).catch(() => undefined);
  }
  progress.line(`${tag}: digest: ${digest} size: ${target.bytes.length}`);
  return { reference: ref, digest, size: target.bytes.length, mediaType: target.descriptor.mediaType, ...stats };
}

async function pushBlob(
  client: RegistryClient,
  content: ContentStore,
  opts: PushOptions,
  repo: string,
  repository: string,
  desc: Descriptor,
  progress: TransferProgress,
  stats: { uploaded: number; mounted: number; skipped: number },
  show: boolean,
): Promise<void> {
  const id = shortId(desc.digest);
  const say = (status: string, current?: number) => show && progress.layer(id, status, current, desc.size);
  const what = `${repository}@${desc.digest}`;
  const local = await content.size(desc.digest);
  if (local === undefined) throw new RegistryError(`${what}: blob missing from the local store; cannot push`, { reference: what });
  if ((await client.headBlob(repo, desc.digest, what, [pushScope(repo)])) !== undefined) {
    stats.skipped++;
    say('Layer already exists');
    return;
  }
  let location: string | undefined;
  const host = `${client.host}/`;
  for (const source of await blobSources(opts.root, desc.digest)) {
    if (!source.startsWith(host) || source === repository) continue;
    const from = source.slice(host.length);
    const res = await client.mountBlob(repo, desc.digest, from, what).catch(() => undefined);
    if (res?.mounted) {
      stats.mounted++;
      say(`Mounted from ${from}`);
      return;
    }
    if (res) location = res.location;
    break;
  }
  say('Pushing', 0);
  const file = content.path(desc.digest);
  const threshold = opts.chunkThreshold ?? DEFAULT_CHUNK_THRESHOLD;
  // A failed upload (5xx, dropped connection) starts over in a new upload session.
  await client.retrying(what, async () => {
    const start = location ?? (await client.startUpload(repo, what));
    location = undefined;
    if (desc.size <= threshold) {
      await client.putBlob(repo, start, desc.digest, desc.size, () => createReadStream(file), what);
      return;
    }
    await client.putBlobChunked(
      repo,
      start,
      desc.digest,
      desc.size,
      (from, end) => createReadStream(file, { start: from, end: end - 1 }),
      opts.chunkSize ?? DEFAULT_CHUNK_SIZE,
      what,
      (sent) => say('Pushing', sent),
    );
  });
  stats.uploaded++;
  say('Pushed');
}

