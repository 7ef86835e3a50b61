// BuildKit's error for a RUN whose process failed:
//   process "/bin/sh -c exit 3" did not complete successfully: exit code: 3
import { goQuote } from '../../frontend/dockerfile/parser/go-quote.js';

export class ProcessExitError extends Error {
  constructor(readonly args: readonly string[], readonly exitCode: number, readonly lastOutput: string[] = []) {
    super(processExitMessage(args, exitCode));
    this.name = 'ProcessExitError';
  }
}

export function processExitMessage(args: readonly string[], exitCode: number): string {
  return `process ${goQuote(args.join(' '))} did not complete successfully: exit code: ${exitCode}`;
}
