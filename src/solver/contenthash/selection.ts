// BuildKit's "included paths" digest, used when a selector has wildcards or include/exclude
// patterns: walk the entries in key order (a directory's header, then its children), keep
// files and directory headers that the wildcard and patterns select (plus the headers of
// their parent directories), and hash each kept entry's base name with its digest.
import { createHash } from 'node:crypto';
import { pathMatch } from '../../context/path-match.js';
import { EMPTY_MATCH_INFO, type MatchInfo, type PatternMatcher } from '../../context/pattern-matcher.js';
import type { TreeEntry } from './tree.js';

export interface SelectedItem {
  /** Absolute slash path as the selector names it (symlinked prefixes kept as written). */
  path: string;
  entry: TreeEntry;
  isHeader: boolean;
  included: boolean;
  includeInfo: MatchInfo;
  excludeInfo: MatchInfo;
}

export interface SelectionSpec {
  /** Cleaned absolute selector ('' for the root). */
  p: string;
  endsInSep: boolean;
  wildcard: boolean;
  /** Selector prefix as written and where it resolved to (absolute slash paths, '' = root). */
  origPrefix: string;
  resolvedPrefix: string;
  include?: PatternMatcher;
  exclude?: PatternMatcher;
}

function shouldInclude(candidate: string, spec: SelectionSpec, item: SelectedItem, parent: SelectedItem | undefined): boolean {
  if (spec.include) {
    const r = spec.include.matchesUsingParentResults(candidate, parent?.includeInfo ?? EMPTY_MATCH_INFO);
    item.includeInfo = r.info;
    if (!r.matched) return false;
  }
  if (spec.exclude) {
    const r = spec.exclude.matchesUsingParentResults(candidate, parent?.excludeInfo ?? EMPTY_MATCH_INFO);
    item.excludeInfo = r.info;
    if (r.matched) return false;
  }
  return true;
}

function relativeTo(fn: string, base: string): string {
  const s = fn + '/';
  const b = base + '/';
  const rest = s.startsWith(b) ? s.slice(b.length) : s;
  return rest.endsWith('/') ? rest.slice(0, -1) : rest;
}

/** Entries under `start` in BuildKit's key order: a directory's header first, then its children. */
function* keyOrder(start: TreeEntry): Generator<{ entry: TreeEntry; isHeader: boolean }> {
  yield { entry: start, isHeader: start.children !== undefined };
  for (const c of start.children ?? []) yield* keyOrder(c);
}

/** The selected items, in order. Entries need their `digest` set before calling. */
export function selectItems(start: TreeEntry, spec: SelectionSpec): SelectedItem[] {
  const out: SelectedItem[] = [];
  const parents: SelectedItem[] = [];
  let lastMatchedDir = '';
  for (const { entry, isHeader } of keyOrder(start)) {
    let fn = entry.rel === '' ? '' : '/' + entry.rel;
    if (fn.startsWith(spec.resolvedPrefix)) fn = spec.origPrefix + fn.slice(spec.resolvedPrefix.length);
    while (parents.length > 0 && !fn.startsWith((parents[parents.length - 1] as SelectedItem).path + '/')) parents.pop();
    const parent = parents[parents.length - 1];
    // The header of a source directory written with a trailing slash is not part of it.
    if (isHeader && fn === spec.p && spec.endsInSep) continue;
    const item: SelectedItem = { path: fn, entry, isHeader, included: false, includeInfo: EMPTY_MATCH_INFO, excludeInfo: EMPTY_MATCH_INFO };
    let candidate: string;
    if (spec.wildcard) {
      if (spec.p !== '' && (lastMatchedDir === '' || !fn.startsWith(lastMatchedDir + '/'))) {
        if (!pathMatch(spec.p, fn)) continue;
        lastMatchedDir = fn;
      }
      candidate = relativeTo(fn, lastMatchedDir);
    } else {
      if (!(fn + '/').startsWith(spec.p + '/')) break;
      candidate = relativeTo(fn, spec.p);
    }
    const take = shouldInclude(candidate, spec, item, parent);
    if (!take && !isHeader) continue;
    if (take) {
      for (const pd of parents) {
        if (!pd.included) {
          out.push(pd);
          pd.included = true;
        }
      }
      out.push(item);
      item.included = true;
    }
    if (isHeader) parents.push(item);
  }
  return out;
}

/** Go's path.Base. */
export function goBase(p: string): string {
  if (p === '') return '.';
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** The digest of a selection: one item named like the selector → that item's digest. */
export function selectionDigest(selector: string, items: { path: string; digest: string }[]): string {
  if (items.length === 0) return 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
  if (items.length === 1 && goBase(selector) === goBase((items[0] as { path: string }).path)) {
    return (items[0] as { digest: string }).digest;
  }
  const h = createHash('sha256');
  items.forEach((it, i) => {
    if (i !== 0) h.update('\0');
    h.update(goBase(it.path)).update(it.digest);
  });
  return 'sha256:' + h.digest('hex');
}
