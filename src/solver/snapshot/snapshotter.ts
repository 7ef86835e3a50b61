// Snapshots as directories: <root>/snapshots/<id>/fs is one layer in overlay format (whiteouts
// as 0:0 devices, opaque directories marked by xattr), usable directly as an overlayfs
// lowerdir. A chain of them is a root filesystem. New snapshots are built in
// <root>/snapshots/.tmp-<pid>-<rand>/ and renamed into place, so a crash never leaves a
// half snapshot under its id; stale temp dirs of dead processes are removed on open.
//
// Two implementations behind one interface:
//  - overlay: prepare() mounts overlayfs (lowers = the chain, a fresh upperdir); commit
//    unmounts and keeps the upperdir as the new layer.
//  - copy: for hosts where overlayfs cannot be mounted: prepare() copies the merged chain
//    twice (a pristine base and the working tree); commit walks both and writes the changes
//    as an overlay-format layer, so the layer tar is the same as overlay's.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { chmodSync, lchownSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { applyLayer, type ApplyLayerResult } from '../layer/apply-layer.js';
import { diffDirs } from '../layer/diff-dirs.js';
import { LowerView, opaqueDirsIn, type LowerEntry } from '../layer/lower-view.js';
import { mustRunTool } from '../layer/run-tool.js';
import { writeLayerTar } from '../layer/write-layer.js';
import { readTreeXattrs, readXattrs, xattrRecord, xattrsFromRecord, type XattrRecord, type Xattrs } from '../layer/xattrs.js';
import { materializeView, writeChangesAsLayer } from './copy-tree.js';
import { mountOverlay, mountsUnder, unmount } from './overlay-mount.js';
import { overlaySupported } from './overlay-support.js';
import { processAlive } from '../../store/process-alive.js';
import type { LayerMeta } from '../result.js';

export type SnapshotterKind = 'overlay' | 'copy';

export interface ActiveSnapshot {
  /** The root filesystem to run in. */
  readonly mountpoint: string;
  /** Where changes land: the overlay upperdir, or (copy) the working tree itself. */
  readonly upperdir: string;
  /** Unmounts and keeps the changes as snapshot `id`; returns its layer directory. */
  commit(id: string): Promise<string>;
  /**
   * Unmounts and throws the changes away. Safe to call more than once, and after commit,
   * when it waits for the removal of the mount's own directories, which commit only starts.
   */
  cleanup(): Promise<void>;
}

/**
 * A new layer written directly as an upperdir, without a mount: the writer reads the lower
 * layers through `lowers` and must leave the upperdir exactly as overlayfs would have.
 */
export interface DirectSnapshot {
  readonly upperdir: string;
  /** The chain below, newest first, preloaded for synchronous lookups. */
  readonly lowers: LowerView;
  /** A path inside the snapshot's temp dir for the writer's own files (created on demand), removed with it. */
  readonly scratch: string;
  /**
   * A layer directory's xattr record (as Snapshotter.layerXattrs), read once per snapshot:
   * for the writer's layer-chain sources too, which share layers with the chain below.
   */
  layerXattrs(layerDir: string): Promise<Map<string, Xattrs> | undefined>;
  /** Xattrs of a lower entry (from its layer's record when there is one). */
  lowerXattrs(entry: LowerEntry): Promise<Xattrs>;
  /**
   * Keeps the upperdir as snapshot `id`. Without `xattrsWritten` the writer vouches that
   * nothing below the upperdir has xattrs, so no dump is taken.
   */
  commit(id: string, opts: { xattrsWritten: boolean }): Promise<string>;
  cleanup(): Promise<void>;
}

export interface SnapshotterOptions {
  /** 'auto' (default) mounts overlayfs when the host allows it, else copies. */
  kind?: SnapshotterKind | 'auto';
}

/** Next to each snapshot's fs/: JSON list of its opaque directories (relative paths). */
const OPAQUE_RECORD = 'opaque.json';

// A list of a few names: read synchronously (see newTemp).
async function readOpaqueRecord(layerDir: string): Promise<Set<string> | undefined> {
  try {
    const list = JSON.parse(readFileSync(path.join(layerDir, '..', OPAQUE_RECORD), 'utf8')) as unknown;
    return Array.isArray(list) ? new Set(list.map(String)) : undefined;
  } catch {
    return undefined;
  }
}

/** Next to each snapshot's fs/: what is memoized about its layer (../layer-meta.ts). */
const LAYER_META = 'layer.json';

