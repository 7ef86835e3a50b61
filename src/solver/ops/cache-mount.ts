// RUN --mount=type=cache: a persistent directory per id under <root>/cache/mounts/.
// sharing=shared lets concurrent steps use it together; locked makes them take turns (in
// this process, and across processes through an O_EXCL lock file); private gives a step
// that finds it busy a fresh throwaway directory instead.
import { chmodSync, mkdirSync, statSync, utimesSync } from 'node:fs';
import { chmod, chown, mkdir, open, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ContainerMount } from '../executor/run-container.js';
import type { CacheIndex } from '../cache/records.js';
import type { SolvedRef } from '../result.js';
import { mustRunTool } from '../layer/run-tool.js';
import { processAlive } from '../../store/process-alive.js';

export interface CacheMountSpec {
  id: string;
  sharing: 'shared' | 'private' | 'locked';
  dest: string;
  readonly: boolean;
  /** Where a new cache directory takes its first contents, owner and mode (uid/gid/mode/from=). */
  seed?: () => Promise<{ dir: string; release(): Promise<void> } | undefined>;
}

/**
 * Creates the cache directory; a new one is filled from the seed (contents, owner, mode).
 * The mkdirs are synchronous: the step waits for them, and the directory usually exists.
 */
async function createCacheDir(dir: string, seed: CacheMountSpec['seed']): Promise<void> {
  mkdirSync(path.dirname(dir), { recursive: true, mode: 0o755 });
  try {
    mkdirSync(dir, { mode: 0o755 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw err;
  }
  // 0755 whatever this process's umask (BuildKit's cache refs are made under buildkitd's 022).
  chmodSync(dir, 0o755);
  const src = await seed?.();
  if (!src) return;
  try {
    const st = await stat(src.dir);
    await mustRunTool('cp', ['-a', '--', `${src.dir}/.`, dir]);
    await chown(dir, st.uid, st.gid);
    await chmod(dir, st.mode & 0o7777);
  } finally {
    await src.release();
  }
}

/**
 * Which cache directory a mount uses: BuildKit's getRefCacheDir keys it by the id and, when the
 * mount has an input (uid/gid/mode make a mkdir state, from= a stage or image), by that input
 * ref too (`id + ":" + ref.ID()`). So `id=x` and `id=x,uid=1000` are two caches, and a rebuilt
 * input (--no-cache) starts a new one. A ref here is its snapshot chain (stable while cached).
 */
export function cacheDirKey(id: string, ref: SolvedRef | undefined): string {
  if (!ref) return id;
  if (ref.kind === 'local') return `${id}:local:${ref.dir}`;
  if (ref.layers.length === 0) return id;
  return `${id}:${ref.layers.map((l) => l.snapshotId).join(',')}`;
}

const inUse = new Map<string, number>();
const turns = new Map<string, Promise<unknown>>();

async function lockFile(file: string, signal?: AbortSignal): Promise<() => Promise<void>> {
  for (;;) {
    try {
      const fh = await open(file, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      return () => rm(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const { readFile } = await import('node:fs/promises');
      const owner = Number(await readFile(file, 'utf8').catch(() => ''));
      if (owner && !processAlive(owner)) {
        await rm(file, { force: true });
        continue;
      }
      signal?.throwIfAborted();
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export async function withCacheMount<T>(index: CacheIndex, specs: readonly CacheMountSpec[], tmp: string,
  fn: (mounts: ContainerMount[]) => Promise<T>): Promise<T> {
  const mounts: ContainerMount[] = [];
  const release: Array<() => Promise<void>> = [];
  try {
    for (const [i, s] of specs.entries()) {
      const dir = index.mountDir(s.id);
      await createCacheDir(dir, s.seed);
      // Its last use, for `builder prune --until/--keep-storage` (BuildKit's LastUsedAt).
      const now = new Date();
      utimesSync(dir, now, now);
      let source = dir;
      if (s.sharing === 'private' && (inUse.get(dir) ?? 0) > 0) {
        source = path.join(tmp, `cache-${i}`);
        await mkdir(source, { mode: 0o755 });
        chmodSync(source, 0o755);
      } else if (s.sharing === 'locked') {
        const prev = turns.get(dir) ?? Promise.resolve();
        let done!: () => void;
        const mine = new Promise<void>((r) => { done = r; });
        turns.set(dir, prev.then(() => mine));
        await prev;
        const unlock = await lockFile(`${dir}.lock`);
        release.push(async () => { await unlock(); done(); });
      }
      inUse.set(source, (inUse.get(source) ?? 0) + 1);
      release.push(async () => { inUse.set(source, (inUse.get(source) ?? 1) - 1); });
      statSync(source);
      mounts.push({ type: 'bind', source, destination: s.dest, readonly: s.readonly });
    }
    return await fn(mounts);
  } finally {
    for (const r of release.reverse()) await r();
  }
}
