// The build context's own selection (.dockerignore / local include patterns), given by the
// caller in the shape of src/context's ContextFilter: `filter(rel, isDir)` says whether an
// entry is selected, `descend(rel)` whether an unselected directory may still hold selected
// entries (a '!' exception, an include below it). Such a directory only appears as the
// parent of what is selected inside it, as in fsutil's filtered walk; everything else the
// filter rejects is absent. Paths are relative to srcRoot, slash-separated, no leading '/'.
import path from 'node:path';
import { lstatIfExists } from '../layer/lstat-if-exists.js';

export interface SourceFilter {
  (relPath: string, isDir: boolean): boolean;
  descend?(relPath: string): boolean;
}

export type Selection = 'selected' | 'parent-only' | 'absent';

export function selectionOf(filter: SourceFilter | undefined, rel: string, isDir: boolean): Selection {
  if (!filter || rel === '') return 'selected';
  if (filter(rel, isDir)) return 'selected';
  return isDir && filter.descend?.(rel) ? 'parent-only' : 'absent';
}

/** True when `host` (inside srcRoot) exists for the build: every directory above it is entered. */
export function visibleInSource(srcRoot: string, host: string, filter: SourceFilter | undefined): boolean {
  if (!filter) return true;
  const rel = path.relative(srcRoot, host).split(path.sep).filter(Boolean);
  for (let i = 1; i <= rel.length; i++) {
    const isDir = i < rel.length || (lstatIfExists(host)?.isDirectory() ?? false);
    if (selectionOf(filter, rel.slice(0, i).join('/'), isDir) === 'absent') return false;
  }
  return true;
}
