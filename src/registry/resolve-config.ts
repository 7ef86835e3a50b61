// The frontend's image metadata lookup (BuildKit's ResolveImageConfig): the local store
// first, then the registry (manifest + config only, no layers) unless `pull` forces a pull.
import type { ImageConfig, Platform } from '../content/descriptor.js';
import { ContentStore } from '../content/store.js';
import { loadImage } from '../store/image-content.js';
import { ImageStore } from '../store/image-store.js';
import { parseReference } from './reference.js';

export interface ResolvedImageConfig {
  /** The normalized reference (`docker.io/library/busybox:latest`). */
  ref: string;
  /** The single-platform manifest's digest. */
  digest: string;
  /** What the reference points at (the index digest for a multi-platform image, else = digest). */
  targetDigest: string;
  config: ImageConfig;
  /** Where the answer came from. */
  source: 'local' | 'registry';
}

export interface ResolveImageConfigOptions {
  root: string;
  /** Always ask the registry and pull the image into the store (`--pull`). */
  pull?: boolean;
  platform?: Platform;
  /** Abandons the registry requests (a lookup started early that nobody needs any more). */
  signal?: AbortSignal;
}

export async function resolveImageConfig(refString: string, opts: ResolveImageConfigOptions): Promise<ResolvedImageConfig> {
  const ref = parseReference(refString);
  const content = new ContentStore(opts.root);
  if (opts.pull) {
    const { pullImage } = await import('./pull.js');
    const res = await pullImage(ref.toString(), { root: opts.root, content, ...(opts.platform ? { platform: opts.platform } : {}) });
    return { ref: ref.toString(), digest: res.manifest.digest, targetDigest: res.target.digest, config: res.config, source: 'registry' };
  }
  const local = await new ImageStore(opts.root, content).resolve(ref.toString()).catch(() => undefined);
  if (local) {
    try {
      const img = await loadImage(content, local.target);
      return { ref: ref.toString(), digest: img.manifestDescriptor.digest, targetDigest: local.target.digest, config: img.config, source: 'local' };
    } catch {
      // incomplete local content: fall back to the registry
    }
  }
  // The registry client (node:http, https, tls) loads only when the store cannot answer.
  return (await import('./remote-config.js')).remoteImageConfig(ref, opts.platform, content, opts.signal);
}
