// BuildKit's Dockerfile shell-word lexer (frontend/dockerfile/shell/lex.go), re-expressed in
// TypeScript: quote removal, escapes, $VAR / ${VAR...} expansion and word splitting. It is
// deliberately not a POSIX shell; every quirk below mirrors BuildKit.

import type { EnvGetter } from './env.js';
import { LexFailure, ShellExpansionError } from './errors.js';
import { replacePattern, trimPrefix, trimSuffix } from './pattern.js';
import { EOF, isDigit, isLetter, isSpace, RuneScanner, runeString } from './runes.js';

export type EscapeToken = '\\' | '`';

export interface ProcessWordResult {
  /** The expanded word (no splitting). */
  result: string;
  /** The word split on unquoted whitespace. */
  words: string[];
  /** Variables that were referenced and set. */
  matched: Set<string>;
  /** Variables that were referenced but unset. */
  unmatched: Set<string>;
}

const DOLLAR = 0x24;
const SQUOTE = 0x27;
const DQUOTE = 0x22;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const COLON = 0x3a;
const SLASH = 0x2f;
const HASH = 0x23;
const PERCENT = 0x25;

/** Performs shell-style expansion of Dockerfile words, like BuildKit's shell.Lex. */
export class ShellLex {
  readonly escapeToken: EscapeToken;
  /** Keep quote characters in the output. */
  rawQuotes = false;
  /** Keep escape characters in the output. */
  rawEscapes = false;
  /** Leave references to unset variables as written (`$X`, `${X:-w}`). */
  skipUnsetEnv = false;
  /** Treat quotes as ordinary characters. */
  skipProcessQuotes = false;

  private readonly plain: RegExp;

  constructor(escapeToken: EscapeToken = '\\') {
    this.escapeToken = escapeToken;
    // Words without any of these characters expand to themselves.
    this.plain = escapeToken === '\\' ? /^[^$'"\\\ufeff]*$/ : /^[^$'"`\ufeff]*$/;
  }

  /** Expands one word without splitting it. Throws ShellExpansionError. */
  processWord(word: string, env: EnvGetter): string {
    if (this.plain.test(word)) return word;
    return this.run(word, env, false).result;
  }

  /** Expands a word and splits the result on unquoted whitespace. Throws ShellExpansionError. */
  processWords(word: string, env: EnvGetter): string[] {
    return this.run(word, env, false).words;
  }

  /** Expands one word and reports which variables it used and which were unset. */
  processWordWithMatches(word: string, env: EnvGetter): ProcessWordResult {
    return this.run(word, env, true);
  }

  private run(word: string, env: EnvGetter, capture: boolean): ProcessWordResult {
    const sw = new ShellWord(this, word, env, capture);
    try {
      const { result, words } = sw.processStopOn(EOF, this.rawEscapes);
      return { result, words, matched: sw.matched, unmatched: sw.unmatched };
    } catch (err) {
      if (err instanceof LexFailure) throw new ShellExpansionError(word, err.message);
      throw err;
    }
  }
}

/**
 * Collects split words. BuildKit shares one in-progress buffer between a word and the
 * nested words of `${v:-...}`-style modifiers and resets it when a nested word starts; we
 * share it the same way so that multi-word results stay identical.
 */
interface SharedBuffer {
  text: string;
}

class Words {
  words: string[] = [];
  private inWord = false;
  constructor(private readonly buf: SharedBuffer) {}

  addChar(c: number): void {
    if (isSpace(c)) {
      if (this.inWord && this.buf.text.length !== 0) {
        this.words.push(this.buf.text);
        this.buf.text = '';
        this.inWord = false;
      }
    } else {
      this.addRawChar(c);
    }
  }

  addRawChar(c: number): void {
    this.buf.text += runeString(c);
    this.inWord = true;
  }

  addString(s: string): void {
    for (let i = 0; i < s.length; ) {
      const c = s.codePointAt(i)!;
      this.addChar(c);
      i += c > 0xffff ? 2 : 1;
    }
  }

  addRawString(s: string): void {
    this.buf.text += s;
    this.inWord = true;
  }