/** Next to an overlay-committed snapshot's fs/: its xattr dump (paths relative to fs/). */
const XATTR_RECORD = 'xattrs.json';

// Read synchronously too: the parse runs on the main thread either way, and the read of a
// file this size is shorter than a threadpool round trip.
async function readXattrRecord(layerDir: string): Promise<Map<string, Xattrs> | undefined> {
  try {
    return xattrsFromRecord(layerDir, JSON.parse(readFileSync(path.join(layerDir, '..', XATTR_RECORD), 'utf8')) as XattrRecord);
  } catch {
    return undefined;
  }
}

/**
 * A snapshot's fs/ directory: the root of the step's rootfs (overlay takes the root's mode
 * and owner from the upperdir), so 0755 whatever this process's umask, as under buildkitd's
 * 022 (under umask 077 it was 0700, and a RUN as a non-root USER could not reach anything).
 * Like containerd's overlay snapshotter (createSnapshot), it takes the owner of the parent
 * snapshot's fs/ (`chain`'s newest layer): a `RUN chown 1000 /` holds for later steps, a
 * chmod of / does not.
 */
function mkdirRoot(dir: string, chain: readonly string[] = []): void {
  mkdirSync(dir, 0o755);
  chmodSync(dir, 0o755);
  const parent = chain[chain.length - 1];
  if (parent !== undefined) inheritOwner(dir, parent);
}

function inheritOwner(dir: string, from: string): void {
  const st = statSync(from);
  if (st.uid !== 0 || st.gid !== 0) lchownSync(dir, st.uid, st.gid);
}

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

function checkId(id: string): void {
  if (!ID_RE.test(id) || id.length > 200) throw new Error(`invalid snapshot id ${JSON.stringify(id)}`);
}

/** rm -rf a temp dir, refusing while anything is still mounted below it. */
async function removeTemp(tmp: string): Promise<void> {
  const mounts = await mountsUnder(tmp);
  if (mounts.length) throw new Error(`refusing to remove ${tmp}: still mounted at ${mounts.join(', ')}`);
  await rm(tmp, { recursive: true, force: true });
}

export class Snapshotter {
  readonly dir: string;

  private resolvedKind: SnapshotterKind | undefined;

  private constructor(root: string, private readonly kindReady: Promise<SnapshotterKind>) {
    this.dir = path.join(root, 'snapshots');
    kindReady.then((k) => { this.resolvedKind = k; }, () => undefined);
  }

  /** The implementation; for a snapshotter from openEarly(), known once its probe is done. */
  get kind(): SnapshotterKind {
    if (!this.resolvedKind) throw new Error('the snapshotter is still probing overlayfs support');
    return this.resolvedKind;
  }

  /** Opens (creating) `<root>/snapshots`, picks the implementation, removes stale temp dirs. */
  static async open(root: string, opts: SnapshotterOptions = {}): Promise<Snapshotter> {
    const s = await Snapshotter.openEarly(root, opts);
    await s.kindReady;
    return s;
  }

  /**
   * As open(), without waiting for the overlayfs probe (a mount and an unmount in a new root):
   * prepare() and view() wait for it, while unpack(), has() and diff(), which need no mount,
   * can start at once (a base image is pulled and unpacked meanwhile).
   */
  static async openEarly(root: string, opts: SnapshotterOptions = {}): Promise<Snapshotter> {
    const dir = path.join(root, 'snapshots');
    await mkdir(dir, { recursive: true });
    const kind = opts.kind ?? 'auto';
    const ready: Promise<SnapshotterKind> = kind !== 'auto' ? Promise.resolve(kind)
      : overlaySupported(dir, path.join(root, 'cache', 'overlay-probe.json')).then((ok) => (ok ? 'overlay' : 'copy'));
    const s = new Snapshotter(root, ready);
    await s.pruneStale();
    return s;
  }

  layerDir(id: string): string {
    checkId(id);
    return path.join(this.dir, id, 'fs');
  }

  async has(id: string): Promise<boolean> {
    try {
      return (await stat(this.layerDir(id))).isDirectory();
    } catch {
      return false;
    }
  }

