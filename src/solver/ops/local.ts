// Local source: the named directory read in place (never copied), with its patterns.
import { realpathSync } from 'node:fs';
import { SourceAttr } from '../../llb/source-attrs.js';
import type { SourceOp } from '../../llb/types.js';
import type { LocalRef } from '../result.js';
import type { BuildEnv } from './context.js';

function patterns(v: string | undefined): string[] {
  if (!v) return [];
  const parsed = JSON.parse(v) as unknown;
  return Array.isArray(parsed) ? parsed.map(String) : [];
}

export function localName(src: SourceOp): string {
  return src.identifier.replace(/^local:\/\//, '');
}

/**
 * The directory with its own symlinks resolved, as fsutil's NewFS takes it (EvalSymlinks): a
 * context given as a link to a directory is that directory, not a symlink to copy.
 */
function resolvedDir(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir; // missing: the read that needs it reports it
  }
}

export function solveLocal(env: BuildEnv, src: SourceOp): LocalRef {
  const name = localName(src);
  const dir = env.localDirs[name];
  if (dir === undefined) throw new Error(`no local directory given for ${JSON.stringify(name)}`);
  return {
    kind: 'local',
    dir: resolvedDir(dir),
    includePatterns: patterns(src.attrs[SourceAttr.LocalIncludePatterns]),
    excludePatterns: patterns(src.attrs[SourceAttr.LocalExcludePatterns]),
    followPaths: patterns(src.attrs[SourceAttr.LocalFollowPaths]),
  };
}
