// The llb package: plain-data build ops, their canonical encoding and digests, the State
// builder the Dockerfile converter uses, and printing for --print-llb.

export * from './types.js';
export { LLBError } from './errors.js';
export { encodeOp, encodeCanonical, digestOf } from './canonical.js';
export { decodeOp } from './decode-op.js';
export { decodeDefinition, type DecodedDefinition } from './definition.js';
export { outputCount, validateOp } from './validate-op.js';
export { marshal } from './marshal.js';
export { State, ExecState, scratch, type StateMeta, type ImageConfigLike } from './state.js';
export {
  image, local, http, git, ociLayout,
  type ImageOptions, type LocalOptions, type HTTPOptions, type GitOptions, type OCILayoutOptions,
} from './sources.js';
export { SourceAttr, SourceScheme, type ResolveMode } from './source-attrs.js';
export type {
  RunOptions, MountSpec, BindMount, CacheMount, TmpfsMount, SecretMount, SSHMount,
} from './exec.js';
export {
  copy, mkdir, mkfile, rm, symlink, parseOwner, FileActionChain, BoundFileAction,
  type CopyOptions, type MkdirOptions, type MkfileOptions, type RmOptions, type SymlinkOptions,
  type CopySource, type Owner, type ChownSpec, type UserSpec, type Timestamp,
} from './fileop.js';
export { merge } from './merge.js';
export { SourceMap, type SourceLocation, type ConstraintOpts, type Output, type Vertex } from './vertex.js';
export { execOpForCacheKey } from './cache-basis.js';
export { describeOp } from './describe.js';
export { definitionToJSON } from './print-json.js';
export { definitionToDot } from './print-dot.js';
export { normalizeImageRef } from './image-ref.js';
export { shlexSplit } from './shlex.js';
export { DEFAULT_PLATFORM, formatPlatform } from './platform.js';
