// LLB ops as plain data, mirroring BuildKit's solver/pb/ops.proto.
//
// These are the *normalized* shapes: every field is present (defaults filled in), except
// sub-messages and values that are genuinely optional. The canonical encoding
// (canonical.ts) drops false/""/[]/{} and absent values, so a normalized op and its
// encoding carry exactly the same information.

/** `sha256:` followed by 64 lowercase hex digits. */
export type Digest = string;

/** Index meaning "no input" for a mount or file action (pb.Empty). */
export const EMPTY_INPUT = -1;
/** Output index meaning "this mount/action has no output" (pb.SkipOutput). */
export const SKIP_OUTPUT = -1;
/** Destination of an exec's root filesystem mount (pb.RootMount). */
export const ROOT_MOUNT = '/';

/** An edge: output `index` of the op with `digest`. */
export interface Input {
  digest: Digest;
  index: number;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  osVersion?: string;
}

/** containerd-style filters restricting which worker may run an op. */
export interface WorkerConstraints {
  filter: string[];
}

interface OpCommon {
  inputs: Input[];
  /** Absent for ops that are not platform specific (file, merge, most sources), as BuildKit. */
  platform?: Platform;
  constraints?: WorkerConstraints;
}

export type Op =
  | (OpCommon & { kind: 'source'; source: SourceOp })
  | (OpCommon & { kind: 'exec'; exec: ExecOp })
  | (OpCommon & { kind: 'file'; file: FileOp })
  | (OpCommon & { kind: 'merge'; merge: MergeOp });

export type OpKind = Op['kind'];

// ---- source ----------------------------------------------------------------------------

/**
 * identifier: `docker-image://docker.io/library/alpine:latest`, `local://context`,
 * `https://…`, `git://host/path#ref:subdir`, `oci-layout://store@sha256:…`.
 * attrs: see SourceAttr in source-attrs.ts.
 */
export interface SourceOp {
  identifier: string;
  attrs: Record<string, string>;
}

// ---- exec ------------------------------------------------------------------------------

export type NetMode = 'sandbox' | 'host' | 'none';
export type SecurityMode = 'sandbox' | 'insecure';
export type MountType = 'bind' | 'secret' | 'ssh' | 'cache' | 'tmpfs';
export type CacheSharing = 'shared' | 'private' | 'locked';
/** Whether a mount's content takes part in the cache key by content (BuildKit MountContentCache). */
export type MountContentCache = 'default' | 'on' | 'off';

export interface ExecOp {
  meta: ExecMeta;
  /** Sorted by dest as BuildKit does; secret and ssh mounts follow the sorted ones. */
  mounts: Mount[];
  network: NetMode;
  security: SecurityMode;
  secretEnv: SecretEnv[];
}

export interface ExecMeta {
  args: string[];
  /** `KEY=value` strings in state order. */
  env: string[];
  cwd: string;
  user: string;
  /**
   * Proxy variables. Part of the op (and so of its digest), as in BuildKit; the solver must
   * leave them out of cache keys (BuildKit's ExecOp.CacheMap sets ProxyEnv to nil) —
   * see cacheKeyExecOp in cache-basis.ts.
   */
  proxyEnv?: ProxyEnv;
  extraHosts: HostIP[];
  hostname: string;
  ulimit: Ulimit[];
  cgroupParent: string;
  removeMountStubsRecursive: boolean;
  validExitCodes: number[];
}

export interface ProxyEnv {
  httpProxy: string;
  httpsProxy: string;
  ftpProxy: string;
  noProxy: string;
  allProxy: string;
}

export interface HostIP {
  host: string;
  ip: string;
}

export interface Ulimit {
  name: string;
  soft: number;
  hard: number;
}

export interface SecretEnv {
  id: string;
  name: string;
  optional: boolean;
}

export interface Mount {
  /** Index into op.inputs, or EMPTY_INPUT (-1) for scratch / secret / ssh / tmpfs. */
  input: number;
  /** Path inside the input to mount instead of its root (BuildKit llb.SourcePath). */
  selector: string;
  dest: string;
  /** Output index of this mount's result, or SKIP_OUTPUT (-1). */
  output: number;
  readonly: boolean;
  mountType: MountType;
  tmpfsOpt?: TmpfsOpt;
  cacheOpt?: CacheOpt;
  secretOpt?: SecretOpt;
  sshOpt?: SSHOpt;
  contentCache: MountContentCache;
}

export interface TmpfsOpt {
  /** Bytes; 0 = no limit. */
  size: number;
}

export interface CacheOpt {
  id: string;
  sharing: CacheSharing;
}

