// Reading an image's manifest and config out of the content store. An index target (multi-
// platform image) resolves to its linux/<host arch> manifest, which is what Docker shows.
import type { ContentStore } from '../content/store.js';
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest } from '../content/descriptor.js';
import { isIndexType } from '../content/media-types.js';

export interface LoadedImage {
  /** The single-platform manifest's descriptor (the target itself unless it is an index). */
  manifestDescriptor: Descriptor;
  manifest: ImageManifest;
  config: ImageConfig;
}

export class MissingContentError extends Error {
  constructor(readonly digest: string, what: string) {
    super(`${what} ${digest} is missing from the content store`);
    this.name = 'MissingContentError';
  }
}

export async function readJsonBlob<T>(content: ContentStore, digest: string, what: string): Promise<T> {
  let bytes: Buffer;
  try {
    bytes = await content.readBytes(digest);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new MissingContentError(digest, what);
    throw err;
  }
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch {
    throw new Error(`${what} ${digest} is not valid JSON`);
  }
}

/** The host's architecture in OCI (GOARCH) spelling. */
export function hostArchitecture(): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return map[process.arch] ?? process.arch;
}

export async function platformManifest(content: ContentStore, target: Descriptor): Promise<{ descriptor: Descriptor; manifest: ImageManifest }> {
  let desc = target;
  for (let depth = 0; depth < 4; depth++) {
    const json = await readJsonBlob<ImageManifest & ImageIndex>(content, desc.digest, 'manifest');
    const mediaType = json.mediaType ?? desc.mediaType;
    if (!isIndexType(mediaType) && !Array.isArray(json.manifests)) return { descriptor: desc, manifest: json };
    const children = json.manifests ?? [];
    const arch = hostArchitecture();
    const pick =
      children.find((m) => m.platform?.os === 'linux' && m.platform.architecture === arch) ??
      children.find((m) => m.platform === undefined) ??
      children[0];
    if (!pick) throw new Error(`image index ${desc.digest} lists no manifests`);
    desc = pick;
  }
  throw new Error(`image index ${target.digest} nests too deeply`);
}

export async function loadImage(content: ContentStore, target: Descriptor): Promise<LoadedImage> {
  const { descriptor, manifest } = await platformManifest(content, target);
  if (!manifest.config?.digest) throw new Error(`manifest ${descriptor.digest} has no config`);
  const config = await readJsonBlob<ImageConfig>(content, manifest.config.digest, 'image config');
  return { manifestDescriptor: descriptor, manifest, config };
}
