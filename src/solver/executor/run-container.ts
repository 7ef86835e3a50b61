// Runs one process in a container over a prepared root filesystem: writes an OCI bundle
// (config.json, hosts, resolv.conf), runs `runc run` (or crun) in the foreground with output
// streamed, kills and deletes the container on abort, removes the mount stubs it caused in
// the rootfs and the bundle's files afterwards. The preparation around the runtime is
// synchronous file work (a few small files and lstat calls): the step waits for all of it,
// and threadpool round trips would cost more than the syscalls.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, lchownSync, mkdirSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { lstatIfExists } from '../layer/lstat-if-exists.js';
import { isInside, resolveInRootSync } from '../layer/root-path.js';
import { runTool } from '../layer/run-tool.js';
import { processAlive } from '../../store/process-alive.js';
import { childProcess } from '../../lazy-builtins.js';
import { SysCallError, withSysHelper } from '../sys/sys-helper.js';
import { processUmask, shUnderStandardUmask, STANDARD_UMASK } from '../sys/umask.js';
import { Bundle } from './bundle.js';
import { findCommand } from './find-command.js';
import { recordMountStubs } from './mount-stubs.js';
import { DEFAULT_HOSTNAME, hostsFile, readHostResolvConf, resolvConfFor, type ExtraHost } from './network-files.js';
import type { SecurityMode } from '../../llb/types.js';
import { insecureHost } from './insecure-host.js';
import { clampRlimits, type Rlimit } from './rlimits.js';
import { runtimeCommand, type RuntimeName } from './runtime.js';
import { buildSpec, type SpecMount } from './spec.js';
import { resolveUser } from './user.js';

export interface ContainerMount {
  type: 'bind' | 'tmpfs' | string;
  /** Host path for bind mounts; ignored for tmpfs. */
  source?: string;
  destination: string;
  options?: string[];
  readonly?: boolean;
}

export type OutputSink = ((chunk: Buffer) => void) | Writable;

export interface RunContainerOptions {
  /** The prepared root filesystem (snapshot mountpoint). */
  rootfs: string;
  args: string[];
  env?: string[];
  cwd?: string;
  /** "name", "uid", "uid:gid", "name:group"; resolved in the rootfs. Default root. */
  user?: string;
  hostname?: string;
  network?: 'host' | 'none';
  mounts?: ContainerMount[];
  extraHosts?: ExtraHost[];
  stdout?: OutputSink;
  stderr?: OutputSink;
  signal?: AbortSignal;
  runtime?: RuntimeName;
  /** Optional limits; always clamped to this process's hard limits. Default: inherit. */
  rlimits?: Rlimit[];
  /** RUN --security (default sandbox); 'insecure' needs the security.insecure entitlement, checked earlier. */
  security?: SecurityMode;
  /** Where the bundle's own directory goes (default: the OS temp dir). */
  stateDir?: string;
  /**
   * An existing private directory, empty of bundle files, to write the bundle into instead
   * of a new directory under `stateDir`; its files are removed afterwards, the directory is
   * the caller's to remove. One container at a time.
   */
  bundleDir?: string;
  /**
   * With `bundleDir`: leave the bundle's files there, for a caller that removes the whole
   * directory later anyway (off the step's critical path: four unlinks less).
   */
  leaveBundleFiles?: boolean;
  /**
   * With `bundleDir`: writeNetworkFiles() already put hosts and resolv.conf there, for the
   * same hostname, network and extra hosts (e.g. while the rootfs was being mounted).
   */
  networkFilesWritten?: boolean;
  /**
   * Keep directories/files created as targets for `mounts` in the rootfs. Current BuildKit
   * (MountStubsCleaner, v0.10+) removes them, the default here; docker 20.10's bundled
   * BuildKit (the refenv reference) keeps them. /etc/hosts and /etc/resolv.conf stubs are
   * always removed.
   */
  keepMountStubs?: boolean;
}

/** The part of the options that hosts and resolv.conf are made from. */
export type NetworkOptions = Pick<RunContainerOptions, 'hostname' | 'network' | 'extraHosts'>;

