// File op: a writable view over the first action's input (or scratch), the actions applied
// in order by src/solver/fileop, the changes committed as one new layer. COPY sources are
// read in place: the context directory through its include/exclude filter (its files
// arrive owned 0:0, as BuildKit's context transfer makes them), or a read-only merged view
// of a layer chain.
import { mkdtemp, rm as rmDir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeContextFilter } from '../../context/context-filter.js';
import type { FileOp } from '../../llb/types.js';
import { copy, mkdir, mkfile, resolveChown, rm, symlink, type Owner, type SourceFilter } from '../fileop/index.js';
import type { LayersRef, SolvedRef } from '../result.js';
import { layerDirs, requireLayers, type OpRun } from './context.js';

interface CopySource {
  dir: string;
  filter?: SourceFilter;
  /** Owner when the action gives none (context files: 0:0). */
  owner?: Owner;
}

export async function solveFile(run: OpRun, op: FileOp): Promise<LayersRef[]> {
  const { env, inputs } = run;
  const n = inputs.length;
  const first = op.actions[0];
  if (!first) throw new Error('file op without actions');
  op.actions.forEach((a, k) => {
    if (k > 0 && a.input !== n + k - 1) throw new Error('file op: only a linear chain of actions is supported');
  });
  const base = first.input >= 0 ? requireLayers(inputs[first.input], 'file op input') : { kind: 'layers' as const, layers: [] };
  const active = await env.snapshotter.prepare(layerDirs(env, base));
  const releases: Array<() => Promise<void>> = [];
  // --chown names resolve in the destination's rootfs (the state the actions build on).
  const rootfsFor = (): string => active.mountpoint;
  try {
    for (const a of op.actions) {
      env.signal.throwIfAborted();
      const act = a.action;
      switch (act.type) {
        case 'copy': {
          const src = await copySource(run, a.secondaryInput >= 0 && a.secondaryInput < n ? inputs[a.secondaryInput] : undefined, releases);
          const owner = (await resolveChown(act.owner, rootfsFor)) ?? src.owner;
          await copy({
            srcRoot: src.dir, destRoot: active.mountpoint, action: act, signal: env.signal,
            ...(src.filter ? { srcFilter: src.filter } : {}), ...(owner ? { owner } : {}),
          });
          break;
        }
        case 'mkdir': await mkdir(active.mountpoint, act, await resolveChown(act.owner, rootfsFor)); break;
        case 'mkfile': await mkfile(active.mountpoint, act, await resolveChown(act.owner, rootfsFor)); break;
        case 'rm': await rm(active.mountpoint, act); break;
        case 'symlink': await symlink(active.mountpoint, act, await resolveChown(act.owner, rootfsFor)); break;
      }
    }
    for (const r of releases.splice(0)) await r();
    const id = run.snapshotId(0);
    await active.commit(id);
    return [{ kind: 'layers', layers: [...base.layers, { snapshotId: id }] }];
  } finally {
    for (const r of releases) await r().catch(() => undefined);
    await active.cleanup().catch(() => undefined);
  }
}

async function copySource(run: OpRun, ref: SolvedRef | undefined, releases: Array<() => Promise<void>>): Promise<CopySource> {
  if (!ref) {
    const dir = await mkdtemp(path.join(tmpdir(), 'slipway-empty-'));
    releases.push(() => rmDir(dir, { recursive: true, force: true }));
    return { dir };
  }
  if (ref.kind === 'local') {
    return { dir: ref.dir, filter: makeContextFilter(ref.includePatterns, ref.excludePatterns), owner: { uid: 0, gid: 0 } };
  }
  const view = await run.env.snapshotter.view(layerDirs(run.env, ref));
  releases.push(() => view.release());
  return { dir: view.path };
}
