// The chevrotain lexer: one token per physical line (its line ending included), classified
// the way BuildKit's line loop treats lines: blank, comment, continued (ends with the escape
// character) or plain text. The escape character changes the classification, so there is
// one lexer per escape character, built on first use and cached.
import { createToken, Lexer, type IToken, type TokenType } from 'chevrotain';
import { isGoSpace } from './go-space.js';
import { checkGrammar } from './grammar-checks.js';

// Categories the parser consumes; each escape character's lexer has its own concrete
// token types (their patterns differ) that belong to these categories.
export const AnyLine = createToken({ name: 'AnyLine', pattern: Lexer.NA });
export const BlankLine = createToken({ name: 'BlankLine', pattern: Lexer.NA, categories: [AnyLine] });
export const CommentLine = createToken({ name: 'CommentLine', pattern: Lexer.NA, categories: [AnyLine] });
export const ContinuationLine = createToken({ name: 'ContinuationLine', pattern: Lexer.NA, categories: [AnyLine] });
export const TextLine = createToken({ name: 'TextLine', pattern: Lexer.NA, categories: [AnyLine] });

const enum Kind {
  Blank,
  Comment,
  Continuation,
  Text,
}

/** The line without its trailing CR/LF characters (Go's trimNewline). */
export function lineContent(image: string): string {
  let e = image.length;
  while (e > 0) {
    const c = image.charCodeAt(e - 1);
    if (c !== 10 && c !== 13) break;
    e--;
  }
  return e === image.length ? image : image.slice(0, e);
}

/** BuildKit's line-continuation regex for an escape character. */
export function continuationRegex(escape: string): RegExp {
  const e = escape === '\\' ? '\\\\' : escape;
  return new RegExp(`([^${e}])${e}[ \\t]*$|^${e}[ \\t]*$`);
}

interface Classification {
  offset: number;
  end: number;
  kind: Kind;
}

interface EscapeLexer {
  tokens: TokenType[];
  /** Built on first use: a chevrotain Lexer analyses its tokens when constructed. */
  lexer?: Lexer;
}

function buildLexer(escape: string): EscapeLexer {
  const reContinuation = continuationRegex(escape);
  // The four token patterns are tried in turn at the same offset: classify once, reuse.
  let last: Classification = { offset: -1, end: -1, kind: Kind.Text };
  let lastText = '';
  const classify = (text: string, offset: number): Classification => {
    if (last.offset === offset && lastText === text) return last;
    const nl = text.indexOf('\n', offset);
    const end = nl < 0 ? text.length : nl + 1;
    const content = lineContent(text.slice(offset, end));
    let i = 0;
    while (i < content.length && isGoSpace(content.charCodeAt(i))) i++;
    let kind: Kind;
    if (i === content.length) kind = Kind.Blank;
    else if (content.charCodeAt(i) === 0x23 /* # */) kind = Kind.Comment;
    else if (reContinuation.test(content)) kind = Kind.Continuation;
    else kind = Kind.Text;
    last = { offset, end, kind };
    lastText = text;
    return last;
  };
  const matcher = (kind: Kind) => (text: string, offset: number) => {
    const c = classify(text, offset);
    return c.kind === kind ? ([text.slice(offset, c.end)] as [string]) : null;
  };
  const token = (category: TokenType, kind: Kind): TokenType =>
    createToken({
      name: `${category.name}_${escape === '\\' ? 'backslash' : 'backtick'}`,
      pattern: { exec: matcher(kind) },
      line_breaks: true,
      categories: [category, AnyLine],
    });
  const tokens = [
    token(BlankLine, Kind.Blank),
    token(CommentLine, Kind.Comment),
    token(ContinuationLine, Kind.Continuation),
    token(TextLine, Kind.Text),
  ];
  return { tokens };
}

/** The two escape characters BuildKit accepts, each with its lexer, built once. */
const lexers = new Map<string, EscapeLexer>([
  ['\\', buildLexer('\\')],
  ['`', buildLexer('`')],
]);

/** Every token type the parser may see (categories first). */
export const allLineTokens: TokenType[] = [
  AnyLine,
  BlankLine,
  CommentLine,
  ContinuationLine,
  TextLine,
  ...[...lexers.values()].flatMap((l) => l.tokens),
];

/** Splits `source` into classified physical lines using the lexer for `escape`. */
export function lexLines(source: string, escape: string): IToken[] {
  const l = lexers.get(escape);
  if (!l) throw new Error(`no lexer for escape character ${JSON.stringify(escape)}`);
  l.lexer ??= new Lexer(l.tokens, { positionTracking: 'onlyOffset', ensureOptimizations: false, skipValidations: !checkGrammar });
  const result = l.lexer.tokenize(source);
  // Every position matches exactly one line class, so the lexer cannot fail; guard anyway.
  if (result.errors.length > 0) throw new Error(`line lexer: ${result.errors[0]!.message}`);
  return result.tokens;
}