function networkFiles(opts: NetworkOptions): { hosts: string; resolvConf: string } {
  // resolv.conf as BuildKit makes it for the network the step really has. BuildKit's default
  // network is a sandbox where the host's loopback resolvers (127.0.0.53, a local dnsmasq) are
  // unreachable, so it drops them; here the default is the host's network, where they work,
  // and dropping them would leave a step behind a firewall with no DNS (8.8.8.8 fallbacks).
  const mode = opts.network === 'none' ? 'none' : 'host';
  return {
    hosts: hostsFile(opts.hostname ?? DEFAULT_HOSTNAME, opts.extraHosts),
    resolvConf: resolvConfFor(readHostResolvConf(mode), mode),
  };
}

/** Writes a bundle's hosts and resolv.conf into `bundleDir` ahead of runContainer (see networkFilesWritten). */
export function writeNetworkFiles(bundleDir: string, opts: NetworkOptions): void {
  new Bundle(bundleDir, false).writeNetworkFiles(networkFiles(opts));
}

export interface RunContainerResult {
  exitCode: number;
}

export class RuntimeError extends Error {}

/** BuildKit's exec op adds this PATH when the environment has none. */
export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function withDefaultPath(env: readonly string[]): string[] {
  return env.some((e) => e.startsWith('PATH=')) ? [...env] : [...env, DEFAULT_PATH];
}

function sink(out: OutputSink | undefined): (chunk: Buffer) => void {
  if (!out) return () => undefined;
  if (typeof out === 'function') return out;
  return (chunk) => { out.write(chunk); };
}

function toSpecMount(m: ContainerMount): SpecMount {
  if (m.type === 'bind') {
    return {
      destination: m.destination, type: 'bind', source: m.source ?? '',
      options: ['rbind', m.readonly ? 'ro' : 'rw', ...(m.options ?? [])],
    };
  }
  return {
    destination: m.destination, type: m.type, source: m.source ?? m.type,
    options: [...(m.options ?? []), ...(m.readonly ? ['ro'] : [])],
  };
}

let cgroupNS: boolean | undefined;

/**
 * BuildKit's cgroupV2NamespaceSupported: cgroup namespaces exist and /sys/fs/cgroup is the
 * v2 hierarchy (with v1 a cgroup namespace fails on non-standard hierarchies). Once per process.
 */
function cgroupV2NamespaceSupported(): boolean {
  cgroupNS ??= existsSync('/proc/self/ns/cgroup') && existsSync('/sys/fs/cgroup/cgroup.subtree_control');
  return cgroupNS;
}

/** BuildKit creates a missing working directory, owned by the process user. */
function ensureCwd(rootfs: string, cwd: string, uid: number, gid: number): void {
  const host = resolveInRootSync(rootfs, cwd);
  if (!isInside(rootfs, host)) throw new RuntimeError(`working directory ${cwd} resolves outside the rootfs`);
  const rel = path.relative(rootfs, host).split(path.sep).filter(Boolean);
  for (let i = 1; i <= rel.length; i++) {
    const p = path.join(rootfs, ...rel.slice(0, i));
    if (lstatIfExists(p)) continue;
    mkdirSync(p, 0o755);
    chmodSync(p, 0o755); // whatever this process's umask: the directory goes into the layer
    lchownSync(p, uid, gid);
  }
}

/** Error messages of the runtime's JSON log (lines that are not JSON count as messages). */
function runtimeErrors(log: string): string[] {
  const out: string[] = [];
  for (const line of log.split('\n')) {
    if (!line.trim()) continue;
    try {
      const rec = JSON.parse(line) as { level?: string; msg?: string };
      if (rec.level === 'error' && rec.msg) out.push(rec.msg);
    } catch {
      out.push(line);
    }
  }
  return out;
}

/**
 * Whether a runtime error says the container's process could not be executed: runc's
 * `unable to start container process: exec: "/x": stat /x: no such file or directory` (also
 * `permission denied`, `exec format error`; older runc: `starting container process caused: exec:`),
 * crun's `executable file `x` not found in $PATH` or `exec ...`.
 */
