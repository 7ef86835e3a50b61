// The location-free error raised by the instruction helpers (flags, mounts, durations,
// ports). parseInstruction turns it into a DockerfileError at the instruction's range;
// the converter can do the same with `toDockerfileError`.

import { DockerfileError } from '../errors.js';
import type { SourceRange } from '../ast.js';

export class InstructionSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InstructionSyntaxError';
  }
}

/** Wrap any error as a DockerfileError at `range` (DockerfileErrors pass through). */
export function toDockerfileError(err: unknown, loc: { file: string; source: string; range: SourceRange }): DockerfileError {
  if (err instanceof DockerfileError) return err;
  const reason = err instanceof Error ? err.message : String(err);
  return new DockerfileError(reason, { file: loc.file, source: loc.source, range: loc.range });
}

export { goQuote } from '../parser/go-quote.js';
