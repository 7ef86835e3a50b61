// A small shell-word splitter, just enough for heredoc detection. BuildKit runs its shell
// lexer (escape `\`, unset variables left as written) over the instruction line with raw
// quotes and raw escapes, then again over each `<<word` with quotes removed, and compares.
// This mirrors that lexer's quoting, escaping and splitting without expanding anything.
import { isGoSpace } from './go-space.js';
import { ParseFailure } from './parse-failure.js';

export interface WordMode {
  /** Keep quote characters in the word (BuildKit's RawQuotes). */
  rawQuotes: boolean;
  /** Keep the escape character in the word (BuildKit's RawEscapes). */
  rawEscapes: boolean;
}

/** The closing index of a `${...}` starting at `i` (the `$`), or -1 when it is unterminated. */
function braceEnd(s: string, i: number): number {
  let depth = 0;
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j];
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return j;
    else if (c === '\\') j++;
  }
  return -1;
}

/** Splits `text` into words; throws a ParseFailure where the shell lexer fails. */
export function splitShellWords(text: string, mode: WordMode): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  const flush = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'") {
      const close = text.indexOf("'", i + 1);
      if (close < 0) throw new ParseFailure('unexpected end of statement while looking for matching single-quote');
      word += mode.rawQuotes ? text.slice(i, close + 1) : text.slice(i + 1, close);
      inWord = true;
      i = close;
    } else if (c === '"') {
      if (mode.rawQuotes) word += '"';
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        const d = text[j]!;
        if (d === '\\' && j + 1 < text.length && '"$\\'.includes(text[j + 1]!)) {
          if (mode.rawEscapes) word += d;
          j++;
          word += text[j];
        } else if (d === '$' && text[j + 1] === '{') {
          const end = braceEnd(text, j);
          if (end < 0) throw new ParseFailure("syntax error: missing '}'");
          word += text.slice(j, end + 1);
          j = end;
        } else {
          word += d;
        }
      }
      if (j >= text.length) throw new ParseFailure('unexpected end of statement while looking for matching double-quote');
      if (mode.rawQuotes) word += '"';
      inWord = true;
      i = j;
    } else if (c === '\\') {
      if (i + 1 >= text.length) break;
      if (mode.rawEscapes) word += c;
      word += text[++i];
      inWord = true;
    } else if (c === '$' && text[i + 1] === '{') {
      const end = braceEnd(text, i);
      if (end < 0) throw new ParseFailure("syntax error: missing '}'");
      word += text.slice(i, end + 1);
      inWord = true;
      i = end;
    } else if (c === '<' && text[i + 1] === '<') {
      // Like BuildKit's lexer, `<<` swallows the blanks after it: `<<  EOF` is one word.
      let j = i + 2;
      while (j < text.length && isGoSpace(text.charCodeAt(j))) j++;
      word += text.slice(i, j);
      inWord = true;
      i = j - 1;
    } else if (isGoSpace(c.charCodeAt(0))) {
      flush();
    } else {
      word += c;
      inWord = true;
    }
  }
  flush();
  return words;
}
