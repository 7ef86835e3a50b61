// The frontend's image metadata lookup (BuildKit's ResolveImageConfig): the local store
// first, then the registry (manifest + config only, no layers) unless `pull` forces a pull.
import type { ImageConfig, Platform } from '../content/descriptor.js';
import { ContentStore } from '../content/store.js';
import { loadImage } from '../store/image-content.js';
import { ImageStore } from '../store/image-store.js';
import { clientFor } from './client.js';
import { ManifestError } from './manifest.js';
import { pullImage, resolveManifest } from './pull.js';
import { readBody } from './http.js';
import { parseReference } from './reference.js';
import { digestOf } from '../content/digest.js';
import { RegistryError } from './errors.js';
import { rememberBlob } from './fetch-memo.js';

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
}

const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

export async function resolveImageConfig(refString: string, opts: ResolveImageConfigOptions): Promise<ResolvedImageConfig> {
  const ref = parseReference(refString);
  const content = new ContentStore(opts.root);
  if (opts.pull) {
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
  const client = clientFor(ref.domain);
  const resolved = await resolveManifest(client, ref, opts.platform);
  const cfgDesc = resolved.manifest.config;
  const what = `${ref.fullName()}@${cfgDesc.digest}`;
  const bytes = await client.retrying(what, async () => {
    const res = await client.getBlob(ref.path, cfgDesc.digest, what, { retry: false });
    const body = await readBody(res, MAX_CONFIG_BYTES);
    if (digestOf(body) !== cfgDesc.digest) {
      throw new RegistryError(`${what}: image config rejected: digest mismatch (got ${digestOf(body)})`, { reference: what, code: 'DIGEST_INVALID' });
    }
    rememberBlob(client.host, ref.path, cfgDesc.digest, body);
    return body;
  });
  let config: ImageConfig;
  try {
    config = JSON.parse(bytes.toString('utf8')) as ImageConfig;
  } catch (err) {
    throw new ManifestError(ref.toString(), `image config ${cfgDesc.digest} is not valid JSON (${(err as Error).message})`);
  }
  return { ref: ref.toString(), digest: resolved.manifestDescriptor.digest, targetDigest: resolved.target.digest, config, source: 'registry' };
}
