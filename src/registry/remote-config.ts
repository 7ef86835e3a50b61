// The registry half of resolveImageConfig: the manifest and config of a reference fetched
// from its registry (the config remembered for the pull that follows, whose layers start
// downloading at once: see blob-prefetch.ts).
import { statSync } from 'node:fs';
import type { Platform } from '../content/descriptor.js';
import { digestOf } from '../content/digest.js';
import type { ContentStore } from '../content/store.js';
import { prefetchBlobs } from './blob-prefetch.js';
import { clientFor } from './client.js';
import { RegistryError } from './errors.js';
import { rememberBlob } from './fetch-memo.js';
import { readBody } from './http.js';
import { parseConfig, resolveManifest } from './pull.js';
import type { Reference } from './reference.js';
import type { ResolvedImageConfig } from './resolve-config.js';

const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

export async function remoteImageConfig(ref: Reference, platform: Platform | undefined, content?: ContentStore,
  signal?: AbortSignal): Promise<ResolvedImageConfig> {
  const client = clientFor(ref.domain);
  const resolved = await resolveManifest(client, ref, platform, signal);
  const cfgDesc = resolved.manifest.config;
  const what = `${ref.fullName()}@${cfgDesc.digest}`;
  const bytes = await client.retrying(what, async () => {
    const res = await client.getBlob(ref.path, cfgDesc.digest, what, { retry: false, ...(signal ? { signal } : {}) });
    const body = await readBody(res, MAX_CONFIG_BYTES);
    if (digestOf(body) !== cfgDesc.digest) {
      throw new RegistryError(`${what}: image config rejected: digest mismatch (got ${digestOf(body)})`, { reference: what, code: 'DIGEST_INVALID' });
    }
    rememberBlob(client.host, ref.path, cfgDesc.digest, body);
    return body;
  }, signal);
  // The store lacks this image, so a build pulls its layers next: they start downloading now,
  // after the config (which the conversion waits for: the layers must not hold it up).
  if (content) {
    prefetchBlobs(client, ref.path, resolved.manifest.layers,
      (d) => statSync(content.path(d.digest), { throwIfNoEntry: false })?.size === d.size);
  }
  const config = parseConfig(bytes, ref, cfgDesc);
  return { ref: ref.toString(), digest: resolved.manifestDescriptor.digest, targetDigest: resolved.target.digest, config, source: 'registry' };
}