  finish(): string[] {
    if (this.buf.text.length > 0) {
      this.words.push(this.buf.text);
      this.buf.text = '';
      this.inWord = false;
    }
    return this.words;
  }
}

/** The state of one expansion call. */
class ShellWord {
  readonly matched = new Set<string>();
  readonly unmatched = new Set<string>();
  private readonly scanner: RuneScanner;
  private readonly buffer: SharedBuffer = { text: '' };
  private rawEscapes: boolean;
  private readonly escape: number;

  constructor(
    private readonly lex: ShellLex,
    word: string,
    private readonly env: EnvGetter,
    private readonly capture: boolean,
  ) {
    this.scanner = new RuneScanner(word);
    this.rawEscapes = lex.rawEscapes;
    this.escape = lex.escapeToken.charCodeAt(0);
  }

  /** Processes up to `stopChar` (consumed) or the end of input when stopChar is EOF. */
  processStopOn(stopChar: number, rawEscapes: boolean): { result: string; words: string[] } {
    const saved = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    try {
      return this.scanUntil(stopChar);
    } finally {
      this.rawEscapes = saved;
    }
  }

  private scanUntil(stopChar: number): { result: string; words: string[] } {
    const s = this.scanner;
    const quotes = !this.lex.skipProcessQuotes;
    let result = '';
    this.buffer.text = '';
    const words = new Words(this.buffer);

    while (s.peek() !== EOF) {
      let ch = s.peek();
      if (stopChar !== EOF && ch === stopChar) {
        s.next();
        return { result, words: words.finish() };
      }
      if (ch === DOLLAR) {
        const value = this.processDollar();
        result += value;
        words.addString(value);
      } else if (quotes && (ch === SQUOTE || ch === DQUOTE)) {
        const value = ch === SQUOTE ? this.processSingleQuote() : this.processDoubleQuote();
        result += value;
        words.addRawString(value);
      } else {
        ch = s.next();
        if (ch === this.escape) {
          if (this.rawEscapes) {
            words.addRawChar(ch);
            result += runeString(ch);
          }
          // The escape character escapes the next one; at the very end it is dropped.
          ch = s.next();
          if (ch === EOF) break;
          words.addRawChar(ch);
        } else {
          words.addChar(ch);
        }
        result += runeString(ch);
      }
    }
    if (stopChar !== EOF) {
      throw new LexFailure(`unexpected end of statement while looking for matching ${runeString(stopChar)}`);
    }
    return { result, words: words.finish() };
  }

  /** Everything up to the next `'` is literal; there is no escape inside. */
  private processSingleQuote(): string {
    const s = this.scanner;
    const raw = this.lex.rawQuotes;
    let result = '';
    const open = s.next();
    if (raw) result += runeString(open);
    for (;;) {
      const ch = s.next();
      if (ch === EOF) throw new LexFailure('unexpected end of statement while looking for matching single-quote');
      if (ch === SQUOTE) {
        if (raw) result += "'";
        return result;
      }
      result += runeString(ch);
    }
  }

  /** `$` expands inside; the escape character only escapes `"`, `$` and itself. */
  private processDoubleQuote(): string {
    const s = this.scanner;
    const raw = this.lex.rawQuotes;
    let result = '';
    const open = s.next();
    if (raw) result += runeString(open);
    for (;;) {
      const peek = s.peek();
      if (peek === EOF) throw new LexFailure('unexpected end of statement while looking for matching double-quote');
      if (peek === DQUOTE) {
        s.next();
        if (raw) result += '"';
        return result;
      }
      if (peek === DOLLAR) {
        result += this.processDollar();
        continue;
      }
      let ch = s.next();
      if (ch === this.escape) {
        if (this.rawEscapes) result += runeString(ch);
        const next = s.peek();
        // A trailing escape is ignored (the missing quote is reported next round).
        if (next === EOF) continue;
        if (next === DQUOTE || next === DOLLAR || next === this.escape) ch = s.next();
      }
      result += runeString(ch);
    }
  }

