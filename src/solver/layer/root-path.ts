// Resolves paths inside a root directory the way a chroot would: symlinks (absolute or
// relative) and ".." are evaluated against the root and can never lead out of it
// (busybox installs absolute links like /bin/sh -> /bin/busybox; they must not reach the host).
import { lstatSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { isMissing } from './lstat-if-exists.js';

const MAX_SYMLINKS = 255;

function parts(p: string): string[] {
  return p.split('/').filter((c) => c !== '' && c !== '.');
}

/**
 * Host path for `p` (interpreted relative to `root`, whether or not it starts with '/'),
 * following every symlink inside the root. Missing components are appended lexically.
 */
export function resolveInRootSync(root: string, p: string): string {
  const resolved: string[] = [];
  const queue = parts(p);
  let hops = 0;
  while (queue.length > 0) {
    const comp = queue.shift() as string;
    if (comp === '..') {
      resolved.pop();
      continue;
    }
    const candidate = path.join(root, ...resolved, comp);
    let st;
    try {
      st = lstatSync(candidate, { throwIfNoEntry: false });
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
    if (!st) {
      resolved.push(comp);
      // Nothing below a missing component can be a symlink: finish lexically.
      for (const rest of queue) {
        if (rest === '..') resolved.pop();
        else resolved.push(rest);
      }
      break;
    }
    if (st.isSymbolicLink()) {
      if (++hops > MAX_SYMLINKS) throw Object.assign(new Error(`too many levels of symbolic links: ${p}`), { code: 'ELOOP' });
      const target = readlinkSync(candidate);
      if (target.startsWith('/')) resolved.length = 0;
      queue.unshift(...parts(target));
      continue;
    }
    resolved.push(comp);
  }
  return path.join(root, ...resolved);
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

/** True when `candidate` is `root` or lies below it (lexically). */
export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (rel !== '..' && !rel.startsWith('../') && !path.isAbsolute(rel));
}
