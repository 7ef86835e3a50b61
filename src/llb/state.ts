// The State builder: an output of some op (or scratch) plus the metadata BuildKit keeps as
// state values (env, dir, user, hostname, network, security, platform, extra hosts). Every
// method returns a new State; nothing is ever mutated.

import { type EnvList, envAddOrReplace, envDelete, envGet, envToArray } from './env-list.js';
import { LLBError } from './errors.js';
import { buildExec, type RunOptions } from './exec.js';
import { buildFileOp, type FileActionChain } from './fileop.js';
import { goJoin, isAbs } from './go-path.js';
import { DEFAULT_PLATFORM } from './platform.js';
import type { HostIP, NetMode, Platform, SecurityMode } from './types.js';
import type { ConstraintOpts, Output } from './vertex.js';

export interface StateMeta {
  readonly env: EnvList;
  readonly dir: string;
  readonly user: string;
  readonly hostname: string;
  readonly network: NetMode;
  readonly security: SecurityMode;
  readonly platform: Platform;
  readonly extraHosts: readonly HostIP[];
}

/** BuildKit's NewState defaults: dir "/", sandbox network and security. */
const DEFAULT_META: StateMeta = Object.freeze({
  env: [],
  dir: '/',
  user: '',
  hostname: '',
  network: 'sandbox',
  security: 'sandbox',
  platform: DEFAULT_PLATFORM,
  extraHosts: [],
});

/** The subset of an OCI image config that a base image contributes to a State. */
export interface ImageConfigLike {
  Env?: string[] | null;
  WorkingDir?: string;
  User?: string;
}

export class State {
  protected constructor(
    private readonly out: Output | null,
    readonly meta: StateMeta,
  ) {}

  /** A state over `output` with default metadata (BuildKit's NewState). */
  static of(output: Output | null, platform?: Platform): State {
    return new State(output, platform ? { ...DEFAULT_META, platform } : DEFAULT_META);
  }

  output(): Output | null {
    return this.out;
  }

  isScratch(): boolean {
    return this.out === null;
  }

  /** Same metadata over another filesystem (e.g. the result of a merge). */
  withOutput(output: Output | null): State {
    return new State(output, this.meta);
  }

  protected with(patch: Partial<StateMeta>): State {
    return new State(this.out, { ...this.meta, ...patch });
  }

  // ---- metadata ----

  addEnv(key: string, value: string): State {
    return this.with({ env: envAddOrReplace(this.meta.env, key, value) });
  }

  delEnv(key: string): State {
    return this.with({ env: envDelete(this.meta.env, key) });
  }

  getEnv(key: string): string | undefined {
    return envGet(this.meta.env, key);
  }

  /** `KEY=value` strings in order. */
  env(): string[] {
    return envToArray(this.meta.env);
  }

  /** Relative paths resolve against the current dir, as BuildKit's llb.Dir. */
  dir(path: string): State {
    return this.with({ dir: resolveDir(this.meta.dir, path) });
  }

  getDir(): string {
    return this.meta.dir;
  }

  user(user: string): State {
    return this.with({ user });
  }

  getUser(): string {
    return this.meta.user;
  }

  hostname(hostname: string): State {
    return this.with({ hostname });
  }

  getHostname(): string {
    return this.meta.hostname;
  }

  network(network: NetMode): State {
    return this.with({ network });
  }

  getNetwork(): NetMode {
    return this.meta.network;
  }

  security(security: SecurityMode): State {
    return this.with({ security });
  }

  getSecurity(): SecurityMode {
    return this.meta.security;
  }

  platform(platform: Platform): State {
    return this.with({ platform: { ...platform } });
  }

  getPlatform(): Platform {
    return this.meta.platform;
  }

  addExtraHost(host: string, ip: string): State {
    return this.with({ extraHosts: [...this.meta.extraHosts, { host, ip }] });
  }

  /** Env, working dir and user from a base image's config (BuildKit's WithImageConfig). */
  withImageConfig(config: ImageConfigLike): State {
    let s: State = this;
    for (const kv of config.Env ?? []) {
      const eq = kv.indexOf('=');
      s = eq < 0 ? s.addEnv(kv, '') : s.addEnv(kv.slice(0, eq), kv.slice(eq + 1));
    }
    if (config.WorkingDir) s = s.dir(config.WorkingDir);
    if (config.User) s = s.user(config.User);
    return s;
  }

  // ---- ops ----

  /** An exec over this state's filesystem; env/dir/user/… come from this state. */
  run(opts: RunOptions): ExecState {
    const built = buildExec(this, opts);
    return new ExecState(built.root, this.meta, built.mounts);
  }

  /** A file op applying `action` (and the actions chained before it) to this state. */
  file(action: FileActionChain, opts: ConstraintOpts = {}): State {
    return this.withOutput(buildFileOp(this, action, opts));
  }
}

/** Result of `run`: the new root filesystem, plus access to the exec's other mounts. */
export class ExecState extends State {
  constructor(
    root: Output | null,
    meta: StateMeta,
    private readonly mounts: ReadonlyMap<string, Output | Error>,
  ) {
    super(root, meta);
  }

  root(): State {
    return this.withOutput(this.output());
  }

  /** The filesystem of the mount at `target` after the exec (a fresh State, as BuildKit). */
  getMount(target: string): State {
    const o = this.mounts.get(target);
    if (o === undefined) throw new LLBError(`no mount at ${target}`);
    if (o instanceof Error) throw o;
    return State.of(o, this.meta.platform);
  }
}

export function resolveDir(current: string, path: string): string {
  if (isAbs(path)) return path;
  return goJoin(current === '' ? '/' : current, path);
}

export function scratch(): State {
  return State.of(null);
}
