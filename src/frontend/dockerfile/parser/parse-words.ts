// BuildKit's parseWords: splits ENV/LABEL/ARG arguments into words on whitespace outside
// quotes, keeping quotes and escapes in the words (they are processed later, by the shell
// expansion of the instruction layer).
import { isGoSpace } from './go-space.js';

export function parseWords(rest: string, escape: string): string[] {
  const words: string[] = [];
  let word = '';
  let blankOK = false;
  let quote = '';
  let inWord = false;
  const n = rest.length;
  for (let pos = 0; pos < n; pos++) {
    let ch = rest[pos]!;
    // Keep surrogate pairs together so that they are never split or misread.
    if (ch >= '\ud800' && ch <= '\udbff' && pos + 1 < n) {
      const lo = rest.charCodeAt(pos + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) ch += rest[++pos];
    }
    if (!inWord) {
      if (isGoSpace(ch.charCodeAt(0))) continue;
      inWord = true;
    }
    if (!quote) {
      if (isGoSpace(ch.charCodeAt(0))) {
        if (blankOK || word.length > 0) words.push(word);
        word = '';
        blankOK = false;
        inWord = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
      } else if (ch === escape) {
        if (pos + 1 === n) continue; // a trailing escape character is dropped
        word += ch;
        ch = rest[++pos]!;
      }
      word += ch;
      continue;
    }
    if (ch === quote) quote = '';
    // Inside single quotes the escape character is not special.
    if (ch === escape && quote !== "'") {
      if (pos + 1 === n) {
        quote = '';
        continue;
      }
      word += ch;
      ch = rest[++pos]!;
    }
    word += ch;
  }
  if (inWord && (blankOK || word.length > 0)) words.push(word);
  return words;
}
