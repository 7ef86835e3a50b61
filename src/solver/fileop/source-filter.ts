// The build context's own selection (.dockerignore / local include patterns), applied by the
// caller: a path the filter rejects is treated as absent. Paths are relative to srcRoot,
// slash-separated, without a leading slash. A rejected directory hides its whole subtree.
import path from 'node:path';
import { lstatIfExists } from '../layer/lstat-if-exists.js';

export type SourceFilter = (relPath: string, isDir: boolean) => boolean;

/** True when `host` (inside srcRoot) and every directory above it pass the filter. */
export function visibleInSource(srcRoot: string, host: string, filter: SourceFilter | undefined): boolean {
  if (!filter) return true;
  const rel = path.relative(srcRoot, host).split(path.sep).filter(Boolean);
  for (let i = 1; i <= rel.length; i++) {
    const isDir = i < rel.length || (lstatIfExists(host)?.isDirectory() ?? false);
    if (!filter(rel.slice(0, i).join('/'), isDir)) return false;
  }
  return true;
}
