// `save`: one tar that is both a docker-archive (manifest.json + repositories, read by
// `docker load` and `skopeo … docker-archive:`) and an OCI image layout (oci-layout,
// index.json, blobs/), like the archives Docker 25+ writes. Layers are stored uncompressed,
// named by their diff ID, so the config's rootfs.diff_ids match the files.
import type { Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Pack } from 'tar-stream';
import type { Descriptor, ImageManifest } from '../content/descriptor.js';
import { digestOf, parseDigest } from '../content/digest.js';
import { layerCompression, MediaType } from '../content/media-types.js';
import { parseReference } from '../registry/reference.js';
import { IMAGE_NAME, REF_NAME } from './annotations.js';
import { ImageCommandError } from './errors.js';
import type { ImageRecord } from './image-record.js';
import type { ImageStore } from './image-store.js';
import { uncompressedSize } from './layer-size.js';
import { addEntry, streamEntry, writeTar } from './tar-pack.js';

export interface SaveItem {
  record: ImageRecord;
  /** Full tagged names to record for this image (empty: saved by ID, no names). */
  names: string[];
}

export async function writeImageArchive(store: ImageStore, items: SaveItem[], out: Writable): Promise<void> {
  await writeTar(out, (pack) => fill(store, items, pack));
}

async function fill(store: ImageStore, items: SaveItem[], pack: Pack): Promise<void> {
  const written = new Set<string>();
  const dockerManifest: Array<{ Config: string; RepoTags: string[] | null; Layers: string[] }> = [];
  const index: Descriptor[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  await addEntry(pack, { name: 'blobs/', type: 'directory', mode: 0o755 });
  await addEntry(pack, { name: 'blobs/sha256/', type: 'directory', mode: 0o755 });

  const addBlob = async (digest: string, size: number, source: () => Iterable<Buffer> | AsyncIterable<Buffer>): Promise<string> => {
    const name = `blobs/sha256/${parseDigest(digest).hex}`;
    if (!written.has(digest)) {
      written.add(digest);
      await streamEntry(pack, { name, size, mode: 0o644 }, source());
    }
    return name;
  };

  for (const { record, names } of items) {
    const { manifest, config } = await store.load(record);
    const diffIds = config.rootfs?.diff_ids ?? [];
    if (diffIds.length !== manifest.layers.length) {
      throw new ImageCommandError(`image ${record.id}: config lists ${diffIds.length} layers, manifest ${manifest.layers.length}`);
    }
    const layers: Descriptor[] = [];
    const layerPaths: string[] = [];
    for (let i = 0; i < manifest.layers.length; i++) {
      const layer = manifest.layers[i]!;
      const diffId = diffIds[i]!;
      const compression = layerCompression(layer.mediaType);
      if (compression === 'zstd') throw new ImageCommandError(`layer ${layer.digest} is zstd-compressed, which this Node.js cannot decompress`);
      const size = await uncompressedSize(store.root, store.content, layer);
      layerPaths.push(
        await addBlob(diffId, size, () => {
          const src = store.content.openRead(layer.digest);
          if (compression !== 'gzip') return src;
          const gunzip = createGunzip();
          src.on('error', (err) => gunzip.destroy(err));
          return src.pipe(gunzip);
        }),
      );
      layers.push({ mediaType: MediaType.OCI_LAYER, digest: diffId, size });
    }
    const configBytes = await store.content.readBytes(manifest.config.digest);
    const configPath = await addBlob(manifest.config.digest, configBytes.length, () => [configBytes]);
    const archiveManifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: MediaType.OCI_MANIFEST,
      config: { mediaType: MediaType.OCI_CONFIG, digest: manifest.config.digest, size: configBytes.length },
      layers,
    };
    const manifestBytes = Buffer.from(JSON.stringify(archiveManifest));
    const manifestDigest = digestOf(manifestBytes);
    await addBlob(manifestDigest, manifestBytes.length, () => [manifestBytes]);
    const base: Descriptor = { mediaType: MediaType.OCI_MANIFEST, digest: manifestDigest, size: manifestBytes.length };
    const familiarTags: string[] = [];
    for (const name of names) {
      const ref = parseReference(name);
      familiarTags.push(ref.familiarString());
      index.push({ ...base, annotations: { [IMAGE_NAME]: ref.toString(), [REF_NAME]: ref.tag ?? 'latest' } });
      const top = diffIds[diffIds.length - 1];
      if (top) (repositories[ref.familiarName()] ??= {})[ref.tag ?? 'latest'] = parseDigest(top).hex;
    }
    if (names.length === 0) index.push(base);
    dockerManifest.push({ Config: configPath, RepoTags: familiarTags.length > 0 ? familiarTags : null, Layers: layerPaths });
  }
  const json = (name: string, v: unknown): Promise<void> => addEntry(pack, { name, mode: 0o644 }, Buffer.from(JSON.stringify(v)));
  await json('index.json', { schemaVersion: 2, mediaType: MediaType.OCI_INDEX, manifests: index });
  await json('manifest.json', dockerManifest);
  await addEntry(pack, { name: 'oci-layout', mode: 0o644 }, Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
  if (Object.keys(repositories).length > 0) await json('repositories', repositories);
}

