// Heredoc detection on a RUN/COPY/ADD line, as BuildKit's heredocsFromLine/ParseHeredoc.
import type { Heredoc } from '../ast.js';
import { splitShellWords } from './heredoc-words.js';
import { ParseFailure } from './parse-failure.js';

const RE_HEREDOC = /^(\d*)<<(-?)[\t\n\f\r ]*([^<]*)$/;

function quoteCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x27) n++;
  }
  return n;
}

/**
 * Parses one word such as `<<EOF`, `3<<-'EOF'`; undefined when it is not a heredoc. Throws a
 * ParseFailure when the delimiter has an unterminated quote (`<<'EOF`), as BuildKit does.
 */
export function parseHeredocWord(word: string): Omit<Heredoc, 'content'> | undefined {
  const m = RE_HEREDOC.exec(word);
  if (!m) return undefined;
  const rest = m[3]!;
  if (rest === '') return undefined;
  const words = splitShellWords(rest, { rawQuotes: false, rawEscapes: false });
  if (words.length !== 1) return undefined;
  const raw = splitShellWords(rest, { rawQuotes: true, rawEscapes: false });
  if (raw.length !== 1) return undefined;
  const name = words[0]!;
  return {
    name,
    fileDescriptor: m[1] ? Number(m[1]) : 0,
    // Any quoted part in the delimiter means the body is taken literally.
    expand: quoteCount(name) === quoteCount(raw[0]!),
    chomp: m[2] === '-',
  };
}

/** The heredocs that an instruction line announces, in order. */
export function heredocsFromLine(line: string): Omit<Heredoc, 'content'>[] {
  // BuildKit ignores a lexing failure of the whole line: the line then has no heredocs.
  if (!line.includes('<<')) return [];
  let words: string[];
  try {
    words = splitShellWords(line, { rawQuotes: true, rawEscapes: true });
  } catch (err) {
    if (err instanceof ParseFailure) return [];
    throw err;
  }
  const out: Omit<Heredoc, 'content'>[] = [];
  for (const w of words) {
    const h = parseHeredocWord(w);
    if (h) out.push(h);
  }
  return out;
}
