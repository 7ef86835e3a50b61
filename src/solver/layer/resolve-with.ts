// Path resolution inside a root through lstat/readlink callbacks: a plain directory
// (root-path.ts) or trees that are not one (an upperdir over lower layers, a merged layer
// chain). Symlinks (absolute or relative) and ".." are evaluated against the root and never
// lead out of it.
import type { BigIntStats, Stats } from 'node:fs';

const MAX_SYMLINKS = 255;

export interface PathLookup {
  /** lstat of a root-relative path ('a/b'), undefined when absent. */
  lstat(rel: string): Stats | BigIntStats | undefined;
  readlink(rel: string): string;
}

function parts(p: string): string[] {
  return p.split('/').filter((c) => c !== '' && c !== '.');
}

/** The components of `p` with every symlink followed; missing components are kept lexically. */
export function resolveWith(p: string, lookup: PathLookup): string[] {
  const resolved: string[] = [];
  const queue = parts(p);
  let hops = 0;
  while (queue.length > 0) {
    const comp = queue.shift() as string;
    if (comp === '..') {
      resolved.pop();
      continue;
    }
    const rel = [...resolved, comp].join('/');
    const st = lookup.lstat(rel);
    if (!st) {
      // Nothing below a missing component can be a symlink: finish lexically.
      resolved.push(comp);
      for (const rest of queue) {
        if (rest === '..') resolved.pop();
        else resolved.push(rest);
      }
      break;
    }
    if (st.isSymbolicLink()) {
      if (++hops > MAX_SYMLINKS) throw Object.assign(new Error(`too many levels of symbolic links: ${p}`), { code: 'ELOOP' });
      const target = lookup.readlink(rel);
      if (target.startsWith('/')) resolved.length = 0;
      queue.unshift(...parts(target));
      continue;
    }
    resolved.push(comp);
  }
  return resolved;
}
