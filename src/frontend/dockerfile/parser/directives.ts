// Parser directives (`# syntax=`, `# escape=`, `# check=`): BuildKit's DirectiveParser.
// Every line is offered until one is not a directive; a blank line, an ordinary comment or
// an instruction ends the search.
import type { Directives } from '../ast.js';
import { ParseFailure } from './parse-failure.js';
import { trimLeftGo } from './go-space.js';

// Go RE2's \s is [\t\n\f\r ] (no \v).
const RE_DIRECTIVE = /^#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*([^\n]+?)[\t\n\f\r ]*$/;
const KNOWN = new Set(['syntax', 'escape', 'check']);

export interface DirectiveScan {
  directives: Directives;
  escapeToken: string;
}

/** Thrown for a bad directive; `line` is 1-based. */
export class DirectiveFailure extends ParseFailure {
  constructor(
    reason: string,
    readonly line: number,
  ) {
    super(reason);
  }
}

export function validateEscapeToken(value: string): void {
  if (value !== '`' && value !== '\\') {
    throw new ParseFailure(`invalid escape token '${value}' does not match \` or \\`);
  }
}

/** Reads the directives at the top of `source` (BOM already removed). */
export function scanDirectives(source: string): DirectiveScan {
  const directives: Directives = {};
  let escapeToken = '\\';
  let pos = 0;
  for (let line = 1; pos < source.length; line++) {
    const nl = source.indexOf('\n', pos);
    const end = nl < 0 ? source.length : nl;
    let text = source.slice(pos, end);
    // trimNewline: drop trailing CR/LF characters.
    let e = text.length;
    while (e > 0 && (text.charCodeAt(e - 1) === 13 || text.charCodeAt(e - 1) === 10)) e--;
    text = trimLeftGo(text.slice(0, e));
    const m = RE_DIRECTIVE.exec(text);
    if (!m) break;
    const key = m[1]!.toLowerCase();
    if (!KNOWN.has(key)) break;
    if (directives[key as keyof Directives] !== undefined) {
      throw new DirectiveFailure(`only one ${key} parser directive can be used`, line);
    }
    const value = m[2]!;
    if (key === 'escape') {
      try {
        validateEscapeToken(value);
      } catch (err) {
        throw new DirectiveFailure((err as ParseFailure).reason, line);
      }
      escapeToken = value;
    }
    directives[key as keyof Directives] = value;
    if (nl < 0) break;
    pos = nl + 1;
  }
  return { directives, escapeToken };
}
