// Building an exec op from a State and run options, as BuildKit's client/llb ExecOp.Marshal:
// mounts sorted by target, inputs deduplicated, outputs numbered over the writable mounts,
// secret and ssh mounts appended last.

import { type EnvList, envAddOrReplace, envGet, envToArray } from './env-list.js';
import { LLBError } from './errors.js';
import { shlexSplit } from './shlex.js';
import type { State } from './state.js';
import {
  type CacheSharing, EMPTY_INPUT, type ExecMeta, type ExecOp, type HostIP, type Input,
  type Mount, type MountContentCache, type NetMode, type ProxyEnv, ROOT_MOUNT, type SecretEnv,
  type SecurityMode, SKIP_OUTPUT, type Ulimit,
} from './types.js';
import { type ConstraintOpts, makeVertex, type Output, type Vertex } from './vertex.js';

export type MountSpec = BindMount | CacheMount | TmpfsMount | SecretMount | SSHMount;

interface MountCommon {
  target: string;
}

export interface BindMount extends MountCommon {
  type: 'bind';
  source: State;
  /** Path inside `source` to mount (BuildKit llb.SourcePath). */
  selector?: string;
  readonly?: boolean;
  /** Writable, but its result is discarded (BuildKit llb.ForceNoOutput). */
  noOutput?: boolean;
  contentCache?: MountContentCache;
}

export interface CacheMount extends MountCommon {
  type: 'cache';
  id: string;
  sharing?: CacheSharing;
  /** Initial contents (RUN --mount=type=cache,from=…); default scratch. */
  source?: State;
  selector?: string;
  readonly?: boolean;
  contentCache?: MountContentCache;
}

export interface TmpfsMount extends MountCommon {
  type: 'tmpfs';
  /** Bytes; 0 or absent = unlimited. */
  size?: number;
  /** Mounted read-only (`RUN --mount=type=tmpfs,ro`, BuildKit's llb.Readonly). */
  readonly?: boolean;
}

export interface SecretMount extends MountCommon {
  type: 'secret';
  id: string;
  uid?: number;
  gid?: number;
  /** Default 0o400 as BuildKit. */
  mode?: number;
  optional?: boolean;
}

export interface SSHMount {
  type: 'ssh';
  /** Default `/run/buildkit/ssh_agent.N`. */
  target?: string;
  id?: string;
  uid?: number;
  gid?: number;
  /** Default 0o600 as BuildKit. */
  mode?: number;
  optional?: boolean;
}

export interface RunOptions extends ConstraintOpts {
  /** Exactly one of args or shlex. */
  args?: string[];
  /** A command line split like a shell would (BuildKit llb.Shlex). */
  shlex?: string;
  /** Extra env for this exec only, applied in order with replace semantics. */
  env?: ReadonlyArray<readonly [string, string]>;
  dir?: string;
  user?: string;
  hostname?: string;
  network?: NetMode;
  security?: SecurityMode;
  mounts?: MountSpec[];
  /** The root mount is read-only and the exec has no root output. */
  readonlyRootfs?: boolean;
  proxyEnv?: Partial<ProxyEnv>;
  extraHosts?: HostIP[];
  ulimits?: Ulimit[];
  cgroupParent?: string;
  validExitCodes?: number[];
  secretEnv?: Array<{ id: string; name: string; optional?: boolean }>;
}

export interface BuiltExec {
  vertex: Vertex;
  /** The new root filesystem (or the unchanged input when the rootfs is read-only). */
  root: Output | null;
  /** Output per mount target; an Error for mounts that have none (tmpfs, no-output, cache). */
  mounts: Map<string, Output | Error>;
}

interface PlainMount {
  target: string;
  source: Output | null;
  selector: string;
  readonly: boolean;
  noOutput: boolean;
  contentCache: MountContentCache;
  cache?: { id: string; sharing: CacheSharing };
  tmpfsSize?: number;
}

