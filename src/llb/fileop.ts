// File actions (copy, mkdir, mkfile, rm, symlink), chainable as BuildKit's llb.FileAction,
// and their lowering into one file op. Relative paths resolve against the dir of the State
// the chain is applied to (for copy sources: the source State's dir).

import { LLBError } from './errors.js';
import { goClean, goJoin, isAbs, normalizeFilePath } from './go-path.js';
import type { State } from './state.js';
import {
  type ChownOpt, EMPTY_INPUT, type FileAction, type FileActionKind, type Input, SKIP_OUTPUT,
  type UserOpt,
} from './types.js';
import { type ConstraintOpts, makeVertex, type Output } from './vertex.js';

/** A user or group by numeric id or by name (resolved in the destination rootfs). */
export type UserSpec = { id: number } | { name: string };
export interface ChownSpec {
  user?: UserSpec;
  group?: UserSpec;
}
/** `"user[:group]"` strings are parsed as BuildKit's llb.WithUser. */
export type Owner = string | ChownSpec;
/** A Date, or nanoseconds since the Unix epoch. */
export type Timestamp = Date | bigint;

export interface CopyOptions {
  owner?: Owner;
  mode?: number;
  /** Symbolic mode such as `u+x` (COPY --chmod that is not octal). */
  modeStr?: string;
  followSymlinks?: boolean;
  copyDirContentsOnly?: boolean;
  attemptUnpack?: boolean;
  createDestPath?: boolean;
  allowWildcard?: boolean;
  allowEmptyWildcard?: boolean;
  timestamp?: Timestamp;
  includePatterns?: string[];
  excludePatterns?: string[];
  requiredPaths?: string[];
  alwaysReplaceExistingDestPaths?: boolean;
}

export interface MkdirOptions {
  makeParents?: boolean;
  owner?: Owner;
  timestamp?: Timestamp;
}

export interface MkfileOptions {
  owner?: Owner;
  timestamp?: Timestamp;
}

export interface RmOptions {
  allowNotFound?: boolean;
  allowWildcard?: boolean;
}

export interface SymlinkOptions {
  owner?: Owner;
  timestamp?: Timestamp;
}

export type CopySource = State | BoundFileAction;

type ActionSpec =
  | { type: 'copy'; source: CopySource; src: string; dest: string; opts: CopyOptions }
  | { type: 'mkdir'; path: string; mode: number; opts: MkdirOptions }
  | { type: 'mkfile'; path: string; mode: number; data: Uint8Array; opts: MkfileOptions }
  | { type: 'rm'; path: string; opts: RmOptions }
  | { type: 'symlink'; oldpath: string; newpath: string; opts: SymlinkOptions };

/** An ordered list of file actions; each method returns a new chain ending in one more action. */
export class FileActionChain {
  /** @internal */
  constructor(
    readonly prev: FileActionChain | null,
    readonly spec: ActionSpec,
    readonly state: State | null = null,
  ) {}

  copy(source: CopySource, src: string, dest: string, opts: CopyOptions = {}): FileActionChain {
    return new FileActionChain(this, { type: 'copy', source, src, dest, opts });
  }

  mkdir(path: string, mode: number, opts: MkdirOptions = {}): FileActionChain {
    return new FileActionChain(this, { type: 'mkdir', path, mode, opts });
  }

  mkfile(path: string, mode: number, data: Uint8Array | string, opts: MkfileOptions = {}): FileActionChain {
    return new FileActionChain(this, { type: 'mkfile', path, mode, data: toBytes(data), opts });
  }

  rm(path: string, opts: RmOptions = {}): FileActionChain {
    return new FileActionChain(this, { type: 'rm', path, opts });
  }

  symlink(oldpath: string, newpath: string, opts: SymlinkOptions = {}): FileActionChain {
    return new FileActionChain(this, { type: 'symlink', oldpath, newpath, opts });
  }

  /** Use the result of this chain applied to `state` as a copy source (BuildKit's WithState). */
  withState(state: State): BoundFileAction {
    return new BoundFileAction(this.bind(state));
  }

  /** @internal A copy of the chain with every action applied to `state`. */
  bind(state: State): FileActionChain {
    return new FileActionChain(this.prev?.bind(state) ?? null, this.spec, state);
  }
}

export class BoundFileAction {
  /** @internal */
  constructor(readonly chain: FileActionChain) {}
}

