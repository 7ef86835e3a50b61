// type=local and type=tar: the image's final root filesystem (the layer chain flattened,
// whiteouts applied), as a directory or as one tar. Both read a merged view of the chain
// (overlay mount, or a materialized copy where overlayfs is not available). With
// SOURCE_DATE_EPOCH every file's mtime becomes the epoch, as BuildKit's local/tar exporters do.
// type=local writes as BuildKit's client receives it (session/filesync syncTargetDiffCopy): every
// entry owned by the user running the build (its uid/gid; modes, setuid bits included, kept), the
// destination made 0700 if missing and its own mode and owner left alone. type=tar keeps owners.
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, lchownSync, lstatSync, lutimesSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { mustRunTool } from '../solver/layer/run-tool.js';
import { writeLayerTar } from '../solver/layer/write-layer.js';
import type { LayerRef } from '../solver/result.js';
import type { Snapshotter } from '../solver/snapshot/snapshotter.js';
import { writeToDest } from './destination.js';

async function withView<T>(snapshotter: Snapshotter, layers: readonly LayerRef[], fn: (dir: string) => Promise<T>): Promise<T> {
  const view = await snapshotter.view(layers.map((l) => snapshotter.layerDir(l.snapshotId)));
  try {
    return await fn(view.path);
  } finally {
    await view.release();
  }
}

/** `dir/name` as bytes: a name need not be valid UTF-8 (a string path would lose its bytes). */
const child = (dir: Buffer, name: Buffer): Buffer => Buffer.concat([dir, Buffer.from('/'), name]);

/**
 * Fixes the entries of `dest` that the tree `src` has (`dest` itself excluded: it is not one of
 * the entries sent), leaving what `dest` held before alone (fsutil.Receive with Merge):
 * - `owner`: every entry gets it, as fsutil.Receive's filter does for a local output; the mode is
 *   set again after the chown (Lchown then Chmod in fsutil's rewriteMetadata): chown clears the
 *   setuid/setgid bits of a file;
 * - `epoch`: mtime and atime become it, a directory's after its children (writing them must not
 *   bump it again).
 */
function fixCopied(src: Buffer, dest: Buffer, owner: { uid: number; gid: number } | undefined, epoch: number | undefined): void {
  for (const name of readdirSync(src, { encoding: 'buffer' })) {
    const p = child(dest, name);
    const st = lstatSync(p);
    if (owner && (st.uid !== owner.uid || st.gid !== owner.gid)) {
      lchownSync(p, owner.uid, owner.gid);
      if (!st.isSymbolicLink()) chmodSync(p, st.mode & 0o7777);
    }
    if (st.isDirectory()) fixCopied(child(src, name), p, owner, epoch);
    if (epoch !== undefined) lutimesSync(p, epoch, epoch);
  }
}

async function copyRootfs(snapshotter: Snapshotter, layers: readonly LayerRef[], dest: string,
  owner: { uid: number; gid: number } | undefined, epoch: number | undefined): Promise<void> {
  if (layers.length === 0) return;
  await withView(snapshotter, layers, async (dir) => {
    if ((await readdir(dir)).length === 0) return;
    // cp -a keeps owners, modes, times, xattrs, hardlinks and special files (and gives `dest`
    // the root directory's metadata).
    await mustRunTool('cp', ['-a', '--', `${dir}/.`, path.resolve(dest)]);
    if (owner || epoch !== undefined) fixCopied(Buffer.from(dir), Buffer.from(dest), owner, epoch);
  });
}

/**
 * Copies the root filesystem into `dest` (created 0700 if missing; merged over what it holds),
 * every entry owned by `owner` (default: this process's uid/gid, BuildKit's client side).
 */
export async function exportLocal(snapshotter: Snapshotter, layers: readonly LayerRef[], dest: string, epoch?: number,
  owner: { uid: number; gid: number } = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 }): Promise<void> {
  await mkdir(dest, { recursive: true, mode: 0o700 });
  const before = statSync(dest); // a symlink to a directory: that directory
  try {
    await copyRootfs(snapshotter, layers, dest, owner, epoch);
  } finally {
    // The destination itself is not one of the entries sent: its owner and mode stay as they
    // were (cp -a gave it the root's, also when it failed midway). Only what changed is set
    // back: a chown to the same owner of a directory someone else owns fails without root.
    const after = statSync(dest);
    if (after.uid !== before.uid || after.gid !== before.gid) chownSync(dest, before.uid, before.gid);
    if ((after.mode & 0o7777) !== (before.mode & 0o7777) || after.uid !== before.uid || after.gid !== before.gid) {
      chmodSync(dest, before.mode & 0o7777); // after a chown, which clears setgid
    }
  }
}

/** The root filesystem as a tar (sorted, numeric owners; mtimes = `epoch` if given). */
export async function exportRootfsTar(snapshotter: Snapshotter, layers: readonly LayerRef[], dest: string, stdout: Writable,
  epoch?: number): Promise<void> {
  const write = (dir: string): Promise<void> => writeToDest(dest, stdout, (out) => pipeline(writeLayerTar({ upperdir: dir, lowers: [] }), out));
  if (epoch === undefined && layers.length) {
    await withView(snapshotter, layers, write);
    return;
  }
  // A copy whose times can be set (and an empty directory for scratch).
  const tmp = path.join(snapshotter.dir, `.tmp-${process.pid}-rootfs-${randomBytes(6).toString('hex')}`);
  try {
    await mkdir(tmp);
    await copyRootfs(snapshotter, layers, tmp, undefined, epoch); // owners kept
    await write(tmp);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
