// Go's path.Clean/path.Join semantics (Node's normalize keeps trailing slashes; Go's does not).
// Digests depend on the exact strings, so BuildKit's path handling is reproduced here.

import { posix } from 'node:path';

export function goClean(p: string): string {
  if (p === '') return '.';
  let out = posix.normalize(p);
  if (out.length > 1 && out.endsWith('/')) out = out.slice(0, -1);
  return out;
}

export function goJoin(...elems: string[]): string {
  const parts = elems.filter((e) => e !== '');
  return parts.length === 0 ? '' : goClean(parts.join('/'));
}

export function isAbs(p: string): boolean {
  return p.startsWith('/');
}

/**
 * BuildKit's fileop normalizePath: resolve `p` against the state's dir `parent`; with
 * keepSlash, a trailing "/" or "/." of the original survives (it changes copy semantics).
 */
export function normalizeFilePath(parent: string, p: string, keepSlash: boolean): string {
  const orig = p;
  let out = goClean(p);
  if (!isAbs(out)) out = goJoin('/', parent, out);
  if (keepSlash) {
    if (orig.endsWith('/') && !out.endsWith('/')) {
      out += '/';
    } else if (orig.endsWith('/.')) {
      if (out !== '/') out += '/';
      out += '.';
    }
  }
  return out;
}
