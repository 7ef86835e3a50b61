// Where an op comes from in the Dockerfile, for the LLB source map. BuildKit records whole
// lines (character 0), which is what error excerpts need.
import type { SourceLocation } from '../../../llb/vertex.js';
import type { SourceRange } from '../ast.js';
import type { ConvertContext } from './context.js';

export function locationOf(ctx: ConvertContext, range: SourceRange): SourceLocation {
  return ctx.sourceMap.location([
    { start: { line: range.start.line, character: 0 }, end: { line: range.end.line, character: 0 } },
  ]);
}
