// Resolves paths inside a root directory the way a chroot would: symlinks (absolute or
// relative) and ".." are evaluated against the root and can never lead out of it
// (busybox installs absolute links like /bin/sh -> /bin/busybox; they must not reach the host).
import { lstatSync } from 'node:fs';
import path from 'node:path';
import { fsPath, readlinkName } from './byte-names.js';
import { isMissing } from './lstat-if-exists.js';
import { resolveWith } from './resolve-with.js';

/**
 * Host path for `p` (interpreted relative to `root`, whether or not it starts with '/'),
 * following every symlink inside the root. Missing components are appended lexically.
 */
export function resolveInRootSync(root: string, p: string): string {
  return path.join(root, ...resolveWith(p, {
    lstat: (rel) => {
      try {
        return lstatSync(fsPath(path.join(root, rel)), { throwIfNoEntry: false });
      } catch (err) {
        if (!isMissing(err)) throw err;
        return undefined;
      }
    },
    readlink: (rel) => readlinkName(path.join(root, rel)),
  }));
}

/** Like resolveInRootSync, but the last component itself is not followed (lstat semantics). */
export function resolveParentInRootSync(root: string, p: string): string {
  const clean = path.posix.normalize('/' + p);
  if (clean === '/') return root;
  return path.join(resolveInRootSync(root, path.posix.dirname(clean)), path.posix.basename(clean));
}

// Async forms for callers off the hot path; the work is a few lstat calls, done synchronously
// because a threadpool round trip per path component costs more than the syscall.
export async function resolveInRoot(root: string, p: string): Promise<string> {
  return resolveInRootSync(root, p);
}

export async function resolveParentInRoot(root: string, p: string): Promise<string> {
  return resolveParentInRootSync(root, p);
}

/**
 * `candidate` relative to `root` ('' for the root itself, '/'-separated), or undefined when it
 * lies outside (lexically). A name that merely starts with ".." (`..cap`) is inside.
 */
export function relativeInside(root: string, candidate: string): string | undefined {
  const rel = path.relative(root, candidate);
  if (rel === '..' || rel.startsWith('../') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}

/** True when `candidate` is `root` or lies below it (lexically). */
export function isInside(root: string, candidate: string): boolean {
  return relativeInside(root, candidate) !== undefined;
}
