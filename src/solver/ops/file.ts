// File op: the actions applied in order by src/solver/fileop to the first action's input (or
// scratch), the changes committed as one new layer. COPY sources are read in place: the
// context directory through its include/exclude filter (its files arrive owned 0:0, as
// BuildKit's context transfer makes them), or a read-only merged view of a layer chain.
//
// The layer is first written directly as an overlay upperdir (fileop/upper-dest.ts: no
// mount, no xattr dump); a case that needs the kernel's overlay semantics, or any error,
// discards that attempt and runs the actions again on a mounted overlay, so results and
// error messages are the mounted path's.
import { mkdtemp, rm as rmDir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeContextFilter } from '../../context/context-filter.js';
import type { ChownOpt, FileOp } from '../../llb/types.js';
import { copy, mkdir, mkfile, resolveChown, rm, symlink, type Owner, type SourceFilter } from '../fileop/index.js';
import { plainDest, type DestTree } from '../fileop/dest-tree.js';
import { UpperDest } from '../fileop/upper-dest.js';
import { looksUpNames, userDbRoot } from '../fileop/user-db.js';
import type { LayersRef, LocalRef } from '../result.js';
import { viewSource, type SourceTree } from '../fileop/source-tree.js';
import type { DirectSnapshot } from '../snapshot/snapshotter.js';
import { buildTempDir, layerDirs, requireLayers, type OpRun } from './context.js';

interface CopySource {
  dir: string | SourceTree;
  filter?: SourceFilter;
  /** Owner of every source entry (context files: 0:0), used when the action gives no chown. */
  owner?: Owner;
}

type Releases = Array<() => Promise<void>>;

export async function solveFile(run: OpRun, op: FileOp): Promise<LayersRef[]> {
  const { env, inputs } = run;
  const n = inputs.length;
  const first = op.actions[0];
  if (!first) throw new Error('file op without actions');
  op.actions.forEach((a, k) => {
    if (k > 0 && a.input !== n + k - 1) throw new Error('file op: only a linear chain of actions is supported');
  });
  const base = first.input >= 0 ? requireLayers(inputs[first.input], 'file op input') : { kind: 'layers' as const, layers: [] };
  const chain = layerDirs(env, base);
  const id = run.snapshotId(0);
  const result: LayersRef[] = [{ kind: 'layers', layers: [...base.layers, { snapshotId: id }] }];
  if (await solveDirect(run, op, chain, id)) return result;

  const active = await env.snapshotter.prepare(chain);
  const releases: Releases = [];
  try {
    const views = new Map<LayersRef, Promise<CopySource>>();
    const layerSource = (ref: LayersRef): Promise<CopySource> => {
      let view = views.get(ref);
      if (!view) views.set(ref, view = mountedSource(run, ref, releases));
      return view;
    };
    const dest = plainDest(active.mountpoint);
    const userDb = async (): Promise<string> => {
      // Under <root>/tmp with our pid: a build killed here leaves it for pruneStaleTemp.
      const dir = buildTempDir(run.env.root, 'userdb');
      releases.push(() => rmDir(dir, { recursive: true, force: true }));
      return userDbRoot(dest, dir);
    };
    await applyActions(run, op, dest, userDb, layerSource, releases);
    for (const r of releases.splice(0)) await r();
    await active.commit(id);
    return result;
  } finally {
    for (const r of releases) await r().catch(() => undefined);
    await active.cleanup().catch(() => undefined);
  }
}

/** The direct attempt; false when the mounted path must do the work instead. */
async function solveDirect(run: OpRun, op: FileOp, chain: string[], id: string): Promise<boolean> {
  let snap: DirectSnapshot;
  try {
    snap = await run.env.snapshotter.prepareDirect(chain);
  } catch {
    run.env.signal.throwIfAborted();
    return false;
  }
  const releases: Releases = [];
  try {
    const dest = new UpperDest(snap.upperdir, snap.lowers);
    const userDb = async (): Promise<string> => userDbRoot(dest, path.join(snap.scratch, 'userdb'));
    // Layer sources are read through a view merged in user space, below a root that does not
    // exist on disk (every read goes through the tree).
    const views = new Map<LayersRef, Promise<SourceTree>>();
    const layerSource = async (ref: LayersRef): Promise<CopySource> => {
      let tree = views.get(ref);
      if (!tree) {
        const root = path.join(snap.scratch, `view-${views.size}`);
        views.set(ref, tree = run.env.snapshotter.readView(layerDirs(run.env, ref))
          .then((v) => viewSource(v, root, (l) => snap.layerXattrs(l))));
      }
      return { dir: await tree };
    };
    await applyActions(run, op, dest, userDb, layerSource, releases);
    await dest.finish((e) => snap.lowerXattrs(e));
    for (const r of releases.splice(0)) await r();
    await snap.commit(id, { xattrsWritten: dest.wroteXattrs });
    return true;
  } catch {
    // NeedsMountError or a real failure: either way the mounted run decides.
    run.env.signal.throwIfAborted();
    return false;
  } finally {
    for (const r of releases) await r().catch(() => undefined);
    await snap.cleanup().catch(() => undefined);
  }
}

async function applyActions(run: OpRun, op: FileOp, dest: DestTree, userDb: () => Promise<string>,
  layerSource: (ref: LayersRef) => Promise<CopySource>, releases: Releases): Promise<void> {
  const { env, inputs } = run;
  const n = inputs.length;
  // --chown names resolve in the op's base input, the tree before any action ran (user-db.ts):
  // its passwd and group are set aside first, and only when some action names a user or group.
  const db = looksUpNames(op.actions) ? await userDb() : undefined;
  const chown = (o: ChownOpt | undefined): Promise<Owner | undefined> => resolveChown(o, () => db);
  for (const a of op.actions) {
    env.signal.throwIfAborted();
    const act = a.action;
    switch (act.type) {
      case 'copy': {
        const ref = a.secondaryInput >= 0 && a.secondaryInput < n ? inputs[a.secondaryInput] : undefined;
        const src = ref?.kind === 'layers' ? await layerSource(ref) : await copySource(ref, releases);
        const owner = await chown(act.owner);
        await copy({
          srcRoot: src.dir, destRoot: dest, action: act, signal: env.signal,
          ...(src.filter ? { srcFilter: src.filter } : {}), ...(owner ? { owner } : {}),
          ...(src.owner ? { srcOwner: src.owner } : {}),
        });
        break;
      }
      case 'mkdir': await mkdir(dest, act, await chown(act.owner)); break;
      case 'mkfile': await mkfile(dest, act, await chown(act.owner)); break;
      case 'rm': await rm(dest, act); break;
      case 'symlink': await symlink(dest, act, await chown(act.owner)); break;
    }
  }
}

/** No input (an empty directory) or the build context. */
async function copySource(ref: LocalRef | undefined, releases: Releases): Promise<CopySource> {
  if (!ref) {
    const dir = await mkdtemp(path.join(tmpdir(), 'slipway-empty-'));
    releases.push(() => rmDir(dir, { recursive: true, force: true }));
    return { dir };
  }
  return { dir: ref.dir, filter: makeContextFilter(ref.includePatterns, ref.excludePatterns), owner: { uid: 0, gid: 0 } };
}

/** A layer chain through a mounted read-only view. */
async function mountedSource(run: OpRun, ref: LayersRef, releases: Releases): Promise<CopySource> {
  const view = await run.env.snapshotter.view(layerDirs(run.env, ref));
  releases.push(() => view.release());
  return { dir: view.path };
}
