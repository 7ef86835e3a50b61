// File op: a writable view over the first action's input (or scratch), the actions applied
// in order, the changes committed as one new layer. COPY sources are read in place: the
// context directory with its excludes, or a read-only merged view of a layer chain.
import type { FileOp } from '../../llb/types.js';
import type { LayersRef, SolvedRef } from '../result.js';
import { applyCopy, applyMkdir, applyMkfile, applyRm, applySymlink, type CopySource } from './file-actions.js';
import { layerDirs, requireLayers, resultSnapshotId, type OpRun } from './context.js';

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
  try {
    for (const a of op.actions) {
      env.signal.throwIfAborted();
      const act = a.action;
      switch (act.type) {
        case 'copy': {
          const src = await copySource(run, a.secondaryInput >= 0 && a.secondaryInput < n ? inputs[a.secondaryInput] : undefined, releases);
          await applyCopy(active.mountpoint, src, act);
          break;
        }
        case 'mkdir': await applyMkdir(active.mountpoint, act); break;
        case 'mkfile': await applyMkfile(active.mountpoint, act); break;
        case 'rm': await applyRm(active.mountpoint, act); break;
        case 'symlink': await applySymlink(active.mountpoint, act); break;
      }
    }
    for (const r of releases.splice(0)) await r();
    const id = resultSnapshotId(run.key, 0);
    await active.commit(id);
    return [{ kind: 'layers', layers: [...base.layers, { snapshotId: id }] }];
  } finally {
    for (const r of releases) await r().catch(() => undefined);
    await active.cleanup().catch(() => undefined);
  }
}

async function copySource(run: OpRun, ref: SolvedRef | undefined, releases: Array<() => Promise<void>>): Promise<CopySource> {
  if (!ref) {
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(`${tmpdir()}/slipway-empty-`);
    releases.push(async () => { const { rm } = await import('node:fs/promises'); await rm(dir, { recursive: true, force: true }); });
    return { dir, excludePatterns: [] };
  }
  if (ref.kind === 'local') return { dir: ref.dir, excludePatterns: ref.excludePatterns, owner: { uid: 0, gid: 0 } };
  const view = await run.env.snapshotter.view(layerDirs(run.env, ref));
  releases.push(() => view.release());
  return { dir: view.path, excludePatterns: [] };
}