  private processDollar(): string {
    const s = this.scanner;
    s.next(); // the `$`

    if (s.peek() !== LBRACE) {
      const name = this.processName();
      if (name === '') return '$';
      const value = this.getEnv(name);
      if (value === undefined) return this.lex.skipUnsetEnv ? `$${name}` : '';
      return value;
    }

    s.next(); // the `{`
    const first = s.peek();
    if (first === EOF) throw new LexFailure("syntax error: missing '}'");
    if (first === LBRACE || first === RBRACE || first === COLON) throw new LexFailure('syntax error: bad substitution');

    const name = this.processName();
    let ch = s.next();
    let chs = runeString(ch);

    if (ch === RBRACE) {
      const value = this.getEnv(name);
      if (value === undefined) return this.lex.skipUnsetEnv ? `\${${name}}` : '';
      return value;
    }
    if (ch === SLASH) return this.processReplace(name);

    let nullIsUnset = false;
    if (ch === COLON) {
      nullIsUnset = true;
      ch = s.next();
      chs += runeString(ch);
    } else if (ch !== 0x2b && ch !== 0x2d && ch !== 0x3f && ch !== HASH && ch !== PERCENT) {
      throw new LexFailure(`unsupported modifier (${chs}) in substitution`);
    }

    const isPattern = ch === HASH || ch === PERCENT;
    if (nullIsUnset && isPattern) throw new LexFailure(`unsupported modifier (${chs}) in substitution`);
    let word = this.nested(RBRACE, isPattern, "syntax error: missing '}'");

    const value = this.getEnv(name);
    if (this.lex.skipUnsetEnv && value === undefined) return `\${${name}${chs}${word}}`;
    const empty = value === undefined || (nullIsUnset && value === '');

    switch (ch) {
      case 0x2d: // -
        return empty ? word : value!;
      case 0x2b: // +
        return empty ? '' : word;
      case 0x3f: // ?
        if (value === undefined) throw new LexFailure(`${name}: ${word !== '' ? word : 'is not allowed to be unset'}`);
        if (nullIsUnset && value === '') throw new LexFailure(`${name}: ${word !== '' ? word : 'is not allowed to be empty'}`);
        return value;
      case HASH:
      case PERCENT: {
        // One `#`/`%` removes the shortest match, two the longest.
        let greedy = false;
        if (word.length > 0 && word.charCodeAt(0) === ch) {
          greedy = true;
          word = word.slice(1);
        }
        return ch === PERCENT ? trimSuffix(word, value ?? '', greedy) : trimPrefix(word, value ?? '', greedy);
      }
      default:
        throw new LexFailure(`unsupported modifier (${chs}) in substitution`);
    }
  }

  /** `${name/pattern/replacement}` and `${name//pattern/replacement}` (after the first `/`). */
  private processReplace(name: string): string {
    const all = this.scanner.peek() === SLASH;
    if (all) this.scanner.next();
    const pattern = this.nested(SLASH, true, "syntax error: missing '/' in ${}");
    const replacement = this.nested(RBRACE, true, "syntax error: missing '}'");
    const value = this.getEnv(name);
    if (this.lex.skipUnsetEnv && value === undefined) return `\${${name}/${pattern}/${replacement}}`;
    return replacePattern(pattern, value ?? '', replacement, all);
  }

  /** A nested word up to `stop`; running out of input is reported as `atEof`. */
  private nested(stop: number, rawEscapes: boolean, atEof: string): string {
    try {
      return this.processStopOn(stop, rawEscapes).result;
    } catch (err) {
      if (err instanceof LexFailure && this.scanner.peek() === EOF) throw new LexFailure(atEof);
      throw err;
    }
  }

  /**
   * A variable name: letters, digits and `_`; or a run of digits (positional parameters);
   * or one special parameter character (`@ * # ? - $ ! 0`).
   */
  private processName(): string {
    const s = this.scanner;
    let name = '';
    while (s.peek() !== EOF) {
      const ch = s.peek();
      if (name === '' && isDigit(ch)) {
        while (s.peek() !== EOF && isDigit(s.peek())) name += runeString(s.next());
        return name;
      }
      if (name === '' && isSpecialParam(ch)) return runeString(s.next());
      if (!isLetter(ch) && !isDigit(ch) && ch !== 0x5f) break;
      name += runeString(s.next());
    }
    return name;
  }

  private getEnv(name: string): string | undefined {
    const value = this.env.get(name);
    if (this.capture) (value === undefined ? this.unmatched : this.matched).add(name);
    return value;
  }
}

function isSpecialParam(c: number): boolean {
  // @ * # ? - $ ! 0
  return c === 0x40 || c === 0x2a || c === 0x23 || c === 0x3f || c === 0x2d || c === 0x24 || c === 0x21 || c === 0x30;
}
