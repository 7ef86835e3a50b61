// RUN --mount=type=cache: a persistent directory per id under <root>/cache/mounts/.
// sharing=shared lets concurrent steps use it together; locked makes them take turns (in
// this process, and across processes through an O_EXCL lock file); private gives a step
// that finds it busy a fresh throwaway directory instead.
import { mkdir, open, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ContainerMount } from '../executor/run-container.js';
import type { CacheIndex } from '../cache/records.js';
import { pidAlive } from '../snapshot/pid-alive.js';

interface CacheMountSpec {
  id: string;
  sharing: 'shared' | 'private' | 'locked';
  dest: string;
  readonly: boolean;
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
      if (owner && !pidAlive(owner)) {
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
      await mkdir(dir, { recursive: true, mode: 0o755 });
      let source = dir;
      if (s.sharing === 'private' && (inUse.get(dir) ?? 0) > 0) {
        source = path.join(tmp, `cache-${i}`);
        await mkdir(source, { mode: 0o755 });
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
      await stat(source);
      mounts.push({ type: 'bind', source, destination: s.dest, readonly: s.readonly });
    }
    return await fn(mounts);
  } finally {
    for (const r of release.reverse()) await r();
  }
}
