// --chown names are looked up in the destination's /etc/passwd and /etc/group. Without a
// mounted rootfs, those two files (resolved through the tree) are copied into a small
// directory that stands in for it. Synchronous: two small files.
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { UpperDest } from './upper-dest.js';

/** Fills `dir` with the tree's etc/passwd and etc/group (where they are regular files). */
export function userDbRoot(dest: UpperDest, dir: string): string {
  mkdirSync(path.join(dir, 'etc'), { recursive: true });
  for (const file of ['etc/passwd', 'etc/group']) {
    const content = dest.contentPath(dest.resolve(file));
    if (content) copyFileSync(content, path.join(dir, file));
  }
  return dir;
}