export function copy(source: CopySource, src: string, dest: string, opts: CopyOptions = {}): FileActionChain {
  return new FileActionChain(null, { type: 'copy', source, src, dest, opts });
}

export function mkdir(path: string, mode: number, opts: MkdirOptions = {}): FileActionChain {
  return new FileActionChain(null, { type: 'mkdir', path, mode, opts });
}

export function mkfile(path: string, mode: number, data: Uint8Array | string, opts: MkfileOptions = {}): FileActionChain {
  return new FileActionChain(null, { type: 'mkfile', path, mode, data: toBytes(data), opts });
}

export function rm(path: string, opts: RmOptions = {}): FileActionChain {
  return new FileActionChain(null, { type: 'rm', path, opts });
}

export function symlink(oldpath: string, newpath: string, opts: SymlinkOptions = {}): FileActionChain {
  return new FileActionChain(null, { type: 'symlink', oldpath, newpath, opts });
}

/** Parses `user[:group]` as BuildKit's WithUser: numbers (and "root") are ids, anything else a name. */
export function parseOwner(spec: string): ChownSpec {
  const idx = spec.indexOf(':');
  const userPart = idx < 0 ? spec : spec.slice(0, idx);
  const out: ChownSpec = { user: userSpec(userPart) };
  if (idx >= 0) out.group = userSpec(spec.slice(idx + 1));
  return out;
}

function userSpec(v: string): UserSpec {
  if (v === 'root') return { id: 0 };
  // Go's strconv.ParseInt(v, 10, 32): optional sign, decimal digits, int32 range.
  if (/^[+-]?[0-9]+$/.test(v)) {
    const n = Number(v);
    if (n >= -(2 ** 31) && n < 2 ** 31) return { id: n >>> 0 };
  }
  return { name: v };
}

function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? new TextEncoder().encode(data) : new Uint8Array(data);
}

function toNanos(t: Timestamp | undefined): bigint | undefined {
  if (t === undefined) return undefined;
  return typeof t === 'bigint' ? t : BigInt(t.getTime()) * 1_000_000n;
}

function marshalOwner(owner: Owner | undefined, base: number): ChownOpt | undefined {
  if (owner === undefined) return undefined;
  const spec = typeof owner === 'string' ? parseOwner(owner) : owner;
  // As BuildKit's UserOpt.marshal: an empty name (`--chown=:grp`) is written as id 0.
  const conv = (u: UserSpec | undefined): UserOpt | undefined =>
    u === undefined ? undefined : 'name' in u && u.name !== '' ? { name: u.name, input: base } : { id: 'id' in u ? u.id : 0 };
  const out: ChownOpt = {};
  const user = conv(spec.user);
  const group = conv(spec.group);
  if (user) out.user = user;
  if (group) out.group = group;
  return out;
}

function withOptional<T extends object>(a: T, extra: Record<string, unknown>): T {
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) (a as Record<string, unknown>)[k] = v;
  return a;
}

function toAction(spec: ActionSpec, parentDir: string, base: number): FileActionKind {
  switch (spec.type) {
    case 'copy': {
      const o = spec.opts;
      return withOptional({
        type: 'copy' as const,
        src: copySourcePath(spec.source, spec.src),
        dest: normalizeFilePath(parentDir, spec.dest, true),
        followSymlink: !!o.followSymlinks,
        dirCopyContents: !!o.copyDirContentsOnly,
        attemptUnpackDockerCompatibility: !!o.attemptUnpack,
        createDestPath: !!o.createDestPath,
        allowWildcard: !!o.allowWildcard,
        allowEmptyWildcard: !!o.allowEmptyWildcard,
        includePatterns: [...(o.includePatterns ?? [])],
        excludePatterns: [...(o.excludePatterns ?? [])],
        requiredPaths: [...(o.requiredPaths ?? [])],
        alwaysReplaceExistingDestPaths: !!o.alwaysReplaceExistingDestPaths,
      }, { owner: marshalOwner(o.owner, base), mode: o.mode, modeStr: o.modeStr, timestamp: toNanos(o.timestamp) });
    }
    case 'mkdir':
      return withOptional({
        type: 'mkdir' as const,
        path: normalizeFilePath(parentDir, spec.path, false),
        mode: spec.mode & 0o777,
        makeParents: !!spec.opts.makeParents,
      }, { owner: marshalOwner(spec.opts.owner, base), timestamp: toNanos(spec.opts.timestamp) });
    case 'mkfile':
      return withOptional({
        type: 'mkfile' as const,
        path: normalizeFilePath(parentDir, spec.path, false),
        mode: spec.mode & 0o777,
        data: spec.data,
      }, { owner: marshalOwner(spec.opts.owner, base), timestamp: toNanos(spec.opts.timestamp) });
    case 'rm':
      return {
        type: 'rm',
        path: normalizeFilePath(parentDir, spec.path, false),
        allowNotFound: !!spec.opts.allowNotFound,
        allowWildcard: !!spec.opts.allowWildcard,
      };
    case 'symlink':
      return withOptional({
        type: 'symlink' as const,
        // Both paths as written: BuildKit does not resolve symlink paths against the dir.
        oldpath: spec.oldpath,
        newpath: spec.newpath,
      }, { owner: marshalOwner(spec.opts.owner, base), timestamp: toNanos(spec.opts.timestamp) });
  }
}