export function isExecFailure(message: string): boolean {
  return /(start(ing)? container process[^:]*: (error during container init: )?exec: "|executable file [`'"].*[`'"] not found|\bexecv?p?e? [`'"].*[`'"]: (No such file or directory|Permission denied|Exec format error))/i
    .test(message);
}

/** Runs a runtime housekeeping command (kill, delete); failures are expected and ignored. */
function runQuiet(cmd: { cmd: string; args: string[] }): Promise<number | null> {
  return runTool(cmd.cmd, cmd.args).then((r) => r.code, () => null);
}

const BUNDLE_PREFIX = 'slipway-run-';

/**
 * Kills and deletes containers started by slipway processes that no longer exist (a build
 * killed with SIGKILL leaves its `runc run` and container behind), and removes their bundle
 * directories from `stateDir`. Returns the container ids.
 */
export async function pruneStaleContainers(runtime: RuntimeName = 'runc', stateDir: string = tmpdir()): Promise<string[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'slipway-prune-'));
  const logFile = path.join(dir, 'runtime.log');
  try {
    const { cmd, args } = runtimeCommand(runtime, logFile, ['list', '-q']);
    const listed = await runTool(cmd, args).catch(() => undefined);
    const ids = listed?.stdout.toString().split('\n').filter(Boolean) ?? [];
    const stale = ids.filter((id) => {
      const m = /^slipway-(\d+)-[0-9a-f]+$/.exec(id);
      return m !== null && !processAlive(Number(m[1]));
    });
    for (const id of stale) {
      await runQuiet(runtimeCommand(runtime, logFile, ['kill', id, 'KILL']));
      await runQuiet(runtimeCommand(runtime, logFile, ['delete', '--force', id]));
    }
    for (const name of await readdir(stateDir).catch(() => [] as string[])) {
      const m = new RegExp(`^${BUNDLE_PREFIX}(\\d+)-`).exec(name);
      if (m && !processAlive(Number(m[1]))) await rm(path.join(stateDir, name), { recursive: true, force: true });
    }
    return stale;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function runContainer(opts: RunContainerOptions): Promise<RunContainerResult> {
  opts.signal?.throwIfAborted();
  const runtime = opts.runtime ?? 'runc';
  const rootfs = path.resolve(opts.rootfs);
  const network = opts.network ?? 'host';
  const user = await resolveUser(rootfs, opts.user ?? '');
  const cwd = opts.cwd || '/';
  // The owner's pid in the id lets a later process recognise containers orphaned by a crash.
  const suffix = randomBytes(6).toString('hex');
  const id = `slipway-${process.pid}-${suffix}`;
  const bundle = opts.bundleDir !== undefined
    ? new Bundle(opts.bundleDir, false)
    : new Bundle(path.join(opts.stateDir ?? tmpdir(), `${BUNDLE_PREFIX}${process.pid}-${suffix}`), true);
  const mounts = opts.mounts ?? [];
  let removeStubs: (() => void) | undefined;
  try {
    removeStubs = recordMountStubs(rootfs, opts.keepMountStubs ? [] : mounts.map((m) => m.destination));
    ensureCwd(rootfs, cwd, user.uid, user.gid);
    const hostname = opts.hostname ?? DEFAULT_HOSTNAME;
    const spec = buildSpec({
      rootfs, args: opts.args, env: withDefaultPath(opts.env ?? []), cwd, uid: user.uid, gid: user.gid,
      additionalGids: user.additionalGids, hostname, network, cgroupNamespace: cgroupV2NamespaceSupported(),
      hostsPath: bundle.hostsPath, resolvConfPath: bundle.resolvConfPath, mounts: mounts.map(toSpecMount),
      // Clamping reads /proc/self/limits: only when there is something to clamp.
      ...(opts.rlimits?.length ? { rlimits: clampRlimits(opts.rlimits) } : {}),
      ...(opts.security === 'insecure' ? { security: 'insecure' as const, insecureHost: insecureHost() } : {}),
    });
    if (!(opts.bundleDir !== undefined && opts.networkFilesWritten)) bundle.writeNetworkFiles(networkFiles(opts));
    bundle.writeConfig(specJSON(spec));
    return await execute(runtime, bundle, id, opts);
  } finally {
    removeStubs?.();
    if (!(opts.bundleDir !== undefined && opts.leaveBundleFiles)) bundle.remove();
  }
}

interface RuntimeExit { code: number | null; signaled: boolean }

/** The spec as JSON; an unlimited rlimit (Infinity) as RLIM_INFINITY, 2^64-1, which a JS number cannot hold. */
function specJSON(spec: object): string {
  const UNLIMITED = '"slipway:rlim-infinity"';
  return JSON.stringify(spec, (_k, v: unknown) => (v === Infinity ? JSON.parse(UNLIMITED) as string : v))
    .replaceAll(UNLIMITED, '18446744073709551615');
}

/**
 * The runtime's umask (its mount-point stubs; runc sets the container process's own): 022
 * whatever Slipway's, as under buildkitd.
 */
const RUNTIME_UMASK = STANDARD_UMASK;


/**
 * Starts the runtime as Node's spawn would (this process's environment, RUNTIME_UMASK, stdin
 * /dev/null, output piped) and resolves when it has exited and closed its output. Through
 * the syscall helper's fork when there is one: Node's fork copies this whole process on the
 * main thread. Rejects with ENOENT when the command cannot run.
 */
function runRuntime(file: string, argv0: string, args: readonly string[], cwd: string,
  out: (chunk: Buffer) => void, err: (chunk: Buffer) => void): Promise<RuntimeExit> {
  return withSysHelper(async (h) => {
    const env = Object.entries(process.env).map(([k, v]) => `${k}=${v ?? ''}`);
    try {
      const exit = await h.spawn(file, [argv0, ...args], { cwd, env, umask: RUNTIME_UMASK, stdout: out, stderr: err });
      return { code: exit.code, signaled: exit.signal !== null };
    } catch (e) {
      if (e instanceof SysCallError) throw Object.assign(new Error(e.message), { code: e.errno === 2 ? 'ENOENT' : 'EEXEC' });
      throw e;
    }
  }, () => new Promise<RuntimeExit>((resolve, reject) => {
    // Node's spawn passes this process's umask on: a shell sets the runtime's first.
    const child = processUmask() === RUNTIME_UMASK
      ? childProcess().spawn(file, args, { argv0, stdio: ['ignore', 'pipe', 'pipe'], cwd })
      : childProcess().spawn('/bin/sh', shUnderStandardUmask(file, args), { stdio: ['ignore', 'pipe', 'pipe'], cwd });
    child.stdout.on('data', (d: Buffer) => out(d));
    child.stderr.on('data', (d: Buffer) => err(d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signaled: signal !== null }));
  }));
}

