// Path rules of BuildKit's Dockerfile frontend (util/system NormalizePath for Linux):
// relative paths join (and clean) against the parent; absolute ones are kept exactly as
// written; with keepSlash a trailing `/` (or `/.`) survives, which for COPY/ADD means
// "into this directory".
import { goJoin } from '../../../llb/go-path.js';

export function normalizePath(parent: string, p: string, keepSlash: boolean): string {
  let base = parent === '' ? '/' : parent;
  if (!base.startsWith('/')) base = goJoin('/', base);
  let out = p === '' ? base : p;
  if (!out.startsWith('/')) out = goJoin(base, out);
  if (keepSlash) {
    if (p.endsWith('/') && !out.endsWith('/')) out += '/';
    else if (p.endsWith('/.')) out = (out !== '/' ? `${out}/` : out) + '.';
  }
  return out;
}

/** The new working directory after `WORKDIR requested` with `current` in force. */
export function normalizeWorkdir(current: string, requested: string): string {
  return normalizePath(current, requested, false);
}

/** A COPY/ADD destination resolved against the working dir (`.` and `` mean the dir itself). */
export function pathRelativeToWorkingDir(workdir: string, p: string): string {
  if (p.startsWith('/')) return normalizePath('/', p, true);
  return normalizePath(workdir, p === '.' || p === '' ? './' : p, true);
}
