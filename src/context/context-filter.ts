// Which context entries a build sees, as fsutil's filtered walk decides it: include
// patterns select (a matching directory selects everything below), exclude patterns
// (.dockerignore) remove, and a directory outside the selection is still entered when an
// include or a '!' exception could select something inside it. Matching is chained from
// the top directory down (MatchesUsingParentResults), which is what fsutil does and
// differs from a one-shot MatchesOrParentMatches for patterns repeated after exceptions.
import { EMPTY_MATCH_INFO, PatternMatcher, type MatchInfo, type Pattern } from './pattern-matcher.js';

export interface ContextFilter {
  /** Whether the entry itself is selected (`rel` is slash-separated, relative, no leading '/'). */
  (rel: string, isDir: boolean): boolean;
  /** Whether a walk must enter directory `rel` because selected entries may lie below it. */
  descend(rel: string): boolean;
}

/** fsutil's pattern characters: a pattern with one of them cannot be checked by prefix. */
const PATTERN_CHARS = /[*[\]?^\\]/;

function withoutTrailingGlob(p: Pattern): string {
  let s = p.cleaned;
  if (s.endsWith('/**')) s = s.slice(0, -3);
  if (s.endsWith('/*')) s = s.slice(0, -2);
  return s;
}

/** True when some pattern of the given polarity could name an entry below `dir`. */
function mayReach(patterns: Pattern[], exclusion: boolean, dir: string): boolean {
  const relevant = patterns.filter((p) => p.exclusion === exclusion);
  if (relevant.some((p) => PATTERN_CHARS.test(withoutTrailingGlob(p)))) return true;
  const dirSlash = dir + '/';
  return relevant.some((p) => (withoutTrailingGlob(p) + '/').startsWith(dirSlash));
}

/** Chained matching of a relative path, memoizing each directory's match info. */
class ChainedMatcher {
  private readonly dirs = new Map<string, MatchInfo>();

  constructor(readonly matcher: PatternMatcher) {}

  private infoOf(dir: string): MatchInfo {
    if (dir === '') return EMPTY_MATCH_INFO;
    let info = this.dirs.get(dir);
    if (!info) {
      info = this.matcher.matchesUsingParentResults(dir, this.infoOf(parentDir(dir))).info;
      this.dirs.set(dir, info);
    }
    return info;
  }

  matches(rel: string): boolean {
    return this.matcher.matchesUsingParentResults(rel, this.infoOf(parentDir(rel))).matched;
  }
}

function parentDir(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i);
}

export function makeContextFilter(includes: readonly string[], excludes: readonly string[]): ContextFilter {
  const inc = includes.length > 0 ? new ChainedMatcher(new PatternMatcher(includes)) : undefined;
  const exc = excludes.length > 0 ? new ChainedMatcher(new PatternMatcher(excludes)) : undefined;

  const filter = ((rel: string, _isDir: boolean): boolean =>
    (!inc || inc.matches(rel)) && !(exc && exc.matches(rel))) as ContextFilter;
  filter.descend = (rel: string): boolean => {
    if (inc && !inc.matches(rel) && !mayReach(inc.matcher.patterns, false, rel)) return false;
    if (exc && exc.matches(rel)) return exc.matcher.exclusions && mayReach(exc.matcher.patterns, true, rel);
    return true;
  };
  return filter;
}
