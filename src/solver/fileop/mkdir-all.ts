// fsutil's MkdirAll inside a root: missing directories are created with `mode` (under the
// daemon's umask 022, as Go's os.Mkdir in BuildKit), then chowned and stamped; existing ones are left
// alone. The path must already be resolved inside the root (root-path helpers), and a
// symlink met on the way is refused rather than followed.
import { lstatSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fsPath } from '../layer/byte-names.js';
import { isInside } from '../layer/root-path.js';
import type { DestTree } from './dest-tree.js';
import { FileOpError, pathError } from './errors.js';
import { chmodCreated, setFixedTime, setOwner, type Owner } from './fs-meta.js';

/**
 * Returns true when the last directory was created here. `exactMode`: created directories get
 * `mode` itself, whatever the umask (fsutil's parents of a COPY --chmod destination, #228/#248).
 */
export function mkdirAllInRoot(dest: DestTree, host: string, mode: number, owner?: Owner, timestamp?: bigint,
  exactMode = false): boolean {
  const root = dest.root;
  if (!isInside(root, host)) throw new FileOpError(`refusing to create ${host}: outside the root`);
  const rel = path.relative(root, host);
  const comps = rel === '' ? [] : rel.split(path.sep);
  let created = false;
  let cur = root;
  for (const comp of comps) {
    cur = path.join(cur, comp);
    const st = dest.lstat(cur);
    if (st) {
      if (!st.isDirectory()) throw pathError('mkdir', path.relative(root, cur), 'ENOTDIR');
      created = false;
      continue;
    }
    dest.beforeCreate(cur, true);
    mkdirSync(fsPath(cur), mode);
    if (!lstatSync(fsPath(cur)).isDirectory()) throw pathError('mkdir', path.relative(root, cur), 'ENOTDIR');
    chmodCreated(cur, mode, exactMode);
    if (owner) setOwner(cur, owner);
    setFixedTime(cur, timestamp);
    created = true;
  }
  return created;
}
