// What the structure parser's actions do: join continuation lines, build instruction nodes,
// collect heredoc bodies, comments and warnings (BuildKit's Parse loop, step by step).
import type { IToken } from 'chevrotain';
import type { Heredoc, InstructionNode, ParseWarning, SourceRange } from '../ast.js';
import { DockerfileError } from '../errors.js';
import { trimGo, trimLeftGo } from './go-space.js';
import { heredocsFromLine } from './heredoc.js';
import { canContainHeredoc, nodeFromLine } from './instruction-node.js';
import { continuationRegex, lineContent } from './lexer.js';
import { ParseFailure } from './parse-failure.js';

/** A line token; `startLine` is filled in after lexing (the lexer tracks offsets only). */
export type LineToken = IToken & { startLine: number };

const continuationRegexes = new Map<string, RegExp>();

export class BuildState {
  readonly children: InstructionNode[] = [];
  readonly warnings: ParseWarning[] = [];
  private comments: string[] = [];
  private readonly reContinuation: RegExp;
  // The instruction being read.
  private first!: LineToken;
  private last!: LineToken;
  private startColumn = 0;
  private line = '';
  private emptyContinuation = false;
  private node: InstructionNode | undefined;
  private heredocs: Heredoc[] = [];
  private heredocIndex = 0;

  constructor(
    private readonly file: string,
    private readonly source: string,
    private readonly escape: string,
  ) {
    let re = continuationRegexes.get(escape);
    if (!re) {
      re = continuationRegex(escape);
      continuationRegexes.set(escape, re);
    }
    this.reContinuation = re;
  }

  comment(t: LineToken): void {
    // BuildKit drops the line's first character (not its first non-blank one) and trims.
    this.comments.push(trimGo(t.image.slice(1)));
  }

  begin(t: LineToken, continued: boolean): void {
    const content = lineContent(t.image);
    const trimmed = trimLeftGo(content);
    this.first = t;
    this.last = t;
    this.startColumn = content.length - trimmed.length;
    this.line = continued ? trimmed.replace(this.reContinuation, '$1') : trimmed;
    this.emptyContinuation = false;
    this.node = undefined;
    this.heredocs = [];
    this.heredocIndex = 0;
  }

  append(t: LineToken, continued: boolean): void {
    this.last = t;
    const content = lineContent(t.image);
    this.line += continued ? content.replace(this.reContinuation, '$1') : content;
  }

  /** A comment line inside a continuation: skipped. */
  skip(t: LineToken): void {
    this.last = t;
  }

  /** A blank line inside a continuation: skipped with a warning (BuildKit's NoEmptyContinuation). */
  blankInContinuation(t: LineToken): void {
    this.last = t;
    this.emptyContinuation = true;
  }

  private range(): SourceRange {
    return {
      start: { line: this.first.startLine, column: this.startColumn },
      end: { line: this.last.startLine, column: lineContent(this.last.image).length },
    };
  }

  fail(reason: string): never {
    throw new DockerfileError(reason, { file: this.file, source: this.source, range: this.range() });
  }

  /** The logical line is complete: build its node and find the heredocs it announces. */
  endLine(): void {
    if (this.emptyContinuation) {
      this.warnings.push({ message: `Empty continuation line found in: ${this.line}`, range: this.range() });
    }
    try {
      this.node = nodeFromLine(this.line, this.escape, this.comments, this.range());
    } catch (err) {
      if (err instanceof ParseFailure) this.fail(err.reason);
      throw err;
    }
    if (canContainHeredoc(this.node)) {
      this.heredocs = heredocsFromLine(this.line).map((h) => ({ ...h, content: '' }));
    }
  }

  wantsHeredocLine(): boolean {
    return this.heredocIndex < this.heredocs.length;
  }

  heredocLine(t: LineToken): void {
    this.last = t;
    const h = this.heredocs[this.heredocIndex]!;
    const content = lineContent(t.image);
    const candidate = h.chomp ? content.replace(/^\t+/, '') : content;
    if (candidate === h.name) this.heredocIndex++;
    else h.content += t.image;
  }

  endInstruction(): void {
    if (this.wantsHeredocLine()) this.fail('unterminated heredoc');
    const node = this.node!;
    node.heredocs = this.heredocs;
    node.range = this.range();
    if (node.inner) node.inner.range = node.range;
    this.children.push(node);
    this.comments = [];
  }
}
