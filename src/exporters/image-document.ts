// The image config and manifest an export writes. The config is the converter's, with
// rootfs.diff_ids from the exported layers and the history aligned with them (BuildKit's
// normalizeLayersAndHistory + patchImageConfig); the manifest is OCI (default) or Docker
// schema2. Both are serialized with a fixed key order, so equal inputs give equal digests.
import type { Descriptor } from '../content/descriptor.js';
import { MediaType } from '../content/media-types.js';
import { cloneImage, imageToJSON, type HistoryEntry, type Image } from '../frontend/dockerfile/image-config.js';
import { goJSON, sortedRecord } from './stable-json.js';

/** The created time used when there is no SOURCE_DATE_EPOCH and no base image time. */
export const UNIX_EPOCH_RFC3339 = '1970-01-01T00:00:00Z';
export const EXPORTER_HISTORY_COMMENT = 'buildkit.exporter.image.v0';

/** RFC 3339 as Go writes a UTC time with whole seconds: 1700000000 → 2023-11-14T22:13:20Z. */
export function epochToRFC3339(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

/**
 * The time an image gets when SOURCE_DATE_EPOCH is not set: the newest `created` in its
 * history (that is, in its base image's history, since new entries have none), or the Unix
 * epoch for an image built from scratch. Never the wall clock, so rebuilding the same inputs
 * gives the same digest.
 */
export function defaultCreated(image: Image): string {
  let best: string | undefined;
  let bestMs = -Infinity;
  for (const h of image.history ?? []) {
    const ms = h.created ? Date.parse(h.created) : NaN;
    if (!Number.isNaN(ms) && ms >= bestMs) {
      best = h.created;
      bestMs = ms;
    }
  }
  return best ?? UNIX_EPOCH_RFC3339;
}

export function rfc3339ToSeconds(t: string): number {
  return Math.floor(Date.parse(t) / 1000);
}

export interface ConfigInput {
  image: Image;
  diffIDs: string[];
  /** SOURCE_DATE_EPOCH in seconds. */
  epoch?: number;
  /** How many history entries at the start came from the base image (kept as they are). */
  baseHistoryLength?: number;
}

/** History with exactly one non-empty entry per layer (BuildKit's rules). */
function alignHistory(history: HistoryEntry[], layers: number): HistoryEntry[] {
  let nonEmpty = history.filter((h) => !h.empty_layer).length;
  let out = history.map((h) => ({ ...h }));
  if (nonEmpty > layers) {
    let seen = 0;
    out = out.map((h) => {
      if (seen >= layers) h.empty_layer = true;
      if (!h.empty_layer) seen++;
      return h;
    });
    nonEmpty = layers;
  }
  for (let i = nonEmpty; i < layers; i++) out.push({ created_by: 'created by buildkit', comment: EXPORTER_HISTORY_COMMENT });
  return out;
}

export function buildConfig(input: ConfigInput): Image {
  const img = cloneImage(input.image);
  const fallback = defaultCreated(input.image);
  img.rootfs = { type: 'layers', diff_ids: [...input.diffIDs] };
  const history = alignHistory(img.history ?? [], input.diffIDs.length);
  const baseLen = input.baseHistoryLength ?? 0;
  if (input.epoch !== undefined) {
    const at = epochToRFC3339(input.epoch);
    const epochMs = input.epoch * 1000;
    history.forEach((h, i) => {
      if (i < baseLen) return;
      if (!h.created || Date.parse(h.created) > epochMs) h.created = at;
    });
  }
  for (const h of history) h.created ??= fallback;
  if (history.length) img.history = history;
  else delete img.history;
  img.created = input.epoch !== undefined ? epochToRFC3339(input.epoch) : history[history.length - 1]?.created ?? fallback;
  return img;
}

/** The config key BuildKit's inline cache (`--cache-to type=inline`) is stored under. */
export const INLINE_CACHE_KEY = 'moby.buildkit.cache.v0';

/**
 * The config text as BuildKit's exporter writes it: it re-marshals the frontend's config as a
 * Go map, so top-level keys come out sorted, while nested objects keep the struct order that
 * imageToJSON gives them. `extra` adds top-level fields (e.g. the inline cache).
 */
export function configBytes(img: Image, extra: Record<string, unknown> = {}): Buffer {
  const doc = { ...(JSON.parse(imageToJSON(img)) as Record<string, unknown>), ...extra };
  const parts = Object.keys(doc).sort().map((k) => `${goJSON(k)}:${goJSON(doc[k])}`);
  return Buffer.from(`{${parts.join(',')}}`);
}

export interface ManifestInput {
  config: { digest: string; size: number };
  layers: Descriptor[];
  oci: boolean;
  annotations?: Record<string, string>;
}

/** Manifest text as BuildKit writes it: two-space indent, fixed key order. */
export function manifestBytes(m: ManifestInput): Buffer {
  const layer = (d: Descriptor): Record<string, unknown> => {
    const o: Record<string, unknown> = { mediaType: d.mediaType, digest: d.digest, size: d.size };
    if (d.urls?.length) o.urls = d.urls;
    if (m.oci && d.annotations && Object.keys(d.annotations).length) o.annotations = sortedRecord(d.annotations);
    return o;
  };
  const doc: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType: m.oci ? MediaType.OCI_MANIFEST : MediaType.DOCKER_MANIFEST,
    config: { mediaType: m.oci ? MediaType.OCI_CONFIG : MediaType.DOCKER_CONFIG, digest: m.config.digest, size: m.config.size },
    layers: m.layers.map(layer),
  };
  if (m.oci && m.annotations && Object.keys(m.annotations).length) doc.annotations = sortedRecord(m.annotations);
  return Buffer.from(goJSON(doc, 2));
}
