// Parsing and validating fetched manifests and indexes, and picking a platform from an index.
import { parseDigest } from '../content/digest.js';
import type { Descriptor, ImageIndex, ImageManifest, Platform } from '../content/descriptor.js';
import { isIndexType, isManifestType, MediaType } from '../content/media-types.js';

export class ManifestError extends Error {
  readonly exitCode = 1;
  constructor(
    readonly reference: string,
    reason: string,
  ) {
    super(`${reference}: invalid manifest: ${reason}`);
    this.name = 'ManifestError';
  }
}

export type ParsedManifest =
  | { kind: 'index'; mediaType: string; index: ImageIndex }
  | { kind: 'manifest'; mediaType: string; manifest: ImageManifest };

function checkDescriptor(d: unknown, where: string, what: string): Descriptor {
  const desc = d as Partial<Descriptor> | null;
  if (!desc || typeof desc !== 'object') throw new ManifestError(what, `${where} is not an object`);
  if (typeof desc.mediaType !== 'string' || desc.mediaType === '') throw new ManifestError(what, `${where} has no mediaType`);
  if (typeof desc.digest !== 'string') throw new ManifestError(what, `${where} has no digest`);
  try {
    parseDigest(desc.digest);
  } catch (err) {
    throw new ManifestError(what, `${where}: ${(err as Error).message}`);
  }
  if (typeof desc.size !== 'number' || !Number.isSafeInteger(desc.size) || desc.size < 0) {
    throw new ManifestError(what, `${where} has an invalid size`);
  }
  return desc as Descriptor;
}

/** Parses manifest bytes; `contentType` is the registry's Content-Type (used when the JSON has no mediaType). */
export function parseManifest(bytes: Buffer, contentType: string, what: string): ParsedManifest {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new ManifestError(what, `not valid JSON (${(err as Error).message})`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new ManifestError(what, 'not a JSON object');
  if (json.schemaVersion === 1) throw new ManifestError(what, 'Docker schema 1 manifests are not supported');
  if (json.schemaVersion !== 2) throw new ManifestError(what, `unsupported schemaVersion ${JSON.stringify(json.schemaVersion)}`);
  const declared = typeof json.mediaType === 'string' ? json.mediaType : undefined;
  let mediaType = declared ?? contentType;
  if (!isIndexType(mediaType) && !isManifestType(mediaType)) {
    // OCI allows mediaType to be absent; tell the kinds apart by shape.
    if (declared === undefined && Array.isArray(json.manifests)) mediaType = MediaType.OCI_INDEX;
    else if (declared === undefined && json.config && Array.isArray(json.layers)) mediaType = MediaType.OCI_MANIFEST;
    else throw new ManifestError(what, `unsupported media type ${JSON.stringify(declared ?? contentType)}`);
  }
  if (isIndexType(mediaType)) {
    if (!Array.isArray(json.manifests)) throw new ManifestError(what, 'index has no "manifests" list');
    json.manifests.forEach((m, i) => checkDescriptor(m, `manifests[${i}]`, what));
    return { kind: 'index', mediaType, index: json as unknown as ImageIndex };
  }
  checkDescriptor(json.config, 'config', what);
  if (!Array.isArray(json.layers)) throw new ManifestError(what, 'manifest has no "layers" list');
  json.layers.forEach((l, i) => checkDescriptor(l, `layers[${i}]`, what));
  return { kind: 'manifest', mediaType, manifest: json as unknown as ImageManifest };
}

export const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

export function formatPlatform(p: Platform | undefined): string {
  if (!p) return 'unknown';
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** Picks the manifest for `want` from an index; the error lists the platforms offered. */
export function choosePlatform(index: ImageIndex, what: string, want: Platform = DEFAULT_PLATFORM): Descriptor {
  const candidates = index.manifests.filter((m) => isManifestType(m.mediaType) || m.mediaType === undefined);
  const match = candidates.find(
    (m) =>
      m.platform?.os === want.os &&
      m.platform.architecture === want.architecture &&
      (want.variant === undefined || m.platform.variant === want.variant),
  );
  if (match) return match;
  const offered = [...new Set(candidates.map((m) => formatPlatform(m.platform)).filter((p) => p !== 'unknown/unknown'))];
  throw new ManifestError(
    what,
    `no manifest for platform ${formatPlatform(want)} in the image index; platforms offered: ${offered.length ? offered.join(', ') : 'none'}`,
  );
}
