// Conversion errors point at the instruction that caused them (file:line), like
// BuildKit's parser.WithLocation.
import type { SourceRange } from '../ast.js';
import { DockerfileError } from '../errors.js';

export interface SourceFile {
  file: string;
  source: string;
}

/** Wraps `err` (or a message) as a DockerfileError at `range`, keeping existing locations. */
export function errorAt(src: SourceFile, range: SourceRange, err: unknown): DockerfileError {
  if (err instanceof DockerfileError && err.location) return err;
  const reason = err instanceof Error ? err.message : String(err);
  return new DockerfileError(reason, { file: src.file, source: src.source, range });
}
