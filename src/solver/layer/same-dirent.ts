// continuity's sameDirent: does an entry only look changed (a copy-up, or a copy of an
// unchanged file)? Directories compare by type, mode, owner and device number; other
// entries also by size and mtime, and by content when both mtimes lack nanoseconds
// (typical after a tar extraction, where the mtime cannot tell).
import type { BigIntStats } from 'node:fs';
import { readlink, open } from 'node:fs/promises';
import { fsPath } from './byte-names.js';
import { readXattrs } from './xattrs.js';

const NS = 1_000_000_000n;

export async function sameFileContent(a: string, b: string): Promise<boolean> {
  const [fa, fb] = await Promise.all([open(fsPath(a), 'r'), open(fsPath(b), 'r')]);
  try {
    const ba = Buffer.alloc(64 * 1024);
    const bb = Buffer.alloc(64 * 1024);
    for (;;) {
      const [ra, rb] = await Promise.all([fa.read(ba, 0, ba.length), fb.read(bb, 0, bb.length)]);
      if (ra.bytesRead !== rb.bytesRead) return false;
      if (ra.bytesRead === 0) return true;
      if (!ba.subarray(0, ra.bytesRead).equals(bb.subarray(0, rb.bytesRead))) return false;
    }
  } finally {
    await Promise.all([fa.close(), fb.close()]);
  }
}

/**
 * `upperCaps` is the upper entry's security.capability (null: it has none), compared with the
 * base's like BuildKit's compareCapabilities, both ways: a chown (even to the same owner)
 * clears them on the copy-up, which is then a change. Compared last, once everything else
 * matched (the same answer; only that rare case reads the base's xattrs); directories are
 * not compared (capabilities are a file's). Undefined: capabilities are not compared (the
 * copying snapshotter's full-tree differ, where a read per unchanged file would be the cost).
 */
export async function sameDirent(base: BigIntStats, basePath: string, upper: BigIntStats, upperPath: string,
  upperCaps?: Buffer | null): Promise<boolean> {
  if (base.mode !== upper.mode || base.uid !== upper.uid || base.gid !== upper.gid || base.rdev !== upper.rdev) return false;
  if (upper.isDirectory()) return true;
  if (!(await sameContent(base, basePath, upper, upperPath))) return false;
  if (upperCaps === undefined) return true;
  const baseCaps = (await readXattrs(basePath)).get('security.capability');
  return baseCaps === undefined ? upperCaps === null : upperCaps !== null && baseCaps.equals(upperCaps);
}

async function sameContent(base: BigIntStats, basePath: string, upper: BigIntStats, upperPath: string): Promise<boolean> {
  if (base.size !== upper.size || base.mtimeNs / NS !== upper.mtimeNs / NS) return false;
  if (base.mtimeNs % NS !== 0n || upper.mtimeNs % NS !== 0n) return base.mtimeNs === upper.mtimeNs;
  if (upper.isSymbolicLink()) {
    const [t1, t2] = await Promise.all([readlink(fsPath(basePath), 'buffer'), readlink(fsPath(upperPath), 'buffer')]);
    return t1.equals(t2);
  }
  if (!upper.isFile() || upper.size === 0n) return true;
  return sameFileContent(basePath, upperPath);
}
