// `import`: one rootfs tar becomes a one-layer image. The layer is the tar as given (gunzipped
// if it came compressed) recompressed with gzip, which Node writes without name or mtime, so
// the same tar always gives the same layer digest.
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { Descriptor, ImageConfig, ImageManifest } from '../content/descriptor.js';
import { MediaType } from '../content/media-types.js';
import { parseReference } from '../registry/reference.js';
import { applyChanges } from './config-changes.js';
import { hostArchitecture } from './image-content.js';
import type { ImageStore } from './image-store.js';
import { recordUncompressedSize } from './layer-size.js';
import { withLease } from './leases.js';

export interface ImportOptions {
  /** REPOSITORY[:TAG] to tag the result with. */
  name?: string;
  changes?: readonly string[];
  message?: string;
  /** `os/arch[/variant]`. */
  platform?: string;
  /** The config's `created` (default: now). */
  created?: string;
}

export interface ImportResult {
  id: string;
  manifest: Descriptor;
}

export async function importRootfs(store: ImageStore, tar: Readable, opts: ImportOptions = {}): Promise<ImportResult> {
  if (opts.name !== undefined) parseReference(opts.name); // fail before reading any input
  const created = opts.created ?? new Date().toISOString();
  const containerConfig: NonNullable<ImageConfig['config']> = {};
  applyChanges(containerConfig, opts.changes ?? []);
  const [os = 'linux', architecture = hostArchitecture(), variant] = (opts.platform ?? '').split('/').map((s) => s || undefined);

  const diff = createHash('sha256');
  let rawSize = 0;
  const hashing = new Transform({
    transform(chunk: Buffer, _enc, done) {
      diff.update(chunk);
      rawSize += chunk.length;
      done(null, chunk);
    },
  });
  tar.on('error', (err) => hashing.destroy(err));
  const gzip = createGzip({ level: 6 });
  hashing.on('error', (err) => gzip.destroy(err));
  const compressed = tar.pipe(hashing).pipe(gzip);

  return withLease(store.root, [], async (lease) => {
    const layer = await store.content.writeStream(compressed);
    await lease.add([layer.digest]);
    const diffId = `sha256:${diff.digest('hex')}`;
    await recordUncompressedSize(store.root, layer.digest, rawSize);
    const config: ImageConfig = {
      architecture: architecture!,
      ...(variant ? { variant } : {}),
      os: os!,
      created,
      ...(opts.message ? { comment: opts.message } : {}),
      config: containerConfig,
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [{ created, ...(opts.message ? { comment: opts.message } : {}) }],
    };
    const configBlob = await store.content.writeBytes(JSON.stringify(config));
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: MediaType.OCI_MANIFEST,
      config: { mediaType: MediaType.OCI_CONFIG, digest: configBlob.digest, size: configBlob.size },
      layers: [{ mediaType: MediaType.OCI_LAYER_GZIP, digest: layer.digest, size: layer.size }],
    };
    const manifestBlob = await store.content.writeBytes(JSON.stringify(manifest));
    await lease.add([configBlob.digest, manifestBlob.digest]);
    const desc: Descriptor = { mediaType: MediaType.OCI_MANIFEST, digest: manifestBlob.digest, size: manifestBlob.size };
    if (opts.name !== undefined) await store.tag(opts.name, desc);
    else await store.addUntagged(desc);
    return { id: configBlob.digest, manifest: desc };
  });
}
