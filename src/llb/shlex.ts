// Shell-like word splitting for `run({ shlex })`, following github.com/google/shlex (what
// BuildKit's llb.Shlex uses): blanks separate words, '…' is literal, "…" honours \" \\ \$ \`
// and backslash-newline, a backslash outside quotes escapes the next character, and `#` at
// the start of a word begins a comment.

import { LLBError } from './errors.js';

export function shlexSplit(input: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let i = 0;
  const n = input.length;
  while (i < n) {
    const c = input[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (word !== null) words.push(word);
      word = null;
      i++;
    } else if (c === '#' && word === null) {
      while (i < n && input[i] !== '\n') i++;
    } else if (c === '\\') {
      if (i + 1 >= n) throw new LLBError('shlex: EOF found after escape character');
      word = (word ?? '') + input[i + 1];
      i += 2;
    } else if (c === "'") {
      const end = input.indexOf("'", i + 1);
      if (end < 0) throw new LLBError('shlex: EOF found when expecting closing quote');
      word = (word ?? '') + input.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      let w: string = word ?? '';
      i++;
      for (;;) {
        if (i >= n) throw new LLBError('shlex: EOF found when expecting closing quote');
        const d = input[i]!;
        if (d === '"') break;
        if (d === '\\' && i + 1 < n && '"\\$`\n'.includes(input[i + 1]!)) {
          if (input[i + 1] !== '\n') w += input[i + 1];
          i += 2;
          continue;
        }
        w += d;
        i++;
      }
      word = w;
      i++;
    } else {
      word = (word ?? '') + c;
      i++;
    }
  }
  if (word !== null) words.push(word);
  return words;
}
