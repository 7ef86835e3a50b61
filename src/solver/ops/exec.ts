// Exec op (RUN): a writable snapshot over the rootfs input, the other mounts set up (bind
// views of inputs, persistent cache directories, tmpfs, secrets, ssh agent), the process run
// in runc/crun, and each writable mount with an output committed as a new layer on top of
// its input's chain. Secrets live in a private temp dir outside every layer and key.
import { chmod, chown, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExecOp, Mount } from '../../llb/types.js';
import { ProcessExitError } from '../executor/exit-error.js';
import { runContainer, writeNetworkFiles, type ContainerMount, type NetworkOptions } from '../executor/run-container.js';
import { CacheIndex } from '../cache/records.js';
import { compareNames } from '../../context/go-strings.js';
import { isInside, resolveInRootSync } from '../layer/root-path.js';
import type { ActiveSnapshot } from '../snapshot/snapshotter.js';
import type { LayersRef, SolvedRef } from '../result.js';
import { buildTempDir, layerDirs, requireLayers, type OpRun } from './context.js';
import { cacheDirKey, withCacheMount, type CacheMountSpec } from './cache-mount.js';
import { contextUsableInPlace, materializeContext } from './context-mount.js';
import { runEnv } from './run-env.js';

const TAIL_LINES = 6;

/** Keeps the last lines of a process's output for the error message. */
class Tail {
  private text = '';
  push(b: Buffer): void {
    this.text = (this.text + b.toString('utf8')).slice(-8192);
  }
  lines(): string[] {
    return this.text.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1).slice(-TAIL_LINES);
  }
}

function subPath(base: string, selector: string): string {
  // Symlinks on the way resolve inside the mount's root, as BuildKit resolves a subpath
  // (an absolute link in a stage must not lead to the host's files).
  const p = resolveInRootSync(base, path.posix.normalize(`/${selector}`));
  if (!isInside(base, p)) throw new Error(`mount selector ${selector} leaves its source`);
  return p;
}

