// Path rules of BuildKit's Dockerfile frontend (util/system NormalizeWorkdir/NormalizePath
// for Linux): WORKDIR resolves against the previous one; COPY/ADD destinations resolve
// against the working dir and keep a trailing slash, which means "into this directory".
import { goClean, goJoin } from '../../../llb/go-path.js';

/** The new working directory after `WORKDIR requested` with `current` in force. */
export function normalizeWorkdir(current: string, requested: string): string {
  if (requested === '') throw new Error('cannot normalize empty path');
  if (requested.startsWith('/')) return goClean(requested);
  return goJoin('/', current, requested);
}

/** Resolves `p` against `parent`; with keepSlash a trailing `/` (or `/.`) survives as `/`. */
export function normalizePath(parent: string, p: string, keepSlash: boolean): string {
  let out = p.startsWith('/') ? goClean(p) : goJoin('/', parent, p);
  if (keepSlash && (p.endsWith('/') || p.endsWith('/.')) && !out.endsWith('/')) out += '/';
  return out;
}

/** A COPY/ADD destination resolved against the working dir (`.` and `` mean the dir itself). */
export function pathRelativeToWorkingDir(workdir: string, p: string): string {
  if (p.startsWith('/')) return normalizePath('/', p, true);
  return normalizePath(workdir, p === '.' || p === '' ? './' : p, true);
}
