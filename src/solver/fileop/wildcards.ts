// fsutil's ResolveWildcards: the path is split at its first component holding a wildcard;
// the part before it is resolved inside the root, and the tree below is walked (lexical
// order, symlinks not followed) for entries whose relative path matches the rest with Go's
// filepath.Match (path.Match on Unix). A matching directory is not descended into.
import path from 'node:path';
import { containsWildcards, pathMatch } from '../../context/path-match.js';
import { errnoCode, pathError } from './errors.js';
import { selectionOf, visibleInSource, type SourceFilter } from './source-filter.js';
import { asSourceTree, type SourceTree } from './source-tree.js';

/** Go filepath.Join semantics for slash paths: cleaned, '' stays ''. */
function goJoin(parts: string[]): string {
  const joined = parts.filter((p) => p !== '').join('/');
  return joined === '' ? '' : path.posix.normalize(joined).replace(/(.)\/$/, '$1');
}

export function splitWildcards(p: string): { base: string; pattern: string } {
  const before: string[] = [];
  const after: string[] = [];
  let found = false;
  for (const raw of p.split('/')) {
    if (!found && containsWildcards(raw)) found = true;
    const part = raw === '' ? '/' : raw;
    (found ? after : before).push(part);
  }
  return { base: goJoin(before), pattern: goJoin(after) };
}

/**
 * Root-relative paths (no leading slash) matching `src`; `[src]` itself when it has no
 * wildcard. `filter` hides entries of the build context.
 */
export function resolveWildcards(tree: string | SourceTree, src: string, followLinks: boolean, filter?: SourceFilter): string[] {
  const { base, pattern } = splitWildcards(src);
  if (pattern === '') return [base];
  const t = asSourceTree(tree);
  const root = t.root;
  const baseHost = t.resolve(base, followLinks);
  const depth = pattern.split('/').length;
  const out: string[] = [];
  const visible = (host: string, isDir: boolean): boolean =>
    selectionOf(filter, path.relative(root, host).split(path.sep).join('/'), isDir) !== 'absent';
  let st;
  try {
    st = t.lstatStrict(baseHost);
  } catch (err) {
    throw pathError('lstat', path.relative(root, baseHost), errnoCode(err) ?? 'ENOENT');
  }
  if (!st.isDirectory() || !visibleInSource(root, baseHost, filter)) return out;
  const walk = (dirHost: string, relDir: string, level: number): void => {
    for (const name of t.readdir(dirHost).sort()) {
      const host = path.join(dirHost, name);
      const rel = relDir === '' ? name : `${relDir}/${name}`;
      const est = t.lstatStrict(host);
      if (!visible(host, est.isDirectory())) continue;
      if (pathMatch(pattern, rel)) {
        out.push(path.relative(root, host).split(path.sep).join('/'));
        continue;
      }
      // Wildcards never match '/', so a deeper path than the pattern cannot match.
      if (est.isDirectory() && level + 1 < depth) walk(host, rel, level + 1);
    }
  };
  walk(baseHost, '', 0);
  return out;
}