export function buildExec(base: State, opts: RunOptions): BuiltExec {
  const meta = base.meta;
  const args = runArgs(opts);
  const dir = opts.dir ?? meta.dir;
  if (!dir) throw new LLBError('working directory is required');

  const plain: PlainMount[] = [
    { target: ROOT_MOUNT, source: base.output(), selector: '', readonly: !!opts.readonlyRootfs, noOutput: false, contentCache: 'default' },
  ];
  const secrets: Mount[] = [];
  const sshs: Mount[] = [];
  for (const spec of opts.mounts ?? []) {
    switch (spec.type) {
      case 'bind':
        plain.push({
          target: spec.target, source: spec.source.output(), selector: spec.selector ?? '',
          readonly: !!spec.readonly, noOutput: !!spec.noOutput, contentCache: spec.contentCache ?? 'default',
        });
        break;
      case 'cache':
        plain.push({
          target: spec.target, source: spec.source?.output() ?? null, selector: spec.selector ?? '',
          readonly: !!spec.readonly, noOutput: false, contentCache: spec.contentCache ?? 'default',
          cache: { id: spec.id, sharing: spec.sharing ?? 'shared' },
        });
        break;
      case 'tmpfs':
        plain.push({
          target: spec.target, source: null, selector: '', readonly: spec.readonly ?? false, noOutput: false,
          contentCache: 'default', tmpfsSize: spec.size ?? 0,
        });
        break;
      case 'secret':
        secrets.push({
          input: EMPTY_INPUT, selector: '', dest: spec.target, output: SKIP_OUTPUT, readonly: false,
          mountType: 'secret', contentCache: 'default',
          secretOpt: { id: spec.id, uid: spec.uid ?? 0, gid: spec.gid ?? 0, mode: spec.mode ?? 0o400, optional: !!spec.optional },
        });
        break;
      case 'ssh':
        sshs.push({
          input: EMPTY_INPUT, selector: '', dest: spec.target ?? `/run/buildkit/ssh_agent.${sshs.length}`,
          output: SKIP_OUTPUT, readonly: false, mountType: 'ssh', contentCache: 'default',
          sshOpt: { id: spec.id ?? '', uid: spec.uid ?? 0, gid: spec.gid ?? 0, mode: spec.mode ?? 0o600, optional: !!spec.optional },
        });
        break;
    }
  }
  const seen = new Set<string>();
  for (const t of [...plain.map((m) => m.target), ...secrets.map((m) => m.dest), ...sshs.map((m) => m.dest)]) {
    if (seen.has(t)) throw new LLBError(`duplicate mount target ${t}`);
    seen.add(t);
  }
  // Stable sort by target; "/" sorts first.
  plain.sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));

  let env: EnvList = meta.env;
  for (const [k, v] of opts.env ?? []) env = envAddOrReplace(env, k, v);
  const firstSSH = sshs[0];
  if (firstSSH && envGet(env, 'SSH_AUTH_SOCK') === undefined) env = envAddOrReplace(env, 'SSH_AUTH_SOCK', firstSSH.dest);

  const execMeta: ExecMeta = {
    args,
    env: envToArray(env),
    cwd: dir,
    user: opts.user ?? meta.user,
    extraHosts: [...meta.extraHosts, ...(opts.extraHosts ?? [])].map((h) => ({ ...h })),
    hostname: opts.hostname ?? meta.hostname,
    ulimit: (opts.ulimits ?? []).map((u) => ({ ...u })),
    cgroupParent: opts.cgroupParent ?? '',
    removeMountStubsRecursive: true,
    validExitCodes: [...(opts.validExitCodes ?? [])],
  };
  if (opts.proxyEnv) {
    const p = opts.proxyEnv;
    execMeta.proxyEnv = {
      httpProxy: p.httpProxy ?? '', httpsProxy: p.httpsProxy ?? '', ftpProxy: p.ftpProxy ?? '',
      noProxy: p.noProxy ?? '', allProxy: p.allProxy ?? '',
    };
  }

  const inputs: Input[] = [];
  const inputOutputs: Output[] = [];
  const mounts: Mount[] = [];
  let outIndex = 0;
  const outIndexByTarget = new Map<string, number>();
  for (const m of plain) {
    let input = EMPTY_INPUT;
    if (m.source) {
      if (m.tmpfsSize !== undefined) throw new LLBError('tmpfs mounts must use scratch');
      const src = m.source;
      input = inputOutputs.findIndex((o) => o.vertex.digest === src.vertex.digest && o.index === src.index);
      if (input < 0) {
        input = inputs.length;
        inputs.push({ digest: src.vertex.digest, index: src.index });
        inputOutputs.push(src);
      }
    }
    let output = SKIP_OUTPUT;
    if (!m.noOutput && !m.readonly && !m.cache && m.tmpfsSize === undefined) {
      output = outIndex++;
      outIndexByTarget.set(m.target, output);
    }
    const pm: Mount = {
      input, selector: m.selector, dest: m.target, output, readonly: m.readonly,
      mountType: 'bind', contentCache: m.contentCache,
    };
    if (m.cache) {
      pm.mountType = 'cache';
      pm.cacheOpt = { ...m.cache };
    }
    if (m.tmpfsSize !== undefined) {
      pm.mountType = 'tmpfs';
      pm.tmpfsOpt = { size: m.tmpfsSize };
    }
    mounts.push(pm);
  }
  mounts.push(...secrets, ...sshs);

  const secretEnv: SecretEnv[] = (opts.secretEnv ?? []).map((s) => ({ id: s.id, name: s.name, optional: !!s.optional }));
  const exec: ExecOp = {
    meta: execMeta,
    mounts,
    network: opts.network ?? meta.network,
    security: opts.security ?? meta.security,
    secretEnv,
  };
  const vertex = makeVertex(
    { kind: 'exec', inputs, platform: { ...meta.platform }, exec },
    inputOutputs,
    opts,
    execCaps(exec),
  );

  const byTarget = new Map<string, Output | Error>();
  for (const m of plain) {
    const idx = outIndexByTarget.get(m.target);
    if (idx !== undefined) byTarget.set(m.target, { vertex, index: idx });
    else if (m.readonly && m.source) byTarget.set(m.target, m.source);
    else byTarget.set(m.target, new LLBError(`mount ${m.target} has no output and can't be used as a parent`));
  }
  const root = byTarget.get(ROOT_MOUNT);
  return { vertex, root: root instanceof Error || root === undefined ? null : root, mounts: byTarget };
}

