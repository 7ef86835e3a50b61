// Walks a build context in sorted order yielding what the build may see: selected entries,
// plus the directories that lead to them (emitted just before their first selected
// descendant, as fsutil does), skipping excluded directories without looking inside unless
// an exception could re-include something there.
// Synchronous lstat/readdir: about three times faster than the promise API for many entries.
import { lstatSync, readdirSync, type BigIntStats } from 'node:fs';
import path from 'node:path';
import { makeContextFilter, type ContextFilter } from './context-filter.js';
import { compareNames } from './go-strings.js';
import { resolveInRootSync } from '../solver/layer/root-path.js';

export interface ContextEntry {
  /** Slash path relative to the context, no leading '/'. */
  rel: string;
  stat: BigIntStats;
}

export interface WalkOptions {
  excludes?: readonly string[];
  includes?: readonly string[];
  /** Paths whose symlink targets are selected too (e.g. a Dockerfile that is a link). */
  followPaths?: readonly string[];
}

/**
 * Adds followPaths and their in-context symlink targets to the include patterns (as fsutil
 * does: with followPaths and no includes, only those paths are selected).
 */
function withFollowPaths(dir: string, includes: readonly string[], followPaths: readonly string[]): string[] {
  if (followPaths.length === 0) return [...includes];
  const out = [...includes, ...followPaths];
  for (const f of followPaths) {
    const target = path.relative(dir, resolveInRootSync(dir, f));
    if (target !== '' && !target.startsWith('..')) out.push(target.split(path.sep).join('/'));
  }
  return out;
}

export async function* walkContext(dir: string, opts: WalkOptions = {}): AsyncGenerator<ContextEntry> {
  const includes = withFollowPaths(dir, opts.includes ?? [], opts.followPaths ?? []);
  const filter = makeContextFilter(includes, opts.excludes ?? []);
  yield* walkFiltered(dir, filter);
}

/** The walk behind walkContext, for callers that already hold a filter. */
export async function* walkFiltered(dir: string, filter: ContextFilter): AsyncGenerator<ContextEntry> {
  // Directories entered but not yet emitted, outermost first.
  const pending: ContextEntry[] = [];

  async function* visit(relDir: string): AsyncGenerator<ContextEntry> {
    const abs = relDir === '' ? dir : path.join(dir, relDir);
    const names = readdirSync(abs).sort(compareNames);
    const stats = names.map((n) => lstatSync(path.join(abs, n), { bigint: true }));
    for (let i = 0; i < names.length; i++) {
      const rel = relDir === '' ? (names[i] as string) : `${relDir}/${names[i] as string}`;
      const st = stats[i] as BigIntStats;
      const isDir = st.isDirectory();
      const entry = { rel, stat: st };
      if (filter(rel, isDir)) {
        yield* pending.splice(0);
        yield entry;
        if (isDir) yield* visit(rel);
      } else if (isDir && filter.descend(rel)) {
        pending.push(entry);
        yield* visit(rel);
        if (pending[pending.length - 1] === entry) pending.pop();
      }
    }
  }
  yield* visit('');
}
