// Where file actions write: a plain root directory, or (upper-dest.ts) the upperdir of an
// overlay snapshot written directly, with the lower layers read in user space instead of
// through a mount. The actions resolve and stat through the tree and announce each write
// before making it, so the upper variant can copy parent directories up the way overlayfs
// would; the writes themselves are plain syscalls on host paths below `root`.
import type { Stats } from 'node:fs';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fsPath } from '../layer/byte-names.js';
import { lstatIfExists } from '../layer/lstat-if-exists.js';
import { resolveInRootSync } from '../layer/root-path.js';

export interface DestTree {
  /** Host directory the writes land in. */
  readonly root: string;
  /** resolveInRootSync through the tree: every symlink followed inside the root. */
  resolve(p: string): string;
  /** lstat of the entry at `host` (below root) as the tree shows it; undefined when absent. */
  lstat(host: string): Stats | undefined;
  /** Called before an entry is created at `host` (nothing is there, or it was removed). */
  beforeCreate(host: string, isDir: boolean): void;
  /** Called before the metadata or content of the existing entry at `host` changes. */
  beforeChange(host: string): void;
  /** rm -rf `host`. */
  remove(host: string): void;
  /** Called before extended attributes are set below root. */
  beforeXattrs(): void;
  /** Refuses work this tree cannot do exactly (the caller then retries on a mounted tree). */
  requireMounted(why: string): void;
}

/** Thrown by a direct tree for a case only a mounted overlay handles exactly. */
export class NeedsMountError extends Error {}

/** A plain directory: what the tree shows is what is on disk. */
export function plainDest(root: string): DestTree {
  return {
    root,
    resolve: (p) => resolveInRootSync(root, p),
    lstat: (host) => lstatIfExists(host),
    beforeCreate: () => undefined,
    beforeChange: () => undefined,
    remove: (host) => rmSync(fsPath(host), { recursive: true, force: true }),
    beforeXattrs: () => undefined,
    requireMounted: () => undefined,
  };
}

export function asDestTree(dest: string | DestTree): DestTree {
  return typeof dest === 'string' ? plainDest(path.resolve(dest)) : dest;
}
