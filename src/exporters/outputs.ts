// `-o/--output` specs in buildx's syntax (`type=image,name=a,b,push=true`, `-o DIR`, `-o -`),
// with `-t` and `--push` folded in the way buildx does it.
import { UsageError } from '../cli/errors.js';
import { parseReference } from '../registry/reference.js';
import type { Compression, CompressionType } from './compression.js';

export type OutputType = 'image' | 'registry' | 'oci' | 'docker' | 'local' | 'tar';

export interface OutputSpec {
  type: OutputType;
  /** Image names (image/registry/oci/docker). */
  names: string[];
  /** Push the image to the registry named by each name. */
  push: boolean;
  /** File, directory or `-` (stdout). Absent for image/registry (and docker = load into the store). */
  dest?: string;
  /** oci/docker: write a tar (default) or, with tar=false, an OCI layout directory. */
  tar: boolean;
  compression: Compression;
  /** OCI media types (default) or Docker schema2 (oci-mediatypes=false). */
  ociMediaTypes: boolean;
  /** true: clamp new-layer mtimes to SOURCE_DATE_EPOCH and annotate them like BuildKit;
   * false: keep mtimes as produced; undefined: Slipway's default (clamp, no annotation). */
  rewriteTimestamp?: boolean;
  /** Annotations of the image manifest. */
  manifestAnnotations: Record<string, string>;
  /** Annotations of the manifest's descriptor in an OCI layout's index.json. */
  descriptorAnnotations: Record<string, string>;
  /** Annotations of an OCI layout's index.json itself. */
  indexAnnotations: Record<string, string>;
  /** Keep the image in the local store (type=image; `store=false` turns it off). */
  store: boolean;
}

export interface OutputDefaults {
  /** `-t` names. */
  tags?: string[];
  /** `--push`. */
  push?: boolean;
}

const TYPES: readonly OutputType[] = ['image', 'registry', 'oci', 'docker', 'local', 'tar'];
const IMAGE_TYPES: readonly OutputType[] = ['image', 'registry', 'oci', 'docker'];
const COMPRESSIONS: readonly CompressionType[] = ['gzip', 'zstd', 'uncompressed'];
const MAX_LEVEL: Record<CompressionType, number> = { gzip: 9, zstd: 22, uncompressed: 0 };
// Attributes BuildKit/buildx accept that change nothing here (single platform, no daemon).
const IGNORED = new Set(['unpack', 'dangling-name-prefix', 'name-canonical', 'buildinfo', 'buildinfo-attrs', 'attestation-prefix', 'platform-split', 'insecure', 'registry.insecure', 'oci-artifact', 'context']);

function bad(spec: string, what: string): UsageError {
  return new UsageError(`invalid output ${JSON.stringify(spec)}: ${what}`);
}

function parseBool(spec: string, key: string, value: string): boolean {
  if (/^(true|1|t|yes)$/i.test(value) || value === '') return true;
  if (/^(false|0|f|no)$/i.test(value)) return false;
  throw bad(spec, `${key}=${value}: expected true or false`);
}

/** Splits CSV fields the way Go's encoding/csv does (double quotes protect commas). */
export function splitCsv(s: string): string[] {
  const fields: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur.trim() === '') {
      quoted = true;
      cur = '';
    } else if (c === ',') {
      fields.push(cur);
      cur = '';
    } else cur += c;
  }
  if (quoted) throw new UsageError(`invalid output ${JSON.stringify(s)}: unterminated quote`);
  fields.push(cur);
  return fields.map((f) => f.trim());
}

function splitNames(value: string): string[] {
  return value.split(',').map((n) => n.trim()).filter((n) => n !== '');
}

