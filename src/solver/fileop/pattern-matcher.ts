// moby/patternmatcher, as fsutil uses it for COPY --exclude and --parents include patterns:
// `**` spans directories, `*`/`?` stay within one, `!pattern` re-includes, and a path also
// matches when one of its parent directories does. Later patterns win.
import path from 'node:path';

interface Pattern { regex: RegExp; exclusion: boolean }

export class PatternSyntaxError extends Error {}

const REGEX_SPECIAL = '.+()|{}$^';

function compile(cleaned: string): RegExp {
  let re = '^';
  const chars = Array.from(cleaned);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (ch === '*') {
      if (chars[i + 1] === '*') {
        i++;
        if (chars[i + 1] === '/') i++; // `**/` is `**`
        re += i + 1 >= chars.length ? '.*' : '(.*/)?';
      } else {
        re += '[^/]*';
      }
    } else if (ch === '?') {
      re += '[^/]';
    } else if (ch === '\\') {
      const next = chars[i + 1];
      if (next !== undefined) {
        i++;
        re += '\\^$.*+?()[]{}|/'.includes(next) ? '\\' + next : next;
      } else {
        re += '\\\\';
      }
    } else if (REGEX_SPECIAL.includes(ch)) {
      re += '\\' + ch;
    } else {
      re += ch;
    }
  }
  re += '$';
  try {
    return new RegExp(re, 'u');
  } catch {
    throw new PatternSyntaxError(`syntax error in pattern: ${cleaned}`);
  }
}

export class PatternMatcher {
  private readonly patterns: Pattern[] = [];

  constructor(patterns: string[]) {
    for (const raw of patterns) {
      let p = raw.trim();
      if (p === '') continue;
      p = path.posix.normalize(p);
      let exclusion = false;
      if (p.startsWith('!')) {
        if (p.length === 1) throw new PatternSyntaxError('illegal exclusion pattern: "!"');
        exclusion = true;
        p = path.posix.normalize(p.slice(1));
      }
      // Patterns are relative to the copy source: a leading slash means the same thing.
      p = p.replace(/^\/+/, '');
      if (p === '') p = '.';
      this.patterns.push({ regex: compile(p.replace(/\/$/, '')), exclusion });
    }
  }

  get empty(): boolean {
    return this.patterns.length === 0;
  }

  /** True when `file` (slash-separated, relative) or one of its parents matches. */
  matches(file: string): boolean {
    const parents = path.posix.dirname(file);
    const parentDirs = parents === '.' ? [] : parents.split('/');
    let matched = false;
    for (const p of this.patterns) {
      if (p.exclusion !== matched) continue;
      let match = p.regex.test(file);
      for (let i = 0; !match && i < parentDirs.length; i++) {
        match = p.regex.test(parentDirs.slice(0, i + 1).join('/'));
      }
      if (match) matched = !p.exclusion;
    }
    return matched;
  }
}
