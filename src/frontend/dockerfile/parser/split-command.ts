// Splits a joined instruction line into keyword, leading `--flags` and the rest
// (BuildKit's splitCommand/extractBuilderFlags).
import { isGoSpace, RE_WHITESPACE, trimGo } from './go-space.js';

export interface SplitCommand {
  /** The keyword as written. */
  keyword: string;
  flags: string[];
  /** The rest after the flags, trimmed. */
  rest: string;
}

export function splitCommand(line: string): SplitCommand {
  const trimmed = trimGo(line);
  const m = RE_WHITESPACE.exec(trimmed);
  if (!m) return { keyword: trimmed, flags: [], rest: '' };
  const { rest, flags } = extractBuilderFlags(trimmed.slice(m.index + m[0].length));
  return { keyword: trimmed.slice(0, m.index), flags, rest: trimGo(rest) };
}

/**
 * Reads `--name[=value]` words from the start of `line`. Quotes are removed and `\`
 * (always backslash, whatever the escape directive says) escapes the next character.
 * A bare `--` ends the flags and is dropped.
 */
export function extractBuilderFlags(line: string): { rest: string; flags: string[] } {
  const flags: string[] = [];
  let pos = 0;
  const n = line.length;
  for (;;) {
    while (pos < n && isGoSpace(line.charCodeAt(pos))) pos++;
    if (pos === n) return { rest: '', flags };
    if (line[pos] !== '-' || line[pos + 1] !== '-') return { rest: line.slice(pos), flags };
    let word = '';
    let blankOK = false;
    let quote = '';
    for (; pos < n; pos++) {
      let ch = line[pos]!;
      if (quote) {
        if (ch === quote) {
          quote = '';
          continue;
        }
      } else {
        if (isGoSpace(ch.charCodeAt(0))) break;
        if (ch === "'" || ch === '"') {
          quote = ch;
          blankOK = true;
          continue;
        }
      }
      if (ch === '\\') {
        if (pos + 1 === n) {
          quote = '';
          continue; // a trailing backslash is dropped
        }
        ch = line[++pos]!;
      }
      word += ch;
    }
    if (pos === n) {
      if (word !== '--' && (blankOK || word.length > 0)) flags.push(word);
      return { rest: '', flags };
    }
    if (word === '--') return { rest: line.slice(pos), flags };
    if (blankOK || word.length > 0) flags.push(word);
  }
}
