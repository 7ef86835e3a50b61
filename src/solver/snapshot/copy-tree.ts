// The copying snapshotter's file work: materialize a chain of overlay-format layers as one
// full tree, and write a walking diff back as an overlay-format layer directory (so both
// snapshotters produce the same kind of layer and the same tar).
import type { BigIntStats } from 'node:fs';
import { constants } from 'node:fs';
import { chmod, copyFile, lchown, link, lstat, lutimes, mkdir, readlink, symlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import { fsPath } from '../layer/byte-names.js';
import type { Change } from '../layer/diff-dirs.js';
import { LowerView } from '../layer/lower-view.js';
import { makeNode, makeWhiteout } from '../sys/mknod.js';
import { devNumbers } from '../layer/write-layer.js';
import { readTreeXattrs, writeXattrs, type Xattrs } from '../layer/xattrs.js';

function withoutOverlayXattrs(attrs: Xattrs | undefined): Xattrs | undefined {
  if (!attrs) return undefined;
  const out: Xattrs = new Map([...attrs].filter(([k]) => !k.startsWith('trusted.overlay.') && !k.startsWith('user.overlay.')));
  return out.size ? out : undefined;
}

/**
 * Copies single entries with their metadata; directory times and xattrs are set in finish().
 * Entries that share an inode in the source share one in the copy, unless `keepHardlinks` is
 * false.
 */
class EntryCopier {
  private readonly links = new Map<string, string>();

  constructor(private readonly keepHardlinks = true) {}

  private readonly dirTimes: Array<{ dst: string; mtimeNs: bigint }> = [];
  private readonly xattrs = new Map<string, Xattrs>();
  private readonly sourceXattrs = new Map<string, Promise<Map<string, Xattrs>>>();

  /** Xattrs of `src`, read through one dump of the tree it belongs to. */
  private async xattrsOf(tree: string, src: string): Promise<Xattrs | undefined> {
    let dump = this.sourceXattrs.get(tree);
    if (!dump) {
      dump = readTreeXattrs(tree);
      this.sourceXattrs.set(tree, dump);
    }
    return withoutOverlayXattrs((await dump).get(src));
  }

  async copy(tree: string, src: string, dst: string, st: BigIntStats): Promise<void> {
    const mode = Number(st.mode & 0o7777n);
    if (this.keepHardlinks && !st.isDirectory() && st.nlink > 1n) {
      const key = `${st.dev}:${st.ino}`;
      const first = this.links.get(key);
      if (first) {
        await link(fsPath(first), fsPath(dst));
        return;
      }
      this.links.set(key, dst);
    }
    if (st.isDirectory()) {
      await mkdir(fsPath(dst), 0o700);
    } else if (st.isSymbolicLink()) {
      await symlink(await readlink(fsPath(src), 'buffer'), fsPath(dst));
    } else if (st.isFile()) {
      await copyFile(fsPath(src), fsPath(dst), constants.COPYFILE_FICLONE);
    } else if (st.isCharacterDevice() || st.isBlockDevice()) {
      const { major, minor } = devNumbers(st.rdev);
      await makeNode(dst, st.isCharacterDevice() ? 'c' : 'b', mode & 0o777, major, minor);
    } else if (st.isFIFO()) {
      await makeNode(dst, 'p', mode & 0o777);
    } else {
      return; // sockets
    }
    await lchown(fsPath(dst), Number(st.uid), Number(st.gid));
    if (!st.isSymbolicLink()) await chmod(fsPath(dst), mode);
    const attrs = await this.xattrsOf(tree, src);
    if (attrs) this.xattrs.set(dst, attrs);
    if (st.isDirectory()) this.dirTimes.push({ dst, mtimeNs: st.mtimeNs });
    else await lutimes(fsPath(dst), nsToSeconds(st.atimeNs), nsToSeconds(st.mtimeNs));
  }

  async whiteout(dst: string): Promise<void> {
    await makeWhiteout(dst);
  }

  async finish(): Promise<void> {
    await writeXattrs(this.xattrs);
    this.dirTimes.sort((a, b) => b.dst.length - a.dst.length);
    for (const { dst, mtimeNs } of this.dirTimes) await utimes(fsPath(dst), nsToSeconds(mtimeNs), nsToSeconds(mtimeNs));
  }
}

/** Seconds as a double: sub-microsecond digits are lost, but the same way for every copy. */
function nsToSeconds(ns: bigint): number {
  return Number(ns) / 1e9;
}

/**
 * Copies the merged view of `view` into the existing empty directory `dest`. With
 * `keepHardlinks: false` every name gets its own inode: the tree a RUN writes into behaves as
 * an overlay mount does, where a write to one name of a lower layer's hardlink copies that
 * name up on its own (index=off) and leaves the other names as they were.
 */
export async function materializeView(view: LowerView, dest: string, opts: { keepHardlinks?: boolean } = {}): Promise<void> {
  const copier = new EntryCopier(opts.keepHardlinks ?? true);
  const walk = async (rel: string): Promise<void> => {
    for (const name of await view.readdir(rel)) {
      const p = rel ? `${rel}/${name}` : name;
      const entry = await view.lookup(p);
      if (!entry) continue;
      const layer = view.layers.find((l) => entry.hostPath.startsWith(l + path.sep)) as string;
      const st = await lstat(fsPath(entry.hostPath), { bigint: true });
      await copier.copy(layer, entry.hostPath, path.join(dest, p), st);
      if (st.isDirectory()) await walk(p);
    }
  };
  await walk('');
  await copier.finish();
}

/**
 * Writes `changes` (from diffDirs(lowers, upperTree)) into the empty directory `layerDir` in
 * overlay format: deletes become 0:0 devices, parents are created with the upper's metadata.
 */
export async function writeChangesAsLayer(changes: AsyncIterable<Change>, upperTree: string, layerDir: string): Promise<void> {
  const copier = new EntryCopier();
  const created = new Set<string>(['']);
  const ensureParents = async (rel: string): Promise<void> => {
    const comps = rel.split('/');
    for (let i = 1; i < comps.length; i++) {
      const dir = comps.slice(0, i).join('/');
      if (created.has(dir)) continue;
      await copier.copy(upperTree, path.join(upperTree, dir), path.join(layerDir, dir), await lstat(fsPath(path.join(upperTree, dir)), { bigint: true }));
      created.add(dir);
    }
  };
  for await (const change of changes) {
    await ensureParents(change.path);
    const dst = path.join(layerDir, change.path);
    if (change.kind === 'delete') {
      await copier.whiteout(dst);
    } else if (!created.has(change.path)) {
      await copier.copy(upperTree, path.join(upperTree, change.path), dst,
        change.stat ?? await lstat(fsPath(path.join(upperTree, change.path)), { bigint: true }));
      created.add(change.path);
    }
  }
  await copier.finish();
}
