// The line lexer: one token per physical line (its line ending included), classified the way
// BuildKit's line loop treats lines: blank, comment, continued (ends with the escape
// character) or plain text, as chevrotain tokens for the structure parser. A plain loop:
// a chevrotain Lexer would analyse its (custom-pattern) tokens for ~2 ms at every cold
// start for nothing. The escape character changes the classification, so each escape
// character has its own token types.
import { createToken, Lexer, type IToken, type TokenType } from 'chevrotain';
import { isGoSpace } from './go-space.js';

// Categories the parser consumes; each escape character has its own concrete token types
// that belong to these categories.
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

interface EscapeLexer {
  /** The concrete token type of each Kind, in Kind order. */
  tokens: TokenType[];
  reContinuation: RegExp;
}

function buildLexer(escape: string): EscapeLexer {
  const token = (category: TokenType): TokenType =>
    createToken({ name: `${category.name}_${escape === '\\' ? 'backslash' : 'backtick'}`, pattern: Lexer.NA, categories: [category, AnyLine] });
  return { tokens: [token(BlankLine), token(CommentLine), token(ContinuationLine), token(TextLine)], reContinuation: continuationRegex(escape) };
}

/** The two escape characters BuildKit accepts, each with its token types. */
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

/** Splits `source` into classified physical lines (their line endings included) for `escape`. */
export function lexLines(source: string, escape: string): IToken[] {
  const l = lexers.get(escape);
  if (!l) throw new Error(`no lexer for escape character ${JSON.stringify(escape)}`);
  const tokens: IToken[] = [];
  for (let offset = 0; offset < source.length;) {
    const nl = source.indexOf('\n', offset);
    const end = nl < 0 ? source.length : nl + 1;
    const image = source.slice(offset, end);
    const content = lineContent(image);
    let i = 0;
    while (i < content.length && isGoSpace(content.charCodeAt(i))) i++;
    let kind: Kind;
    if (i === content.length) kind = Kind.Blank;
    else if (content.charCodeAt(i) === 0x23 /* # */) kind = Kind.Comment;
    else if (l.reContinuation.test(content)) kind = Kind.Continuation;
    else kind = Kind.Text;
    const tokenType = l.tokens[kind]!;
    // The shape of chevrotain's offset-only tokens, which its parser consumes.
    tokens.push({ image, startOffset: offset, tokenTypeIdx: tokenType.tokenTypeIdx!, tokenType } as IToken);
    offset = end;
  }
  return tokens;
}
