import type { SourceRange } from './ast.js';
import { formatSourceSnippet } from './source-snippet.js';

/** Where in which Dockerfile something went wrong. */
export interface DockerfileLocation {
  /** File name shown to the user (`Dockerfile`, `build/Dockerfile.prod`). */
  file: string;
  /** The whole source text, so that neighbouring lines can be shown. */
  source?: string;
  range: SourceRange;
}

/**
 * An error in a Dockerfile, with file, line and column. `format()` renders it the way
 * BuildKit does: the file and line, the neighbouring lines with the failing one marked,
 * then a one-line reason.
 */
export class DockerfileError extends Error {
  readonly exitCode = 1;
  readonly location?: DockerfileLocation;
  /** The reason alone (`unknown instruction: RUNN (did you mean RUN?)`). */
  readonly reason: string;

  constructor(reason: string, location?: DockerfileLocation) {
    super(location ? `${location.file}:${location.range.start.line}:${location.range.start.column + 1}: ${reason}` : reason);
    this.name = 'DockerfileError';
    this.reason = reason;
    if (location) this.location = location;
  }

  get file(): string | undefined {
    return this.location?.file;
  }
  get line(): number | undefined {
    return this.location?.range.start.line;
  }
  /** 1-based column. */
  get column(): number | undefined {
    const c = this.location?.range.start.column;
    return c === undefined ? undefined : c + 1;
  }

  /** BuildKit-style multi-line rendering for the terminal: the source snippet, then the reason. */
  format(): string {
    const loc = this.location;
    if (!loc) return `ERROR: ${this.reason}\n`;
    const { start, end } = loc.range;
    const snippet = loc.source !== undefined
      ? formatSourceSnippet(loc.file, loc.source, [{ start: start.line, end: end.line }])
      : `${loc.file}:${start.line}\n`;
    return `${snippet}ERROR: ${loc.file}:${start.line}:${start.column + 1}: ${this.reason}\n`;
  }
}

/** Whole-line range helper for errors that concern a line as a whole. */
export function lineRange(line: number, endLine = line, endColumn = 0): SourceRange {
  return { start: { line, column: 0 }, end: { line: endLine, column: endColumn } };
}
