// Recognise a heredoc word (`<<EOF`, `<<-"EOF"`, `3<<eo'f'`) among COPY/ADD arguments,
// as BuildKit's parser.ParseHeredoc does: the delimiter must be one shell word; its
// name is that word with quotes removed, and any quoting turns expansion off.

const HEREDOC_WORD = /^(\d*)<<(-?)\s*([^<]*)$/;

export interface HeredocWord {
  name: string;
  chomp: boolean;
  expand: boolean;
}

/** Quote removal for one word with `\` escapes; undefined if it is not exactly one word. */
function unquoteWord(word: string): { text: string; quoted: boolean } | undefined {
  let text = '';
  let quoted = false;
  for (let i = 0; i < word.length; i++) {
    const c = word[i]!;
    if (c === "'") {
      const end = word.indexOf("'", i + 1);
      if (end < 0) return undefined;
      text += word.slice(i + 1, end);
      quoted = true;
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < word.length && word[j] !== '"'; j++) {
        if (word[j] === '\\' && j + 1 < word.length && '"\\$`'.includes(word[j + 1]!)) j++;
        text += word[j];
      }
      if (j >= word.length) return undefined;
      quoted = true;
      i = j;
    } else if (c === '\\') {
      if (i + 1 < word.length) text += word[++i];
    } else if (/\s/.test(c)) {
      return undefined;
    } else {
      text += c;
    }
  }
  return { text, quoted };
}

/** The heredoc a word introduces, or undefined when the word is an ordinary argument. */
export function parseHeredocWord(word: string): HeredocWord | undefined {
  const m = HEREDOC_WORD.exec(word);
  if (!m) return undefined;
  const rest = m[3]!.trim();
  if (rest === '') return undefined;
  const unquoted = unquoteWord(rest);
  if (!unquoted || unquoted.text === '') return undefined;
  return { name: unquoted.text, chomp: m[2] === '-', expand: !unquoted.quoted };
}

/** Remove leading tabs from every line (`<<-`). */
export function chompHeredocContent(content: string): string {
  return content.replace(/^\t+/gm, '');
}
