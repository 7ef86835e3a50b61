// `load`: reads a docker-archive (manifest.json; Docker ≤24's `<id>/layer.tar` layout or the
// `blobs/sha256/` one) or an OCI archive (index.json + blobs/), already decompressed. Blobs
// are streamed into the content store as they come (verified against their file name when it
// is a digest); small metadata files are kept in memory. All of it is held by a lease until
// the images are tagged, so a concurrent prune cannot collect half a load.
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { extract as tarExtract } from 'tar-stream';
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest } from '../content/descriptor.js';
import { digestOf } from '../content/digest.js';
import { MediaType } from '../content/media-types.js';
import { parseReference } from '../registry/reference.js';
import { IMAGE_NAME, REF_NAME } from './annotations.js';
import { blobIsGzip } from './blob-magic.js';
import { ImageCommandError } from './errors.js';
import type { ImageRecord } from './image-record.js';
import type { ImageStore } from './image-store.js';
import { withLease, type Lease } from './leases.js';

export interface LoadedEntry {
  id: string;
  /** Full names tagged. */
  names: string[];
  /** Images that lost one of these names to the loaded one. */
  replaced: Array<{ name: string; previous: ImageRecord }>;
}

interface Stored {
  digest: string;
  size: number;
}

const MAX_METADATA = 16 * 1024 * 1024;

