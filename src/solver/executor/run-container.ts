// Runs one process in a container over a prepared root filesystem: writes an OCI bundle
// (config.json, hosts, resolv.conf) to a temp dir, runs `runc run` (or crun) in the
// foreground with output streamed, kills and deletes the container on abort, removes the
// mount stubs it caused in the rootfs and the bundle afterwards.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lchown, lstat, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { isInside, resolveInRoot } from '../layer/root-path.js';
import { runTool } from '../layer/run-tool.js';
import { processAlive } from '../../store/process-alive.js';
import { recordMountStubs } from './mount-stubs.js';
import { DEFAULT_HOSTNAME, hostsFile, readHostResolvConf, resolvConfFor, type ExtraHost } from './network-files.js';
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
  /** Where the bundle's temp dir goes (default: the OS temp dir). */
  stateDir?: string;
  /**
   * Keep directories/files created as targets for `mounts` in the rootfs. Current BuildKit
   * (MountStubsCleaner, v0.10+) removes them, the default here; docker 20.10's bundled
   * BuildKit (the refenv reference) keeps them. /etc/hosts and /etc/resolv.conf stubs are
   * always removed.
   */
  keepMountStubs?: boolean;
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

/** BuildKit creates a missing working directory, owned by the process user. */
async function ensureCwd(rootfs: string, cwd: string, uid: number, gid: number): Promise<void> {
  const host = await resolveInRoot(rootfs, cwd);
  if (!isInside(rootfs, host)) throw new RuntimeError(`working directory ${cwd} resolves outside the rootfs`);
  const rel = path.relative(rootfs, host).split(path.sep).filter(Boolean);
  for (let i = 1; i <= rel.length; i++) {
    const p = path.join(rootfs, ...rel.slice(0, i));
    try {
      await lstat(p);
    } catch {
      await mkdir(p, 0o755);
      await lchown(p, uid, gid);
    }
  }
}

async function runtimeErrors(logFile: string): Promise<string[]> {
  let text = '';
  try {
    text = await readFile(logFile, 'utf8');
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const line of text.split('\n')) {
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
  const bundle = await mkdtemp(path.join(opts.stateDir ?? tmpdir(), `${BUNDLE_PREFIX}${process.pid}-`));
  // The owner's pid in the id lets a later process recognise containers orphaned by a crash.
  const id = `slipway-${process.pid}-${randomBytes(6).toString('hex')}`;
  const logFile = path.join(bundle, 'runtime.log');
  const mounts = opts.mounts ?? [];
  let removeStubs: (() => Promise<void>) | undefined;
  try {
    const hostsPath = path.join(bundle, 'hosts');
    const resolvConfPath = path.join(bundle, 'resolv.conf');
    await writeFile(hostsPath, hostsFile(opts.hostname ?? DEFAULT_HOSTNAME, opts.extraHosts));
    await writeFile(resolvConfPath, resolvConfFor(await readHostResolvConf(), network));
    removeStubs = await recordMountStubs(rootfs, opts.keepMountStubs ? [] : mounts.map((m) => m.destination));
    await ensureCwd(rootfs, cwd, user.uid, user.gid);
    const spec = buildSpec({
      rootfs, args: opts.args, env: withDefaultPath(opts.env ?? []), cwd, uid: user.uid, gid: user.gid,
      additionalGids: user.additionalGids, hostname: opts.hostname ?? DEFAULT_HOSTNAME, network,
      hostsPath, resolvConfPath, mounts: mounts.map(toSpecMount),
      ...(opts.rlimits ? { rlimits: clampRlimits(opts.rlimits) } : {}),
    });
    await writeFile(path.join(bundle, 'config.json'), JSON.stringify(spec, null, 2));
    return await execute(runtime, bundle, id, logFile, opts);
  } finally {
    await removeStubs?.();
    await rm(bundle, { recursive: true, force: true });
  }
}

async function execute(runtime: RuntimeName, bundle: string, id: string, logFile: string,
  opts: RunContainerOptions): Promise<RunContainerResult> {
  const { cmd, args } = runtimeCommand(runtime, logFile, ['run', '--bundle', bundle, id]);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: bundle });
  const out = sink(opts.stdout);
  const err = sink(opts.stderr);
  child.stdout.on('data', (d: Buffer) => out(d));
  child.stderr.on('data', (d: Buffer) => err(d));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT'
      ? new RuntimeError(`OCI runtime \`${cmd}\` is not installed (apt-get install ${runtime})`) : e));
    child.on('close', (code, sig) => resolve(code ?? (sig ? 128 : null)));
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
  let exitCode: number | null = null;
  try {
    const code = await exited;
    exitCode = code;
    if (aborted) throw opts.signal?.reason ?? new Error('aborted');
    const errors = await runtimeErrors(logFile);
    if (code !== 0 && errors.length) throw new RuntimeError(`${runtime} failed to run the container: ${errors.join('; ')}`);
    return { exitCode: code ?? 1 };
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    // `run` deletes a container that exits normally; force it only after kills and failures.
    if (aborted || exitCode !== 0) await runQuiet(runtimeCommand(runtime, logFile, ['delete', '--force', id]));
  }
}
