// The chevrotain parser for the file structure: blank lines, comments, instructions made of
// a first line, continuation lines (with comments and blank lines inside skipped) and the
// heredoc bodies that follow. Embedded actions hand each line to a BuildState.
import { EmbeddedActionsParser } from 'chevrotain';
import { allLineTokens, AnyLine, BlankLine, CommentLine, ContinuationLine, TextLine } from './lexer.js';
import type { BuildState, LineToken } from './build-state.js';
import { checkGrammar } from './grammar-checks.js';

class StructureParser extends EmbeddedActionsParser {
  private state!: BuildState;

  constructor() {
    super(allLineTokens, { maxLookahead: 1, recoveryEnabled: false, skipValidations: !checkGrammar });
    this.performSelfAnalysis();
  }

  run(tokens: LineToken[], state: BuildState): void {
    this.state = state;
    this.input = tokens;
    this.dockerfile();
    if (this.errors.length > 0) throw new Error(`structure parser: ${this.errors[0]!.message}`);
  }

  private readonly dockerfile = this.RULE('dockerfile', () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(BlankLine) },
        {
          ALT: () => {
            const t = this.CONSUME(CommentLine) as LineToken;
            this.ACTION(() => this.state.comment(t));
          },
        },
        { ALT: () => this.SUBRULE(this.instruction) },
      ]);
    });
  });

  private readonly instruction = this.RULE('instruction', () => {
    this.OR([
      {
        ALT: () => {
          const t = this.CONSUME(TextLine) as LineToken;
          this.ACTION(() => this.state.begin(t, false));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(ContinuationLine) as LineToken;
          this.ACTION(() => this.state.begin(t, true));
          this.SUBRULE(this.continuation);
        },
      },
    ]);
    this.ACTION(() => this.state.endLine());
    // Heredoc bodies: any line, until each announced heredoc has met its terminator.
    this.MANY({
      GATE: () => this.state.wantsHeredocLine(),
      DEF: () => {
        const t = this.CONSUME(AnyLine) as LineToken;
        this.ACTION(() => this.state.heredocLine(t));
      },
    });
    this.ACTION(() => this.state.endInstruction());
  });

  private readonly continuation = this.RULE('continuation', () => {
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            const t = this.CONSUME(CommentLine) as LineToken;
            this.ACTION(() => this.state.skip(t));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(BlankLine) as LineToken;
            this.ACTION(() => this.state.blankInContinuation(t));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(ContinuationLine) as LineToken;
            this.ACTION(() => this.state.append(t, true));
          },
        },
      ]);
    });
    this.OPTION(() => {
      const t = this.CONSUME(TextLine) as LineToken;
      this.ACTION(() => this.state.append(t, false));
    });
  });
}

let parser: StructureParser | undefined;

/** Runs the (lazily built, then reused) structure parser over classified lines. */
export function parseStructure(tokens: LineToken[], state: BuildState): void {
  parser ??= new StructureParser();
  parser.run(tokens, state);
}