export async function loadArchive(store: ImageStore, input: Readable): Promise<LoadedEntry[]> {
  return withLease(store.root, [], async (lease) => {
    const files = new Map<string, Stored>();
    const small = new Map<string, Buffer>();
    const links = new Map<string, string>();
    const extract = tarExtract();
    input.on('error', (err) => extract.destroy(err));
    input.pipe(extract as unknown as NodeJS.WritableStream);
    let entries = 0;
    for await (const entry of extract) {
      entries++;
      const name = path.posix.normalize(entry.header.name).replace(/^(\.\/)+|^\//, '');
      const type = entry.header.type;
      if (type === 'symlink' || type === 'link') {
        const target = entry.header.linkname ?? '';
        links.set(name, type === 'symlink' ? path.posix.normalize(path.posix.join(path.posix.dirname(name), target)) : path.posix.normalize(target));
        entry.resume();
        continue;
      }
      if (type !== 'file' && type !== 'contiguous-file') {
        entry.resume();
        continue;
      }
      const base = path.posix.basename(name);
      const blobHex = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(name)?.[1];
      if (!blobHex && (name.endsWith('.json') || ['repositories', 'oci-layout', 'index.json', 'manifest.json'].includes(name))) {
        const chunks: Buffer[] = [];
        let n = 0;
        for await (const c of entry as AsyncIterable<Buffer>) {
          n += c.length;
          if (n > MAX_METADATA) throw new ImageCommandError(`${name} in the archive is too large`);
          chunks.push(c);
        }
        small.set(name, Buffer.concat(chunks));
        continue;
      }
      if (!blobHex && (base === 'VERSION' || base === 'json')) {
        entry.resume();
        continue;
      }
      const stored = await store.content.writeStream(entry as AsyncIterable<Buffer>, blobHex ? { digest: `sha256:${blobHex}`, size: entry.header.size } : {});
      await lease.add([stored.digest]);
      files.set(name, stored);
    }
    if (entries === 0) throw new ImageCommandError('archive is empty');

    const resolveFile = async (p: string): Promise<Stored> => {
      let name = path.posix.normalize(p);
      for (let i = 0; i < 8 && links.has(name); i++) name = links.get(name)!;
      const f = files.get(name);
      if (f) return f;
      const bytes = small.get(name);
      if (bytes) {
        const s = await store.content.writeBytes(bytes);
        await lease.add([s.digest]);
        files.set(name, s);
        return s;
      }
      throw new ImageCommandError(`archive is missing ${p}`);
    };

    const ociIndex = small.get('index.json');
    const dockerManifest = small.get('manifest.json');
    if (ociIndex && (await indexUsable(store, ociIndex, files))) return fromOciIndex(store, parseJson<ImageIndex>(ociIndex, 'index.json'));
    if (dockerManifest) return fromDockerManifest(store, lease, parseJson(dockerManifest, 'manifest.json'), resolveFile);
    throw new ImageCommandError('archive has neither manifest.json nor index.json: not a docker-archive or OCI archive');
  });
}

function parseJson<T>(buf: Buffer, what: string): T {
  try {
    return JSON.parse(buf.toString('utf8')) as T;
  } catch {
    throw new ImageCommandError(`${what} in the archive is not valid JSON`);
  }
}

async function indexUsable(store: ImageStore, buf: Buffer, files: Map<string, Stored>): Promise<boolean> {
  const index = parseJson<ImageIndex>(buf, 'index.json');
  if (!Array.isArray(index.manifests) || index.manifests.length === 0) return false;
  for (const m of index.manifests) if (!files.has(`blobs/sha256/${m.digest.replace(/^sha256:/, '')}`) && !(await store.content.has(m.digest))) return false;
  return true;
}

async function fromOciIndex(store: ImageStore, index: ImageIndex): Promise<LoadedEntry[]> {
  const out = new Map<string, LoadedEntry>();
  for (const m of index.manifests) {
    const desc: Descriptor = { mediaType: m.mediaType, digest: m.digest, size: m.size, ...(m.platform ? { platform: m.platform } : {}) };
    const name = nameOf(m);
    const { manifest } = await store.load({ id: '', target: desc, tags: [], digests: [] });
    const entry = out.get(desc.digest) ?? { id: manifest.config.digest, names: [], replaced: [] };
    out.set(desc.digest, entry);
    await tagOrAdd(store, entry, desc, name);
  }
  return [...out.values()];
}

/** The image name an OCI index entry carries: containerd's full name, else a ref.name that is a full reference. */
function nameOf(m: Descriptor): string | undefined {
  const full = m.annotations?.[IMAGE_NAME];
  if (full) return full;
  const refName = m.annotations?.[REF_NAME];
  if (refName && /[/:]/.test(refName)) {
    try {
      return parseReference(refName).toString();
    } catch {
      return undefined;
    }
  }
  return undefined;
}

async function fromDockerManifest(
  store: ImageStore,
  lease: Lease,
  entries: Array<{ Config?: string; RepoTags?: string[] | null; Layers?: string[] }>,
  resolveFile: (p: string) => Promise<Stored>,
): Promise<LoadedEntry[]> {
  if (!Array.isArray(entries)) throw new ImageCommandError('manifest.json in the archive is not a list');
  const out: LoadedEntry[] = [];
  for (const e of entries) {
    if (!e.Config) throw new ImageCommandError('manifest.json entry without Config');
    const config = await resolveFile(e.Config);
    const configJson = JSON.parse((await store.content.readBytes(config.digest)).toString('utf8')) as ImageConfig;
    const diffIds = configJson.rootfs?.diff_ids ?? [];
    const layers: Descriptor[] = [];
    for (const [i, p] of (e.Layers ?? []).entries()) {
      const layer = await resolveFile(p);
      const gz = await blobIsGzip(store.content, layer.digest);
      if (!gz && diffIds[i] !== undefined && diffIds[i] !== layer.digest) {
        throw new ImageCommandError(`layer ${p}: content digest ${layer.digest} does not match the config's diff ID ${diffIds[i]}`);
      }
      layers.push({ mediaType: gz ? MediaType.OCI_LAYER_GZIP : MediaType.OCI_LAYER, digest: layer.digest, size: layer.size });
    }
    if (layers.length !== diffIds.length) throw new ImageCommandError(`image ${config.digest}: ${layers.length} layers but ${diffIds.length} diff IDs`);
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: MediaType.OCI_MANIFEST,
      config: { mediaType: MediaType.OCI_CONFIG, digest: config.digest, size: config.size },
      layers,
    };
    const bytes = Buffer.from(JSON.stringify(manifest));
    const stored = await store.content.writeBytes(bytes, { digest: digestOf(bytes) });
    await lease.add([stored.digest]);
    const desc: Descriptor = { mediaType: MediaType.OCI_MANIFEST, digest: stored.digest, size: stored.size };
    const entry: LoadedEntry = { id: config.digest, names: [], replaced: [] };
    const tags = e.RepoTags ?? [];
    if (tags.length === 0) await tagOrAdd(store, entry, desc, undefined);
    for (const t of tags) await tagOrAdd(store, entry, desc, parseReference(t).toString());
    out.push(entry);
  }
  return out;
}

async function tagOrAdd(store: ImageStore, entry: LoadedEntry, desc: Descriptor, name: string | undefined): Promise<void> {
  if (name === undefined) {
    await store.addUntagged(desc);
    return;
  }
  const previous = await store.tag(name, desc);
  entry.names.push(name);
  if (previous && previous.id !== entry.id) entry.replaced.push({ name, previous });
}