export interface SecretOpt {
  id: string;
  uid: number;
  gid: number;
  mode: number;
  optional: boolean;
}

export interface SSHOpt {
  id: string;
  uid: number;
  gid: number;
  mode: number;
  optional: boolean;
}

// ---- file ------------------------------------------------------------------------------

export interface FileOp {
  actions: FileAction[];
}

/**
 * `input`/`secondaryInput` index op.inputs when < inputs.length; an index of
 * inputs.length + k means "the result of action k of this op" (BuildKit's relative
 * indexes). -1 means scratch. `output` is 0 for the last action, -1 otherwise.
 */
export interface FileAction {
  input: number;
  secondaryInput: number;
  output: number;
  action: FileActionKind;
}

export type FileActionKind =
  | FileActionCopy
  | FileActionMkfile
  | FileActionMkdir
  | FileActionRm
  | FileActionSymlink;

/** A user or group: numeric id, or a name resolved in the rootfs of op input `input`. */
export type UserOpt = { id: number } | { name: string; input: number };

export interface ChownOpt {
  user?: UserOpt;
  group?: UserOpt;
}

export interface FileActionCopy {
  type: 'copy';
  src: string;
  dest: string;
  owner?: ChownOpt;
  /** Permission bits override; absent = keep the source's (BuildKit's -1). */
  mode?: number;
  /** Symbolic chmod (`u+x,g-w`), newer BuildKit's modeStr; used when `mode` is absent. */
  modeStr?: string;
  followSymlink: boolean;
  dirCopyContents: boolean;
  attemptUnpackDockerCompatibility: boolean;
  createDestPath: boolean;
  allowWildcard: boolean;
  allowEmptyWildcard: boolean;
  /** Nanoseconds since the Unix epoch; absent = keep the source's (BuildKit's -1). */
  timestamp?: bigint;
  includePatterns: string[];
  excludePatterns: string[];
  /** Paths (relative to src) that must exist (COPY --parents). */
  requiredPaths: string[];
  alwaysReplaceExistingDestPaths: boolean;
}

export interface FileActionMkfile {
  type: 'mkfile';
  path: string;
  mode: number;
  data: Uint8Array;
  owner?: ChownOpt;
  timestamp?: bigint;
}

export interface FileActionMkdir {
  type: 'mkdir';
  path: string;
  mode: number;
  makeParents: boolean;
  owner?: ChownOpt;
  timestamp?: bigint;
}

export interface FileActionRm {
  type: 'rm';
  path: string;
  allowNotFound: boolean;
  allowWildcard: boolean;
}

export interface FileActionSymlink {
  type: 'symlink';
  oldpath: string;
  newpath: string;
  owner?: ChownOpt;
  timestamp?: bigint;
}

// ---- merge -----------------------------------------------------------------------------

export interface MergeOp {
  /** Indexes into op.inputs, lowest layer first. */
  inputs: number[];
}

// ---- metadata (outside the digest) ------------------------------------------------------

/** Per-op data that never affects the op's digest (BuildKit's pb.OpMetadata). */
export interface OpMetadata {
  ignoreCache?: boolean;
  /** Free-form text; `llb.customname` is the progress name, e.g. `[stage-0 2/3] RUN …`. */
  description?: Record<string, string>;
  exportCache?: boolean;
  caps?: Record<string, boolean>;
  progressGroup?: ProgressGroup;
}

export interface ProgressGroup {
  id: string;
  name: string;
  weak: boolean;
}

/** Description key holding an op's display name (BuildKit's "llb.customname"). */
export const CUSTOM_NAME_KEY = 'llb.customname';

export interface Position {
  /** 1-based, as in BuildKit's source map. */
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface SourceInfo {
  filename: string;
  language: string;
  /** Source text, so errors can show the offending line. */
  data?: string;
}

export interface Location {
  /** Index into Definition.source.infos. */
  sourceIndex: number;
  ranges: Range[];
}

/** Source mapping of ops to the file ranges they come from (BuildKit's pb.Source). */
export interface SourceMapping {
  infos: SourceInfo[];
  locations: Record<Digest, Location[]>;
}

// ---- definition ------------------------------------------------------------------------

/** One op as stored: its canonical encoding and that encoding's digest. */
export interface EncodedOp {
  digest: Digest;
  data: string;
}

/**
 * A marshalled build graph: ops in topological order (inputs before users, no duplicates),
 * metadata and source locations keyed by op digest, and the output that is the result
 * (null = scratch, an empty filesystem).
 */
export interface Definition {
  ops: EncodedOp[];
  metadata: Record<Digest, OpMetadata>;
  source: SourceMapping;
  root: Input | null;
}