/** One spec: `type=…,k=v,…`, `DIR` (local) or `-` (tar to stdout). */
export function parseOutput(spec: string): OutputSpec {
  const out: OutputSpec = {
    type: 'local', names: [], push: false, tar: true, compression: { type: 'gzip' }, ociMediaTypes: true,
    manifestAnnotations: {}, descriptorAnnotations: {}, indexAnnotations: {}, store: true,
  };
  if (spec === '') throw new UsageError('invalid output "": empty');
  if (spec === '-') return { ...out, type: 'tar', dest: '-' };
  if (!spec.includes('=')) return { ...out, type: 'local', dest: spec };

  let type: OutputType | undefined;
  let level: number | undefined;
  let lastKey = '';
  let ociSet = false;
  for (const field of splitCsv(spec)) {
    if (field === '') continue;
    const eq = field.indexOf('=');
    if (eq < 0) {
      // `name=a,b`: buildx wants it quoted; an unquoted list continues the name.
      if (lastKey === 'name') {
        out.names.push(...splitNames(field));
        continue;
      }
      throw bad(spec, `invalid value ${JSON.stringify(field)} (expected key=value)`);
    }
    const key = field.slice(0, eq).trim().toLowerCase();
    const value = field.slice(eq + 1).trim();
    lastKey = key;
    const annotation = /^annotation(?:-(manifest|manifest-descriptor|index|index-descriptor))?(?:\[[^\]]*\])?\.(.+)$/.exec(field.slice(0, eq).trim());
    if (annotation) {
      const [, target = 'manifest', name] = annotation;
      const into = target === 'manifest' ? out.manifestAnnotations
        : target === 'manifest-descriptor' || target === 'index-descriptor' ? out.descriptorAnnotations : out.indexAnnotations;
      into[name!] = value;
      continue;
    }
    switch (key) {
      case 'type':
        if (!TYPES.includes(value as OutputType)) throw bad(spec, `unknown type ${JSON.stringify(value)} (expected one of ${TYPES.join(', ')})`);
        type = value as OutputType;
        break;
      case 'name':
        out.names.push(...splitNames(value));
        break;
      case 'dest':
        if (value === '') throw bad(spec, 'dest= is empty');
        out.dest = value;
        break;
      case 'push':
        out.push = parseBool(spec, key, value);
        break;
      case 'tar':
        out.tar = parseBool(spec, key, value);
        break;
      case 'store':
        out.store = parseBool(spec, key, value);
        break;
      case 'compression':
        if (!COMPRESSIONS.includes(value as CompressionType)) throw bad(spec, `compression=${value}: expected gzip, zstd or uncompressed`);
        out.compression = { ...out.compression, type: value as CompressionType };
        break;
      case 'compression-level':
        if (!/^\d+$/.test(value)) throw bad(spec, `compression-level=${value}: expected a number`);
        level = Number(value);
        break;
      case 'force-compression':
        out.compression = { ...out.compression, force: parseBool(spec, key, value) };
        break;
      case 'oci-mediatypes':
        out.ociMediaTypes = parseBool(spec, key, value);
        ociSet = true;
        break;
      case 'rewrite-timestamp':
        out.rewriteTimestamp = parseBool(spec, key, value);
        break;
      case 'push-by-digest':
        throw bad(spec, 'push-by-digest is not supported');
      default:
        if (!IGNORED.has(key)) throw bad(spec, `unknown option ${JSON.stringify(key)}`);
    }
  }
  if (!type) throw bad(spec, 'missing type= (e.g. type=image, type=oci,dest=out.tar, type=local,dest=dir)');
  out.type = type;
  if (level !== undefined) {
    const max = MAX_LEVEL[out.compression.type];
    if (out.compression.type !== 'uncompressed') {
      if (level > max) throw bad(spec, `compression-level=${level}: ${out.compression.type} levels go from 0 to ${max}`);
      out.compression = { ...out.compression, level };
    }
  }
  if (out.compression.type === 'zstd') {
    // zstd layers only exist with OCI media types (BuildKit switches them on, too).
    if (ociSet && !out.ociMediaTypes) throw bad(spec, 'compression=zstd needs oci-mediatypes=true');
    out.ociMediaTypes = true;
  }
  if (type === 'registry') out.push = true;
  if (!IMAGE_TYPES.includes(type) && out.names.length) throw bad(spec, `name= does not apply to type=${type}`);
  if ((type === 'local' || type === 'tar') && out.dest === undefined) throw bad(spec, `type=${type} needs dest=${type === 'local' ? 'DIR' : 'FILE|-'}`);
  if (type === 'oci' && out.dest === undefined) throw bad(spec, 'type=oci needs dest=FILE.tar (or tar=false,dest=DIR)');
  if ((type === 'oci' || type === 'docker') && !out.tar && out.dest === '-') throw bad(spec, 'tar=false needs a directory in dest=, not -');
  if (type === 'docker' && !out.tar) throw bad(spec, 'type=docker writes a tar; use type=oci,tar=false for a directory');
  if (type === 'docker' && out.dest !== undefined && out.compression.type === 'zstd') {
    throw bad(spec, 'type=docker archives hold plain tar layers, which zstd blobs cannot be turned into here; use type=oci');
  }
  for (const name of out.names) {
    try {
      parseReference(name);
    } catch (err) {
      throw bad(spec, `name ${JSON.stringify(name)}: ${(err as Error).message}`);
    }
  }
  return out;
}

/**
 * All outputs of a build: every `-o`, `-t` names given to image outputs that have none, and
 * `--push`. With no `-o`: type=image when `-t` or `--push` is given, else nothing (the
 * result stays in the build cache), as buildx's docker-container driver does.
 */
export function parseOutputs(specs: readonly string[], defaults: OutputDefaults = {}): OutputSpec[] {
  const tags = defaults.tags ?? [];
  for (const t of tags) {
    try {
      parseReference(t);
    } catch (err) {
      throw new UsageError(`invalid tag ${JSON.stringify(t)}: ${(err as Error).message}`);
    }
  }
  const outs = specs.map(parseOutput);
  if (outs.length === 0 && (tags.length || defaults.push)) outs.push(parseOutput('type=image'));
  for (const o of outs) {
    if (IMAGE_TYPES.includes(o.type) && o.names.length === 0) o.names = [...tags];
    if (defaults.push && o.type === 'image') o.push = true;
    if (o.push && o.names.length === 0) throw new UsageError(`output type=${o.type} with push=true needs a name (-t or name=)`);
  }
  const stdout = outs.filter((o) => o.dest === '-');
  if (stdout.length > 1) throw new UsageError('only one output can write to stdout (dest=-)');
  return outs;
}
