// Heredoc words among COPY/ADD arguments (`<<EOF`, `<<-"EOF"`), through the parser's
// detector, as BuildKit's MustParseHeredoc: a word that fails to lex is just not a heredoc.

import type { Heredoc } from '../ast.js';
import { parseHeredocWord as parserHeredocWord } from '../parser/index.js';

export function parseHeredocWord(word: string): Omit<Heredoc, 'content'> | undefined {
  try {
    return parserHeredocWord(word);
  } catch {
    return undefined;
  }
}

/** Remove leading tabs from every line (`<<-`), as BuildKit's ChompHeredocContent. */
export function chompHeredocContent(content: string): string {
  return content.replace(/^\t+/gm, '');
}
