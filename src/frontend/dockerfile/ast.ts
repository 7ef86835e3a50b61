// The Dockerfile AST: what the parser produces and the instruction layer consumes.
// Shaped after BuildKit's parser.Node so that `debug ast` can print BuildKit's dump
// exactly, but as plain typed data.

/** A position in the source: line is 1-based, column is 0-based (UTF-16 code units). */
export interface Position {
  line: number;
  column: number;
}

/** Start is the first character of a node; end is just past its last one, on its last line. */
export interface SourceRange {
  start: Position;
  end: Position;
}

/** A heredoc body attached to a RUN/COPY/ADD line (`<<EOF`, `<<-EOF`, `3<<"EOF"`). */
export interface Heredoc {
  /** The delimiter word, with quotes removed. */
  name: string;
  /** The body: every line up to the terminator, each with its trailing newline. */
  content: string;
  /** The fd number written before `<<` (0 when absent). */
  fileDescriptor: number;
  /** False when any part of the delimiter was quoted: the body is taken literally. */
  expand: boolean;
  /** True for `<<-`: leading tabs are stripped from body lines and the terminator. */
  chomp: boolean;
}

/** One instruction (one logical line, continuations joined). */
export interface InstructionNode {
  /** The keyword, lowercased as BuildKit dumps it (`run`, `from`, or an unknown word such as `foo`). */
  keyword: string;
  /** The keyword as written in the file (`Run`, `RUN`), for error messages. */
  keywordAsWritten: string;
  /** Leading `--name[=value]` words, verbatim after quote removal (`--mount=type=cache,target=/x`). */
  flags: string[];
  /**
   * The arguments as BuildKit's line parsers produce them (see conformance README §1.2):
   * one string per JSON element in exec form; one string for a shell-form RUN/CMD/ENTRYPOINT/SHELL;
   * `key value sep` triples for ENV and LABEL; empty for ONBUILD (see `inner`).
   */
  args: string[];
  /** True when the arguments were a JSON string array (exec form). */
  json: boolean;
  /** For ONBUILD: the wrapped instruction. */
  inner?: InstructionNode;
  /** Heredoc bodies in the order their `<<` words appear on the line. */
  heredocs: Heredoc[];
  /** The joined logical line as written, keyword included (continuations removed). */
  original: string;
  /** Comment lines directly above the instruction (without the leading `#`), for LABEL-like docs. */
  comments: string[];
  range: SourceRange;
}

/** Parser directives read from the top of the file. */
export interface Directives {
  syntax?: string;
  escape?: string;
  check?: string;
}

/** A non-fatal finding while parsing (e.g. an empty continuation line). */
export interface ParseWarning {
  message: string;
  range: SourceRange;
}

export interface DockerfileAST {
  /** The file name used in error messages (`Dockerfile` unless told otherwise). */
  file: string;
  /** The source text after BOM removal, for error excerpts. */
  source: string;
  directives: Directives;
  /** The escape character in force: `\` or a backtick. */
  escapeToken: string;
  children: InstructionNode[];
  /** Spans the first to the last instruction. */
  range: SourceRange;
  warnings: ParseWarning[];
}
