// The `local://context` source: one for the whole build, following only the paths the
// reachable stages read (so the solver transfers and checksums just those), with the
// .dockerignore patterns as excludes (BuildKit's DefaultMainContext + filterPaths).
import { local } from '../../../llb/sources.js';
import type { State } from '../../../llb/state.js';

export const CONTEXT_NAME = 'context';

export function buildContextState(paths: ReadonlySet<string> | undefined, dockerignore: readonly string[]): State {
  const follow = followPaths(paths);
  return local(CONTEXT_NAME, {
    sharedKeyHint: CONTEXT_NAME,
    customName: '[internal] load build context',
    ...(dockerignore.length > 0 ? { excludePatterns: [...dockerignore] } : {}),
    ...(follow ? { followPaths: follow } : {}),
  });
}

/** Sorted context-relative paths, or undefined when the whole context is used. */
export function followPaths(paths: ReadonlySet<string> | undefined): string[] | undefined {
  if (!paths || paths.size === 0) return undefined;
  if (paths.has('/')) return undefined;
  return [...paths].map((p) => p.replace(/^\/+/, '') || '.').sort();
}
