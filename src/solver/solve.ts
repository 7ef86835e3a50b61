// The solver's entry: compute every vertex's cache key (content checksums for context
// reads), look the keys up in the persistent cache index, then run what the root still
// needs, independent vertices concurrently (p-limit), each op at most once. The first
// failure aborts the others; their temp state is cleaned up by each op's finally blocks.
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import pLimit from 'p-limit';
import { ContentStore } from '../content/store.js';
import type { BuildLease } from './build-lease.js';
import type { StepInfo } from '../frontend/dockerfile/convert/options.js';
import { decodeDefinition } from '../llb/definition.js';
import type { Definition, Digest, Op } from '../llb/types.js';
import { explainMiss, type MissCause } from './cache/explain.js';
import { CacheIndex } from './cache/records.js';
import type { ImportedCache } from './cache/remote/imported-cache.js';
import type { RuntimeName } from './executor/runtime.js';
import { pruneStaleTemp, resultSnapshotId, type BuildEnv, type OpRun, type SecretSource, type SolveStats } from './ops/context.js';
import { solveLocal } from './ops/local.js';
import { silentProgress, type ProgressSink } from './progress/events.js';
import type { LayerRef, LayersRef, SolvedRef } from './result.js';
import { buildGraph, neededVertices } from './scheduler/graph.js';
import { computeVertexInfos, KeyError, type VertexInfo } from './cache/vertex-keys.js';
import { Snapshotter, type SnapshotterKind } from './snapshot/snapshotter.js';

export interface SolveOptions {
  root: string;
  /** Local source name → directory (`context`). */
  localDirs?: Record<string, string>;
  progress?: ProgressSink;
  signal?: AbortSignal;
  /** Concurrent vertices (default: the CPU count). */
  maxParallelism?: number;
  runtime?: RuntimeName;
  /** Network for RUN steps using the default (BuildKit's sandbox): host unless told. */
  network?: 'host' | 'none';
  secrets?: Map<string, SecretSource>;
  ssh?: Map<string, string>;
  /** --no-cache: every vertex runs. */
  noCache?: boolean;
  /** Lease the build's base-image blobs are added to (the caller releases it after exporting). */
  lease?: BuildLease;
  /** Print why each executed step missed the cache. */
  explainCache?: boolean;
  /** Converter's step list (stage, build args per op), for step identities and explanations. */
  steps?: readonly StepInfo[];
  /** Dockerfile path, part of each step's identity. */
  dockerfile?: string;
  snapshotter?: SnapshotterKind | 'auto';
  /** Cache import (issue 8): records from --cache-from, consulted when the local index misses. */
  importedCache?: ImportedCache;
  /**
   * Called with the output chain of each executed step of the root's stage (its new layer on
   * top), as the step completes: the exporter can start making those layers' blobs.
   */
  onTargetLayers?: (chain: readonly LayerRef[], snapshotter: Snapshotter) => void;
}

export interface VertexRecord {
  digest: Digest;
  name: string;
  key: string;
  state: 'cached' | 'executed' | 'unneeded';
  missReason?: string;
  started?: number;
  completed?: number;
}

export interface SolveResult {
  /** The root output ([] layers for scratch). */
  ref: SolvedRef;
  vertices: VertexRecord[];
  stats: SolveStats;
  snapshotter: Snapshotter;
}

/** A build failure located at a vertex (its progress name). */
export class SolveError extends Error {
  readonly exitCode = 1;
  constructor(readonly vertexName: string, cause: unknown, readonly digest?: Digest) {
    super((cause as Error)?.message ?? String(cause), { cause });
    this.name = 'SolveError';
  }
}

const isSource = (op: Op): boolean => op.kind === 'source';