// BuildKit's fileActionCopy.sourcePath: cleaned, relative to the source state's dir.
function copySourcePath(source: CopySource, src: string): string {
  const p = goClean(src);
  if (isAbs(p)) return p;
  const dir = source instanceof BoundFileAction ? source.chain.state?.getDir() ?? '/' : source.getDir();
  return goJoin(dir, p);
}

interface ActionState {
  chain: FileActionChain;
  base: number;
  input: number;
  inputRelative?: ActionState;
  input2: number;
  input2Relative?: ActionState;
  target: number;
}

/** Lowers the chain bound to `state` into a file op; returns its single output. */
export function buildFileOp(state: State, action: FileActionChain, opts: ConstraintOpts): Output {
  const bound = action.bind(state);
  const inputs: Input[] = [];
  const inputOutputs: Output[] = [];
  const visited = new Map<FileActionChain, ActionState>();
  const ordered: ActionState[] = [];

  const addInput = (o: Output): number => {
    const found = inputOutputs.findIndex((x) => x.vertex.digest === o.vertex.digest && x.index === o.index);
    if (found >= 0) return found;
    inputs.push({ digest: o.vertex.digest, index: o.index });
    inputOutputs.push(o);
    return inputs.length - 1;
  };

  const add = (fa: FileActionChain): ActionState => {
    const seen = visited.get(fa);
    if (seen) return seen;
    const prevState = fa.prev ? add(fa.prev) : undefined;
    const st: ActionState = { chain: fa, base: EMPTY_INPUT, input: EMPTY_INPUT, input2: EMPTY_INPUT, target: -1 };
    const out = fa.state?.output() ?? null;
    if (out) st.base = addInput(out);
    if (prevState) st.inputRelative = prevState;
    else st.input = st.base;
    if (fa.spec.type === 'copy') {
      const src = fa.spec.source;
      if (src instanceof BoundFileAction) {
        st.input2Relative = add(src.chain);
      } else {
        const so = src.output();
        if (so) st.input2 = addInput(so);
      }
    }
    st.target = ordered.length;
    visited.set(fa, st);
    ordered.push(st);
    return st;
  };
  add(bound);

  const index = (abs: number, rel: ActionState | undefined): number => (rel ? inputs.length + rel.target : abs);
  const actions: FileAction[] = ordered.map((st, i) => ({
    input: index(st.input, st.inputRelative),
    secondaryInput: index(st.input2, st.input2Relative),
    output: i + 1 === ordered.length ? 0 : SKIP_OUTPUT,
    action: toAction(st.chain.spec, st.chain.state?.getDir() ?? '', st.base),
  }));
  if (actions.length === 0) throw new LLBError('action is required');

  const caps = new Set(['file.base']);
  for (const a of actions) {
    if (a.action.type === 'symlink') caps.add('file.symlink.create');
    if (a.action.type !== 'copy') continue;
    if (a.action.includePatterns.length || a.action.excludePatterns.length) caps.add('file.copy.includeexcludepatterns');
    if (a.action.alwaysReplaceExistingDestPaths) caps.add('file.copy.alwaysreplaceexistingdestpaths');
  }
  // A file op is not platform specific (BuildKit drops its platform).
  const vertex = makeVertex({ kind: 'file', inputs, file: { actions } }, inputOutputs, opts, [...caps]);
  return { vertex, index: 0 };
}
