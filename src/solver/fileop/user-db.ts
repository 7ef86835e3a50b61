// --chown names are looked up in /etc/passwd and /etc/group of the file op's base input: llb
// marshals every action's named user with the index of the state the action chain starts
// from (fileop.go: st.base), and BuildKit's FileOpSolver reads that input's immutable ref, so
// an earlier action of the same op that writes /etc/passwd (`COPY --chown=app passwd f /etc/`)
// does not change whom a later action's name means. Before the first action runs, those two
// files (resolved through the tree) are copied into a small directory that stands in for that
// rootfs. A directory in their place stays a directory, so reading it fails as BuildKit's
// does. Synchronous: two small files.
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ChownOpt, FileAction } from '../../llb/types.js';
import { fsPath } from '../layer/byte-names.js';
import type { DestTree } from './dest-tree.js';
import { UpperDest } from './upper-dest.js';

/** Fills `dir` with the tree's etc/passwd and etc/group as they are now; returns `dir`. */
export function userDbRoot(dest: DestTree, dir: string): string {
  mkdirSync(path.join(dir, 'etc'), { recursive: true });
  for (const file of ['etc/passwd', 'etc/group']) {
    const host = dest.resolve(file);
    const st = dest.lstat(host);
    if (!st) continue;
    if (st.isDirectory()) {
      mkdirSync(path.join(dir, file));
      continue;
    }
    const content = dest instanceof UpperDest ? dest.contentPath(host) : st.isFile() ? host : undefined;
    if (content) copyFileSync(fsPath(content), path.join(dir, file));
  }
  return dir;
}

function named(o: ChownOpt | undefined): boolean {
  return (o?.user !== undefined && 'name' in o.user) || (o?.group !== undefined && 'name' in o.group);
}

/** Whether any action looks a user or group name up. */
export function looksUpNames(actions: FileAction[]): boolean {
  return actions.some(({ action: a }) => a.type !== 'rm' && named(a.owner));
}
