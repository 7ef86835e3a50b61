// A vertex is one op with its digest computed at construction: States are immutable, so
// an op never changes once built and its inputs' digests are already known.

import { digestOf, encodeOp } from './canonical.js';
import { LLBError } from './errors.js';
import type { Digest, Op, OpMetadata, ProgressGroup, Range } from './types.js';
import { CUSTOM_NAME_KEY } from './types.js';

/** A source file that ops can point back to (BuildKit's llb.SourceMap). */
export class SourceMap {
  constructor(
    readonly filename: string,
    readonly language: string,
    readonly data?: string,
  ) {}

  /** A constraint location pointing at `ranges` of this file. */
  location(ranges: Range[]): SourceLocation {
    return { sourceMap: this, ranges };
  }
}

export interface SourceLocation {
  sourceMap: SourceMap;
  ranges: Range[];
}

/** Options every op constructor takes; none of them affects the digest except `platform`. */
export interface ConstraintOpts {
  /** Progress name, e.g. `[stage-0 2/3] RUN make`. */
  customName?: string;
  ignoreCache?: boolean;
  /** Extra description entries (merged with customName). */
  description?: Record<string, string>;
  progressGroup?: ProgressGroup;
  /** Where in a source file this op comes from (for error reporting). */
  location?: SourceLocation | SourceLocation[];
}

export interface Vertex {
  readonly digest: Digest;
  readonly data: string;
  readonly op: Op;
  /** Parallel to op.inputs. */
  readonly inputs: readonly Output[];
  readonly metadata: OpMetadata;
  readonly locations: readonly SourceLocation[];
}

/** One output of a vertex. */
export interface Output {
  readonly vertex: Vertex;
  readonly index: number;
}

export function makeVertex(op: Op, inputs: readonly Output[], opts: ConstraintOpts, caps: readonly string[]): Vertex {
  if (op.inputs.length !== inputs.length) throw new LLBError('internal: op inputs and vertex inputs differ');
  op.inputs.forEach((inp, i) => {
    const o = inputs[i];
    if (!o || o.vertex.digest !== inp.digest || o.index !== inp.index) {
      throw new LLBError('internal: op inputs and vertex inputs differ');
    }
  });
  const data = encodeOp(op);
  const locs = opts.location === undefined ? [] : Array.isArray(opts.location) ? opts.location : [opts.location];
  return {
    digest: digestOf(data),
    data,
    op,
    inputs,
    metadata: metadataOf(opts, caps),
    locations: locs,
  };
}

function metadataOf(opts: ConstraintOpts, caps: readonly string[]): OpMetadata {
  const md: OpMetadata = {};
  if (opts.ignoreCache) md.ignoreCache = true;
  const description = { ...opts.description };
  if (opts.customName !== undefined) description[CUSTOM_NAME_KEY] = opts.customName;
  if (Object.keys(description).length > 0) md.description = description;
  if (caps.length > 0) md.caps = Object.fromEntries([...caps].sort().map((c) => [c, true]));
  if (opts.progressGroup) md.progressGroup = { ...opts.progressGroup };
  return md;
}

/** Combines metadata of the same op reached through different states (BuildKit's mergeMetadata). */
export function mergeMetadata(a: OpMetadata, b: OpMetadata): OpMetadata {
  const out: OpMetadata = { ...a };
  if (b.ignoreCache) out.ignoreCache = true;
  if (b.exportCache !== undefined) out.exportCache = b.exportCache;
  if (b.description) out.description = { ...a.description, ...b.description };
  if (b.caps) out.caps = { ...a.caps, ...b.caps };
  if (b.progressGroup) out.progressGroup = b.progressGroup;
  return out;
}
