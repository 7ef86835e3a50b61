// What every op runner gets: the stores, the snapshotter, the build's options and its
// cancellation signal, plus the vertex's progress handle.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ContentStore } from '../../content/store.js';
import type { BuildLease } from '../build-lease.js';
import type { RuntimeName } from '../executor/runtime.js';
import type { VertexProgress } from '../progress/events.js';
import type { LayersRef, SolvedRef } from '../result.js';
import type { Snapshotter } from '../snapshot/snapshotter.js';
import { processAlive } from '../../store/process-alive.js';

/** `--secret id=…,src=FILE` or `env=VAR`. */
export type SecretSource = { file: string } | { env: string };

export interface SolveStats {
  /** Containers started for RUN steps. */
  containers: number;
  /** Vertices answered from the cache. */
  cached: number;
  /** Vertices executed. */
  executed: number;
}

export interface BuildEnv {
  root: string;
  content: ContentStore;
  snapshotter: Snapshotter;
  signal: AbortSignal;
  /** Local source name → directory (`context` → the build context). */
  localDirs: Record<string, string>;
  runtime: RuntimeName;
  /** Network for RUN steps that ask for the default (sandbox). */
  network: 'host' | 'none';
  secrets: Map<string, SecretSource>;
  /** ssh id → agent socket path. */
  ssh: Map<string, string>;
  /** Protects the blobs the build reads from garbage collection while it runs. */
  lease?: BuildLease;
  stats: SolveStats;
  /**
   * Work no later step depends on (e.g. recording a pulled base under its tag): it runs beside
   * the build, and the solve waits for it before returning (its failure fails the solve).
   */
  afterward: (work: Promise<unknown>) => void;
}

export interface OpRun {
  env: BuildEnv;
  progress: VertexProgress;
  /** Cache key of the vertex. */
  key: string;
  /** Snapshot id for output `index`: r-<key hex>-<index>, unique when the cache is bypassed. */
  snapshotId(index: number): string;
  inputs: SolvedRef[];
}

export function layerDirs(env: BuildEnv, ref: LayersRef): string[] {
  return ref.layers.map((l) => env.snapshotter.layerDir(l.snapshotId));
}

export function requireLayers(ref: SolvedRef | undefined, what: string): LayersRef {
  if (!ref) return { kind: 'layers', layers: [] };
  if (ref.kind !== 'layers') throw new Error(`${what}: a local directory cannot be used here`);
  return ref;
}

/**
 * Snapshot id of output `index` of the vertex with cache key `key`. A run that bypasses the
 * cache (--no-cache) gets a unique suffix: its result must replace, not lose to, an older
 * snapshot under the same key.
 */
export function resultSnapshotId(key: string, index: number, unique = false): string {
  const id = `r-${key.replace(/^sha256:/, '')}-${index}`;
  return unique ? `${id}-${randomBytes(4).toString('hex')}` : id;
}

/**
 * A private temp dir under <root>/tmp named with our pid, so dead builds' dirs can be removed.
 * Synchronous: two small calls, which on the thread pool could wait behind a layer's
 * compression (a RUN step makes one before it starts its container).
 */
export function buildTempDir(root: string, what: string): string {
  const base = path.join(root, 'tmp');
  mkdirSync(base, { recursive: true, mode: 0o700 });
  return mkdtempSync(path.join(base, `${process.pid}-${what}-`));
}

/**
 * Removes temp dirs of processes that no longer exist. A build killed mid-RUN also leaves
 * its container behind: `beforeRemove` (killing those) runs first when any dir is stale.
 */
export async function pruneStaleTemp(root: string, beforeRemove: () => Promise<unknown>): Promise<void> {
  const base = path.join(root, 'tmp');
  let names: string[];
  try {
    names = await readdir(base);
  } catch {
    return;
  }
  const stale = names.filter((n) => {
    const pid = Number(/^(\d+)-/.exec(n)?.[1]);
    return pid > 0 && !processAlive(pid);
  });
  if (stale.length === 0) return;
  await beforeRemove().catch(() => undefined);
  await Promise.all(stale.map((n) => rm(path.join(base, n), { recursive: true, force: true }).catch(() => undefined)));
}
