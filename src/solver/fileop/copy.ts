// BuildKit's file-op copy (solver/llbsolver/file docopy over fsutil's Copy): wildcard
// sources, ADD's archive extraction, destination rules (a trailing `/` or `.` means "into";
// an existing directory receives a file or, without dirCopyContents, the directory itself),
// missing destination parents created 0755 and owned by the chown user.
// Sources resolve inside srcRoot and destinations inside destRoot: a symlink never leads to
// the host's files on either side.
import path from 'node:path';
import { PatternMatcher } from '../../context/pattern-matcher.js';
import type { FileActionCopy } from '../../llb/types.js';
import { Copier } from './copier.js';
import { asDestTree, type DestTree } from './dest-tree.js';
import { asSourceTree, type SourceTree } from './source-tree.js';
import { displayPath, FileOpError, throwIfAborted } from './errors.js';
import type { Owner } from './fs-meta.js';
import { mkdirAllInRoot } from './mkdir-all.js';
import { visibleInSource, type SourceFilter } from './source-filter.js';
import { compileModeString } from './symbolic-mode.js';
import { unpackIfArchive } from './unpack.js';
import { resolveWildcards } from './wildcards.js';

export interface CopyOptions {
  /** A directory, or a layer chain read without a mount. */
  srcRoot: string | SourceTree;
  /** A directory, or a tree that writes an overlay upperdir directly. */
  destRoot: string | DestTree;
  action: FileActionCopy;
  /** The build context's .dockerignore / include selection; rejected paths count as absent. */
  srcFilter?: SourceFilter;
  /** Already resolved (resolveChown); absent = keep the source's owners. */
  owner?: Owner;
  /**
   * The owner every source entry has (the build context's files arrive 0:0 in BuildKit):
   * copied entries get it when there is no `owner`, but it is no chown, so the directories
   * created above the destination keep the kernel's defaults (a setgid parent's group).
   */
  srcOwner?: Owner;
  signal?: AbortSignal;
}

function notFound(p: string): FileOpError {
  return new FileOpError(`${JSON.stringify(displayPath(p))}: not found`, 'ENOENT');
}

function matcher(patterns: string[], what: string): PatternMatcher | undefined {
  if (patterns.length === 0) return undefined;
  try {
    return new PatternMatcher(patterns);
  } catch (err) {
    throw new FileOpError(`invalid ${what}: [${patterns.join(' ')}]: ${(err as Error).message}`);
  }
}

/** Go's filepath.Split: directory part with its trailing slash, and the last element. */
function splitDest(p: string): [string, string] {
  const i = p.lastIndexOf('/');
  return [p.slice(0, i + 1), p.slice(i + 1)];
}

export async function copy(opts: CopyOptions): Promise<void> {
  const source = asSourceTree(opts.srcRoot);
  const srcRoot = source.root;
  const dest = asDestTree(opts.destRoot);
  const destRoot = dest.root;
  const a = opts.action;
  const filter = opts.srcFilter;

  if (!a.createDestPath) {
    const p = dest.resolve(a.dest);
    if (!dest.lstat(path.dirname(p))) {
      throw new FileOpError(`failed to stat ${a.dest}: lstat ${displayPath(path.relative(destRoot, path.dirname(p)))}: no such file or directory`, 'ENOENT');
    }
  }
  for (const required of a.requiredPaths) {
    const host = source.resolve(required, true);
    if (!source.lstat(host) || !visibleInSource(srcRoot, host, filter)) throw notFound(required);
  }

  let sources: string[];
  if (!a.allowWildcard) {
    sources = [a.src];
  } else {
    sources = resolveWildcards(source, a.src, a.followSymlink, filter);
    if (sources.length === 0) {
      if (a.allowEmptyWildcard) return;
      throw notFound(a.src);
    }
  }

  const include = matcher(a.includePatterns, 'includepatterns');
  const exclude = matcher(a.excludePatterns, 'excludepatterns');
  const modeFn = a.mode === undefined && a.modeStr ? compileModeString(a.modeStr) : undefined;

  for (const src of sources) {
    throwIfAborted(opts.signal);
    if (a.attemptUnpackDockerCompatibility && visibleInSource(srcRoot, source.resolve(src, true), filter)) {
      const unpacked = await unpackIfArchive({ source, src, destRoot: dest, dest: a.dest, owner: opts.owner, timestamp: a.timestamp });
      if (unpacked) continue;
    }
    const copier = new Copier({
      source, dest, owner: opts.owner ?? opts.srcOwner, timestamp: a.timestamp, mode: a.mode, modeFn, include, exclude,
      alwaysReplace: a.alwaysReplaceExistingDestPaths, filter, signal: opts.signal,
    });
    await copyOne(copier, source, src, dest, a, opts.owner, filter);
  }
}

/** fsutil's Copy for one source: destination preparation, then the recursive copy. */
async function copyOne(copier: Copier, source: SourceTree, src: string, tree: DestTree, a: FileActionCopy,
  owner: Owner | undefined, filter: SourceFilter | undefined): Promise<void> {
  const [dir, file] = splitDest(a.dest);
  const ensure = file !== '' && file !== '.' ? dir : a.dest;
  // Current fsutil (#228, umask-independent since #248) makes the missing parents of a
  // `--chmod=<octal>` destination with that mode (BuildKit's testCopyChmod); 0755 otherwise.
  const exact = a.mode !== undefined;
  const parentMode = exact ? a.mode! & 0o7777 : 0o755;
  if (ensure !== '') mkdirAllInRoot(tree, tree.resolve(ensure), parentMode, owner, a.timestamp, exact);
  let dest = tree.resolve(path.posix.normalize(a.dest === '' ? '.' : a.dest));

  const srcHost = source.resolve(src, a.followSymlink);
  const srcSt = source.lstat(srcHost);
  if (!srcSt || !visibleInSource(source.root, srcHost, filter)) throw notFound(src);
  const destSt = tree.lstat(dest);
  const srcIsDir = srcSt.isDirectory();
  if ((!a.dirCopyContents && srcIsDir && destSt) || (!srcIsDir && destSt?.isDirectory())) {
    dest = path.join(dest, path.posix.basename(path.posix.normalize('/' + src)));
  }
  // The destination root itself (`COPY . /`) has no parent inside the root: it is its own.
  const parent = (a.dirCopyContents && srcIsDir && !destSt) || dest === tree.root ? dest : path.dirname(dest);
  mkdirAllInRoot(tree, parent, parentMode, owner, a.timestamp, exact);
  await copier.copyTop(srcHost, dest);
}