  async remove(id: string): Promise<void> {
    checkId(id);
    // Rename first so a concurrent reader never sees a half-deleted snapshot under its id.
    const doomed = path.join(this.dir, `.tmp-${process.pid}-rm-${randomBytes(6).toString('hex')}`);
    try {
      await rename(path.join(this.dir, id), doomed);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    await rm(doomed, { recursive: true, force: true });
  }

  // The small metadata calls around a snapshot are synchronous: a few microseconds each,
  // where a threadpool round trip can wait behind other work's fsyncs.
  private newTemp(): string {
    const tmp = this.tempName();
    mkdirSync(tmp);
    return tmp;
  }

  /** A temp dir's name: this process's, so that pruneStale() removes it once the process is gone. */
  private tempName(): string {
    return path.join(this.dir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  }

  /** A view of `chain` (oldest first) that reads opaque-directory records instead of walking. */
  private lowerView(chain: readonly string[]): LowerView {
    return new LowerView([...chain].reverse(), readOpaqueRecord);
  }

  /**
   * A read-only view of `chain` (oldest first) merged in user space, preloaded for
   * synchronous lookups: the mount-free counterpart of view().
   */
  async readView(chain: readonly string[]): Promise<LowerView> {
    const view = this.lowerView(chain);
    await view.preload();
    return view;
  }

  /** A layer directory's xattrs as recorded when it was committed; undefined without a record. */
  layerXattrs(layerDir: string): Promise<Map<string, Xattrs> | undefined> {
    return readXattrRecord(layerDir);
  }

  /**
   * Moves a finished temp dir into place as `id` (if another writer won, keeps theirs),
   * recording the layer's opaque directories next to it first.
   */
  private async publish(tmp: string, id: string, opaqueDirs: readonly string[]): Promise<string> {
    writeFileSync(path.join(tmp, OPAQUE_RECORD), JSON.stringify([...opaqueDirs].sort()));
    const final = path.join(this.dir, id);
    try {
      renameSync(tmp, final);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      await rm(tmp, { recursive: true, force: true });
    }
    return path.join(final, 'fs');
  }

  /** Removes temp dirs left by processes that died (unmounting what they left mounted). */
  async pruneStale(): Promise<void> {
    for (const name of await readdir(this.dir)) {
      const m = /^\.tmp-(\d+)-/.exec(name);
      if (!m || processAlive(Number(m[1]))) continue;
      const tmp = path.join(this.dir, name);
      for (const mp of await mountsUnder(tmp)) await unmount(mp).catch(() => undefined);
      await removeTemp(tmp).catch(() => undefined);
    }
  }

  /**
   * Unpacks a layer tar (plain/gzip/zstd) on top of `chain` (layer dirs, oldest first) as
   * snapshot `id`, whiteouts kept in overlay form. `memo` (a base layer's diffID and registry
   * blob) is written as its layer.json before the snapshot appears, so that no crash leaves
   * the layer without it: its export would rebuild the tar from the directory, another diffID.
   */
  async unpack(id: string, chain: readonly string[], tar: AsyncIterable<Uint8Array>,
    onWarning?: (message: string) => void, diffID?: string, memo?: LayerMeta): Promise<{ layerDir: string } & ApplyLayerResult> {
    checkId(id);
    // A stream that fails to open (its blob deleted meanwhile) errors before applyLayer starts
    // reading it: keep that error for the iteration to throw, instead of an unhandled 'error'
    // event killing the process.
    if (tar instanceof EventEmitter) tar.on('error', () => undefined);
    const tmp = this.newTemp();
    try {
      const fs = path.join(tmp, 'fs');
      // Synchronous: on the thread pool it waited behind the blob's own write and fsync.
      mkdirRoot(fs, chain);
      const res = await applyLayer(tar, fs, {
        whiteouts: 'overlay', lowers: this.lowerView(chain), ...(onWarning ? { onWarning } : {}), ...(diffID ? { diffID } : {}),
      });
      // Inside the private temp dir, published with it by one rename: no temp name needed, and
      // no fsync (the snapshot's files are not synced either; a kill cannot separate them).
      if (memo) writeFileSync(path.join(tmp, LAYER_META), JSON.stringify(memo));
      return { layerDir: await this.publish(tmp, id, res.opaqueDirs), ...res };
    } catch (err) {
      await removeTemp(tmp);
      throw err;
    }
  }

  /**
   * The OCI layer tar for `layerDir` on top of `chain` (oldest first). Its entries carry
   * security.capability only, like BuildKit's (containerd's ChangeWriter): other xattrs a step
   * set stay in the snapshot, seen by later steps, but not in the exported layer.
   */
  diff(layerDir: string, chain: readonly string[], opts: { epoch?: number } = {}): Readable {
    return writeLayerTar({ upperdir: layerDir, lowers: this.lowerView(chain), ...opts, xattrs: 'capability',
      knownXattrs: () => readXattrRecord(layerDir) });
  }

  /**
   * A read-only view of `chain` (oldest first), e.g. the source of COPY --from or a
   * read-only bind mount. Overlay needs two lower directories without an upper, so an
   * empty one goes at the bottom.
   */
  async view(chain: readonly string[]): Promise<{ path: string; release(): Promise<void> }> {
    const kind = await this.kindReady;
    const tmp = this.newTemp();
    const target = path.join(tmp, 'merged');
    try {
      await mkdir(target);
      if (kind === 'overlay') {
        await mkdir(path.join(tmp, 'empty'));
        await mountOverlay({ base: tmp, lowers: [...[...chain].reverse(), path.join(tmp, 'empty')], target });
      } else {
        await materializeView(this.lowerView(chain), target);
      }
    } catch (err) {
      for (const mp of await mountsUnder(tmp)) await unmount(mp).catch(() => undefined);
      await removeTemp(tmp);
      throw err;
    }
    let released = false;
    return {
      path: target,
      release: async () => {
        if (released) return;
        released = true;
        if (kind === 'overlay') await unmount(target);
        await removeTemp(tmp);
      },
    };
  }

  /** An empty upperdir over `chain` (layer dirs, oldest first), written without a mount. */
  async prepareDirect(chain: readonly string[]): Promise<DirectSnapshot> {
    const tmp = this.newTemp();
    const upperdir = path.join(tmp, 'fs');
    const scratch = path.join(tmp, 'scratch');
    const lowers = this.lowerView(chain);
    try {
      mkdirRoot(upperdir, chain);
      await lowers.preload();
    } catch (err) {
      await removeTemp(tmp);
      throw err;
    }
    const records = new Map<string, Promise<Map<string, Xattrs> | undefined>>();
    const layerXattrs = (layerDir: string): Promise<Map<string, Xattrs> | undefined> => {
      let record = records.get(layerDir);
      if (!record) records.set(layerDir, record = readXattrRecord(layerDir));
      return record;
    };
    let done = false;
    let published = false;
    return {
      upperdir,
      lowers,
      scratch,
      layerXattrs,
      lowerXattrs: async (entry) => {
        const known = await layerXattrs(entry.layer);
        return known ? known.get(entry.hostPath) ?? new Map() : readXattrs(entry.hostPath);
      },
      commit: async (id, opts) => {
        checkId(id);
        if (done) throw new Error('snapshot already committed or cleaned up');
        done = true;
        try {
          rmSync(scratch, { recursive: true, force: true });
          const dump = opts.xattrsWritten ? await readTreeXattrs(upperdir) : new Map<string, Xattrs>();
          writeFileSync(path.join(tmp, XATTR_RECORD), JSON.stringify(xattrRecord(upperdir, dump)));
          const layerDir = await this.publish(tmp, id, [...opaqueDirsIn(upperdir, dump)]);
          published = true;
          return layerDir;
        } catch (err) {
          await removeTemp(tmp);
          throw err;
        }
      },
      cleanup: async () => {
        done = true;
        // Nothing is ever mounted below a direct snapshot: a plain rm will do.
        if (!published) await rm(tmp, { recursive: true, force: true });
      },
    };
  }

  /**
   * A writable root filesystem over `chain` (layer dirs, oldest first). Once the overlayfs
   * probe is done, the mount request is out when this returns: the caller's synchronous
   * work overlaps the mount.
   */
  async prepare(chain: readonly string[]): Promise<ActiveSnapshot> {
    const kind = this.resolvedKind ?? await this.kindReady;
    const tmp = this.newTemp();
    try {
      return kind === 'overlay' ? await this.prepareOverlay(tmp, chain) : await this.prepareCopy(tmp, chain);
    } catch (err) {
      for (const mp of await mountsUnder(tmp)) await unmount(mp).catch(() => undefined);
      await removeTemp(tmp);
      throw err;
    }
  }

  private async prepareOverlay(tmp: string, chain: readonly string[]): Promise<ActiveSnapshot> {
    const upperdir = path.join(tmp, 'fs');
    // The mount's own directories (workdir, mountpoint, lower links) are kept together in m/:
    // after the unmount one rename takes them out of the snapshot, and they are removed in
    // the background (a dozen metadata calls on ext4 took ~1 ms of every step).
    const scratch = path.join(tmp, 'm');
    const mountpoint = path.join(scratch, 'merged');
    mkdirRoot(upperdir, chain);
    mkdirSync(scratch);
    for (const d of ['work', 'merged']) mkdirSync(path.join(scratch, d));
    // overlayfs needs a lower directory even for FROM scratch.
    if (!chain.length) mkdirSync(path.join(scratch, 'empty'));
    const lowers = chain.length ? [...chain].reverse() : [path.join(scratch, 'empty')];
    await mountOverlay({ base: scratch, lowers, upper: '../fs', work: 'work', target: mountpoint });
    let unmounted: Promise<void> | undefined;
    // Shared by the commit's dump and a release; a failed unmount is tried again by the next.
    const unmountOnce = (): Promise<void> => (unmounted ??= unmount(mountpoint).catch((err: unknown) => {
      unmounted = undefined;
      throw err;
    }));
    let removal: Promise<void> | undefined;
    const release = async (): Promise<void> => {
      await unmountOnce();
      if (removal) return;
      // A temp dir of its own, so pruneStale() finds it if this process dies first.
      const trash = this.tempName();
      renameSync(scratch, trash);
      // A failure leaves it to a later process's pruneStale().
      removal = rm(trash, { recursive: true, force: true }).catch(() => undefined);
    };
    const settle = (): Promise<void> => removal ?? Promise.resolve();
    // One xattr dump of the upperdir: its opaque directories, recorded with the layer so later
    // diffs need no walk, and all of it for the layer tar at export (no second getfattr run).
    // The dump reads the upperdir itself, not the mount: the unmount goes to the syscall
    // helper with it, one round trip for both.
    const opaque = async (): Promise<string[]> => {
      const [dump] = await Promise.all([readTreeXattrs(upperdir), unmountOnce()]);
      writeFileSync(path.join(tmp, XATTR_RECORD), JSON.stringify(xattrRecord(upperdir, dump)));
      return [...opaqueDirsIn(upperdir, dump)];
    };
    return this.active(tmp, mountpoint, upperdir, release, opaque, settle);
  }

  private async prepareCopy(tmp: string, chain: readonly string[]): Promise<ActiveSnapshot> {
    const base = path.join(tmp, 'base');
    const mountpoint = path.join(tmp, 'merged');
    mkdirRoot(base, chain);
    // Hardlinks of the lower layers are not kept: under overlay, writing through one name
    // copies it up alone, the other names keep the old content (run-links, run-debian-base).
    await materializeView(this.lowerView(chain), base, { keepHardlinks: false });
    // cp -a keeps nanosecond times, owners, xattrs and hardlinks, so base and merged start equal.
    await mustRunTool('cp', ['-a', '--', `${base}/.`, mountpoint]);
    const release = async (): Promise<void> => {
      await Promise.all(['base', 'merged'].map((d) => rm(path.join(tmp, d), { recursive: true, force: true })));
    };
    const materialize = async (): Promise<string[]> => {
      const fs = path.join(tmp, 'fs');
      mkdirRoot(fs, [mountpoint]); // the step's root, owner included (the overlay upperdir's)
      await writeChangesAsLayer(diffDirs(base, mountpoint), mountpoint, fs);
      return []; // a walking diff expresses removals as whiteouts, never as opaque dirs
    };
    return this.active(tmp, mountpoint, mountpoint, release, materialize);
  }

  /**
   * `release` unmounts and removes what is not the layer, or starts removing it: then
   * `settled` is when that is done.
   */
  private active(tmp: string, mountpoint: string, upperdir: string, release: () => Promise<void>,
    beforeRelease: () => Promise<string[]>, settled: () => Promise<void> = () => Promise.resolve()): ActiveSnapshot {
    let done = false;
    return {
      mountpoint,
      upperdir,
      commit: async (id: string) => {
        checkId(id);
        if (done) throw new Error('snapshot already committed or cleaned up');
        done = true;
        try {
          const opaqueDirs = await beforeRelease();
          await release();
          return await this.publish(tmp, id, opaqueDirs);
        } catch (err) {
          await release().catch(() => undefined);
          await removeTemp(tmp);
          throw err;
        }
      },
      cleanup: async () => {
        if (!done) {
          done = true;
          await release();
        }
        await settled();
        await removeTemp(tmp);
      },
    };
  }
}
