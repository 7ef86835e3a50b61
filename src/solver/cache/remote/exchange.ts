// The build command's entry points for cache exchange (issue 8): open the --cache-from
// sources before the solve, and after it write each --cache-to (inline goes into the image
// config, so it is computed before the image export).
import { ContentStore } from '../../../content/store.js';
import { DEFAULT_COMPRESSION, type Compression } from '../../../exporters/compression.js';
import { defaultCreated, INLINE_CACHE_KEY, rfc3339ToSeconds } from '../../../exporters/image-document.js';
import type { Image } from '../../../frontend/dockerfile/image-config.js';
import type { Definition } from '../../../llb/types.js';
import type { LayerRef } from '../../result.js';
import type { VertexRecord } from '../../solve.js';
import { collectCache } from './collect.js';
import { chainOf } from './config.js';
import { exportCacheToDir, exportCacheToRegistry, inlineCacheValue } from './export.js';
import { ImportedCache } from './imported-cache.js';
import { openCacheSource, type CacheSource } from './sources.js';
import type { CacheExportSpec, CacheImportSpec } from './spec.js';

/**
 * Reads every source's manifest and cache config. A source that cannot be read is reported
 * through `warn` and skipped (as buildx does: a missing cache is not an error).
 */
export async function importCaches(specs: readonly CacheImportSpec[], warn: (message: string) => void): Promise<ImportedCache> {
  const opened = await Promise.all(specs.map((s) => openCacheSource(s).catch((err: unknown) => {
    warn(`failed to import cache ${s.type === 'local' ? s.src : s.ref}: ${(err as Error).message}`);
    return undefined;
  })));
  return new ImportedCache(opened.filter((s): s is CacheSource => s !== undefined));
}

export interface CacheExportInput {
  root: string;
  definition: Definition;
  vertices: readonly VertexRecord[];
  result: readonly LayerRef[];
  /** The converter's image config and SOURCE_DATE_EPOCH: they fix the exporter's mtime clamp. */
  image: Image;
  epoch?: number;
  /** The image output's compression (inline cache layers are the image's). */
  compression?: Compression;
  /** The image output's rewrite-timestamp: false keeps raw mtimes, so the cache's blobs must too. */
  rewriteTimestamp?: boolean;
  imported?: ImportedCache;
  lease?: { add(digests: Iterable<string>): Promise<void> };
}

/** The image exporter's mtime clamp for new layers (see export-image.ts), so both share blobs. */
function clampOf(input: CacheExportInput): number | undefined {
  if (input.rewriteTimestamp === false) return undefined;
  return input.epoch ?? rfc3339ToSeconds(defaultCreated(input.image));
}

function clampField(input: CacheExportInput): { clampMtime?: number } {
  const clamp = clampOf(input);
  return clamp === undefined ? {} : { clampMtime: clamp };
}

/** The config field for --cache-to type=inline (mode=min over the image's own layers). */
export async function inlineCacheExtra(input: CacheExportInput): Promise<Record<string, unknown>> {
  const c = await collectCache({
    ...input, mode: 'min', compression: input.compression ?? DEFAULT_COMPRESSION, ...clampField(input),
  });
  // BuildKit's inline form: the records alone, each result's layer the index of its top layer
  // among the image's layers (min mode results are prefixes of the image's chain).
  const records = c.config.records.map((r) => ({
    ...r, layers: (r.layers ?? []).map((res) => ({ ...res, layer: res.layer < 0 ? -1 : chainOf(c.config, res.layer).length - 1 })),
  }));
  return { [INLINE_CACHE_KEY]: inlineCacheValue(records) };
}

/** Writes one registry or local cache export; returns the cache manifest digest. */
export async function exportCache(spec: Exclude<CacheExportSpec, { type: 'inline' }>, input: CacheExportInput): Promise<string> {
  const compression: Compression = spec.compression === (input.compression ?? DEFAULT_COMPRESSION).type && input.compression
    ? input.compression : { type: spec.compression };
  const c = await collectCache({ ...input, mode: spec.mode, compression, ...clampField(input), ociMediaTypes: spec.ociMediaTypes });
  const content = new ContentStore(input.root);
  return spec.type === 'registry' ? exportCacheToRegistry(content, c, spec.ref) : exportCacheToDir(content, c, spec.dest, spec.tag);
}
