// .dockerignore-style matching (moby/patternmatcher): Go filepath.Match wildcards per path
// segment, `**` for any number of segments, `!` exceptions where the last matching pattern
// wins, and a pattern matching a directory also matching everything below it.
// Thin stand-in until the contenthash engineer's matcher lands.

interface Compiled {
  re: RegExp;
  exclusion: boolean;
}

function escapeRe(c: string): string {
  return /[.+^${}()|[\]\\*?]/.test(c) ? `\\${c}` : c;
}

function compile(pattern: string): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i]!);
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith('^')) cls = `^${cls.slice(1)}`;
      re += `[${cls.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += escapeRe(c);
  }
  return new RegExp(`${re}(?:/.*)?$`);
}

function clean(p: string): string {
  return p.split('/').filter((s) => s !== '' && s !== '.').join('/');
}

export class PathMatcher {
  private readonly patterns: Compiled[];
  readonly hasExclusions: boolean;

  constructor(patterns: readonly string[]) {
    this.patterns = patterns
      .map((p) => (p.startsWith('!') ? { p: clean(p.slice(1)), exclusion: true } : { p: clean(p), exclusion: false }))
      .filter((x) => x.p !== '')
      .map((x) => ({ re: compile(x.p), exclusion: x.exclusion }));
    this.hasExclusions = this.patterns.some((p) => p.exclusion);
  }

  get empty(): boolean {
    return this.patterns.length === 0;
  }

  /** True when `rel` (slash-separated, relative to the root) is matched (i.e. ignored). */
  matches(rel: string): boolean {
    const p = clean(rel);
    let matched = false;
    for (const pat of this.patterns) {
      if (pat.exclusion === matched && pat.re.test(p)) matched = !pat.exclusion;
    }
    return matched;
  }
}
