// Cache export, step 2: the collected cache written where --cache-to says.
//  - registry: layer blobs and the cache config pushed, then an OCI manifest (config media
//    type application/vnd.buildkit.cacheconfig.v0, layers = the cache's blobs) under the tag;
//  - local: the same manifest in an OCI layout directory (index.json entry tagged `tag`);
//  - inline: nothing written here; inlineCacheValue() is put in the image config.
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Descriptor, ImageIndex } from '../../../content/descriptor.js';
import { digestOf, parseDigest } from '../../../content/digest.js';
import { MediaType } from '../../../content/media-types.js';
import type { ContentStore } from '../../../content/store.js';
import { clientFor, pushScope } from '../../../registry/client.js';
import { parseReference } from '../../../registry/reference.js';
import { REF_NAME } from '../../../store/annotations.js';
import { writeFileAtomic } from '../../../store/atomic-file.js';
import { CACHE_CONFIG_MEDIA_TYPE, type CacheConfig } from './config.js';
import type { CollectedCache } from './collect.js';

export interface CacheManifest {
  manifest: Buffer;
  descriptor: Descriptor;
  config: Buffer;
  configDescriptor: Descriptor;
}

export function cacheManifest(c: CollectedCache): CacheManifest {
  const config = Buffer.from(JSON.stringify(c.config));
  const configDescriptor: Descriptor = { mediaType: CACHE_CONFIG_MEDIA_TYPE, digest: digestOf(config), size: config.length };
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OCI_MANIFEST, config: configDescriptor, layers: c.layers }));
  return { manifest, descriptor: { mediaType: MediaType.OCI_MANIFEST, digest: digestOf(manifest), size: manifest.length }, config, configDescriptor };
}

/** Pushes the cache to `ref`; returns the manifest digest. Blobs the repository has are skipped. */
export async function exportCacheToRegistry(content: ContentStore, c: CollectedCache, refString: string): Promise<string> {
  const ref = parseReference(refString);
  const repo = ref.path;
  const client = clientFor(ref.domain);
  const m = cacheManifest(c);
  const put = async (d: Descriptor, body: () => Buffer | Readable) => {
    const what = `${ref.domain}/${repo}@${d.digest}`;
    if ((await client.headBlob(repo, d.digest, what, [pushScope(repo)])) !== undefined) return;
    await client.retrying(what, async () => {
      const location = await client.startUpload(repo, what);
      await client.putBlob(repo, location, d.digest, d.size, body, what);
    });
  };
  for (const l of c.layers) await put(l, () => createReadStream(content.path(l.digest)));
  await put(m.configDescriptor, () => m.config);
  const what = ref.toString();
  return client.putManifest(repo, ref.tag ?? 'latest', m.manifest, MediaType.OCI_MANIFEST, what);
}

/** Writes the cache as an OCI layout in `dest` (blobs added; the `tag` entry replaced). */
export async function exportCacheToDir(content: ContentStore, c: CollectedCache, dest: string, tag: string): Promise<string> {
  const m = cacheManifest(c);
  const blobs = path.join(dest, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const target = (digest: string) => path.join(blobs, parseDigest(digest).hex);
  for (const l of c.layers) {
    if ((await stat(target(l.digest)).then((s) => s.size, () => -1)) !== l.size) await copyFile(content.path(l.digest), target(l.digest));
  }
  await writeFileAtomic(target(m.configDescriptor.digest), m.config);
  await writeFileAtomic(target(m.descriptor.digest), m.manifest);
  await writeFileAtomic(path.join(dest, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  let old: Descriptor[] = [];
  try {
    old = (JSON.parse(await readFile(path.join(dest, 'index.json'), 'utf8')) as ImageIndex).manifests ?? [];
  } catch {
    old = [];
  }
  const entry: Descriptor = { ...m.descriptor, annotations: { [REF_NAME]: tag } };
  const index = { schemaVersion: 2, mediaType: MediaType.OCI_INDEX, manifests: [...old.filter((d) => d.annotations?.[REF_NAME] !== tag), entry] };
  await writeFileAtomic(path.join(dest, 'index.json'), JSON.stringify(index));
  return m.descriptor.digest;
}

/** The image config value for type=inline: base64 of the records' JSON, as BuildKit writes it. */
export function inlineCacheValue(records: CacheConfig['records']): string {
  return Buffer.from(JSON.stringify(records)).toString('base64');
}
