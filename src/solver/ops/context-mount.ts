// RUN --mount=type=bind (or a cache seed) from the build context: what BuildKit mounts is
// its local source as transferred, so .dockerignore'd (and not included) files are absent
// and every entry is 0:0 (the client's filesync resets owners, resetUIDAndGID); modes,
// symlinks and contents are the context's. Slipway reads the context in place, so the step
// gets a filtered copy of the selected subtree owned by root.
import { chmodSync, chownSync, lstatSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { makeContextFilter } from '../../context/context-filter.js';
import type { FileActionCopy } from '../../llb/types.js';
import { copy } from '../fileop/copy.js';
import { fsPath, readdirNames } from '../layer/byte-names.js';
import { isInside, resolveInRootSync } from '../layer/root-path.js';
import { visibleInSource } from '../fileop/source-filter.js';
import type { LocalRef } from '../result.js';

/**
 * Copies the part of the context that `selector` names into `dest` (a new directory) and
 * returns the path to mount: `dest` for a directory, the copied file for a file.
 */
export async function materializeContext(ref: LocalRef, selector: string, dest: string): Promise<string> {
  const sel = path.posix.normalize(`/${selector}`);
  // The selector resolves inside the context (BuildKit resolves a mount's subpath in its root).
  const host = resolveInRootSync(ref.dir, sel);
  if (!isInside(ref.dir, host)) throw new Error(`mount selector ${selector} leaves its source`);
  const rel = path.relative(ref.dir, host);
  const st = lstatSync(host, { throwIfNoEntry: false });
  const filter = ref.includePatterns.length || ref.excludePatterns.length
    ? makeContextFilter(ref.includePatterns, ref.excludePatterns)
    : undefined;
  mkdirSync(dest, { mode: 0o755 });
  chmodSync(dest, 0o755);
  if (!st || !visibleInSource(ref.dir, host, filter)) {
    // BuildKit fails to mount a subpath that is not in the transferred context.
    throw new Error(`failed to mount ${sel}: not found in the build context`);
  }
  const action: FileActionCopy = {
    type: 'copy', src: rel === '' ? '/' : `/${rel}`, dest: st.isDirectory() ? '/' : `/${path.basename(host)}`,
    followSymlink: false, dirCopyContents: true, attemptUnpackDockerCompatibility: false, createDestPath: true,
    allowWildcard: false, allowEmptyWildcard: false, includePatterns: [], excludePatterns: [], requiredPaths: [],
    alwaysReplaceExistingDestPaths: false,
  };
  await copy({ srcRoot: ref.dir, destRoot: dest, action, ...(filter ? { srcFilter: filter } : {}), srcOwner: { uid: 0, gid: 0 } });
  if (!st.isDirectory()) return path.join(dest, path.basename(host));
  // The mounted directory itself: the context directory's mode (the root's: 0755), owned by root.
  if (rel !== '') chmodSync(dest, st.mode & 0o7777);
  try {
    chownSync(dest, 0, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
  }
  return dest;
}

/**
 * Whether the context subtree can be mounted in place instead: no patterns to apply, every
 * entry already 0:0 and none a socket (a read-only mount cannot change them; the transfer
 * turns a socket into an empty file, as the copy does).
 */
export function contextUsableInPlace(ref: LocalRef, selector: string): boolean {
  if (ref.includePatterns.length || ref.excludePatterns.length) return false;
  const host = resolveInRootSync(ref.dir, path.posix.normalize(`/${selector}`));
  if (!isInside(ref.dir, host)) return false;
  const stack = [host];
  while (stack.length > 0) {
    const p = stack.pop()!;
    const st = lstatSync(fsPath(p), { throwIfNoEntry: false });
    if (!st) {
      if (p === host) return false; // absent: materializeContext reports it
      continue; // removed meanwhile
    }
    if (st.uid !== 0 || st.gid !== 0 || st.isSocket()) return false;
    if (st.isDirectory()) for (const name of readdirNames(p)) stack.push(path.join(p, name));
  }
  return true;
}
