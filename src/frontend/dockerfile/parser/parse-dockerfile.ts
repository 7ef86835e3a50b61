// Dockerfile text -> AST: directives, lexing into lines, the structure parser, and the
// file-level checks BuildKit makes (no instructions, line too long).
import type { DockerfileAST } from '../ast.js';
import { DockerfileError } from '../errors.js';
import { BuildState, type LineToken } from './build-state.js';
import { DirectiveFailure, scanDirectives, type DirectiveScan } from './directives.js';
import { lexLines, lineContent } from './lexer.js';
import { parseStructure } from './structure-parser.js';

export interface ParseOptions {
  /** The name used in errors (default `Dockerfile`). */
  file?: string;
}

/** bufio.MaxScanTokenSize - 1: the longest line BuildKit's scanner accepts. */
export const MAX_LINE_BYTES = 64 * 1024 - 1;

function lineError(file: string, source: string, line: number, reason: string): DockerfileError {
  const text = source.split('\n')[line - 1] ?? '';
  return new DockerfileError(reason, {
    file,
    source,
    range: { start: { line, column: 0 }, end: { line, column: lineContent(text).length } },
  });
}

/** Index of the first line longer than BuildKit's scanner allows, or -1. */
function findLongLine(tokens: LineToken[]): number {
  for (let i = 0; i < tokens.length; i++) {
    const image = tokens[i]!.image;
    // Three UTF-8 bytes per UTF-16 unit at most: short lines need no byte count.
    if (image.length * 3 > MAX_LINE_BYTES && Buffer.byteLength(lineContent(image), 'utf8') > MAX_LINE_BYTES) return i;
  }
  return -1;
}

export function parseDockerfile(text: string, opts: ParseOptions = {}): DockerfileAST {
  const file = opts.file ?? 'Dockerfile';
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;

  let scan: DirectiveScan;
  try {
    scan = scanDirectives(source);
  } catch (err) {
    if (err instanceof DirectiveFailure) throw lineError(file, source, err.line, err.reason);
    throw err;
  }

  let tokens = lexLines(source, scan.escapeToken) as LineToken[];
  for (let i = 0; i < tokens.length; i++) tokens[i]!.startLine = i + 1;
  const lineCount = tokens.length;
  // BuildKit's scanner stops at an over-long line: what precedes it is parsed, then it fails.
  const longLine = findLongLine(tokens);
  if (longLine >= 0) tokens = tokens.slice(0, longLine);

  const state = new BuildState(file, source, scan.escapeToken);
  parseStructure(tokens, state);

  const children = state.children;
  if (children.length === 0) {
    throw lineError(file, source, Math.max(1, longLine >= 0 ? longLine : lineCount), 'file with no instructions');
  }
  if (longLine >= 0) {
    throw lineError(file, source, longLine + 1, `dockerfile line greater than max allowed size of ${MAX_LINE_BYTES}`);
  }
  return {
    file,
    source,
    directives: scan.directives,
    escapeToken: scan.escapeToken,
    children,
    range: { start: children[0]!.range.start, end: children[children.length - 1]!.range.end },
    warnings: state.warnings,
  };
}