export async function solveExec(run: OpRun, op: ExecOp): Promise<SolvedRef[]> {
  const { env } = run;
  const cleanups: Array<() => Promise<void>> = [];
  const writable: Array<{ mount: Mount; active: ActiveSnapshot; base: LayersRef }> = [];
  // A committed snapshot's layer is in place: its cleanup only finishes removing the mount's
  // own directories, which the step's dependents need not wait for (the solve does).
  const committed = new Set<ActiveSnapshot>();
  const discard = (active: ActiveSnapshot) => async (): Promise<void> => {
    if (committed.has(active)) env.afterward(active.cleanup());
    else await active.cleanup();
  };
  try {
    const rootMount = op.mounts.find((m) => m.dest === '/');
    if (!rootMount) throw new Error('exec op without a root mount');
    const rootBase = requireLayers(rootMount.input >= 0 ? run.inputs[rootMount.input] : undefined, 'rootfs');
    const preparing = env.snapshotter.prepare(layerDirs(env, rootBase));
    preparing.catch(() => undefined); // awaited below, or discarded by the cleanup
    cleanups.push(async () => {
      const active = await preparing.catch(() => undefined);
      if (active) await discard(active)();
    });
    // The step's temp dir (bundle, secrets, copies) is made while the rootfs mounts, and
    // synchronously: the threadpool may be busy compressing an earlier step's layer. It goes
    // after the step, before the solve ends.
    const tmp = buildTempDir(env.root, 'exec');
    cleanups.push(async () => env.afterward(removeTempDir(tmp)));
    const network: NetworkOptions = {
      ...(op.meta.hostname ? { hostname: op.meta.hostname } : {}),
      network: op.network === 'sandbox' ? env.network : op.network,
      extraHosts: op.meta.extraHosts.map((h) => ({ host: h.host, ip: h.ip })),
    };
    writeNetworkFiles(tmp, network);
    const rootActive = await preparing;
    writable.push({ mount: rootMount, active: rootActive, base: rootBase });

    const mounts: ContainerMount[] = [];
    const extraEnv: string[] = [];
    const cacheMounts: CacheMountSpec[] = [];
    for (const [i, m] of op.mounts.entries()) {
      if (m === rootMount) continue;
      switch (m.mountType) {
        case 'bind': {
          const ref = m.input >= 0 ? run.inputs[m.input] : undefined;
          if (ref?.kind === 'local') {
            // The context as BuildKit transfers it (.dockerignore applied, owners 0:0); a
            // copy too when the step may write (its writes are discarded).
            const source = m.readonly && contextUsableInPlace(ref, m.selector)
              ? subPath(ref.dir, m.selector)
              : await materializeContext(ref, m.selector, path.join(tmp, `bind-${i}`));
            mounts.push({ type: 'bind', source, destination: m.dest, readonly: m.readonly });
            break;
          }
          const base = requireLayers(ref, `mount ${m.dest}`);
          if (m.readonly) {
            const view = await env.snapshotter.view(layerDirs(env, base));
            cleanups.push(() => view.release());
            mounts.push({ type: 'bind', source: subPath(view.path, m.selector), destination: m.dest, readonly: true });
          } else {
            const active = await env.snapshotter.prepare(layerDirs(env, base));
            cleanups.push(discard(active));
            if (m.output >= 0) writable.push({ mount: m, active, base });
            mounts.push({ type: 'bind', source: subPath(active.mountpoint, m.selector), destination: m.dest });
          }
          break;
        }
        case 'cache': {
          const ref = m.input >= 0 ? run.inputs[m.input] : undefined;
          cacheMounts.push({
            id: cacheDirKey(m.cacheOpt?.id || m.dest, ref), sharing: m.cacheOpt?.sharing ?? 'shared', dest: m.dest, readonly: m.readonly,
            seed: async () => {
              if (!ref) return undefined;
              if (ref.kind === 'local') {
                return { dir: await materializeContext(ref, m.selector, path.join(tmp, `seed-${i}`)), release: async () => undefined };
              }
              if (ref.layers.length === 0) return undefined;
              const view = await env.snapshotter.view(layerDirs(env, ref));
              return { dir: subPath(view.path, m.selector), release: () => view.release() };
            },
          });
          break;
        }
        case 'tmpfs':
          // BuildKit's tmpfsMount: nosuid, ro for a readonly mount, the size if one is set.
          mounts.push({ type: 'tmpfs', source: 'tmpfs', destination: m.dest, readonly: m.readonly,
            options: ['nosuid', ...(m.tmpfsOpt?.size ? [`size=${m.tmpfsOpt.size}`] : [])] });
          break;
        case 'secret': {
          const opt = m.secretOpt!;
          const value = await readSecret(run, opt.id);
          if (value === undefined) {
            if (opt.optional) break;
            throw new Error(`secret ${opt.id}: not found`);
          }
          const file = path.join(tmp, `secret-${i}`);
          await writeFile(file, value, { mode: 0o600 });
          await chown(file, opt.uid, opt.gid);
          // As BuildKit's secretMountInstance: the permission bits only, nodev/nosuid, and
          // noexec unless the mode lets someone execute it.
          await chmod(file, opt.mode & 0o777);
          mounts.push({ type: 'bind', source: file, destination: m.dest, readonly: true,
            options: ['nodev', 'nosuid', ...(opt.mode & 0o111 ? [] : ['noexec'])] });
          break;
        }
        case 'ssh': {
          const opt = m.sshOpt!;
          const sock = env.ssh.get(opt.id || 'default');
          if (!sock) {
            if (opt.optional) break;
            throw new Error(`no SSH key ${JSON.stringify(opt.id || 'default')} forwarded from the client (use --ssh ${opt.id || 'default'})`);
          }
          mounts.push({ type: 'bind', source: sock, destination: m.dest });
          break;
        }
      }
    }
    for (const se of op.secretEnv) {
      const value = await readSecret(run, se.id);
      if (value === undefined) {
        if (se.optional) continue;
        throw new Error(`secret ${se.id}: not found`);
      }
      extraEnv.push(`${se.name}=${value.toString('utf8')}`);
    }

    const index = new CacheIndex(env.root);
    const tail = new Tail();
    const runIt = async (cacheSources: ContainerMount[]): Promise<number> => {
      env.stats.containers++;
      const res = await runContainer({
        rootfs: rootActive.mountpoint,
        args: op.meta.args,
        env: runEnv(op.meta.env, op.meta.proxyEnv, extraEnv),
        cwd: op.meta.cwd,
        user: op.meta.user,
        ...network,
        // Go's byte order, as BuildKit sorts (and no ICU collator to load, ~7 ms).
        mounts: [...mounts, ...cacheSources].sort((a, b) => compareNames(a.destination, b.destination)),
        // -1 is unlimited (RLIM_INFINITY), as an int64 -1 becomes in BuildKit's uint64 spec field.
        rlimits: op.meta.ulimit.map((u) => ({
          type: `RLIMIT_${u.name.toUpperCase()}`, soft: u.soft < 0 ? Infinity : u.soft, hard: u.hard < 0 ? Infinity : u.hard,
        })),
        stdout: (b) => { tail.push(b); run.progress.log(1, b); },
        stderr: (b) => { tail.push(b); run.progress.log(2, b); },
        ...(op.security === 'insecure' ? { security: 'insecure' as const } : {}),
        signal: env.signal,
        runtime: env.runtime,
        bundleDir: tmp,
        leaveBundleFiles: true,
        networkFilesWritten: true,
      });
      return res.exitCode;
    };
    const exitCode = await withCacheMount(index, cacheMounts, tmp, runIt);
    const valid = op.meta.validExitCodes.length ? op.meta.validExitCodes : [0];
    if (!valid.includes(exitCode)) throw new ProcessExitError(op.meta.args, exitCode, tail.lines());

    const outputs: SolvedRef[] = [];
    for (const w of writable) {
      if (w.mount.output < 0) continue;
      const id = run.snapshotId(w.mount.output);
      await w.active.commit(id);
      committed.add(w.active);
      outputs[w.mount.output] = { kind: 'layers', layers: [...w.base.layers, { snapshotId: id }] };
    }
    return outputs;
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  }
}

/** Removes the step's temp dir; a failure leaves it to a later build's prune of dead processes' dirs. */
function removeTempDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true }).catch(() => undefined);
}

async function readSecret(run: OpRun, id: string): Promise<Buffer | undefined> {
  const src = run.env.secrets.get(id);
  if (!src) return undefined;
  if ('env' in src) {
    const v = process.env[src.env];
    return v === undefined ? undefined : Buffer.from(v);
  }
  return readFile(src.file);
}

