// checksumPath: BuildKit's content checksum of a selector inside a directory (the build
// context or a snapshot view). Timestamps never count; contents, mode, owners, link
// targets, device numbers and xattrs do. Symlinks resolve inside the root, never on the host.
import path from 'node:path';
import { containsWildcards } from '../../context/path-match.js';
import { PatternMatcher } from '../../context/pattern-matcher.js';
import { digestEntries, dirDigest, EMPTY_DIGEST } from './entry-digests.js';
import { selectItems, selectionDigest, type SelectionSpec } from './selection.js';
import type { StatCache } from './stat-cache.js';
import { isMissing } from '../layer/lstat-if-exists.js';
import { allEntries, readTree, resolveRel, visibleThrough, type EntryFilter, type TreeEntry } from './tree.js';

export interface ChecksumOptions {
  followLinks?: boolean;
  wildcard?: boolean;
  includePatterns?: string[];
  excludePatterns?: string[];
  /** What the root shows (e.g. makeContextFilter of the context's includes and .dockerignore). */
  filter?: EntryFilter;
  statCache?: StatCache;
  /** Filled with the digest of every selected entry: files by path, directory headers as 'dir/'. */
  fileHashes?: Map<string, string>;
  /** Count the root directory's own header (snapshots) instead of the fixed empty one (contexts). */
  rootHeader?: boolean;
  /**
   * Hash every owner as 0:0: the docker CLI and buildx send the context with uid/gid reset
   * (resetUIDAndGID), so a context's checksum, and the cache keys built on it, must not
   * depend on which user checked the files out on this machine.
   */
  ownerAsRoot?: boolean;
  onContentRead?: (rel: string) => void;
}

/** A selector that names nothing; the message is BuildKit's ("/foo": not found). */
export class ChecksumNotFoundError extends Error {
  readonly code = 'ENOENT';
  constructor(readonly path: string) {
    super(`${JSON.stringify(path)}: not found`);
  }
}

function keyPath(p: string): string {
  const clean = path.posix.join('/', p);
  return clean === '/' ? '' : clean;
}

/** Splits a selector at its first path element with wildcards (BuildKit's splitWildcards). */
function splitWildcards(p: string): [string, string] {
  const parts = path.posix.join(p).split('/');
  const p1: string[] = [];
  const p2: string[] = [];
  let found = false;
  for (const part of parts) {
    if (!found && containsWildcards(part)) found = true;
    (found ? p2 : p1).push(part === '' ? '/' : part);
  }
  const join = (xs: string[]): string => (xs.length === 0 ? '' : path.posix.join(...xs));
  return [join(p1), join(p2)];
}

class Checksummer {
  constructor(readonly root: string, readonly opts: ChecksumOptions) {}

  /** The visible entry at `rel`, read with everything below it; undefined when hidden or missing. */
  async tree(rel: string): Promise<TreeEntry | undefined> {
    if (!visibleThrough(rel, this.opts.filter)) return undefined;
    let entry: TreeEntry;
    try {
      entry = readTree(this.root, rel, this.opts.filter);
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
    const f = this.opts.filter;
    if (f && rel !== '' && !f(rel, entry.children !== undefined) && (entry.children?.length ?? 0) === 0) return undefined;
    return entry;
  }

  async digestTree(entry: TreeEntry): Promise<void> {
    const { statCache, onContentRead, rootHeader, ownerAsRoot } = this.opts;
    const all = [...allEntries(entry)];
    await digestEntries(this.root, all, { statCache, onContentRead, rootHeader, ownerAsRoot });
    if (statCache && entry.children) statCache.prune(entry.rel, new Set(all.map((e) => e.rel)));
  }

  record(entry: TreeEntry): void {
    const out = this.opts.fileHashes;
    if (!out) return;
    for (const e of allEntries(entry)) {
      if (e.rel === '') continue;
      out.set(e.children ? e.rel + '/' : e.rel, e.digest as string);
    }
  }

  /** Digest of the path itself (no patterns): a directory's recursive digest or an entry's. */
  async plain(p: string, followTrailing: boolean): Promise<string> {
    const rel = resolveRel(this.root, p, followTrailing);
    const entry = rel === undefined ? undefined : await this.tree(rel);
    if (!entry) throw new ChecksumNotFoundError(keyPath(p) || '/');
    await this.digestTree(entry);
    this.record(entry);
    return entry.children ? dirDigest(entry) : (entry.digest as string);
  }

  async selected(p: string): Promise<string> {
    const opts = this.opts;
    const endsInSep = p.endsWith('/');
    const kp = keyPath(p);
    let origPrefix: string;
    let rel: string | undefined;
    if (opts.wildcard) {
      const [d1, d2] = splitWildcards(kp === '' ? '/' : kp);
      if (d1 === '/') {
        origPrefix = '';
        rel = '';
      } else {
        origPrefix = d1;
        rel = resolveRel(this.root, d1, d2 !== '');
      }
    } else {
      origPrefix = kp;
      rel = resolveRel(this.root, kp, false);
    }
    const start = rel === undefined ? undefined : await this.tree(rel);
    if (!start) {
      if (opts.wildcard) return EMPTY_DIGEST;
      throw new ChecksumNotFoundError(kp || '/');
    }
    await this.digestTree(start);
    const spec: SelectionSpec = {
      p: kp,
      endsInSep,
      wildcard: !!opts.wildcard,
      origPrefix,
      resolvedPrefix: start.rel === '' ? '' : '/' + start.rel,
      include: opts.includePatterns?.length ? new PatternMatcher(opts.includePatterns) : undefined,
      exclude: opts.excludePatterns?.length ? new PatternMatcher(opts.excludePatterns) : undefined,
    };
    const items = selectItems(start, spec);
    const resolved: { path: string; digest: string }[] = [];
    for (const it of items) {
      const e = it.entry;
      let digest = e.digest as string;
      if (opts.followLinks && e.st.isSymbolicLink()) digest = await this.plain(it.path, true);
      else this.opts.fileHashes?.set(it.isHeader ? (e.rel === '' ? './' : e.rel + '/') : e.rel, digest);
      resolved.push({ path: it.path, digest });
    }
    return selectionDigest(p, resolved);
  }
}

/**
 * The content checksum (sha256:…) of selector `p` inside `root`, as BuildKit computes cache
 * keys for COPY sources and bind mounts. A missing path throws ChecksumNotFoundError; a
 * wildcard that matches nothing gives the digest of nothing.
 */
export async function checksumPath(root: string, p: string, opts: ChecksumOptions = {}): Promise<string> {
  // As BuildKit's file op selectors: `wildcard` (allowWildcard) only counts when the
  // selector really has wildcards, so a literal path digests the same either way.
  const wildcard = !!opts.wildcard && containsWildcards(p);
  const c = new Checksummer(root, { ...opts, wildcard });
  const patterns = wildcard || !!opts.includePatterns?.length || !!opts.excludePatterns?.length;
  return patterns ? c.selected(p) : c.plain(p, !!opts.followLinks);
}
