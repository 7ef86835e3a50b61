// The cache's wire format, BuildKit's remotecache v1 spec (cache/remotecache/v1/spec.go): a
// config blob (`application/vnd.buildkit.cacheconfig.v0`) listing layers (blob digest, parent
// layer index so a chain is walked from its top, annotations {mediaType, diffID, size}) and
// records (digest, `layers`: results pointing at a chain's top layer, `inputs`: links to
// other records). Manifest layer descriptors carry the diffID as containerd.io/uncompressed.
// Slipway's deviations: a record's `digest` is Slipway's full cache key (inputs already folded
// in), so import matches records by that key alone; a result may carry `output` (the vertex's
// output index, absent for 0) and `layer: -1` for an empty chain (a scratch result).
import type { Descriptor } from '../../../content/descriptor.js';

export const CACHE_CONFIG_MEDIA_TYPE = 'application/vnd.buildkit.cacheconfig.v0';
export const UNCOMPRESSED_ANNOTATION = 'containerd.io/uncompressed';

export interface LayerAnnotations {
  mediaType?: string;
  diffID?: string;
  size?: number;
}

export interface CacheLayer {
  blob: string;
  /** Index of the layer below, -1 for the bottom one (BuildKit omits 0). */
  parent: number;
  annotations?: LayerAnnotations;
}

export interface CacheResult {
  /** Top layer of the output's chain; -1 = no layers. */
  layer: number;
  /** Output index of the vertex (Slipway extension; absent = 0). */
  output?: number;
}

export interface CacheInput {
  selector: string;
  link: number;
}

export interface CacheRecordV1 {
  digest: string;
  /** The results (BuildKit's JSON name for them is `layers`). */
  layers?: CacheResult[];
  inputs?: CacheInput[][];
}

export interface CacheConfig {
  layers: CacheLayer[];
  records: CacheRecordV1[];
}

/** One layer of an imported chain: enough to fetch, unpack and re-export it byte for byte. */
export interface ChainLayer {
  diffID: string;
  descriptor: Descriptor;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Validates a config read from elsewhere (a registry, a directory, an image config). */
export function parseCacheConfig(bytes: Buffer | string, what: string): CacheConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString());
  } catch (err) {
    throw new Error(`${what}: cache config is not JSON: ${(err as Error).message}`);
  }
  const c = doc as Partial<CacheConfig> | null;
  if (!c || !Array.isArray(c.layers) || !Array.isArray(c.records)) throw new Error(`${what}: cache config lacks layers/records`);
  c.layers.forEach((l, i) => {
    if (l && l.parent === undefined) l.parent = 0; // Go's omitempty drops a parent of 0
    if (!l || typeof l.blob !== 'string' || !DIGEST.test(l.blob) || typeof l.parent !== 'number' || l.parent >= i && l.parent !== -1) {
      throw new Error(`${what}: cache config layer ${i} is invalid`);
    }
  });
  for (const r of c.records) {
    if (!r || typeof r.digest !== 'string' || !DIGEST.test(r.digest)) throw new Error(`${what}: cache config record without a valid digest`);
  }
  return c as CacheConfig;
}

/** The layer chain ending at `top`, bottom first. */
export function chainOf(config: CacheConfig, top: number): CacheLayer[] {
  const out: CacheLayer[] = [];
  for (let i = top, guard = 0; i >= 0; i = config.layers[i]!.parent, guard++) {
    if (i >= config.layers.length || guard > config.layers.length) throw new Error(`cache config: broken layer chain at ${i}`);
    out.unshift(config.layers[i]!);
  }
  return out;
}