export async function solve(definition: Definition, opts: SolveOptions): Promise<SolveResult> {
  const sink = opts.progress ?? silentProgress;
  const outer = opts.signal;
  const abort = new AbortController();
  const onOuter = (): void => abort.abort(outer?.reason);
  if (outer?.aborted) onOuter();
  outer?.addEventListener('abort', onOuter, { once: true });
  const signal = abort.signal;
  const stats: SolveStats = { containers: 0, cached: 0, executed: 0 };
  try {
    const def = decodeDefinition(definition);
    const g = buildGraph(def);
    // Containers of killed builds go first: their mounts keep snapshot temp dirs busy.
    await pruneStaleTemp(opts.root, async () => (await import('./executor/run-container.js')).pruneStaleContainers(opts.runtime ?? 'runc'));
    // Cache records and other work no step waits for (env.afterward); awaited before the solve returns.
    const afterwardWork: Promise<unknown>[] = [];
    // Until no more comes: steps still running when the solve fails, and afterward work
    // itself, may hand over more.
    const drainAfterward = async (settle: boolean): Promise<void> => {
      for (let seen = 0; seen < afterwardWork.length;) {
        const batch = afterwardWork.slice(seen);
        seen = afterwardWork.length;
        if (settle) await Promise.allSettled(batch);
        else await Promise.all(batch);
      }
    };
    const env: BuildEnv = {
      root: opts.root,
      content: new ContentStore(opts.root),
      // Opened once it is known whether anything must run (see below).
      snapshotter: undefined as unknown as Snapshotter,
      signal,
      localDirs: opts.localDirs ?? {},
      runtime: opts.runtime ?? 'runc',
      network: opts.network ?? 'host',
      secrets: opts.secrets ?? new Map(),
      ssh: opts.ssh ?? new Map(),
      ...(opts.lease ? { lease: opts.lease } : {}),
      stats,
      afterward: (work) => {
        work.catch(() => undefined); // reported by the Promise.all at the end, not as unhandled
        afterwardWork.push(work);
      },
    };
    const index = new CacheIndex(opts.root);
    // 1. Keys, inputs first (context reads enter by content checksums).
    const { infos, stepsByDigest } = await computeVertexInfos(g, def.metadata, env, {
      root: opts.root, sink, noCache: opts.noCache === true, steps: opts.steps ?? [], dockerfile: opts.dockerfile ?? 'Dockerfile',
    }).catch((err: unknown) => {
      throw err instanceof KeyError ? new SolveError(err.vertexName, err, err.digest) : err;
    });

    // 2. Cache lookups (records whose snapshots all still exist).
    const existing = new Map<string, Promise<boolean>>();
    const exists = (id: string): Promise<boolean> => {
      let p = existing.get(id);
      if (!p) existing.set(id, (p = stat(path.join(opts.root, 'snapshots', id, 'fs')).then((st) => st.isDirectory(), () => false)));
      return p;
    };
    // cache exchange (issue 8): vertices whose record came from --cache-from (materialized when used).
    const imported = new Set<Digest>();
    await Promise.all([...infos.values()].map(async (v) => {
      if (isSource(v.op) || v.ignoreCache) return;
      const rec = await index.get(v.key);
      if (rec) {
        const ids = [...new Set(rec.outputs.flat())];
        if ((await Promise.all(ids.map(exists))).every(Boolean)) v.record = rec;
      }
      const remote = v.record ? undefined : opts.importedCache?.lookup(v.key);
      if (remote) {
        v.record = remote;
        imported.add(v.digest);
      }
    }));

    const rootDigest = def.root?.digest;
    // The stage whose steps' layers end up in the result (the target stage).
    const targetStage = rootDigest ? stepsByDigest.get(rootDigest)?.step.stage : undefined;
    const needed = neededVertices(g, rootDigest, (d) => infos.get(d)!.record !== undefined);
    // Probing overlayfs costs a mount; a build where nothing runs never needs it.
    const mustRun = [...needed].some((d) => {
      const v = infos.get(d)!;
      return !v.record && !(v.op.kind === 'source' && /^(docker-image|local):\/\//.test(v.op.source.identifier));
    });
    // The mount/xattr helper starts while the rest is set up (a cached build never needs it).
    if (mustRun) void import('./sys/sys-helper.js').then((m) => m.warmSysHelper(), () => undefined);
    // The RUN op's code loads now rather than when the first RUN starts (~1 ms on that path).
    if ([...needed].some((d) => !infos.get(d)!.record && infos.get(d)!.op.kind === 'exec')) {
      setImmediate(() => void import('./ops/exec.js').catch(() => undefined));
    }
    const snapshotter = await Snapshotter.openEarly(opts.root, { kind: mustRun ? opts.snapshotter ?? 'auto' : 'copy' });
    env.snapshotter = snapshotter;
    const results = new Map<Digest, Promise<SolvedRef[]>>();
    const records = new Map<Digest, VertexRecord>();
    const limit = pLimit(Math.max(1, opts.maxParallelism ?? availableParallelism()));

    for (const d of g.order) {
      const v = infos.get(d)!;
      if (needed.has(d)) continue;
      v.progress.cached();
      stats.cached++;
      records.set(d, { digest: d, name: v.name, key: v.key, state: 'unneeded' });
    }

    let firstError: SolveError | undefined;
    const fail = (v: VertexInfo, err: unknown): SolveError => {
      const e = err instanceof SolveError ? err : new SolveError(v.name, err, v.digest);
      if (!firstError) {
        firstError = e;
        abort.abort(e);
      }
      return e;
    };

    const resolve = (d: Digest): Promise<SolvedRef[]> => {
      let p = results.get(d);
      if (p) return p;
      const v = infos.get(d)!;
      p = (async () => {
        if (v.record) {
          v.progress.cached();
          stats.cached++;
          records.set(d, { digest: d, name: v.name, key: v.key, state: 'cached' });
          // cache exchange (issue 8): an imported result is fetched and unpacked only now that it is needed.
          if (imported.has(d)) {
            try {
              await opts.importedCache!.materialize(v.key, env);
            } catch (err) {
              v.progress.error(messageOf(err));
              throw fail(v, err);
            }
            await index.put(v.record);
          }
          return v.record.outputs.map((ids): SolvedRef => ({ kind: 'layers', layers: ids.map((snapshotId) => ({ snapshotId })) }));
        }
        const inputs = await Promise.all(v.op.inputs.map(async (inp) => (await resolve(inp.digest))[inp.index]!));
        return limit(async () => {
          signal.throwIfAborted();
          const rec: VertexRecord = { digest: d, name: v.name, key: v.key, state: 'executed' };
          records.set(d, rec);
          v.progress.start();
          rec.started = Date.now();
          try {
            // The step's previous key: read before it runs only to explain the miss, else after.
            let explained: { prevKey: string | undefined } | undefined;
            if (!isSource(v.op) && opts.explainCache) {
              const last = await index.lastStep(v.identity);
              const prevKey = last?.key;
              const cause: MissCause | undefined = opts.noCache ? { kind: 'no-cache' }
                : v.taintedBy ? { kind: 'input-rerun', name: v.taintedBy }
                : v.ignoreCache ? { kind: 'ignore-cache', stage: stepsByDigest.get(d)?.step.stage }
                : (prevKey === v.key ? { kind: 'result-missing' } : undefined);
              rec.missReason = explainMiss(last?.basis, v.basis, cause);
              v.progress.miss(rec.missReason);
              explained = { prevKey };
            }
            const out = await runOp(env, v, inputs);
            const first = out[0];
            if (opts.onTargetLayers && targetStage !== undefined && stepsByDigest.get(d)?.step.stage === targetStage
              && first?.kind === 'layers' && first.layers.length) {
              opts.onTargetLayers(first.layers, snapshotter);
            }
            if (!isSource(v.op)) {
              // Only later builds read the records: dependents start without waiting for them.
              const rec = { key: v.key, outputs: out.map((r) => layersOf(r)), name: v.name, created: new Date().toISOString() };
              env.afterward(index.put(rec).then(async () => {
                const prevKey = explained ? explained.prevKey : (await index.lastStep(v.identity))?.key;
                if (prevKey !== v.key) await index.putStep({ identity: v.identity, key: v.key, basis: v.basis });
              }));
            }
            stats.executed++;
            rec.completed = Date.now();
            v.progress.done();
            return out;
          } catch (err) {
            const aborted = signal.aborted && err === signal.reason;
            if (!aborted) v.progress.error(messageOf(err));
            throw fail(v, err);
          }
        });
      })();
      p.catch(() => undefined);
      results.set(d, p);
      return p;
    };

    let ref: SolvedRef = { kind: 'layers', layers: [] };
    if (def.root) {
      try {
        ref = (await resolve(def.root.digest))[def.root.index]!;
      } catch (err) {
        await Promise.allSettled(results.values());
        await drainAfterward(true);
        if (outer?.aborted) throw outer.reason;
        throw firstError ?? err;
      }
    }
    await drainAfterward(false);
    const vertices = g.order.map((d) => records.get(d) ?? { digest: d, name: infos.get(d)!.name, key: infos.get(d)!.key, state: 'unneeded' as const });
    return { ref, vertices, stats, snapshotter };
  } finally {
    outer?.removeEventListener('abort', onOuter);
  }
}

function layersOf(r: SolvedRef | undefined): string[] {
  return r && r.kind === 'layers' ? r.layers.map((l) => l.snapshotId) : [];
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// Op runners load on first use: a fully cached build never compiles the executor, the file
// operations or the registry pull.
async function runOp(env: BuildEnv, v: VertexInfo, inputs: SolvedRef[]): Promise<SolvedRef[]> {
  const run: OpRun = { env, progress: v.progress, key: v.key, inputs, snapshotId: (i) => resultSnapshotId(v.key, i, v.ignoreCache) };
  const op = v.op;
  switch (op.kind) {
    case 'source': {
      const id = op.source.identifier;
      if (id.startsWith('docker-image://')) return [await (await import('./ops/image.js')).solveImage(env, id, (t) => v.progress.status(t))];
      if (id.startsWith('local://')) return [solveLocal(env, op.source)];
      if (id.startsWith('http://') || id.startsWith('https://')) return (await import('./ops/http.js')).solveHTTP(run, op.source);
      if (id.startsWith('git://')) return (await import('./ops/git.js')).solveGit(run, op.source);
      throw new Error(`unsupported source ${id}`);
    }
    case 'exec': return (await import('./ops/exec.js')).solveExec(run, op.exec);
    case 'file': return (await import('./ops/file.js')).solveFile(run, op.file);
    case 'merge': return (await import('./ops/merge.js')).solveMerge(run, op.merge);
  }
}

export type { LayersRef };
