// "did you mean X?" suggestions, after BuildKit's util/suggest: the closest option
// with a Levenshtein distance below 3 wins (first one on ties); an exact match means
// the value was fine and no suggestion applies.

/** Plain Levenshtein distance over code points (insert/delete/substitute cost 1). */
export function levenshtein(a: string, b: string): number {
  const s = [...a];
  const t = [...b];
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = cur;
  }
  return prev[t.length]!;
}

/** Keep the user's casing style: all-lower or all-upper input gets a matching suggestion. */
function matchCase(option: string, orig: string): string {
  if (orig === orig.toLowerCase()) return option.toLowerCase();
  if (orig === orig.toUpperCase()) return option.toUpperCase();
  return option;
}

/** The suggestion for `value` among `options`, or undefined when none is close enough. */
export function suggest(value: string, options: readonly string[], caseSensitive: boolean): string | undefined {
  const val = caseSensitive ? value : value.toLowerCase();
  let match: string | undefined;
  let minDist = 3;
  for (const raw of options) {
    const opt = caseSensitive ? raw : raw.toLowerCase();
    if (val === opt) return undefined;
    const dist = levenshtein(val, opt);
    if (dist < minDist) {
      match = caseSensitive ? opt : matchCase(opt, value);
      minDist = dist;
    }
  }
  return match;
}

/** `message` with BuildKit's ` (did you mean X?)` appended when a close option exists. */
export function withSuggestion(message: string, value: string, options: readonly string[], caseSensitive: boolean): string {
  const match = suggest(value, options, caseSensitive);
  return match === undefined ? message : `${message} (did you mean ${match}?)`;
}
