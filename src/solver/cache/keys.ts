// Cache keys as BuildKit builds them: the op's digest without metadata (exec: without proxy
// env and mount selectors) chained with its inputs' keys; an input read from the build
// context through a selector enters by a content checksum of exactly the selected files
// (contenthash, after .dockerignore) instead, so the context's key depends only on the
// paths used.
import { createHash } from 'node:crypto';
import { makeContextFilter } from '../../context/context-filter.js';
import { execOpForCacheKey } from '../../llb/cache-basis.js';
import { digestOf, encodeOp } from '../../llb/canonical.js';
import type { Digest, Op } from '../../llb/types.js';
import { checksumPath, type ChecksumOptions } from '../contenthash/checksum.js';
import type { StatCache } from '../contenthash/stat-cache.js';
import type { LocalRef } from '../result.js';

/**
 * The op's part of its cache key. A base image enters by its pinned manifest digest alone,
 * so `--pull` (image.resolvemode=pull) keeps the cache when the registry has nothing newer.
 */
export function opCacheDigest(op: Op, digest: Digest): string {
  if (op.kind === 'source') {
    const pinned = op.source.identifier.startsWith('docker-image://') ? /@(sha256:[0-9a-f]{64})$/.exec(op.source.identifier)?.[1] : undefined;
    return pinned ? digestOf(JSON.stringify({ image: pinned, platform: op.platform ?? null })) : digest;
  }
  // Inputs enter the key through their own keys (as BuildKit's CacheMap digests the op body
  // alone): an input whose op changed but whose key did not must not change this key.
  const body: Op = { ...op, inputs: op.inputs.map((i) => ({ digest: '', index: i.index })) };
  return digestOf(encodeOp(body.kind === 'exec' ? { ...body, exec: execOpForCacheKey(body.exec) } : body));
}

export function outputKey(vertexKey: string, index: number): string {
  return index === 0 ? vertexKey : `sha256:${createHash('sha256').update(`${vertexKey}:${index}`).digest('hex')}`;
}

export interface ContentSelection {
  /** Per selector: `selector=checksum`. */
  digests: string[];
  /** Selected files (context-relative) → checksum, for --explain-cache. */
  files: Record<string, string>;
}

/**
 * Checksums of what `op` reads from input `i`, a local directory: COPY sources for file
 * ops, bind mount selectors for exec, the whole directory otherwise.
 */
export async function selectionsFromLocal(op: Op, i: number, local: LocalRef, statCache: StatCache): Promise<ContentSelection> {
  const out: ContentSelection = { digests: [], files: {} };
  const filter = makeContextFilter(local.includePatterns, local.excludePatterns);
  const add = async (selector: string, extra: ChecksumOptions = {}): Promise<void> => {
    const hashes = new Map<string, string>();
    // ownerAsRoot: the key must not depend on the uid that owns the checkout on this machine.
    const sum = await checksumPath(local.dir, selector || '/', { filter, statCache, fileHashes: hashes, ownerAsRoot: true, ...extra });
    out.digests.push(`${selector}=${sum}`);
    for (const [p, d] of hashes) if (!p.endsWith('/')) out.files[p.replace(/^\/+/, '')] = d;
  };
  if (op.kind === 'file') {
    for (const a of op.file.actions) {
      if (a.input === i) await add('');
      if (a.secondaryInput === i && a.action.type === 'copy') {
        const c = a.action;
        await add(c.src, {
          followLinks: c.followSymlink,
          wildcard: c.allowWildcard,
          includePatterns: c.includePatterns,
          excludePatterns: c.excludePatterns,
        });
      }
    }
  } else if (op.kind === 'exec') {
    for (const m of op.exec.mounts) if (m.input === i) await add(m.selector);
  } else {
    await add('');
  }
  return out;
}

export function vertexKey(opDigest: string, inputKeys: readonly string[], content: readonly string[]): string {
  const h = createHash('sha256').update(JSON.stringify({ v: 1, op: opDigest, inputs: inputKeys, content }));
  return `sha256:${h.digest('hex')}`;
}
