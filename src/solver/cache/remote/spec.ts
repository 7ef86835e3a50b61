// `--cache-to` / `--cache-from` specs in buildx syntax:
//   --cache-to   type=registry,ref=HOST/REPO:TAG[,mode=min|max][,oci-mediatypes=true][,compression=gzip|zstd|uncompressed][,ignore-error=true]
//                type=local,dest=DIR[,tag=T][,mode=…]   type=inline
// Other buildx keys (image-manifest, compression-level, force-compression) are accepted and ignored.
//   --cache-from type=registry,ref=REF | REF (shorthand) | type=local,src=DIR[,tag=T]
// An image pushed with inline cache is read by type=registry too (its config holds the cache).
import { UsageError } from '../../../cli/errors.js';
import { splitCsv } from '../../../exporters/outputs.js';
import type { CompressionType } from '../../../exporters/compression.js';
import { parseReference } from '../../../registry/reference.js';

export type CacheMode = 'min' | 'max';

export type CacheExportSpec =
  | { type: 'registry'; ref: string; mode: CacheMode; ociMediaTypes: boolean; compression: CompressionType; ignoreError: boolean }
  | { type: 'local'; dest: string; tag: string; mode: CacheMode; ociMediaTypes: boolean; compression: CompressionType; ignoreError: boolean }
  | { type: 'inline' };

export type CacheImportSpec =
  | { type: 'registry'; ref: string }
  | { type: 'local'; src: string; tag: string };

function fields(flag: string, spec: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of splitCsv(spec)) {
    if (f === '') continue;
    const eq = f.indexOf('=');
    if (eq <= 0) throw new UsageError(`invalid ${flag} ${JSON.stringify(spec)}: field ${JSON.stringify(f)} is not key=value`);
    out.set(f.slice(0, eq).trim().toLowerCase(), f.slice(eq + 1).trim());
  }
  return out;
}

function need(flag: string, spec: string, f: Map<string, string>, key: string): string {
  const v = f.get(key);
  if (!v) throw new UsageError(`invalid ${flag} ${JSON.stringify(spec)}: ${key}= is required`);
  return v;
}

function checkRef(flag: string, spec: string, ref: string): string {
  try {
    return parseReference(ref).toString();
  } catch (err) {
    throw new UsageError(`invalid ${flag} ${JSON.stringify(spec)}: ${(err as Error).message}`);
  }
}

function modeOf(flag: string, spec: string, f: Map<string, string>): CacheMode {
  const m = f.get('mode') ?? 'min';
  if (m !== 'min' && m !== 'max') throw new UsageError(`invalid ${flag} ${JSON.stringify(spec)}: mode=${m}: expected min or max`);
  return m;
}

function boolOf(flag: string, spec: string, f: Map<string, string>, key: string, dflt: boolean): boolean {
  const v = f.get(key);
  if (v === undefined) return dflt;
  if (/^(true|1)$/i.test(v)) return true;
  if (/^(false|0)$/i.test(v)) return false;
  throw new UsageError(`invalid ${flag} ${JSON.stringify(spec)}: ${key}=${v}: expected true or false`);
}

function compressionOf(flag: string, spec: string, f: Map<string, string>): CompressionType {
  const c = f.get('compression') ?? 'gzip';
  if (c !== 'gzip' && c !== 'zstd' && c !== 'uncompressed') {
    throw new UsageError(`invalid ${flag} ${JSON.stringify(spec)}: compression=${c}: expected gzip, zstd or uncompressed`);
  }
  return c;
}

export function parseCacheTo(spec: string): CacheExportSpec {
  const flag = '--cache-to';
  const f = fields(flag, spec);
  const type = f.get('type');
  if (type === 'inline') return { type: 'inline' };
  const common = {
    mode: modeOf(flag, spec, f), ociMediaTypes: boolOf(flag, spec, f, 'oci-mediatypes', true), compression: compressionOf(flag, spec, f),
    ignoreError: boolOf(flag, spec, f, 'ignore-error', false),
  };
  if (type === 'registry') return { type, ref: checkRef(flag, spec, need(flag, spec, f, 'ref')), ...common };
  if (type === 'local') return { type, dest: need(flag, spec, f, 'dest'), tag: f.get('tag') || 'latest', ...common };
  throw new UsageError(`invalid ${flag} ${JSON.stringify(spec)}: type=${type ?? ''}: expected registry, local or inline`);
}

export function parseCacheFrom(spec: string): CacheImportSpec {
  const flag = '--cache-from';
  // buildx: a value without '=' is a registry reference.
  if (!spec.includes('=')) return { type: 'registry', ref: checkRef(flag, spec, spec) };
  const f = fields(flag, spec);
  const type = f.get('type') ?? 'registry';
  if (type === 'registry') return { type, ref: checkRef(flag, spec, need(flag, spec, f, 'ref')) };
  if (type === 'local') return { type, src: need(flag, spec, f, 'src'), tag: f.get('tag') || 'latest' };
  throw new UsageError(`invalid ${flag} ${JSON.stringify(spec)}: type=${type}: expected registry or local`);
}
