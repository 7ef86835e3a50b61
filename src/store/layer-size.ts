// Uncompressed layer sizes, the numbers Docker shows as an image's SIZE. Computed once per
// layer (by inflating it) and cached in `<root>/store/sizes/<hex>`; a writer that already
// knows the size (import, an exporter) records it with recordUncompressedSize().
// Layers whose compression Node cannot inflate (zstd on Node 20) count with their stored size.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { ContentStore } from '../content/store.js';
import type { Descriptor } from '../content/descriptor.js';
import { parseDigest } from '../content/digest.js';
import { layerCompression } from '../content/media-types.js';
import { zlib } from '../lazy-builtins.js';
import { writeFileAtomic } from './atomic-file.js';
import { blobIsGzip } from './blob-magic.js';

function sizeFile(root: string, digest: string): string {
  return path.join(root, 'store', 'sizes', parseDigest(digest).hex);
}

export async function recordUncompressedSize(root: string, digest: string, size: number): Promise<void> {
  await writeFileAtomic(sizeFile(root, digest), String(size));
}

export async function forgetUncompressedSize(root: string, digest: string): Promise<void> {
  await fs.rm(sizeFile(root, digest), { force: true });
}

export async function uncompressedSize(root: string, content: ContentStore, layer: Descriptor): Promise<number> {
  const compression = layerCompression(layer.mediaType);
  if (compression === 'none') return layer.size;
  const cached = await fs.readFile(sizeFile(root, layer.digest), 'utf8').catch(() => undefined);
  if (cached !== undefined && /^\d+$/.test(cached)) return Number(cached);
  if (!(await content.has(layer.digest))) return layer.size;
  const size = (await blobIsGzip(content, layer.digest)) ? await inflatedSize(content, layer.digest) : layer.size;
  await recordUncompressedSize(root, layer.digest, size);
  return size;
}

async function inflatedSize(content: ContentStore, digest: string): Promise<number> {
  let n = 0;
  const source = content.openRead(digest);
  const gunzip = zlib().createGunzip();
  source.on('error', (err) => gunzip.destroy(err));
  source.pipe(gunzip);
  for await (const chunk of gunzip) n += (chunk as Buffer).length;
  return n;
}