function runArgs(opts: RunOptions): string[] {
  if (opts.args && opts.shlex !== undefined) throw new LLBError('run: give args or shlex, not both');
  const args = opts.args ? [...opts.args] : opts.shlex !== undefined ? shlexSplit(opts.shlex) : [];
  if (args.length === 0) throw new LLBError('arguments are required');
  return args;
}

// The capability names BuildKit records for an exec (metadata only).
function execCaps(exec: ExecOp): string[] {
  const caps = new Set(['exec.meta.base']);
  if (exec.network !== 'sandbox') caps.add('exec.meta.network');
  if (exec.security !== 'sandbox') caps.add('exec.meta.security');
  if (exec.meta.proxyEnv) caps.add('exec.meta.proxy');
  for (const m of exec.mounts) {
    if (m.selector) caps.add('exec.mount.selector');
    if (m.mountType === 'cache') caps.add('exec.mount.cache').add('exec.mount.cache.sharing');
    else if (m.mountType === 'tmpfs') caps.add('exec.mount.tmpfs');
    else if (m.mountType === 'secret') caps.add('exec.mount.secret');
    else if (m.mountType === 'ssh') caps.add('exec.mount.ssh');
    else if (m.input !== EMPTY_INPUT) caps.add('exec.mount.bind');
  }
  return [...caps];
}