async function execute(runtime: RuntimeName, bundle: Bundle, id: string,
  opts: RunContainerOptions): Promise<RunContainerResult> {
  const logFile = bundle.logPath;
  const { cmd, args } = runtimeCommand(runtime, logFile, ['run', '--bundle', bundle.dir, id]);
  const missing = (): RuntimeError => new RuntimeError(`OCI runtime \`${cmd}\` is not installed (apt-get install ${runtime})`);
  const file = findCommand(cmd);
  const exited = file === undefined ? Promise.reject(missing())
    : runRuntime(file, cmd, args, bundle.dir, sink(opts.stdout), sink(opts.stderr)).catch((e: NodeJS.ErrnoException) => {
      throw e.code === 'ENOENT' ? missing() : e;
    });

  let aborted = false;
  const onAbort = (): void => {
    aborted = true;
    // Keep killing until `run` returns: the container may not exist yet when abort comes.
    void (async () => {
      let running = true;
      void exited.finally(() => { running = false; });
      while (running) {
        await runQuiet(runtimeCommand(runtime, logFile, ['kill', id, 'KILL']));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  // `run` deletes the container when it ends normally, whatever the process's exit code; a
  // forced delete is for aborts, a runtime killed by a signal or failing itself.
  let needsDelete = true;
  try {
    const exit = await exited;
    if (aborted) throw opts.signal?.reason ?? new Error('aborted');
    if (exit.code === 0) {
      needsDelete = false;
      return { exitCode: 0 };
    }
    const errors = runtimeErrors(bundle.readLog());
    needsDelete = exit.code === null || errors.length > 0;
    // A process the runtime could not exec (missing binary or interpreter, no permission, wrong
    // format) fails the step like any process: BuildKit's runc executor (exitError) turns the
    // runtime's exit status into the exit code, so `RUN ["/no/such"]` ends with `process ... did
    // not complete successfully: exit code: 1` after runc's message on the step's stderr. Other
    // runtime failures keep a runtime error.
    if (errors.length && !(exit.code !== null && errors.some(isExecFailure))) {
      throw new RuntimeError(`${runtime} failed to run the container: ${errors.join('; ')}`);
    }
    return { exitCode: exit.code ?? (exit.signaled ? 128 : 1) };
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (needsDelete) await runQuiet(runtimeCommand(runtime, logFile, ['delete', '--force', id]));
  }
}
