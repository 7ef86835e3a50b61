// Where imported cache comes from. Each source is read up front only as far as its manifest
// and cache config (small JSON); layer blobs are fetched later, one by one, when a cached
// step's result is actually needed (see imported-cache.ts).
//  - registry: a cache manifest (OCI manifest whose config is the cache config, or BuildKit's
//    older index listing layers + config), or an image with inline cache in its config.
//  - local: an OCI layout directory written by --cache-to type=local.
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Descriptor, ImageIndex, ImageManifest } from '../../../content/descriptor.js';
import { digestOf, parseDigest } from '../../../content/digest.js';
import type { ContentStore } from '../../../content/store.js';
import { INLINE_CACHE_KEY } from '../../../exporters/image-document.js';
import { clientFor, type RegistryClient } from '../../../registry/client.js';
import { readBody } from '../../../registry/http.js';
import { parseManifest } from '../../../registry/manifest.js';
import { fetchBlob, resolveManifest } from '../../../registry/pull.js';
import { parseReference } from '../../../registry/reference.js';
import { REF_NAME } from '../../../store/annotations.js';
import { CACHE_CONFIG_MEDIA_TYPE, parseCacheConfig, UNCOMPRESSED_ANNOTATION, type CacheConfig } from './config.js';
import type { CacheImportSpec } from './spec.js';

export interface CacheSource {
  what: string;
  config: CacheConfig;
  /** Layer blobs by digest (media type, size; diffID annotation when the manifest has it). */
  blobs: Map<string, Descriptor>;
  /** Stores the blob in `content` unless it is there; true when it was transferred. */
  fetch(desc: Descriptor, content: ContentStore): Promise<boolean>;
}

export async function openCacheSource(spec: CacheImportSpec): Promise<CacheSource> {
  return spec.type === 'local' ? openLocal(spec.src, spec.tag) : openRegistry(spec.ref);
}

function blobMap(layers: Descriptor[]): Map<string, Descriptor> {
  return new Map(layers.map((d) => [d.digest, d]));
}

async function getBlobBytes(client: RegistryClient, repo: string, desc: Descriptor, what: string): Promise<Buffer> {
  const bytes = await client.retrying(what, async () => readBody(await client.getBlob(repo, desc.digest, what, { retry: false }), 16 * 1024 * 1024));
  if (digestOf(bytes) !== desc.digest) throw new Error(`${what}: blob ${desc.digest} does not match its digest`);
  return bytes;
}

async function openRegistry(refString: string): Promise<CacheSource> {
  const ref = parseReference(refString);
  const what = ref.toString();
  const client = clientFor(ref.domain);
  const repo = ref.path;
  const fetch = (desc: Descriptor, content: ContentStore) => fetchBlob(client, content, repo, desc);
  const top = await client.getManifest(repo, ref.manifestRef(), what);
  const parsed = parseManifest(top.bytes, top.mediaType, what);
  // BuildKit's classic layout: an index whose entries are the layers and the cache config.
  if (parsed.kind === 'index') {
    const cfg = parsed.index.manifests.find((d) => d.mediaType === CACHE_CONFIG_MEDIA_TYPE);
    if (cfg) {
      const config = parseCacheConfig(await getBlobBytes(client, repo, cfg, what), what);
      return { what, config, blobs: blobMap(parsed.index.manifests.filter((d) => d !== cfg)), fetch };
    }
  } else if (parsed.manifest.config.mediaType === CACHE_CONFIG_MEDIA_TYPE) {
    const config = parseCacheConfig(await getBlobBytes(client, repo, parsed.manifest.config, what), what);
    return { what, config, blobs: blobMap(parsed.manifest.layers), fetch };
  }
  // An image: its config may hold inline cache.
  const resolved = await resolveManifest(client, ref);
  const imageConfig = JSON.parse((await getBlobBytes(client, repo, resolved.manifest.config, what)).toString('utf8')) as Record<string, unknown>;
  return { what, ...inlineCache(imageConfig, resolved.manifest, what), fetch };
}

/**
 * The cache an image config carries under moby.buildkit.cache.v0: base64 of BuildKit's inline
 * JSON, the records array alone, a result's `layer` being the index of its top layer among the
 * image's layers (each layer's parent is the one before it). A full config object is read too.
 */
export function inlineCache(imageConfig: Record<string, unknown>, manifest: ImageManifest, what: string): { config: CacheConfig; blobs: Map<string, Descriptor> } {
  const raw = imageConfig[INLINE_CACHE_KEY];
  if (typeof raw !== 'string') throw new Error(`${what}: not a cache manifest and the image has no inline cache`);
  const decoded = Buffer.from(raw, 'base64').toString('utf8');
  const records = decoded.trimStart().startsWith('[') ? decoded : undefined;
  const config = parseCacheConfig(records === undefined ? decoded
    : JSON.stringify({ layers: manifest.layers.map((l, i) => ({ blob: l.digest, parent: i - 1 })), records: JSON.parse(records) as unknown }), what);
  const diffIDs = (imageConfig.rootfs as { diff_ids?: string[] } | undefined)?.diff_ids ?? [];
  // The image's layers are the cache's: their diffIDs come from the image config.
  const layers = manifest.layers.map((d, i) => ({ ...d, annotations: { ...d.annotations, ...(diffIDs[i] ? { [UNCOMPRESSED_ANNOTATION]: diffIDs[i]! } : {}) } }));
  return { config, blobs: blobMap(layers) };
}

async function openLocal(dir: string, tag: string): Promise<CacheSource> {
  const what = `local cache ${dir}`;
  const blobPath = (digest: string) => path.join(dir, 'blobs', 'sha256', parseDigest(digest).hex);
  const index = JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8')) as ImageIndex;
  const entries = index.manifests ?? [];
  const entry = entries.find((d) => d.annotations?.[REF_NAME] === tag) ?? (entries.length === 1 ? entries[0] : undefined);
  if (!entry) throw new Error(`${what}: no cache manifest tagged ${tag} in index.json`);
  const manifest = JSON.parse(await readFile(blobPath(entry.digest), 'utf8')) as ImageManifest;
  if (manifest.config?.mediaType !== CACHE_CONFIG_MEDIA_TYPE) throw new Error(`${what}: ${entry.digest} is not a cache manifest`);
  const config = parseCacheConfig(await readFile(blobPath(manifest.config.digest)), what);
  return {
    what, config, blobs: blobMap(manifest.layers),
    fetch: async (desc, content) => {
      if ((await content.size(desc.digest)) === desc.size) return false;
      await content.writeStream(createReadStream(blobPath(desc.digest)), { digest: desc.digest, size: desc.size });
      return true;
    },
  };
}
